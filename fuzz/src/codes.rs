//! The checks every error a target sees must pass. The documented codes are the core's
//! `ErrorKind` table, which `core/tests/error_codes.rs` pins to README's error table.

use notiflows_auth::{Error, ErrorKind};
use std::sync::OnceLock;

/// Every documented string code.
pub fn documented() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| ErrorKind::ALL.iter().map(|k| k.code()).collect())
}

/// Codes a token can get before its signature is looked at.
pub const BEFORE_SIGNATURE: &[&str] = &[
    "token_too_large",
    "token_malformed",
    "token_base64",
    "token_json",
    "token_duplicate_member",
    "alg_not_allowed",
    "crit_unsupported",
];

/// Asserts that `error` is a documented, self-consistent error whose code is in `allowed`.
pub fn assert_error(error: &Error, allowed: &[&str], context: &dyn std::fmt::Debug) {
    let code = error.code();
    assert!(documented().contains(&code), "undocumented code {code:?} for {context:?}");
    assert!(allowed.contains(&code), "code {code:?} not among {allowed:?} for {context:?}");
    assert_eq!(ErrorKind::from_code(code), Some(error.kind()), "{context:?}");
    let status = match code {
        "origin_not_allowed" => 403,
        "key_invalid" | "key_unsupported" | "config_invalid" => 500,
        _ => 401,
    };
    assert_eq!(error.http_status(), status, "{code} for {context:?}");
    assert!(!error.to_string().is_empty());
}
