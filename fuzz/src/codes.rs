//! The documented error codes, written out here (not taken from `core`), and the checks
//! every error a target sees must pass.

use notiflows_auth::{Error, ErrorKind};

/// The string codes of README's error table.
pub const DOCUMENTED: &[&str] = &[
    "token_malformed",
    "token_base64",
    "token_json",
    "token_duplicate_member",
    "token_too_large",
    "alg_not_allowed",
    "crit_unsupported",
    "signature_invalid",
    "claim_missing",
    "claim_invalid",
    "token_expired",
    "token_not_yet_valid",
    "token_issued_in_future",
    "key_invalid",
    "key_unsupported",
    "signing_key_not_configured",
    "api_key_missing",
    "api_key_invalid",
    "user_key_missing",
    "user_id_missing",
    "user_id_invalid",
    "origin_not_allowed",
    "config_invalid",
];

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
    assert!(DOCUMENTED.contains(&code), "undocumented code {code:?} for {context:?}");
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
