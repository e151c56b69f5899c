//! Names the bindings take as text, read by the core's own rules, so that Node and Ruby
//! refuse what Rust and Python refuse, with the same message.

use crate::authenticator::notiflows_auth_security_mode;
use crate::boundary::guard;
use crate::io::{input_str, Out};
use crate::result::notiflows_auth_result;
use notiflows_auth::SecurityMode;

/// Reads a security mode's name, `"secure"` or `"development"`, into `*out_mode`
/// (`NOTIFLOWS_AUTH_SECURITY_MODE_SECURE` or `_DEVELOPMENT`); any other name is
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`. Thread-safe.
///
/// # Safety
/// `name` must point to `name_len` readable bytes (or be NULL with `name_len` 0);
/// `out_mode` must point to a writable `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_security_mode_parse(
    name: *const u8,
    name_len: usize,
    out_mode: *mut u32,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees `name`/`name_len` and `out_mode` as documented.
        let (name, out) = unsafe { (input_str(name, name_len)?, Out::new(out_mode)?) };
        let mode = name.parse::<SecurityMode>()?;
        out.write(notiflows_auth_security_mode::from(mode) as u32);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str) -> (notiflows_auth_result, u32) {
        let mut mode = 99;
        // SAFETY: valid pointers.
        let r = unsafe { notiflows_auth_security_mode_parse(name.as_ptr(), name.len(), &mut mode) };
        (r, mode)
    }

    #[test]
    fn the_cores_names_and_nothing_else() {
        assert_eq!(parse("secure"), (notiflows_auth_result::Ok, 0));
        assert_eq!(parse("development"), (notiflows_auth_result::Ok, 1));
        for wrong in ["Secure", "strict", "", " secure"] {
            assert_eq!(parse(wrong), (notiflows_auth_result::ConfigInvalid, 99), "{wrong:?}");
        }
    }
}
