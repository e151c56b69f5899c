//! The exported functions that report errors: the version, code strings, statuses and
//! messages, and the calling thread's last error (message, claim, HTTP response).

use crate::boundary::{guard, guard_value};
use crate::io::{Out, OutBytes};
use crate::result::{last_error, notiflows_auth_result, restore_last_error, save_last_error, Failure};
use core::ffi::{c_char, CStr};
use notiflows_auth::auth::ErrorResponse;

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

/// Writes the HTTP answer for the last failure on the calling thread: its status to
/// `*out_status` (401 for credentials, 403 for origins, 500 for configuration and for the
/// C ABI's own codes) and the JSON body `{"code":"...","message":"..."}` into `buf` (length
/// in `*out_len`; not NUL-terminated), ready to send as `application/json`. When no call on
/// this thread has failed yet, succeeds with status 0 and an empty body.
///
/// Buffer protocol: `buf` may be NULL when `buf_len` is 0; when too small, returns
/// `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_len`, the size needed.
/// Does not change the last error. Per thread, so thread-safe.
///
/// # Safety
/// `out_status` must be valid for a write; `buf` must point to `buf_len` writable bytes (or
/// be NULL with `buf_len` 0); `out_len` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_last_error_response(
    out_status: *mut u16,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard_quiet(|| {
        // SAFETY: the caller guarantees the output slots and buffer.
        let (status_out, out) = unsafe { (Out::new(out_status)?, OutBytes::new(buf, buf_len, out_len)?) };
        let (status, body) = match last_error() {
            None => (0, String::new()),
            Some(Failure::Core(error)) => {
                let response = ErrorResponse::new(&error);
                (response.status, response.body)
            }
            // The C ABI's codes and messages are plain ASCII without quotes or backslashes.
            Some(Failure::Ffi(result)) => (
                result.http_status(),
                format!(r#"{{"code":"{}","message":"{}"}}"#, result.code().unwrap_or_default(), result.message()),
            ),
        };
        out.write(body.as_bytes())?;
        status_out.write(status);
        Ok(())
    })
}

/// Like [`guard`], but leaves the last error alone: for the error-reporting functions.
fn guard_quiet(f: impl FnOnce() -> Result<(), Failure>) -> notiflows_auth_result {
    let saved = save_last_error();
    let result = guard(f);
    restore_last_error(saved);
    result
}
