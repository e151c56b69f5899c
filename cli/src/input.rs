//! Reading what the user hands the CLI: files, stdin, the environment, the clock.

use crate::Failure;
use std::io::Read;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable holding the private signing key, in either format.
pub const SIGNING_KEY_ENV: &str = "NOTIFLOWS_SIGNING_KEY";

pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))
}

/// The signing key from `--key FILE`, else from `NOTIFLOWS_SIGNING_KEY`.
pub fn signing_key_bytes(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    match path {
        Some(path) => read_file(path),
        None => std::env::var_os(SIGNING_KEY_ENV)
            .map(|v| v.into_encoded_bytes())
            .ok_or_else(|| Failure::Other(format!("no signing key: pass --key FILE or set {SIGNING_KEY_ENV}"))),
    }
}

/// A token given as an argument, or read from stdin when absent or `-`. Stdin loses its
/// trailing line end (what `echo` adds); an argument is used exactly as given.
pub fn token(arg: Option<String>) -> Result<Vec<u8>, Failure> {
    match arg.as_deref() {
        Some(token) if token != "-" => Ok(token.as_bytes().to_vec()),
        _ => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| Failure::Other(format!("cannot read stdin: {e}")))?;
            let trimmed = buf.strip_suffix(b"\n").unwrap_or(&buf);
            Ok(trimmed.strip_suffix(b"\r").unwrap_or(trimmed).to_vec())
        }
    }
}

/// `--now` when given, else the system clock (Unix seconds).
pub fn now(explicit: Option<i64>) -> i64 {
    explicit.unwrap_or_else(|| {
        let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    })
}

/// Claims as one JSON object: `sub` and whichever of `iat`, `exp`, `nbf` the token has.
pub fn claims_json(claims: &notiflows_auth::Claims) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("sub".into(), claims.sub.as_str().into());
    for (name, date) in [("iat", claims.iat), ("exp", claims.exp), ("nbf", claims.nbf)] {
        if let Some(date) = date {
            out.insert(name.into(), numeric_date_json(date));
        }
    }
    out.into()
}

/// Integers stay integers; fractional dates become floats.
pub fn numeric_date_json(date: notiflows_auth::NumericDate) -> serde_json::Value {
    if date.subsec_nanos() == 0 {
        date.seconds().into()
    } else {
        date.as_f64().into()
    }
}
