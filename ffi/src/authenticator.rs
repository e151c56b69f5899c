//! Request authentication: projects by API key, security modes, allowed origins, key
//! rotation, the verified-token cache, CORS headers and error responses.

use crate::boundary::{guard, guard_value};
use crate::io::{input_str, notiflows_auth_header, optional_str, Handle, Out, OutBytes, OutHeaders, RequestHeaders};
use crate::keys::{notiflows_auth_key_pair, notiflows_auth_public_key, KeyPair};
use crate::result::{config_failure, notiflows_auth_result, Failure};
use crate::time::resolve_now;
use crate::verify::{notiflows_auth_numeric_date, notiflows_auth_policy};
use notiflows_auth::auth::{CorsHeaders, Credential, ProjectConfig, SecurityMode, MAX_CORS_HEADERS};
use notiflows_auth::{Authenticator, AuthenticatorOptions, Policy};

/// The verified-token cache size the bindings use when their caller does not choose one.
pub const NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY: usize = 10000;

/// The most CORS headers a response gets (a preflight for an allowed origin): an array of
/// this many `notiflows_auth_header` is never too small.
pub const NOTIFLOWS_AUTH_MAX_CORS_HEADERS: usize = 5;
const _: () = assert!(NOTIFLOWS_AUTH_MAX_CORS_HEADERS == MAX_CORS_HEADERS);

/// How a project identifies users.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notiflows_auth_security_mode {
    /// Only user tokens signed with the project's key (`x-notiflows-user-key`). The default.
    Secure = 0,
    /// The unsigned `x-notiflows-user-id` header is accepted too: never for production.
    Development = 1,
}

impl notiflows_auth_security_mode {
    fn from_u32(mode: u32) -> Result<SecurityMode, Failure> {
        match mode {
            0 => Ok(SecurityMode::Secure),
            1 => Ok(SecurityMode::Development),
            _ => Err(notiflows_auth::Error::new(notiflows_auth::ErrorKind::ConfigInvalid)
                .with_detail("the security mode must be NOTIFLOWS_AUTH_SECURITY_MODE_SECURE or _DEVELOPMENT")
                .into()),
        }
    }
}

impl From<SecurityMode> for notiflows_auth_security_mode {
    fn from(mode: SecurityMode) -> Self {
        match mode {
            SecurityMode::Secure => notiflows_auth_security_mode::Secure,
            SecurityMode::Development => notiflows_auth_security_mode::Development,
        }
    }
}

/// Which header identified the user.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notiflows_auth_credential {
    /// A verified user token (`x-notiflows-user-key`).
    UserKey = 0,
    /// The unsigned `x-notiflows-user-id` header (Development Mode).
    UserId = 1,
}

/// A byte string: `len` bytes at `ptr` (NULL only when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct notiflows_auth_bytes {
    pub ptr: *const u8,
    pub len: usize,
}

/// A request that passed authentication (the user's id is written to a separate buffer).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct notiflows_auth_authenticated {
    /// The project's mode when the request was authenticated.
    pub mode: notiflows_auth_security_mode,
    /// Which header identified the user.
    pub credential: notiflows_auth_credential,
    /// The token's `exp`, when a user token with one was used.
    pub expires_at: notiflows_auth_numeric_date,
}

/// Projects by API key and the verified-token cache they share: what an API server runs on
/// every User API request.
///
/// Thread-safe: every function taking it (all take a `const` pointer) may run on many
/// threads at once, including configuration changes while other threads authenticate.
/// Each change is atomic: once it returns, every authentication that starts sees it, and
/// tokens signed with a replaced key fail. Release with `notiflows_auth_authenticator_free`.
pub struct notiflows_auth_authenticator {
    _private: [u8; 0],
}

impl Handle for notiflows_auth_authenticator {
    type Inner = Authenticator;
}

/// Reads an array of byte strings as UTF-8 text.
///
/// # Safety
/// A non-NULL `items` must point to `count` elements whose pointers each point to `len`
/// readable bytes.
unsafe fn str_array<'a>(items: *const notiflows_auth_bytes, count: usize) -> Result<Vec<&'a str>, Failure> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if items.is_null() {
        return Err(Failure::NULL);
    }
    // SAFETY: non-NULL, and the caller guarantees `count` elements.
    let items = unsafe { core::slice::from_raw_parts(items, count) };
    // SAFETY: the caller guarantees each element's bytes.
    items.iter().map(|item| unsafe { input_str(item.ptr, item.len) }).collect()
}

/// Writes a new authenticator, without projects, to `*out_authenticator`.
///
/// `policy` (NULL for the defaults) sets the token rules for every project; the
/// authenticator keeps its own copy. `cache_capacity` is the most tokens kept in the
/// verified-token cache across all projects (0 disables it;
/// `NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY` is a good default): a cached token skips the RSA
/// check, its time claims are checked on every use, and a key rotation or mode change
/// empties it for that project. The caller owns the authenticator and releases it with
/// `notiflows_auth_authenticator_free`. Thread-safe.
///
/// # Safety
/// `policy` must be NULL or a live handle not being changed by another thread;
/// `out_authenticator` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_new(
    policy: *const notiflows_auth_policy,
    cache_capacity: usize,
    out_authenticator: *mut *mut notiflows_auth_authenticator,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the output slot.
        let out = unsafe { Out::new(out_authenticator) }?;
        let policy = if policy.is_null() {
            Policy::default()
        } else {
            // SAFETY: the caller guarantees a live policy; non-NULL.
            *unsafe { notiflows_auth_policy::borrow(policy) }?
        };
        let authenticator = Authenticator::new(AuthenticatorOptions { policy, cache_capacity })?;
        out.write(notiflows_auth_authenticator::into_raw(authenticator));
        Ok(())
    })
}

/// Adds a project, or replaces the one with the same API key (atomically).
///
/// - `api_key`: the project's public API key, 1 to 256 visible ASCII characters.
/// - `security_mode`: `NOTIFLOWS_AUTH_SECURITY_MODE_SECURE` or `_DEVELOPMENT`.
/// - `signing_key`: the public key user tokens must be signed with, or NULL for none yet
///   (the authenticator keeps its own copy).
/// - `allowed_origins`, `allowed_origins_count`: browser origins allowed to call the API
///   (`https://app.example.com`, `http://localhost:3000`, `https://*.example.com`); none
///   (count 0, and then the pointer may be NULL) allows every origin.
///
/// Fails with `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` (and changes nothing) for a malformed
/// API key, mode or origin; the last error message names the rule broken. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `signing_key` must be NULL or a live handle; `allowed_origins` must be NULL or
/// point to `allowed_origins_count` elements, each pointing to its bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_add_project(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    security_mode: u32,
    signing_key: *const notiflows_auth_public_key,
    allowed_origins: *const notiflows_auth_bytes,
    allowed_origins_count: usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the inputs.
        let (authenticator, api_key, origins) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                str_array(allowed_origins, allowed_origins_count)?,
            )
        };
        let signing_public_key = if signing_key.is_null() {
            None
        } else {
            // SAFETY: the caller guarantees a live key; non-NULL.
            Some(unsafe { notiflows_auth_public_key::borrow(signing_key) }?.clone())
        };
        authenticator.add_project(ProjectConfig {
            api_key: api_key.to_owned(),
            security_mode: notiflows_auth_security_mode::from_u32(security_mode)?,
            signing_public_key,
            allowed_origins: origins.into_iter().map(str::to_owned).collect(),
            ..ProjectConfig::default()
        })?;
        Ok(())
    })
}

/// Removes a project; writes whether it existed to `*out_removed`. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `out_removed` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_remove_project(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    out_removed: *mut bool,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output slot.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                Out::new(out_removed)?,
            )
        };
        out.write(authenticator.remove_project(api_key));
        Ok(())
    })
}

/// Sets a project's signing public key, or removes it with `signing_key` NULL (Secure Mode
/// then answers `NOTIFLOWS_AUTH_RESULT_SIGNING_KEY_NOT_CONFIGURED`). Tokens signed with the
/// previous key fail for every authentication that starts after this returns.
/// `NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID` for an unknown project. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `signing_key` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_set_signing_key(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    signing_key: *const notiflows_auth_public_key,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the input.
        let (authenticator, api_key) =
            unsafe { (notiflows_auth_authenticator::borrow(authenticator)?, input_str(api_key, api_key_len)?) };
        let key = if signing_key.is_null() {
            None
        } else {
            // SAFETY: the caller guarantees a live key; non-NULL.
            Some(unsafe { notiflows_auth_public_key::borrow(signing_key) }?.clone())
        };
        authenticator.set_signing_key(api_key, key)?;
        Ok(())
    })
}

/// Generates a new key pair of `bits` bits (2048, 3072 or 4096) and makes its public key the
/// project's signing key, as `notiflows_auth_authenticator_set_signing_key` does. Writes the
/// pair to `*out_pair`: its private key is for the customer's backend and shown once. The
/// caller owns the pair and releases it with `notiflows_auth_key_pair_free`. Thread-safe
/// (generation runs without holding any lock).
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `out_pair` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_rotate_signing_key(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    bits: u32,
    out_pair: *mut *mut notiflows_auth_key_pair,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output slot.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                Out::new(out_pair)?,
            )
        };
        let bits = usize::try_from(bits).unwrap_or(usize::MAX);
        let pair = authenticator.rotate_signing_key(api_key, bits)?;
        out.write(notiflows_auth_key_pair::into_raw(KeyPair(pair)));
        Ok(())
    })
}

/// Makes `signing_key` (not NULL) the project's active key and keeps the previous active key
/// verifying until `now + overlap_seconds` (1 to 604800, 7 days, else
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`); from that second on its tokens are refused with
/// `NOTIFLOWS_AUTH_RESULT_KEY_UNKNOWN`, cached or not. Retiring keys past their deadline are
/// dropped; more than `NOTIFLOWS_AUTH_MAX_PROJECT_KEYS` keys is `CONFIG_INVALID` (nothing
/// changes). `now` is Unix seconds or `NOTIFLOWS_AUTH_CURRENT_TIME`. Thread-safe.
///
/// # Safety
/// `authenticator` and `signing_key` must be live handles; `api_key` must point to
/// `api_key_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_set_signing_key_with_overlap(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    signing_key: *const notiflows_auth_public_key,
    now: i64,
    overlap_seconds: u64,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handles and the input.
        let (authenticator, api_key, key) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                notiflows_auth_public_key::borrow(signing_key)?,
            )
        };
        authenticator.set_signing_key_with_overlap(api_key, key.clone(), resolve_now(now), overlap_seconds)?;
        Ok(())
    })
}

/// Generates a new key pair (as `notiflows_auth_authenticator_rotate_signing_key`) and makes
/// it the active key with an overlap, as
/// `notiflows_auth_authenticator_set_signing_key_with_overlap` does. Writes the pair to
/// `*out_pair` (the caller's; release with `notiflows_auth_key_pair_free`). Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `out_pair` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_rotate_signing_key_with_overlap(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    bits: u32,
    now: i64,
    overlap_seconds: u64,
    out_pair: *mut *mut notiflows_auth_key_pair,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output slot.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                Out::new(out_pair)?,
            )
        };
        let bits = usize::try_from(bits).unwrap_or(usize::MAX);
        let pair = authenticator.rotate_signing_key_with_overlap(api_key, bits, resolve_now(now), overlap_seconds)?;
        out.write(notiflows_auth_key_pair::into_raw(KeyPair(pair)));
        Ok(())
    })
}

/// Removes the project's key named `kid` (active or retiring) at once; writes whether there
/// was one to `*out_removed`. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` and `kid` must point to their readable
/// bytes; `out_removed` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_remove_signing_key(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    kid: *const u8,
    kid_len: usize,
    out_removed: *mut bool,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the output slot.
        let (authenticator, api_key, kid, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                input_str(kid, kid_len)?,
                Out::new(out_removed)?,
            )
        };
        out.write(authenticator.remove_signing_key(api_key, kid)?);
        Ok(())
    })
}

/// Refuses the project's tokens issued before `before` (`iat < before`, Unix seconds; tokens
/// without `iat` too) with `NOTIFLOWS_AUTH_RESULT_TOKEN_REVOKED`, without a new key. Cut-offs
/// only move forward. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_revoke_tokens_issued_before(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    before: i64,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the input.
        let (authenticator, api_key) =
            unsafe { (notiflows_auth_authenticator::borrow(authenticator)?, input_str(api_key, api_key_len)?) };
        authenticator.revoke_tokens_issued_before(api_key, before)?;
        Ok(())
    })
}

/// Refuses one user's tokens issued before `before`, as
/// `notiflows_auth_authenticator_revoke_tokens_issued_before` does for the project. The user
/// id is 1 to 2048 bytes of UTF-8; at most 10000 users per project
/// (`NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` over; see
/// `notiflows_auth_authenticator_prune_revocations`). Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` and `user_id` must point to their
/// readable bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_revoke_user_tokens_issued_before(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    user_id: *const u8,
    user_id_len: usize,
    before: i64,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the inputs.
        let (authenticator, api_key, user_id) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                input_str(user_id, user_id_len)?,
            )
        };
        authenticator.revoke_user_tokens_issued_before(api_key, user_id, before)?;
        Ok(())
    })
}

/// Drops the revocation entries that can no longer refuse a token at `now` (Unix seconds or
/// `NOTIFLOWS_AUTH_CURRENT_TIME`): a user's cut-off at or below the project's and, when the
/// project's policy has a maximum lifetime, every cut-off at least that lifetime (plus the
/// leeway) in the past. Writes how many were dropped to `*out_dropped`. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `out_dropped` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_prune_revocations(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    now: i64,
    out_dropped: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output slot.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                Out::new(out_dropped)?,
            )
        };
        out.write(authenticator.prune_revocations(api_key, resolve_now(now))?);
        Ok(())
    })
}

/// Writes the project's public keys as an RFC 7517 JWK Set (`{"keys":[...]}`, the active key
/// first, then every retiring one held, past its deadline or not; not NUL-terminated: for a
/// gateway, use `notiflows_auth_authenticator_jwks_at`) into `buf` and its length into
/// `*out_len`. When `buf` is too small, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and
/// writes only `*out_len` (`buf` may be NULL with length 0 to ask). Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `buf` must point to `buf_len` writable bytes; `out_len` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_jwks(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output buffer.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                OutBytes::new(buf, buf_len, out_len)?,
            )
        };
        out.write(authenticator.jwks(api_key)?.as_bytes())
    })
}

/// Writes the JWK Set of the project's keys that verify at `now` (Unix seconds or
/// `NOTIFLOWS_AUTH_CURRENT_TIME`): the active key and the retiring keys whose deadline is
/// later, so that a gateway refuses what the authenticator refuses
/// (`notiflows_auth_authenticator_jwks` lists a retiring key past its deadline until the next
/// rotation). Buffer protocol as for `notiflows_auth_authenticator_jwks`. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_authenticator_jwks`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_jwks_at(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    now: i64,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output buffer.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                OutBytes::new(buf, buf_len, out_len)?,
            )
        };
        out.write(authenticator.jwks_at(api_key, resolve_now(now))?.as_bytes())
    })
}

/// Writes the configuration in force for a project as a project document (JSON: `api_key`,
/// `security_mode`, `signing_public_key` as PEM, `signing_key_kid`, `allowed_origins`,
/// `retiring_keys`, `revoked_before`, `user_revocations`, `require_exp`, `max_lifetime`,
/// `leeway`, `iat_skew`; the format `notiflows_auth_authenticator_add_project_json` reads),
/// so that a server can persist it. Buffer protocol as for
/// `notiflows_auth_authenticator_jwks`; `NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID` for an
/// unknown project. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_authenticator_jwks`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_project_json(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output buffer.
        let (authenticator, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                OutBytes::new(buf, buf_len, out_len)?,
            )
        };
        let config = authenticator
            .project_config(api_key)
            .ok_or(notiflows_auth::Error::new(notiflows_auth::ErrorKind::ApiKeyInvalid))?;
        out.write(notiflows_auth::config::project_to_json(&config).as_bytes())
    })
}

/// Adds a project from a project document (what
/// `notiflows_auth_authenticator_project_json` writes: strict JSON, at most 1 MiB, keys as
/// PEM text), or replaces the one with the same API key, atomically. This is how retiring
/// keys, revocation cut-offs and per-project lifetime rules are set in one call.
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` for a document refused (the last error message names
/// the member, or says what is wrong with a key), or the code of the value refused by the
/// project's rules; nothing changes then. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `json` must point to `json_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_add_project_json(
    authenticator: *const notiflows_auth_authenticator,
    json: *const u8,
    json_len: usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the input.
        let (authenticator, text) =
            unsafe { (notiflows_auth_authenticator::borrow(authenticator)?, crate::io::input(json, json_len)?) };
        let config = notiflows_auth::config::project_from_json(text).map_err(|e| config_failure(&e))?;
        authenticator.add_project(config)?;
        Ok(())
    })
}

/// Switches a project's security mode (`NOTIFLOWS_AUTH_SECURITY_MODE_SECURE` or
/// `_DEVELOPMENT`), atomically like a key rotation. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_set_security_mode(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    security_mode: u32,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the input.
        let (authenticator, api_key) =
            unsafe { (notiflows_auth_authenticator::borrow(authenticator)?, input_str(api_key, api_key_len)?) };
        authenticator.set_security_mode(api_key, notiflows_auth_security_mode::from_u32(security_mode)?)?;
        Ok(())
    })
}

/// Replaces a project's allowed origins (none allows every origin);
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID` and no change if an entry is malformed.
/// Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` must point to `api_key_len` readable
/// bytes; `allowed_origins` must be NULL or point to `allowed_origins_count` elements, each
/// pointing to its bytes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_set_allowed_origins(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    allowed_origins: *const notiflows_auth_bytes,
    allowed_origins_count: usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle and the inputs.
        let (authenticator, api_key, origins) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                input_str(api_key, api_key_len)?,
                str_array(allowed_origins, allowed_origins_count)?,
            )
        };
        authenticator.set_allowed_origins(api_key, &origins)?;
        Ok(())
    })
}

/// Authenticates one request from its headers at `now` (Unix seconds, or
/// `NOTIFLOWS_AUTH_CURRENT_TIME`).
///
/// - `headers`, `headers_count`: the request's headers as the HTTP library delivers them,
///   any order, names compared case-insensitively, `Origin` among them (a request without
///   one is not a browser's and is not origin-checked). The three `x-notiflows-*` headers
///   and `Origin` are read by one rule: whitespace around a value is dropped, and one sent
///   twice is an error, never a silent pick. The pointer may be NULL when the count is 0.
///
/// Checks, in order: the API key (`API_KEY_MISSING`, `API_KEY_INVALID`), the origin
/// (`ORIGIN_NOT_ALLOWED`, also for a repeated, over-long or non-UTF-8 `Origin`), then the
/// user headers (`USER_KEY_MISSING`, `SIGNING_KEY_NOT_CONFIGURED`, `USER_ID_MISSING`,
/// `USER_ID_INVALID`, or any token error); `notiflows_auth_last_error_response` then gives
/// the HTTP status and JSON body to answer with.
///
/// On success writes the user's external id (the token's `sub`, or the Development Mode
/// user id; UTF-8, not NUL-terminated) into `user_id_buf` and its length into
/// `*out_user_id_len`, and the mode, the credential used and the token's expiry into
/// `*out_user`. A `user_id_buf` of `NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES` is never too small;
/// with a smaller one, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only
/// `*out_user_id_len`. Allocates nothing (except to remember a newly verified token in the
/// cache). Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `headers` must be NULL (with count 0) or point to
/// `headers_count` elements whose pointers each point to their bytes; `user_id_buf` must
/// point to `user_id_buf_len` writable bytes (or be NULL with length 0); `out_user_id_len`
/// and `out_user` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_authenticate(
    authenticator: *const notiflows_auth_authenticator,
    headers: *const notiflows_auth_header,
    headers_count: usize,
    now: i64,
    user_id_buf: *mut u8,
    user_id_buf_len: usize,
    out_user_id_len: *mut usize,
    out_user: *mut notiflows_auth_authenticated,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the headers and the outputs.
        let (authenticator, headers, user_id_out, user_out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                RequestHeaders::new(headers, headers_count)?,
                OutBytes::new(user_id_buf, user_id_buf_len, out_user_id_len)?,
                Out::new(out_user)?,
            )
        };
        let user = authenticator.authenticate(headers.pairs(), resolve_now(now))?;
        user_id_out.write(user.user_id.as_str().as_bytes())?;
        user_out.write(notiflows_auth_authenticated {
            mode: user.mode.into(),
            credential: match user.credential {
                Credential::UserKey => notiflows_auth_credential::UserKey,
                Credential::UserId => notiflows_auth_credential::UserId,
            },
            expires_at: user.expires_at.into(),
        });
        Ok(())
    })
}

/// Writes CORS headers as name/value pairs. The pointers written point into static memory
/// or into the request's own `Origin` value: valid as long as those header bytes are.
fn write_cors(headers: CorsHeaders<'_>, out: OutHeaders<'_>) -> Result<(), Failure> {
    let empty = notiflows_auth_header::borrowing(&[], &[]);
    let mut pairs = [empty; MAX_CORS_HEADERS];
    let mut count = 0;
    for ((name, value), slot) in headers.iter().zip(&mut pairs) {
        *slot = notiflows_auth_header::borrowing(name.as_bytes(), value.as_bytes());
        count += 1;
    }
    out.write(&pairs[..count])
}

/// The CORS headers for the actual response (success or error) to a request, read from
/// its `headers` (`x-notiflows-api-key` and `Origin`, by the rules of
/// `notiflows_auth_authenticator_authenticate`): `Vary: Origin` always, and
/// `Access-Control-Allow-Origin` echoing the origin when it is allowed (for an unknown or
/// missing API key a well-formed origin is echoed, so the page can read the error).
///
/// Writes up to `out_headers_cap` name/value pairs into `out_headers` and their number into
/// `*out_count`; `NOTIFLOWS_AUTH_MAX_CORS_HEADERS` slots are never too few (when too few,
/// returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_count`). The
/// pointers written point into static memory or into the request's own `Origin` value in
/// `headers`: they stay valid as long as those bytes do. Allocates nothing. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `headers` as for
/// `notiflows_auth_authenticator_authenticate`; `out_headers` must point to
/// `out_headers_cap` writable elements (or be NULL with 0); `out_count` must be valid for a
/// write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_cors_response(
    authenticator: *const notiflows_auth_authenticator,
    headers: *const notiflows_auth_header,
    headers_count: usize,
    out_headers: *mut notiflows_auth_header,
    out_headers_cap: usize,
    out_count: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the headers and the outputs.
        let (authenticator, headers, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                RequestHeaders::new(headers, headers_count)?,
                OutHeaders::new(out_headers, out_headers_cap, out_count)?,
            )
        };
        write_cors(authenticator.cors_response(headers.pairs()), out)
    })
}

/// The CORS headers for a preflight (`OPTIONS`) request, read from its `headers`
/// (`Origin`): `Vary: Origin` always; for an allowed origin, `Access-Control-Allow-Origin`,
/// the allowed headers, methods and max age (answer with status 204). Preflights carry no
/// Notiflows headers: pass `api_key` (NULL when unknown) if the server knows the project
/// otherwise; without it every well-formed origin is echoed, and the actual request is
/// still checked by `notiflows_auth_authenticator_authenticate`.
///
/// Output protocol as for `notiflows_auth_authenticator_cors_response`. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_authenticator_cors_response`; `api_key` must be NULL or point to
/// `api_key_len` readable bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_authenticator_cors_preflight(
    authenticator: *const notiflows_auth_authenticator,
    headers: *const notiflows_auth_header,
    headers_count: usize,
    api_key: *const u8,
    api_key_len: usize,
    out_headers: *mut notiflows_auth_header,
    out_headers_cap: usize,
    out_count: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the outputs.
        let (authenticator, headers, api_key, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                RequestHeaders::new(headers, headers_count)?,
                optional_str(api_key, api_key_len)?,
                OutHeaders::new(out_headers, out_headers_cap, out_count)?,
            )
        };
        write_cors(authenticator.cors_preflight(headers.pairs(), api_key), out)
    })
}

/// Releases an authenticator. NULL does nothing.
///
/// # Safety
/// `authenticator` must be NULL or a handle from `notiflows_auth_authenticator_new` not yet
/// freed; no other thread may be using it, and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_authenticator_free(authenticator: *mut notiflows_auth_authenticator) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_authenticator::free(authenticator) })
}
