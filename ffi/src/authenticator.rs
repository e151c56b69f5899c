//! Request authentication: projects by API key, security modes, allowed origins, key
//! rotation, the verified-token cache, CORS headers and error responses.

use crate::boundary::{guard, guard_value};
use crate::io::{self, input_str, Handle, Out, OutBytes};
use crate::keys::{notiflows_auth_key_pair, notiflows_auth_public_key, KeyPair};
use crate::result::{last_error, notiflows_auth_result, Failure};
use crate::time::resolve_now;
use crate::verify::{notiflows_auth_numeric_date, notiflows_auth_policy};
use notiflows::auth::{CorsHeaders, Credential, ErrorResponse, ProjectConfig, SecurityMode};
use notiflows::{Authenticator, AuthenticatorOptions, Policy};
use std::borrow::Cow;

/// The verified-token cache size the bindings use when their caller does not choose one.
pub const NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY: usize = 10000;

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
            _ => Err(notiflows::Error::new(notiflows::ErrorKind::ConfigInvalid)
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

/// One request header: its name (compared case-insensitively) and its value, as the HTTP
/// library delivers them. A pointer may be NULL only when its length is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct notiflows_auth_header {
    pub name: *const u8,
    pub name_len: usize,
    pub value: *const u8,
    pub value_len: usize,
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

/// Reads an optional header value (`Origin`, an API key): NULL is absent; bytes that are
/// not UTF-8 become text that no project or allowed origin matches.
///
/// # Safety
/// A non-NULL `origin` must point to `origin_len` readable bytes.
unsafe fn optional_lossy<'a>(origin: *const u8, origin_len: usize) -> Result<Option<Cow<'a, str>>, Failure> {
    if origin.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    Ok(Some(String::from_utf8_lossy(unsafe { io::input(origin, origin_len) }?)))
}

/// Authenticates one request from its headers and its `Origin`, at `now` (Unix seconds, or
/// `NOTIFLOWS_AUTH_CURRENT_TIME`).
///
/// - `headers`, `headers_count`: the request's headers, any order, names compared
///   case-insensitively (only the three `x-notiflows-*` headers are read; one sent twice
///   is an error, never a silent pick). The pointer may be NULL when the count is 0.
/// - `origin`, `origin_len`: the `Origin` header's value, or NULL when the request has none
///   (not a browser: no origin check).
///
/// On success writes the user's external id (the token's `sub`, or the Development Mode
/// user id; UTF-8, not NUL-terminated) into `user_id_buf` and its length into
/// `*out_user_id_len`, and the mode, the credential used and the token's expiry into
/// `*out_user`. A `user_id_buf` of `NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES` is never too small;
/// with a smaller one, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only
/// `*out_user_id_len`.
///
/// On failure returns the error (`API_KEY_MISSING`, `API_KEY_INVALID`, `ORIGIN_NOT_ALLOWED`,
/// `USER_KEY_MISSING`, `SIGNING_KEY_NOT_CONFIGURED`, `USER_ID_MISSING`, `USER_ID_INVALID`,
/// or any token error); `notiflows_auth_last_error_response` then gives the HTTP status and
/// JSON body to answer with. Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `headers` must be NULL (with count 0) or point to
/// `headers_count` elements whose pointers each point to their bytes; `origin` must be NULL
/// or point to `origin_len` readable bytes; `user_id_buf` must point to `user_id_buf_len`
/// writable bytes (or be NULL with length 0); `out_user_id_len` and `out_user` must be
/// valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_authenticator_authenticate(
    authenticator: *const notiflows_auth_authenticator,
    headers: *const notiflows_auth_header,
    headers_count: usize,
    origin: *const u8,
    origin_len: usize,
    now: i64,
    user_id_buf: *mut u8,
    user_id_buf_len: usize,
    out_user_id_len: *mut usize,
    out_user: *mut notiflows_auth_authenticated,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the outputs.
        let (authenticator, origin, user_id_out, user_out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                optional_lossy(origin, origin_len)?,
                OutBytes::new(user_id_buf, user_id_buf_len, out_user_id_len)?,
                Out::new(out_user)?,
            )
        };
        let headers: &[notiflows_auth_header] = if headers_count == 0 {
            &[]
        } else if headers.is_null() {
            return Err(Failure::NULL);
        } else {
            // SAFETY: non-NULL, and the caller guarantees `headers_count` elements.
            unsafe { core::slice::from_raw_parts(headers, headers_count) }
        };
        let mut pairs = Vec::with_capacity(headers.len());
        for header in headers {
            // SAFETY: the caller guarantees each header's name and value bytes.
            pairs.push(unsafe {
                (io::input(header.name, header.name_len)?, io::input(header.value, header.value_len)?)
            });
        }
        let user = authenticator.authenticate(pairs, origin.as_deref(), resolve_now(now))?;
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

/// Writes the CORS headers for a response as text, one `Name: value` line each, every line
/// ending in `\r\n` (not NUL-terminated): `Vary: Origin` always; for an allowed origin,
/// `Access-Control-Allow-Origin` echoing it and, when `preflight` is true, the allowed
/// headers, methods and max age (answer a preflight with status 204).
///
/// - `api_key`: the request's `x-notiflows-api-key`, or NULL when unknown (preflights carry
///   no Notiflows headers): then every well-formed origin is echoed, and the actual request
///   is still checked by `notiflows_auth_authenticator_authenticate`.
/// - `origin`: the request's `Origin`, or NULL when it has none.
///
/// Buffer protocol: `buf` may be NULL when `buf_len` is 0; when too small, returns
/// `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_len`, the size needed.
/// Thread-safe.
///
/// # Safety
/// `authenticator` must be a live handle; `api_key` and `origin` must each be NULL or point
/// to their length in readable bytes; `buf` must point to `buf_len` writable bytes;
/// `out_len` must be valid for a write.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_authenticator_cors_headers(
    authenticator: *const notiflows_auth_authenticator,
    api_key: *const u8,
    api_key_len: usize,
    origin: *const u8,
    origin_len: usize,
    preflight: bool,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the output buffer.
        let (authenticator, api_key, origin, out) = unsafe {
            (
                notiflows_auth_authenticator::borrow(authenticator)?,
                optional_lossy(api_key, api_key_len)?,
                optional_lossy(origin, origin_len)?,
                OutBytes::new(buf, buf_len, out_len)?,
            )
        };
        let (api_key, origin) = (api_key.as_deref(), origin.as_deref());
        let headers: CorsHeaders<'_> = if preflight {
            authenticator.cors_preflight(api_key, origin)
        } else {
            authenticator.cors_response(api_key, origin)
        };
        let mut text = String::with_capacity(256);
        for (name, value) in headers.iter() {
            text.push_str(name);
            text.push_str(": ");
            text.push_str(value);
            text.push_str("\r\n");
        }
        out.write(text.as_bytes())
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
    crate::result::guard_quiet(|| {
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
