//! The C ABI of notiflows-auth: `libnotiflows_auth` (shared and static) and its header,
//! `include/notiflows_auth.h`, generated from this crate by cbindgen (`scripts/gen-header`).
//!
//! Conventions (after rustls-ffi):
//! - Opaque handles made by `_new`/`_parse`/`_generate` and released by `_free` (which
//!   accepts NULL). Each handle stands for one Rust value, owned by the caller.
//! - Inputs are `(const uint8_t *ptr, size_t len)` (NULL with length 0 is an empty input;
//!   for optional inputs NULL means absent); outputs come last and are written only
//!   on success. Text outputs use caller buffers: `(uint8_t *buf, size_t buf_len,
//!   size_t *out_len)`; when a buffer is too small the call returns
//!   `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_len`, the size needed.
//!   No output is NUL-terminated; static strings (version, code strings) are.
//! - Every fallible function returns a `notiflows_auth_result`; NULL pointers are checked
//!   first (`NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT`); every body runs inside a panic boundary
//!   (`NOTIFLOWS_AUTH_RESULT_PANIC`). A failure is also kept as the calling thread's last
//!   error, with its full message (`notiflows_auth_last_error_message`).
//! - Time is an argument (`now`, Unix seconds); `NOTIFLOWS_AUTH_CURRENT_TIME` reads the
//!   system clock.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(non_camel_case_types)]

pub mod authenticator;
pub mod error_table;
pub mod keys;
pub mod names;
pub mod provider;
pub mod report;
pub mod result;
pub mod time;
pub mod verify;

mod boundary;
mod io;

#[cfg(test)]
mod tests;
