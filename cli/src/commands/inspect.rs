//! `inspect`: a token's header and claims, clearly marked as NOT verified.

use crate::{input, Failure};
use notiflows_auth::verify::decode_parts_unverified;

#[derive(clap::Args)]
pub struct Args {
    /// The token, or `-` (or nothing) to read it from stdin.
    token: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let parts = decode_parts_unverified(&input::token(args.token)?)?;
    let shown = |bytes: &[u8]| match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(json) => json,
        Err(_) => String::from_utf8_lossy(bytes).into_owned().into(),
    };
    let out = serde_json::json!({
        "verified": false,
        "warning": "NOT VERIFIED: neither the signature nor any claim was checked",
        "header": shown(&parts.header),
        "claims": shown(&parts.payload),
    });
    eprintln!("warning: NOT VERIFIED: this shows what the token claims, not what is true");
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}
