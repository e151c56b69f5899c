//! Target `token_parse`: compact token parsing without a key or a clock
//! (`decode_unverified`, `decode_parts_unverified`).
//!
//! Invariants: the verdict, the claims and the error code agree with the reference; errors
//! are documented codes; `decode_parts_unverified` refuses only for size, segments and
//! base64url, and whatever parses fully also splits and decodes.

use crate::codes;
use crate::reference::{self, Options};
use notiflows_auth::verify::{decode_parts_unverified, decode_unverified, MAX_TOKEN_BYTES_LIMIT};

pub fn check(token: &[u8]) {
    let ours = decode_unverified(token, MAX_TOKEN_BYTES_LIMIT);
    let reference = reference::check(token, &Options::UNVERIFIED);
    reference::assert_agrees(&ours, &reference, token);

    let parts = decode_parts_unverified(token);
    match &parts {
        Ok(parts) => {
            let header = crate::b64::encode_url(&parts.header);
            let payload = crate::b64::encode_url(&parts.payload);
            assert!(token.starts_with(format!("{header}.{payload}.").as_bytes()), "parts re-encode to the token");
        }
        Err(e) => {
            codes::assert_error(e, &["token_too_large", "token_malformed", "token_base64"], &token);
            assert!(ours.is_err(), "decode_unverified accepted what decode_parts_unverified refused");
        }
    }
    // A larger limit never refuses what a smaller one accepts.
    if ours.is_ok() {
        assert_eq!(decode_unverified(token, usize::MAX).ok(), ours.ok());
    }
}
