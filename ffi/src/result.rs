//! Result codes, their strings, statuses and messages, and the per-thread last error: plain
//! data, used by the boundary and the io modules and depending on neither (the exported
//! functions that report errors are in `report`).

use notiflows::{Error, ErrorKind};
use std::cell::Cell;

/// The result of every fallible function: `NOTIFLOWS_AUTH_RESULT_OK` (0) or an error.
///
/// Codes 1 to 99 are the core's error taxonomy (the numbers of `ErrorKind::number`, shared
/// with every binding); codes from 100 are the C ABI's own. Values are never renumbered; new
/// codes may be added, so treat an unknown value as an error.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notiflows_auth_result {
    /// Success: the outputs were written.
    Ok = 0,
    /// `token_malformed`: not three non-empty segments.
    TokenMalformed = 1,
    /// `token_base64`: a segment is not canonical unpadded base64url.
    TokenBase64 = 2,
    /// `token_json`: the header or payload is not a strict UTF-8 JSON object.
    TokenJson = 3,
    /// `token_duplicate_member`: a JSON member name repeats.
    TokenDuplicateMember = 4,
    /// `token_too_large`: the token is over the size limit.
    TokenTooLarge = 5,
    /// `alg_not_allowed`: `alg` is not exactly `RS256`.
    AlgNotAllowed = 6,
    /// `crit_unsupported`: a `crit` header parameter is present.
    CritUnsupported = 7,
    /// `signature_invalid`: the signature does not verify (no reason given).
    SignatureInvalid = 8,
    /// `claim_missing`: a required claim is absent (see `notiflows_auth_last_error_claim`).
    ClaimMissing = 9,
    /// `claim_invalid`: a claim has the wrong type or value.
    ClaimInvalid = 10,
    /// `token_expired`: `now >= exp + leeway`.
    TokenExpired = 11,
    /// `token_not_yet_valid`: `now + leeway < nbf`.
    TokenNotYetValid = 12,
    /// `token_issued_in_future`: `iat` beyond the clock-skew allowance.
    TokenIssuedInFuture = 13,
    /// `key_invalid`: key material could not be parsed (never echoed).
    KeyInvalid = 14,
    /// `key_unsupported`: not RSA, or not 2048 to 8192 bits.
    KeyUnsupported = 15,
    /// `signing_key_not_configured`: Secure Mode without a signing key.
    SigningKeyNotConfigured = 16,
    /// `api_key_missing`: no `x-notiflows-api-key` header.
    ApiKeyMissing = 17,
    /// `api_key_invalid`: the API key names no known project.
    ApiKeyInvalid = 18,
    /// `user_key_missing`: Secure Mode needs `x-notiflows-user-key`.
    UserKeyMissing = 19,
    /// `user_id_missing`: Development Mode needs `x-notiflows-user-id`.
    UserIdMissing = 20,
    /// `user_id_invalid`: the Development Mode user id is malformed.
    UserIdInvalid = 21,
    /// `origin_not_allowed`: the browser origin is not allowed (HTTP 403).
    OriginNotAllowed = 22,
    /// `config_invalid`: a configuration value is malformed or out of range.
    ConfigInvalid = 23,
    /// `null_argument`: a required pointer argument was NULL.
    NullArgument = 100,
    /// `buffer_too_small`: an output buffer is too small; `*out_len` holds the size needed.
    BufferTooSmall = 101,
    /// `invalid_utf8`: a text argument is not UTF-8.
    InvalidUtf8 = 102,
    /// `panic`: a bug in notiflows-auth was caught at the C boundary; nothing was written.
    Panic = 103,
}

/// The C ABI's own codes, their string codes and messages.
const FFI_CODES: [(notiflows_auth_result, &str, &str); 4] = [
    (notiflows_auth_result::NullArgument, "null_argument", "a required pointer argument was NULL"),
    (
        notiflows_auth_result::BufferTooSmall,
        "buffer_too_small",
        "the output buffer is too small; *out_len holds the size needed",
    ),
    (notiflows_auth_result::InvalidUtf8, "invalid_utf8", "a text argument is not valid UTF-8"),
    (
        notiflows_auth_result::Panic,
        "panic",
        "notiflows-auth hit an internal error (a bug) and abandoned the call; nothing was written",
    ),
];

impl notiflows_auth_result {
    /// Every error code (not `Ok`), in numeric order.
    pub(crate) const ERRORS: [notiflows_auth_result; 27] = {
        use notiflows_auth_result::*;
        [
            TokenMalformed,
            TokenBase64,
            TokenJson,
            TokenDuplicateMember,
            TokenTooLarge,
            AlgNotAllowed,
            CritUnsupported,
            SignatureInvalid,
            ClaimMissing,
            ClaimInvalid,
            TokenExpired,
            TokenNotYetValid,
            TokenIssuedInFuture,
            KeyInvalid,
            KeyUnsupported,
            SigningKeyNotConfigured,
            ApiKeyMissing,
            ApiKeyInvalid,
            UserKeyMissing,
            UserIdMissing,
            UserIdInvalid,
            OriginNotAllowed,
            ConfigInvalid,
            NullArgument,
            BufferTooSmall,
            InvalidUtf8,
            Panic,
        ]
    };

    /// The code numbered `number`, if there is one.
    pub(crate) fn from_number(number: u32) -> Option<notiflows_auth_result> {
        if number == 0 {
            return Some(notiflows_auth_result::Ok);
        }
        Self::ERRORS.iter().copied().find(|r| *r as u32 == number)
    }

    /// The code for a core error kind. Every kind has one (a unit test checks the two tables
    /// agree); a kind added to the core but not here would surface as `panic`.
    pub(crate) fn from_kind(kind: ErrorKind) -> notiflows_auth_result {
        Self::from_number(kind.number())
            .filter(|r| *r != notiflows_auth_result::Ok)
            .unwrap_or(notiflows_auth_result::Panic)
    }

    fn ffi_entry(self) -> Option<&'static (notiflows_auth_result, &'static str, &'static str)> {
        FFI_CODES.iter().find(|(r, _, _)| *r == self)
    }

    /// The stable string code (`None` for `Ok`).
    pub(crate) fn code(self) -> Option<&'static str> {
        match self.ffi_entry() {
            Some(&(_, code, _)) => Some(code),
            None => ErrorKind::from_number(self as u32).map(ErrorKind::code),
        }
    }

    /// The code as a NUL-terminated C string, for `notiflows_auth_error_code_string`.
    pub(crate) fn c_code(self) -> Option<&'static [u8]> {
        C_CODES.iter().find(|(r, _)| *r == self).map(|&(_, s)| s.as_bytes())
    }

    /// The general message for the code.
    pub(crate) fn message(self) -> &'static str {
        match self.ffi_entry() {
            Some(&(_, _, message)) => message,
            None => ErrorKind::from_number(self as u32).map_or("success", ErrorKind::message),
        }
    }

    /// The HTTP status a server should answer with (500 for the C ABI's own codes).
    pub(crate) fn http_status(self) -> u16 {
        match self {
            notiflows_auth_result::Ok => 0,
            _ if self.ffi_entry().is_some() => 500,
            _ => ErrorKind::from_number(self as u32).map_or(500, ErrorKind::http_status),
        }
    }
}

/// NUL-terminated copies of every string code (checked against `code()` by a unit test).
const C_CODES: [(notiflows_auth_result, &str); 27] = {
    use notiflows_auth_result::*;
    [
        (TokenMalformed, "token_malformed\0"),
        (TokenBase64, "token_base64\0"),
        (TokenJson, "token_json\0"),
        (TokenDuplicateMember, "token_duplicate_member\0"),
        (TokenTooLarge, "token_too_large\0"),
        (AlgNotAllowed, "alg_not_allowed\0"),
        (CritUnsupported, "crit_unsupported\0"),
        (SignatureInvalid, "signature_invalid\0"),
        (ClaimMissing, "claim_missing\0"),
        (ClaimInvalid, "claim_invalid\0"),
        (TokenExpired, "token_expired\0"),
        (TokenNotYetValid, "token_not_yet_valid\0"),
        (TokenIssuedInFuture, "token_issued_in_future\0"),
        (KeyInvalid, "key_invalid\0"),
        (KeyUnsupported, "key_unsupported\0"),
        (SigningKeyNotConfigured, "signing_key_not_configured\0"),
        (ApiKeyMissing, "api_key_missing\0"),
        (ApiKeyInvalid, "api_key_invalid\0"),
        (UserKeyMissing, "user_key_missing\0"),
        (UserIdMissing, "user_id_missing\0"),
        (UserIdInvalid, "user_id_invalid\0"),
        (OriginNotAllowed, "origin_not_allowed\0"),
        (ConfigInvalid, "config_invalid\0"),
        (NullArgument, "null_argument\0"),
        (BufferTooSmall, "buffer_too_small\0"),
        (InvalidUtf8, "invalid_utf8\0"),
        (Panic, "panic\0"),
    ]
};

/// Why a call failed: a core error (with its claim and detail), or one of the C ABI's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    Core(Error),
    Ffi(notiflows_auth_result),
}

impl Failure {
    pub(crate) const NULL: Failure = Failure::Ffi(notiflows_auth_result::NullArgument);
    pub(crate) const TOO_SMALL: Failure = Failure::Ffi(notiflows_auth_result::BufferTooSmall);
    pub(crate) const UTF8: Failure = Failure::Ffi(notiflows_auth_result::InvalidUtf8);
    pub(crate) const PANIC: Failure = Failure::Ffi(notiflows_auth_result::Panic);

    pub(crate) fn result(self) -> notiflows_auth_result {
        match self {
            Failure::Core(e) => notiflows_auth_result::from_kind(e.kind()),
            Failure::Ffi(r) => r,
        }
    }

    pub(crate) fn message(self) -> String {
        match self {
            Failure::Core(e) => e.to_string(),
            Failure::Ffi(r) => r.message().to_owned(),
        }
    }

    pub(crate) fn claim(self) -> Option<&'static str> {
        match self {
            Failure::Core(e) => e.claim_name(),
            Failure::Ffi(_) => None,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

thread_local! {
    static LAST_ERROR: Cell<Option<Failure>> = const { Cell::new(None) };
}

/// Records `failure` as the calling thread's last error.
pub(crate) fn set_last_error(failure: Failure) {
    LAST_ERROR.with(|last| last.set(Some(failure)));
}

pub(crate) fn last_error() -> Option<Failure> {
    LAST_ERROR.with(Cell::get)
}

/// Puts back a saved last error (`None`: no failure yet).
pub(crate) fn restore_last_error(saved: Option<Failure>) {
    LAST_ERROR.with(|last| last.set(saved));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_kinds_map_to_the_same_numbers_and_codes() {
        for kind in ErrorKind::ALL {
            let r = notiflows_auth_result::from_kind(*kind);
            assert_eq!(r as u32, kind.number(), "{kind:?}");
            assert_eq!(r.code(), Some(kind.code()));
            assert_eq!(r.http_status(), kind.http_status());
            assert_eq!(r.message(), kind.message());
        }
        let core_results = notiflows_auth_result::ERRORS.iter().filter(|r| (**r as u32) < 100).count();
        assert_eq!(core_results, ErrorKind::ALL.len(), "every core code and no other below 100");
    }

    #[test]
    fn c_codes_match_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in notiflows_auth_result::ERRORS {
            let c = r.c_code().expect("every error has a C string");
            assert_eq!(c.last(), Some(&0));
            assert_eq!(&c[..c.len() - 1], r.code().unwrap().as_bytes());
            assert!(seen.insert(r.code().unwrap()));
            assert_eq!(notiflows_auth_result::from_number(r as u32), Some(r));
        }
        assert_eq!(notiflows_auth_result::Ok.code(), None);
        assert_eq!(notiflows_auth_result::from_number(24), None);
        assert_eq!(notiflows_auth_result::from_number(99), None);
        assert_eq!(notiflows_auth_result::from_number(104), None);
    }

    #[test]
    fn ffi_codes_are_numbered_apart() {
        let ffi: Vec<u32> = FFI_CODES.iter().map(|(r, _, _)| *r as u32).collect();
        assert_eq!(ffi, [100, 101, 102, 103]);
        for (r, _, _) in FFI_CODES {
            assert_eq!(r.http_status(), 500);
        }
    }
}
