//! The panic boundary every exported function runs inside: a panic never unwinds into C.

use crate::result::{notiflows_auth_result, set_last_error, Failure};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, maps its outcome to a result code and records a failure as the calling
/// thread's last error. A panic becomes `NOTIFLOWS_AUTH_RESULT_PANIC`.
///
/// `AssertUnwindSafe`: after a panic the call is abandoned and reported; handles hold no
/// state that a half-finished call can leave broken (the core's shared state uses locks
/// that recover from poisoning, or atomics).
pub(crate) fn guard(f: impl FnOnce() -> Result<(), Failure>) -> notiflows_auth_result {
    let failure = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return notiflows_auth_result::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::PANIC,
    };
    set_last_error(failure);
    failure.result()
}

/// Runs an infallible `f`, returning `on_panic` if it panics (for functions that return a
/// value instead of a result code, and for the `_free` functions).
pub(crate) fn guard_value<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        set_last_error(Failure::PANIC);
        on_panic
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_the_panic_code() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = guard(|| panic!("boom"));
        let v = guard_value(7, || panic!("boom"));
        std::panic::set_hook(hook);
        assert_eq!(r, notiflows_auth_result::Panic);
        assert_eq!(v, 7);
    }

    #[test]
    fn failures_map_to_their_codes() {
        assert_eq!(guard(|| Ok(())), notiflows_auth_result::Ok);
        assert_eq!(guard(|| Err(Failure::NULL)), notiflows_auth_result::NullArgument);
        let e = notiflows_auth::Error::new(notiflows_auth::ErrorKind::TokenExpired);
        assert_eq!(guard(|| Err(e.into())), notiflows_auth_result::TokenExpired);
    }
}
