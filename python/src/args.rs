//! Argument conversions shared by the bindings: text-or-bytes inputs, seconds, the clock.

use crate::errors::{config_invalid, AuthError};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

/// The bytes of a `str` (UTF-8) or `bytes` argument. `bytes` are borrowed: a `bytes` object
/// is immutable, so the slice stays valid while the GIL is released, as long as the caller
/// keeps the argument alive (it does: the argument outlives the call).
pub fn text_or_bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(bytes.as_bytes()));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Cow::Owned(text.to_cow()?.into_owned().into_bytes()));
    }
    Err(PyTypeError::new_err(format!("{what} must be str or bytes, not {}", obj.get_type().name()?)))
}

/// A count (seconds, bytes) that must not be negative: `config_invalid` with `detail` if
/// it is. (Ints beyond 64 bits are refused by PyO3 with `OverflowError`.)
pub fn non_negative(value: i64, detail: &'static str) -> Result<u64, AuthError> {
    u64::try_from(value).map_err(|_| config_invalid(detail))
}

/// `now` as given (Unix seconds), or the system clock when `None`: the binding supplies the
/// time, the core never reads a clock.
pub fn now_or_clock(now: Option<i64>) -> PyResult<i64> {
    match now {
        Some(now) => Ok(now),
        None => clock_now(),
    }
}

/// The system clock in whole Unix seconds.
pub fn clock_now() -> PyResult<i64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| PyRuntimeError::new_err("the system clock is before 1970"))
}
