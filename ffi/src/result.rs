//! Result codes, their strings, statuses and messages, and the per-thread last error.

use crate::boundary::{guard, guard_value};
use crate::error_table::row;
use crate::io::OutBytes;
use core::ffi::{c_char, CStr};
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

    /// The stable string code (`None` for `Ok`).
    pub(crate) fn code(self) -> Option<&'static str> {
        self.c_code().map(|c| c.to_str().expect("codes are ASCII"))
    }

    /// The code as a C string, for `notiflows_auth_error_code_string`.
    fn c_code(self) -> Option<&'static CStr> {
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

    fn message(self) -> String {
        match self {
            Failure::Core(e) => e.to_string(),
            Failure::Ffi(r) => r.message().to_owned(),
        }
    }

    fn claim(self) -> Option<&'static str> {
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

/// The version of the library, e.g. `"0.1.0"`.
///
/// Returns a static NUL-terminated string: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn notiflows_auth_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    guard_value(core::ptr::null(), || VERSION.as_ptr().cast())
}

/// The stable string code of `result` (`"token_expired"`, `"null_argument"`, ...), the same
/// string in every binding.
///
/// Returns a static NUL-terminated string (never free it), or NULL for
/// `NOTIFLOWS_AUTH_RESULT_OK` and for numbers that are not a code. Thread-safe. Does not
/// change the last error.
#[no_mangle]
pub extern "C" fn notiflows_auth_error_code_string(result: u32) -> *const c_char {
    guard_value(core::ptr::null(), || {
        notiflows_auth_result::from_number(result)
            .and_then(notiflows_auth_result::c_code)
            .map_or(core::ptr::null(), CStr::as_ptr)
    })
}

/// The HTTP status a server should answer with for `result`: 401 for credentials, 403 for
/// `origin_not_allowed`, 500 for key and configuration problems and for the C ABI's own
/// codes; 0 for `NOTIFLOWS_AUTH_RESULT_OK` and for numbers that are not a code.
///
/// Thread-safe. Does not change the last error.
#[no_mangle]
pub extern "C" fn notiflows_auth_error_http_status(result: u32) -> u16 {
    guard_value(0, || notiflows_auth_result::from_number(result).map_or(0, notiflows_auth_result::http_status))
}

/// Writes the general English message for `result` (not NUL-terminated) into `buf` and its
/// length into `*out_len`. For the message of a particular failure, with the claim
/// concerned and a detail, use `notiflows_auth_last_error_message`.
///
/// Unknown numbers get a message saying so. `buf` may be NULL when `buf_len` is 0. When the
/// message is longer than `buf_len`, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and
/// writes only `*out_len`, the size needed. Thread-safe. Does not change the last error.
///
/// # Safety
/// `buf` must point to `buf_len` writable bytes (or be NULL with `buf_len` 0); `out_len` must
/// point to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_error_message(
    result: u32,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard_quiet(|| {
        // SAFETY: the caller guarantees `buf`/`buf_len` and `out_len` as documented.
        let out = unsafe { OutBytes::new(buf, buf_len, out_len) }?;
        let message = notiflows_auth_result::from_number(result)
            .map_or("unknown notiflows-auth result code", notiflows_auth_result::message);
        out.write(message.as_bytes())
    })
}

/// Writes the full message of the last failure on the calling thread (not NUL-terminated):
/// the code's sentence, the claim concerned and any detail, e.g.
/// "a required claim is missing from the user token (claim `exp`)". Writes an empty string
/// when no call on this thread has failed yet.
///
/// Every function that returns an error records it as the thread's last error, except the
/// error-reporting functions (`notiflows_auth_error_*`, `notiflows_auth_last_error_*`), so a
/// `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` from this function keeps the message for the
/// retry. Successful calls leave it unchanged. Per thread, so thread-safe.
///
/// `buf` may be NULL when `buf_len` is 0; the buffer protocol is that of
/// `notiflows_auth_error_message`.
///
/// # Safety
/// As for `notiflows_auth_error_message`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_last_error_message(
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard_quiet(|| {
        // SAFETY: the caller guarantees `buf`/`buf_len` and `out_len` as documented.
        let out = unsafe { OutBytes::new(buf, buf_len, out_len) }?;
        out.write(last_error().map(Failure::message).unwrap_or_default().as_bytes())
    })
}

/// Writes the name of the claim the last failure on the calling thread concerns (`"exp"`,
/// `"sub"`, ...; not NUL-terminated), or an empty string when it concerns no claim.
///
/// Buffer protocol and last-error rules as for `notiflows_auth_last_error_message`.
///
/// # Safety
/// As for `notiflows_auth_error_message`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_last_error_claim(
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard_quiet(|| {
        // SAFETY: the caller guarantees `buf`/`buf_len` and `out_len` as documented.
        let out = unsafe { OutBytes::new(buf, buf_len, out_len) }?;
        out.write(last_error().and_then(Failure::claim).unwrap_or_default().as_bytes())
    })
}

/// Like [`guard`], but leaves the last error alone: for the error-reporting functions.
pub(crate) fn guard_quiet(f: impl FnOnce() -> Result<(), Failure>) -> notiflows_auth_result {
    let saved = last_error();
    let result = guard(f);
    LAST_ERROR.with(|last| last.set(saved));
    result
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
        assert_eq!(notiflows_auth_result::from_number(24), None);
        assert_eq!(notiflows_auth_result::from_number(99), None);
        assert_eq!(notiflows_auth_result::from_number(104), None);
    }
}
