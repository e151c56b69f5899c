//! `jwks`: the JWK Set (RFC 7517) of one or more public keys, for gateways that verify
//! signatures themselves (Envoy `jwt_authn`, Kong, NGINX Plus, Cloudflare).

use crate::{input, Failure};
use notiflows_auth::{jwk_set, PublicKey, MAX_PROJECT_KEYS};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Public key file (PEM, DER or base64-encoded PEM), one key per file; repeat for each
    /// key, the active one first (at most 8).
    #[arg(long = "public-key", required = true, value_name = "FILE", num_args = 1..)]
    public_keys: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.public_keys.len() > MAX_PROJECT_KEYS {
        return Err(Failure::Usage(format!("at most {MAX_PROJECT_KEYS} keys (a project holds at most 8)")));
    }
    let mut keys: Vec<PublicKey> = Vec::with_capacity(args.public_keys.len());
    for path in &args.public_keys {
        let key = PublicKey::parse(&input::read_file(path)?)?;
        if keys.iter().any(|k| k.kid() == key.kid()) {
            return Err(Failure::Usage(format!("{} is a key given twice", path.display())));
        }
        keys.push(key);
    }
    println!("{}", jwk_set(&keys));
    Ok(())
}
