//! Result codes, their rows (string code, status, family, message) and the per-thread last
//! error: plain data, used by the boundary and io modules and depending on neither (the
//! exported functions that report errors are in `report` and `error_table`).

use core::ffi::CStr;
use notiflows_auth::{Error, ErrorKind};
use std::cell::{Cell, RefCell};

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
    /// `key_unknown`: the token's `kid` names no key of the project (or a retired one).
    KeyUnknown = 24,
    /// `token_revoked`: issued before a revocation cut-off (or without `iat` under one).
    TokenRevoked = 25,
    /// `null_argument`: a required pointer argument was NULL.
    NullArgument = 100,
    /// `buffer_too_small`: an output buffer is too small; `*out_len` holds the size needed.
    BufferTooSmall = 101,
    /// `invalid_utf8`: a text argument is not UTF-8.
    InvalidUtf8 = 102,
    /// `panic`: a bug in notiflows-auth was caught at the C boundary; nothing was written.
    Panic = 103,
}

impl notiflows_auth_result {
    /// Every error code (not `Ok`), in numeric order.
    pub(crate) const ERRORS: [notiflows_auth_result; 29] = {
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
            KeyUnknown,
            TokenRevoked,
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

    /// The stable string code (`None` for `Ok`).
    pub(crate) fn code(self) -> Option<&'static str> {
        self.c_code().map(|c| c.to_str().expect("codes are ASCII"))
    }

    /// The code as a C string, for `notiflows_auth_error_code_string`.
    pub(crate) fn c_code(self) -> Option<&'static CStr> {
        row(self).map(|row| row.code)
    }

    /// The general message for the code.
    pub(crate) fn message(self) -> &'static str {
        row(self).map_or("success", |row| row.message)
    }

    /// The HTTP status a server should answer with (500 for the C ABI's own codes).
    pub(crate) fn http_status(self) -> u16 {
        row(self).map_or(0, |row| row.http_status)
    }
}

/// The family of the C ABI's own codes (the core's families are `ErrorFamily::name`).
pub(crate) const FFI_FAMILY: &str = "ffi";

/// The C ABI's own codes: the only place their string codes and messages are written.
const FFI_CODES: [(notiflows_auth_result, &CStr, &str); 4] = [
    (notiflows_auth_result::NullArgument, c"null_argument", "a required pointer argument was NULL"),
    (
        notiflows_auth_result::BufferTooSmall,
        c"buffer_too_small",
        "the output buffer is too small; *out_len holds the size needed",
    ),
    (notiflows_auth_result::InvalidUtf8, c"invalid_utf8", "a text argument is not valid UTF-8"),
    (
        notiflows_auth_result::Panic,
        c"panic",
        "notiflows-auth hit an internal error (a bug) and abandoned the call; nothing was written",
    ),
];

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) code: &'static CStr,
    pub(crate) http_status: u16,
    pub(crate) family: &'static str,
    pub(crate) message: &'static str,
}

/// The row of `result` (`None` for `Ok`).
pub(crate) fn row(result: notiflows_auth_result) -> Option<Row> {
    if let Some(&(_, code, message)) = FFI_CODES.iter().find(|(r, _, _)| *r == result) {
        // A bug or a misuse of the library: the server's fault, never the client's.
        return Some(Row { code, http_status: 500, family: FFI_FAMILY, message });
    }
    ErrorKind::from_number(result as u32).map(|kind| Row {
        code: kind.c_code(),
        http_status: kind.http_status(),
        family: kind.family().name(),
        message: kind.message(),
    })
}

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
            // A configuration document's refusal names what was wrong (a member, an entry).
            Failure::Core(e) if e.kind() == ErrorKind::ConfigInvalid && e.detail().is_none() => {
                LAST_DETAIL.with(|d| d.borrow().clone()).unwrap_or_else(|| e.to_string())
            }
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
    /// The full message of a configuration document's refusal, waiting for the boundary.
    static PENDING_DETAIL: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The full message of the last error, when it is such a refusal.
    static LAST_DETAIL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A configuration document refused (`config_invalid`), keeping its message (which names
/// the member or entry) for `notiflows_auth_last_error_message`.
pub(crate) fn config_failure(error: &notiflows_auth::config::ConfigError) -> Failure {
    PENDING_DETAIL.with(|d| *d.borrow_mut() = Some(error.to_string()));
    Failure::Core(error.error())
}

/// Records `failure` as the calling thread's last error.
pub(crate) fn set_last_error(failure: Failure) {
    LAST_ERROR.with(|last| last.set(Some(failure)));
    let detail = PENDING_DETAIL.with(|d| d.borrow_mut().take());
    LAST_DETAIL.with(|d| *d.borrow_mut() = detail);
}

pub(crate) fn last_error() -> Option<Failure> {
    LAST_ERROR.with(Cell::get)
}

/// The calling thread's last error with its full message, as saved by [`save_last_error`].
pub(crate) struct SavedError(Option<Failure>, Option<String>);

/// Saves the last error (and a document refusal's message) for [`restore_last_error`].
pub(crate) fn save_last_error() -> SavedError {
    SavedError(last_error(), LAST_DETAIL.with(|d| d.borrow().clone()))
}

/// Puts back a saved last error.
pub(crate) fn restore_last_error(saved: SavedError) {
    LAST_ERROR.with(|last| last.set(saved.0));
    LAST_DETAIL.with(|d| *d.borrow_mut() = saved.1);
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
            assert_eq!(c.to_bytes(), r.code().unwrap().as_bytes());
            assert!(seen.insert(r.code().unwrap()));
            assert_eq!(notiflows_auth_result::from_number(r as u32), Some(r));
        }
        assert_eq!(notiflows_auth_result::Ok.code(), None);
        assert_eq!(notiflows_auth_result::from_number(26), None);
        assert_eq!(notiflows_auth_result::from_number(99), None);
        assert_eq!(notiflows_auth_result::from_number(104), None);
    }
}
