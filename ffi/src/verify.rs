//! Verification policy, verifiers and the claims they return.

use crate::boundary::{guard, guard_value};
use crate::io::{self, Handle, Out, OutBytes};
use crate::keys::notiflows_auth_public_key;
use crate::result::notiflows_auth_result;
use crate::time::resolve_now;
use notiflows_auth::{ClaimsRef, NumericDate, Policy, Verifier};

/// Pass to `notiflows_auth_policy_set_max_lifetime_seconds` to remove the lifetime limit
/// (the default). Not 0: 0 is refused, as in every binding (see `notiflows_auth_policy`).
pub const NOTIFLOWS_AUTH_NO_MAX_LIFETIME: u64 = u64::MAX;

/// The longest `sub` a verified token can carry, in bytes: a `sub` buffer of this size is
/// never too small.
pub const NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES: usize = 2048;

/// What a verifier accepts beyond the fixed rules (RS256 only, no `crit`, `sub` required):
/// leeway, whether `exp` is required, a maximum lifetime, a maximum token size and the
/// `iat` clock-skew allowance.
///
/// A builder: create with `notiflows_auth_policy_new` (the defaults), adjust with the
/// `notiflows_auth_policy_set_*` functions, pass to `notiflows_auth_verifier_new` (which
/// copies it), release with `notiflows_auth_policy_free`. Not thread-safe while being
/// changed; reading it from many threads at once (creating verifiers) is safe.
pub struct notiflows_auth_policy {
    _private: [u8; 0],
}

impl Handle for notiflows_auth_policy {
    type Inner = Policy;
}

/// A verifier: one public key and one policy, checking user tokens, with an optional
/// verified-token cache. Safe to use from many threads at once (the cache is internally
/// synchronised). Release with `notiflows_auth_verifier_free`.
pub struct notiflows_auth_verifier {
    _private: [u8; 0],
}

impl Handle for notiflows_auth_verifier {
    type Inner = Verifier;
}

/// An RFC 7519 NumericDate claim: `present` is false when the token has no such claim
/// (then `seconds` and `nanos` are 0). The date is `seconds + nanos / 1e9` seconds since
/// the Unix epoch (`seconds` rounded down, so `nanos` is 0 to 999999999).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct notiflows_auth_numeric_date {
    pub present: bool,
    pub seconds: i64,
    pub nanos: u32,
}

impl From<Option<NumericDate>> for notiflows_auth_numeric_date {
    fn from(date: Option<NumericDate>) -> Self {
        date.map_or_else(Self::default, |d| notiflows_auth_numeric_date {
            present: true,
            seconds: d.seconds(),
            nanos: d.subsec_nanos(),
        })
    }
}

/// The time claims of a verified user token (its `sub` is written to a separate buffer).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct notiflows_auth_claims {
    pub exp: notiflows_auth_numeric_date,
    pub nbf: notiflows_auth_numeric_date,
    pub iat: notiflows_auth_numeric_date,
}

impl From<&ClaimsRef<'_>> for notiflows_auth_claims {
    fn from(claims: &ClaimsRef<'_>) -> Self {
        notiflows_auth_claims { exp: claims.exp.into(), nbf: claims.nbf.into(), iat: claims.iat.into() }
    }
}

/// Writes a new policy with the defaults to `*out_policy`: leeway 0, `exp` optional, no
/// maximum lifetime, tokens up to 8192 bytes, `iat` up to 60 s in the future. The caller
/// owns it and releases it with `notiflows_auth_policy_free`.
///
/// # Safety
/// `out_policy` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_new(
    out_policy: *mut *mut notiflows_auth_policy,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the output slot.
        let out = unsafe { Out::new(out_policy) }?;
        out.write(notiflows_auth_policy::into_raw(Policy::default()));
        Ok(())
    })
}

/// Changes one field of a policy.
///
/// # Safety
/// `policy` must be NULL or a live handle that no other thread is using.
unsafe fn set_policy(policy: *mut notiflows_auth_policy, change: impl FnOnce(&mut Policy)) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live, unshared handle.
        let policy = unsafe { notiflows_auth_policy::borrow_mut(policy) }?;
        let mut changed = *policy;
        change(&mut changed);
        changed.validate()?;
        *policy = changed;
        Ok(())
    })
}

/// Sets the tolerance applied to `exp` and `nbf`, in seconds (default 0).
///
/// # Safety
/// `policy` must be a live handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_leeway_seconds(
    policy: *mut notiflows_auth_policy,
    seconds: u64,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { set_policy(policy, |p| p.leeway_seconds = seconds) }
}

/// Makes `exp` required (`NOTIFLOWS_AUTH_RESULT_CLAIM_MISSING` without it) or optional
/// (the default).
///
/// # Safety
/// `policy` must be a live handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_require_exp(
    policy: *mut notiflows_auth_policy,
    require_exp: bool,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { set_policy(policy, |p| p.require_exp = require_exp) }
}

/// Refuses tokens whose `exp - iat` (compared exactly, fractions included) exceeds
/// `seconds`, at least 1; tokens must then carry both claims.
/// `NOTIFLOWS_AUTH_NO_MAX_LIFETIME` removes the limit (the default). 0 fails with
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` and leaves the policy unchanged: it is not "no
/// limit" (the core defines each value once, and every binding passes it unchanged).
///
/// # Safety
/// `policy` must be a live handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_max_lifetime_seconds(
    policy: *mut notiflows_auth_policy,
    seconds: u64,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    let limit = (seconds != NOTIFLOWS_AUTH_NO_MAX_LIFETIME).then_some(seconds);
    // SAFETY: forwarded from the caller.
    unsafe { set_policy(policy, |p| p.max_lifetime_seconds = limit) }
}

/// Sets the size limit: longer tokens are refused with `NOTIFLOWS_AUTH_RESULT_TOKEN_TOO_LARGE`
/// before any decoding. 1 to 16384 (default 8192); other values fail with
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` and leave the policy unchanged.
///
/// # Safety
/// `policy` must be a live handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_max_token_bytes(
    policy: *mut notiflows_auth_policy,
    bytes: usize,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { set_policy(policy, |p| p.max_token_bytes = bytes) }
}

/// Sets how far `iat` may lie in the future, for backends whose clocks drift, in seconds
/// (default 60).
///
/// # Safety
/// `policy` must be a live handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_set_iat_skew_seconds(
    policy: *mut notiflows_auth_policy,
    seconds: u64,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { set_policy(policy, |p| p.iat_skew_seconds = seconds) }
}

/// Releases a policy. NULL does nothing. Verifiers made from it keep their own copy.
///
/// # Safety
/// `policy` must be NULL or a handle from `notiflows_auth_policy_new` not yet freed; no other
/// thread may be using it, and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_policy_free(policy: *mut notiflows_auth_policy) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_policy::free(policy) })
}

/// Writes a new verifier for `key` with `policy` (NULL for the defaults) to `*out_verifier`.
/// The verifier keeps its own copies of both: the caller may free them at once. The caller
/// owns the verifier and releases it with `notiflows_auth_verifier_free`. Thread-safe.
///
/// `cache_capacity`: 0 for no cache, or the most tokens to remember as verified (keyed by
/// their SHA-256; about 100 bytes plus the `sub` each). A browser sends the same token on
/// every request, so a cached token skips the RSA check; its `exp`, `nbf` and `iat` are
/// still checked against `now` on every use.
///
/// # Safety
/// `key` must be a live handle; `policy` must be NULL or a live handle not being changed by
/// another thread; `out_verifier` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_verifier_new(
    key: *const notiflows_auth_public_key,
    policy: *const notiflows_auth_policy,
    cache_capacity: usize,
    out_verifier: *mut *mut notiflows_auth_verifier,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live key, a NULL or live policy, and the slot.
        let (key, out) = unsafe { (notiflows_auth_public_key::borrow(key)?, Out::new(out_verifier)?) };
        let policy = if policy.is_null() {
            Policy::default()
        } else {
            // SAFETY: as above; non-NULL.
            *unsafe { notiflows_auth_policy::borrow(policy) }?
        };
        let verifier = Verifier::with_cache(key.clone(), policy, cache_capacity)?;
        out.write(notiflows_auth_verifier::into_raw(verifier));
        Ok(())
    })
}

/// Verifies a compact RS256 user token at `now` (Unix seconds, or
/// `NOTIFLOWS_AUTH_CURRENT_TIME` for the system clock).
///
/// Checks, in order: size, segments, header (`alg` exactly RS256, no `crit`), signature,
/// then claims (`sub`, `exp`, `nbf`, `iat`, lifetime); a claims error is only reported for
/// a token whose signature verified. On failure returns the error's code; the last error
/// message names the claim concerned.
///
/// On success writes the user's id (`sub`, UTF-8, not NUL-terminated) into `sub_buf`, its
/// length into `*out_sub_len`, and the time claims into `*out_claims`. A `sub_buf` of
/// `NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES` is never too small; with a smaller one, a longer
/// `sub` gives `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and only `*out_sub_len`, the size
/// needed, is written. Allocates nothing (except to remember a newly verified token in the
/// cache). Thread-safe: one verifier may verify on many threads at once.
///
/// # Safety
/// `verifier` must be a live handle; `token` must point to `token_len` readable bytes;
/// `sub_buf` must point to `sub_buf_len` writable bytes (or be NULL with `sub_buf_len` 0);
/// `out_sub_len` and `out_claims` must be valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_verifier_verify(
    verifier: *const notiflows_auth_verifier,
    token: *const u8,
    token_len: usize,
    now: i64,
    sub_buf: *mut u8,
    sub_buf_len: usize,
    out_sub_len: *mut usize,
    out_claims: *mut notiflows_auth_claims,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the token bytes and the outputs.
        let (verifier, token, sub_out, claims_out) = unsafe {
            (
                notiflows_auth_verifier::borrow(verifier)?,
                io::input(token, token_len)?,
                OutBytes::new(sub_buf, sub_buf_len, out_sub_len)?,
                Out::new(out_claims)?,
            )
        };
        verifier.verify_with(token, resolve_now(now), |claims| {
            sub_out.write(claims.sub.as_bytes())?;
            claims_out.write((&claims).into());
            Ok(())
        })?
    })
}

/// Releases a verifier. NULL does nothing.
///
/// # Safety
/// `verifier` must be NULL or a handle from `notiflows_auth_verifier_new` not yet freed; no
/// other thread may be using it, and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_verifier_free(verifier: *mut notiflows_auth_verifier) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_verifier::free(verifier) })
}
