//! `sign`: a user token for one user id.

use crate::{input, Failure};
use notiflows_auth::{Kid, SignOptions, SigningKey};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The user's external id (the `sub` claim).
    #[arg(long)]
    sub: String,
    /// Private key file (PEM or base64-encoded PEM); default: $NOTIFLOWS_SIGNING_KEY.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Lifetime in seconds (`exp = iat + ttl`).
    #[arg(long, default_value_t = notiflows_auth::sign::DEFAULT_EXPIRES_IN_SECONDS, conflicts_with = "no_exp")]
    ttl: u64,
    /// Leave out `exp` (the token never expires: not recommended).
    #[arg(long)]
    no_exp: bool,
    /// Issue time, Unix seconds (default: now).
    #[arg(long, allow_negative_numbers = true)]
    now: Option<i64>,
    /// The `kid` header parameter (default: the key's own kid, its RFC 7638 thumbprint).
    #[arg(long, conflicts_with = "no_kid")]
    kid: Option<String>,
    /// Leave out `kid` (the token then verifies against a project's active key only).
    #[arg(long)]
    no_kid: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let key = SigningKey::parse(&input::signing_key_bytes(args.key.as_deref())?)?;
    let options = SignOptions {
        now: input::now(args.now),
        expires_in: (!args.no_exp).then_some(args.ttl),
        kid: match (&args.kid, args.no_kid) {
            (_, true) => Kid::Omit,
            (Some(kid), false) => Kid::Custom(kid),
            (None, false) => Kid::Key,
        },
    };
    println!("{}", key.sign_user_token(&args.sub, &options)?);
    Ok(())
}
