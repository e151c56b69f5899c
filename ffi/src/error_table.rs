//! The error table as the C ABI shows it: the core's taxonomy (`ErrorKind`, codes 1 to 99)
//! followed by the C ABI's own codes (100 and up), one row per code. Node and Ruby build
//! their code lists and exception classes from `notiflows_auth_error_at` when they load.

use crate::authenticator::notiflows_auth_bytes;
use crate::boundary::guard_value;
use crate::io::Out;
use crate::result::{notiflows_auth_result, row};
#[cfg(test)]
use notiflows_auth::ErrorKind;

/// One row of the error table: a code's number, string code, HTTP status, family and
/// general message. The byte strings are static (never free them) and not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct notiflows_auth_error_info {
    /// The numeric code: the `notiflows_auth_result` value.
    pub number: u32,
    /// The HTTP status a server should answer with.
    pub http_status: u16,
    /// The stable string code (`token_expired`, ...), the same in every binding.
    pub code: notiflows_auth_bytes,
    /// The family, which names the exception class in the bindings: `token`,
    /// `signing_key`, `request_auth`, `config`, or `ffi` for the C ABI's own codes.
    pub family: notiflows_auth_bytes,
    /// The general English message (`notiflows_auth_error_message`).
    pub message: notiflows_auth_bytes,
}

fn bytes(text: &'static [u8]) -> notiflows_auth_bytes {
    notiflows_auth_bytes { ptr: text.as_ptr(), len: text.len() }
}

/// The number of error codes: valid indexes for `notiflows_auth_error_at` are 0 to this
/// minus 1. Thread-safe.
#[no_mangle]
pub extern "C" fn notiflows_auth_error_count() -> usize {
    notiflows_auth_result::ERRORS.len()
}

/// Writes row `index` of the error table into `*out_info` and returns true; returns false
/// (writing nothing) when `index` is not below `notiflows_auth_error_count()` or `out_info`
/// is NULL. Rows are in numeric order: the core's codes, then the C ABI's own.
///
/// Thread-safe. Does not change the last error.
///
/// # Safety
/// A non-NULL `out_info` must point to a writable `notiflows_auth_error_info`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_error_at(index: usize, out_info: *mut notiflows_auth_error_info) -> bool {
    guard_value(false, || {
        let Some(&result) = notiflows_auth_result::ERRORS.get(index) else { return false };
        let Some(row) = row(result) else { return false };
        // SAFETY: the caller guarantees a non-NULL `out_info` is writable.
        let Ok(out) = (unsafe { Out::new(out_info) }) else { return false };
        out.write(notiflows_auth_error_info {
            number: result as u32,
            http_status: row.http_status,
            code: bytes(row.code.to_bytes()),
            family: bytes(row.family.as_bytes()),
            message: bytes(row.message.as_bytes()),
        });
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: notiflows_auth_bytes) -> &'static str {
        // SAFETY: every row's byte strings are static UTF-8.
        core::str::from_utf8(unsafe { core::slice::from_raw_parts(b.ptr, b.len) }).unwrap()
    }

    #[test]
    fn the_table_lists_every_code_in_order() {
        let mut rows = Vec::new();
        for i in 0..notiflows_auth_error_count() {
            let mut info = core::mem::MaybeUninit::uninit();
            // SAFETY: a valid out pointer.
            assert!(unsafe { notiflows_auth_error_at(i, info.as_mut_ptr()) });
            // SAFETY: written, as the call returned true.
            rows.push(unsafe { info.assume_init() });
        }
        // SAFETY: NULL is allowed and refused.
        assert!(!unsafe { notiflows_auth_error_at(0, core::ptr::null_mut()) });
        let mut info = core::mem::MaybeUninit::uninit();
        // SAFETY: a valid out pointer.
        assert!(!unsafe { notiflows_auth_error_at(rows.len(), info.as_mut_ptr()) });

        let core_rows = &rows[..ErrorKind::ALL.len()];
        for (row, kind) in core_rows.iter().zip(ErrorKind::ALL) {
            assert_eq!(row.number, kind.number());
            assert_eq!(text(row.code), kind.code());
            assert_eq!(row.http_status, kind.http_status());
            assert_eq!(text(row.family), kind.family().name());
            assert_eq!(text(row.message), kind.message());
        }
        let ffi: Vec<(u32, &str, u16, &str)> = rows[ErrorKind::ALL.len()..]
            .iter()
            .map(|r| (r.number, text(r.code), r.http_status, text(r.family)))
            .collect();
        assert_eq!(
            ffi,
            [
                (100, "null_argument", 500, "ffi"),
                (101, "buffer_too_small", 500, "ffi"),
                (102, "invalid_utf8", 500, "ffi"),
                (103, "panic", 500, "ffi")
            ]
        );
    }
}
