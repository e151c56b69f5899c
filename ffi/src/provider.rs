//! The verify provider: chosen on a policy by name, read back from a verifier or an
//! authenticator. The names are the core's (`ring`, the default, and `aws-lc-rs`).

use crate::authenticator::notiflows_auth_authenticator;
use crate::boundary::guard;
use crate::io::{input_str, Handle, Out};
use crate::result::notiflows_auth_result;
use crate::verify::{notiflows_auth_policy, notiflows_auth_verifier};
use core::ffi::{c_char, CStr};
use notiflows_auth::Provider;

/// The provider's name as a static NUL-terminated string.
fn c_name(provider: Provider) -> &'static CStr {
    match provider {
        Provider::Ring => c"ring",
        Provider::AwsLcRs => c"aws-lc-rs",
    }
}

/// Chooses which library verifies signatures for verifiers and authenticators made from
/// `policy`: `"ring"` (the default) or `"aws-lc-rs"` (the key parsed once; faster). Both
/// give the same results. Any other name gives `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` and
/// leaves the policy unchanged.
///
/// # Safety
/// `policy` must be a live handle that no other thread is using; `name` must point to
/// `name_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_provider(
    policy: *mut notiflows_auth_policy,
    name: *const u8,
    name_len: usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live, unshared handle and the name's bytes.
        let (policy, name) = unsafe { (notiflows_auth_policy::borrow_mut(policy)?, input_str(name, name_len)?) };
        policy.provider = Provider::from_name(name)?;
        Ok(())
    })
}

/// Writes the name of the verifier's provider (`"ring"` or `"aws-lc-rs"`, a static
/// NUL-terminated string: never free it) to `*out_name`. Thread-safe.
///
/// # Safety
/// `verifier` must be a live handle; `out_name` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_verifier_provider(
    verifier: *const notiflows_auth_verifier,
    out_name: *mut *const c_char,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output slot.
        let (verifier, out) = unsafe { (notiflows_auth_verifier::borrow(verifier)?, Out::new(out_name)?) };
        out.write(c_name(verifier.provider()).as_ptr());
        Ok(())
    })
}

/// Writes the name of the authenticator's provider, as `notiflows_auth_verifier_provider`
/// does. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `out_name` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_provider(
    authenticator: *const notiflows_auth_authenticator,
    out_name: *mut *const c_char,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output slot.
        let (authenticator, out) =
            unsafe { (notiflows_auth_authenticator::borrow(authenticator)?, Out::new(out_name)?) };
        out.write(c_name(authenticator.provider()).as_ptr());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_provider_has_its_core_name() {
        for provider in Provider::ALL {
            assert_eq!(c_name(provider).to_str(), Ok(provider.name()));
        }
    }
}
