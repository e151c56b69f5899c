//! `verify`: check a user token and print its claims.

use crate::{input, Failure};
use notiflows_auth::{Policy, Provider, PublicKey, Verifier};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Public key file: PEM (SPKI or PKCS#1), DER, or base64-encoded PEM.
    #[arg(long)]
    public_key: PathBuf,
    /// Current time, Unix seconds (default: now).
    #[arg(long, allow_negative_numbers = true)]
    now: Option<i64>,
    /// Seconds of tolerance for `exp` and `nbf`.
    #[arg(long, default_value_t = 0)]
    leeway: u64,
    /// Refuse tokens without `exp`.
    #[arg(long)]
    require_exp: bool,
    /// Which library verifies the signature: `ring` or `aws-lc-rs` (same results).
    #[arg(long, default_value = "ring")]
    provider: String,
    /// The token, or `-` (or nothing) to read it from stdin.
    token: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let key = PublicKey::parse(&input::read_file(&args.public_key)?)?;
    let policy = Policy {
        leeway_seconds: args.leeway,
        require_exp: args.require_exp,
        provider: Provider::from_name(&args.provider)?,
        ..Policy::default()
    };
    let verifier = Verifier::with_policy(key, policy)?;
    let claims = verifier.verify(&input::token(args.token)?, input::now(args.now))?;
    println!("{}", input::claims_json(&claims));
    Ok(())
}
