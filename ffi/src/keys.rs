//! Public keys, signing keys, generated key pairs, and signing user tokens.

use crate::boundary::{guard, guard_value};
use crate::io::{self, input_str, optional_str, Handle, Out, OutBytes};
use crate::result::notiflows_auth_result;
use crate::time::resolve_now;
use notiflows_auth::{
    generate_signing_key, jwk_set, parse_jwk_set, GeneratedKeyPair, Kid, PublicKey, SignOptions, SigningKey,
    MAX_KID_BYTES, MAX_PROJECT_KEYS,
};
use zeroize::Zeroize;

/// Pass as `expires_in_seconds` to sign a token without `exp` (it then never expires, unless
/// the verifier requires `exp`).
pub const NOTIFLOWS_AUTH_NO_EXPIRY: u64 = u64::MAX;

/// The longest `kid`, in bytes: a buffer of this size always holds a key's kid.
pub const NOTIFLOWS_AUTH_MAX_KID_BYTES: usize = 128;
const _: () = assert!(NOTIFLOWS_AUTH_MAX_KID_BYTES == MAX_KID_BYTES);

/// The most keys a project (and a JWK Set read by `notiflows_auth_jwk_set_parse`) holds.
pub const NOTIFLOWS_AUTH_MAX_PROJECT_KEYS: usize = 8;
const _: () = assert!(NOTIFLOWS_AUTH_MAX_PROJECT_KEYS == MAX_PROJECT_KEYS);

/// What a signed token's header says in `kid` (`notiflows_auth_signing_key_sign_with_kid`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notiflows_auth_kid_mode {
    /// The signing key's own kid (its RFC 7638 thumbprint): the default.
    Key = 0,
    /// No `kid`: the token verifies against a project's active key only.
    Omit = 1,
    /// The kid passed in `kid`, `kid_len` (1 to 128 bytes of visible ASCII).
    Custom = 2,
}

/// An RSA public key (2048 to 8192 bits) that verifies user tokens.
///
/// Immutable once loaded: every function taking a `const` pointer to it is safe to call
/// from many threads at once. Release with `notiflows_auth_public_key_free`.
pub struct notiflows_auth_public_key {
    _private: [u8; 0],
}

impl Handle for notiflows_auth_public_key {
    type Inner = PublicKey;
}

/// An RSA private key (2048 to 8192 bits) that signs user tokens.
///
/// Immutable once loaded: every function taking a `const` pointer to it is safe to call
/// from many threads at once. Release with `notiflows_auth_signing_key_free`.
pub struct notiflows_auth_signing_key {
    _private: [u8; 0],
}

impl Handle for notiflows_auth_signing_key {
    type Inner = SigningKey;
}

/// A newly generated key pair, holding the three texts a dashboard shows once: the private
/// key as PKCS#8 PEM and as a one-line base64 of that PEM (for environment variables), and
/// the public key as SPKI PEM.
///
/// Immutable: safe to read from many threads at once. `notiflows_auth_key_pair_free`
/// overwrites the private texts with zeros before releasing them.
pub struct notiflows_auth_key_pair {
    _private: [u8; 0],
}

/// A generated pair whose private texts are wiped on drop.
pub(crate) struct KeyPair(pub(crate) GeneratedKeyPair);

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.0.private_key_pem.zeroize();
        self.0.private_key_base64.zeroize();
    }
}

impl Handle for notiflows_auth_key_pair {
    type Inner = KeyPair;
}

/// Loads an RSA public key from SPKI PEM (`PUBLIC KEY`), PKCS#1 PEM (`RSA PUBLIC KEY`), DER
/// (either), or a base64-encoded PEM line; the format is detected. Surrounding whitespace,
/// CRLF line ends and literal `\n` escapes are tolerated.
///
/// On success writes a new handle to `*out_key`; the caller owns it and releases it with
/// `notiflows_auth_public_key_free`. Fails with `NOTIFLOWS_AUTH_RESULT_KEY_UNSUPPORTED` (not
/// RSA, or not 2048 to 8192 bits) or `NOTIFLOWS_AUTH_RESULT_KEY_INVALID` (unreadable; the
/// last error message says what was expected). Thread-safe.
///
/// # Safety
/// `input` must point to `input_len` readable bytes; `out_key` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_parse(
    input: *const u8,
    input_len: usize,
    out_key: *mut *mut notiflows_auth_public_key,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the input bytes and the output slot.
        let (text, out) = unsafe { (io::input(input, input_len)?, Out::new(out_key)?) };
        out.write(notiflows_auth_public_key::into_raw(PublicKey::parse(text)?));
        Ok(())
    })
}

/// Writes the key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`, 64-column lines, trailing
/// newline; not NUL-terminated) into `buf`, and its length into `*out_len`.
///
/// `buf` may be NULL when `buf_len` is 0. When the PEM is longer than `buf_len`, returns
/// `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_len`, the size needed
/// (at most 1500 bytes for an 8192-bit key). Thread-safe.
///
/// # Safety
/// `key` must be a live handle; `buf` must point to `buf_len` writable bytes; `out_len` must
/// be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_to_pem(
    key: *const notiflows_auth_public_key,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output buffer.
        let (key, out) = unsafe { (notiflows_auth_public_key::borrow(key)?, OutBytes::new(buf, buf_len, out_len)?) };
        out.write(key.to_spki_pem().as_bytes())
    })
}

/// Writes the key's modulus length in bits (2048 to 8192) to `*out_bits`. Thread-safe.
///
/// # Safety
/// `key` must be a live handle; `out_bits` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_bits(
    key: *const notiflows_auth_public_key,
    out_bits: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output slot.
        let (key, out) = unsafe { (notiflows_auth_public_key::borrow(key)?, Out::new(out_bits)?) };
        out.write(key.modulus_bits());
        Ok(())
    })
}

/// Writes the key's kid (what a token's `kid` header names it by: its RFC 7638 thumbprint
/// unless set with `notiflows_auth_public_key_with_kid`; visible ASCII, not NUL-terminated)
/// into `buf` and its length into `*out_len`. `NOTIFLOWS_AUTH_MAX_KID_BYTES` is always
/// enough; buffer protocol as for `notiflows_auth_public_key_to_pem`. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_public_key_to_pem`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_kid(
    key: *const notiflows_auth_public_key,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output buffer.
        let (key, out) = unsafe { (notiflows_auth_public_key::borrow(key)?, OutBytes::new(buf, buf_len, out_len)?) };
        out.write(key.kid().as_bytes())
    })
}

/// Writes a new handle to the same key named `kid` (1 to 128 bytes of visible ASCII, else
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`) to `*out_key`; `key` is unchanged. The caller owns
/// the new handle and releases it with `notiflows_auth_public_key_free`. Thread-safe.
///
/// # Safety
/// `key` must be a live handle; `kid` must point to `kid_len` readable bytes; `out_key` must
/// be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_with_kid(
    key: *const notiflows_auth_public_key,
    kid: *const u8,
    kid_len: usize,
    out_key: *mut *mut notiflows_auth_public_key,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the input and the output slot.
        let (key, kid, out) =
            unsafe { (notiflows_auth_public_key::borrow(key)?, input_str(kid, kid_len)?, Out::new(out_key)?) };
        out.write(notiflows_auth_public_key::into_raw(key.clone().with_kid(kid)?));
        Ok(())
    })
}

/// Writes the key as a JSON Web Key (RFC 7517: `{"kty":"RSA","use":"sig","alg":"RS256",
/// "kid":...,"n":...,"e":...}`; not NUL-terminated) into `buf` and its length into
/// `*out_len`; buffer protocol as for `notiflows_auth_public_key_to_pem` (at most 1600 bytes
/// for an 8192-bit key). Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_public_key_to_pem`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_to_jwk(
    key: *const notiflows_auth_public_key,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output buffer.
        let (key, out) = unsafe { (notiflows_auth_public_key::borrow(key)?, OutBytes::new(buf, buf_len, out_len)?) };
        out.write(key.to_jwk().as_bytes())
    })
}

/// Writes the JWK Set (RFC 7517, `{"keys":[...]}`) of `count` keys, in the order given (a
/// project's active key first), into `buf` and its length into `*out_len`; buffer protocol
/// as for `notiflows_auth_public_key_to_pem`. `keys` may be NULL when `count` is 0.
/// Thread-safe.
///
/// # Safety
/// `keys` must point to `count` live handles (or be NULL with 0); `buf` must point to
/// `buf_len` writable bytes; `out_len` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_jwk_set_write(
    keys: *const *const notiflows_auth_public_key,
    count: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the output buffer.
        let out = unsafe { OutBytes::new(buf, buf_len, out_len) }?;
        let handles: &[*const notiflows_auth_public_key] = if count == 0 {
            &[]
        } else if keys.is_null() {
            return Err(crate::result::Failure::NULL);
        } else {
            // SAFETY: non-NULL, and the caller guarantees `count` elements.
            unsafe { core::slice::from_raw_parts(keys, count) }
        };
        // SAFETY: the caller guarantees each handle is live.
        let keys: Vec<PublicKey> = handles
            .iter()
            .map(|&k| unsafe { notiflows_auth_public_key::borrow(k) }.cloned())
            .collect::<Result<_, _>>()?;
        out.write(jwk_set(&keys).as_bytes())
    })
}

/// Reads a JWK Set strictly (at most 64 KiB, at most 8 RSA keys with unique kids; `kty`
/// `RSA`, `n`, `e`, optional `kid`, `alg` `RS256`, `use` `sig`, `key_ops`; any other member,
/// a private one above all, is refused: `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`, or
/// `_KEY_INVALID` / `_KEY_UNSUPPORTED` for the key's numbers) and writes one new handle per
/// key into `out_keys`, in order, and their number into `*out_count`. Each handle is the
/// caller's, released with `notiflows_auth_public_key_free`. When `keys_cap` is smaller than
/// the number of keys, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only
/// `*out_count` (`NOTIFLOWS_AUTH_MAX_PROJECT_KEYS` slots are never too few). Thread-safe.
///
/// # Safety
/// `input` must point to `input_len` readable bytes; `out_keys` must point to `keys_cap`
/// writable elements (or be NULL with 0); `out_count` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_jwk_set_parse(
    input: *const u8,
    input_len: usize,
    out_keys: *mut *mut notiflows_auth_public_key,
    keys_cap: usize,
    out_count: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the input bytes and the count slot.
        let (text, count_out) = unsafe { (io::input(input, input_len)?, Out::new(out_count)?) };
        let keys = parse_jwk_set(text)?;
        let needed = keys.len();
        if needed > keys_cap {
            count_out.write(needed);
            return Err(crate::result::Failure::TOO_SMALL);
        }
        if needed > 0 && out_keys.is_null() {
            return Err(crate::result::Failure::NULL);
        }
        for (i, key) in keys.into_iter().enumerate() {
            // SAFETY: non-NULL (checked), and the caller guarantees `keys_cap` >= `needed` slots.
            unsafe { out_keys.add(i).write(notiflows_auth_public_key::into_raw(key)) };
        }
        count_out.write(needed);
        Ok(())
    })
}

/// Releases a public key. NULL does nothing.
///
/// # Safety
/// `key` must be NULL or a handle from `notiflows_auth_public_key_parse` or
/// `notiflows_auth_signing_key_public_key` not yet freed; no other thread may be using it,
/// and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_public_key_free(key: *mut notiflows_auth_public_key) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_public_key::free(key) })
}

/// Loads an RSA private key from PKCS#8 PEM (`PRIVATE KEY`), PKCS#1 PEM
/// (`RSA PRIVATE KEY`), DER (either), or the one-line base64 of a PEM (what
/// `NOTIFLOWS_SIGNING_KEY` usually holds); the format is detected. Surrounding
/// whitespace, CRLF line ends and literal `\n` escapes are tolerated.
///
/// On success writes a new handle to `*out_key`; the caller owns it and releases it with
/// `notiflows_auth_signing_key_free`. Fails with `NOTIFLOWS_AUTH_RESULT_KEY_UNSUPPORTED` or
/// `NOTIFLOWS_AUTH_RESULT_KEY_INVALID`; messages never contain key material. The library
/// keeps no reference to `input`: the caller may wipe it afterwards. Thread-safe.
///
/// # Safety
/// `input` must point to `input_len` readable bytes; `out_key` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_signing_key_parse(
    input: *const u8,
    input_len: usize,
    out_key: *mut *mut notiflows_auth_signing_key,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the input bytes and the output slot.
        let (text, out) = unsafe { (io::input(input, input_len)?, Out::new(out_key)?) };
        out.write(notiflows_auth_signing_key::into_raw(SigningKey::parse(text)?));
        Ok(())
    })
}

/// Writes the signing key's kid (its public key's RFC 7638 thumbprint: what signed tokens
/// carry by default; not NUL-terminated) into `buf` and its length into `*out_len`; buffer
/// protocol as for `notiflows_auth_public_key_to_pem`. Thread-safe.
///
/// # Safety
/// `key` must be a live handle; `buf` must point to `buf_len` writable bytes; `out_len` must
/// be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_signing_key_kid(
    key: *const notiflows_auth_signing_key,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output buffer.
        let (key, out) = unsafe { (notiflows_auth_signing_key::borrow(key)?, OutBytes::new(buf, buf_len, out_len)?) };
        out.write(key.kid().as_bytes())
    })
}

/// Writes a new handle to the signing key's public key to `*out_key`; the caller owns it
/// and releases it with `notiflows_auth_public_key_free` (independently of `key`).
/// Thread-safe.
///
/// # Safety
/// `key` must be a live handle; `out_key` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_signing_key_public_key(
    key: *const notiflows_auth_signing_key,
    out_key: *mut *mut notiflows_auth_public_key,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output slot.
        let (key, out) = unsafe { (notiflows_auth_signing_key::borrow(key)?, Out::new(out_key)?) };
        out.write(notiflows_auth_public_key::into_raw(key.public_key().clone()));
        Ok(())
    })
}

/// A buffer size that always holds a token signed by `notiflows_auth_signing_key_sign` (or
/// `_sign_with_kid`) for a `sub` of `sub_len` bytes and a `kid` of `kid_len` bytes (pass 0
/// for the key's own kid, or none: up to `NOTIFLOWS_AUTH_MAX_KID_BYTES` is always counted),
/// whatever the key size (saturates at `SIZE_MAX`). Thread-safe.
#[no_mangle]
pub extern "C" fn notiflows_auth_sign_buffer_size(sub_len: usize, kid_len: usize) -> usize {
    // Header and claims: at most 6 bytes of JSON per input byte (`\u00XX`), so 8 bytes of
    // base64url; fixed parts and an 8192-bit signature (1366 characters) fit in 1536.
    // A kid is at least the key's own (at most 128 bytes) when none is given.
    guard_value(usize::MAX, || {
        sub_len.saturating_add(kid_len.max(MAX_KID_BYTES)).saturating_mul(8).saturating_add(1536)
    })
}

/// Signs a user token: header `{"alg":"RS256","typ":"JWT","kid":...}`, claims
/// `sub`, `iat` and, unless `expires_in_seconds` is `NOTIFLOWS_AUTH_NO_EXPIRY`, `exp`.
///
/// - `sub`: the user's external id, non-empty UTF-8 of at most 2048 bytes
///   (`NOTIFLOWS_AUTH_RESULT_INVALID_UTF8`, `NOTIFLOWS_AUTH_RESULT_CLAIM_INVALID`).
/// - `now`: Unix seconds for `iat`, or `NOTIFLOWS_AUTH_CURRENT_TIME` for the system clock.
/// - `expires_in_seconds`: lifetime (`exp = now + expires_in_seconds`), usually 3600.
/// - `kid`, `kid_len`: the `kid` header parameter (1 to 128 bytes of visible ASCII); NULL
///   for the key's own kid (its thumbprint). To leave `kid` out, use
///   `notiflows_auth_signing_key_sign_with_kid` with `NOTIFLOWS_AUTH_KID_MODE_OMIT`.
///
/// Writes the token (ASCII, not NUL-terminated) into `buf` and its length into `*out_len`.
/// `notiflows_auth_sign_buffer_size(sub_len, kid_len)` bytes are always enough. When `buf`
/// is too small, returns `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only
/// `*out_len`, the size needed (signing is deterministic: a retry gives the same token).
/// `buf` may be NULL when `buf_len` is 0. Thread-safe: one key may sign on many threads.
///
/// # Safety
/// `key` must be a live handle; `sub` must point to `sub_len` readable bytes; `kid` must be
/// NULL or point to `kid_len` readable bytes; `buf` must point to `buf_len` writable bytes;
/// `out_len` must be valid for a write.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_signing_key_sign(
    key: *const notiflows_auth_signing_key,
    sub: *const u8,
    sub_len: usize,
    now: i64,
    expires_in_seconds: u64,
    kid: *const u8,
    kid_len: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the output buffer.
        let (key, sub, kid, out) = unsafe {
            (
                notiflows_auth_signing_key::borrow(key)?,
                input_str(sub, sub_len)?,
                optional_str(kid, kid_len)?,
                OutBytes::new(buf, buf_len, out_len)?,
            )
        };
        let expires_in = (expires_in_seconds != NOTIFLOWS_AUTH_NO_EXPIRY).then_some(expires_in_seconds);
        let options = SignOptions { now: resolve_now(now), expires_in, kid: kid.map_or(Kid::Key, Kid::Custom) };
        out.write(key.sign_user_token(sub, &options)?.as_bytes())
    })
}

/// Signs a user token like `notiflows_auth_signing_key_sign`, with `kid_mode` choosing the
/// header's `kid`: `NOTIFLOWS_AUTH_KID_MODE_KEY` (the key's own kid), `_OMIT` (none) or
/// `_CUSTOM` (`kid`, `kid_len`: 1 to 128 bytes of visible ASCII, else
/// `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`); `kid` is read only for `_CUSTOM` (NULL
/// otherwise). Another mode is `NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID`. Output protocol as for
/// `notiflows_auth_signing_key_sign`. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_signing_key_sign`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn notiflows_auth_signing_key_sign_with_kid(
    key: *const notiflows_auth_signing_key,
    sub: *const u8,
    sub_len: usize,
    now: i64,
    expires_in_seconds: u64,
    kid_mode: u32,
    kid: *const u8,
    kid_len: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the handle, the inputs and the output buffer.
        let (key, sub, out) = unsafe {
            (notiflows_auth_signing_key::borrow(key)?, input_str(sub, sub_len)?, OutBytes::new(buf, buf_len, out_len)?)
        };
        let kid = match kid_mode {
            0 => Kid::Key,
            1 => Kid::Omit,
            // SAFETY: the caller guarantees `kid` for the custom mode.
            2 => Kid::Custom(unsafe { input_str(kid, kid_len) }?),
            _ => {
                return Err(notiflows_auth::Error::new(notiflows_auth::ErrorKind::ConfigInvalid)
                    .with_detail("kid_mode must be NOTIFLOWS_AUTH_KID_MODE_KEY, _OMIT or _CUSTOM")
                    .into())
            }
        };
        let expires_in = (expires_in_seconds != NOTIFLOWS_AUTH_NO_EXPIRY).then_some(expires_in_seconds);
        let options = SignOptions { now: resolve_now(now), expires_in, kid };
        out.write(key.sign_user_token(sub, &options)?.as_bytes())
    })
}

/// Releases a signing key. NULL does nothing. (The key material lives in AWS-LC, which
/// clears it when it is released.)
///
/// # Safety
/// `key` must be NULL or a handle from `notiflows_auth_signing_key_parse` not yet freed; no
/// other thread may be using it, and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_signing_key_free(key: *mut notiflows_auth_signing_key) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_signing_key::free(key) })
}

/// Generates an RSA signing key pair of `bits` bits: 2048 (the usual choice), 3072 or 4096;
/// other sizes fail with `NOTIFLOWS_AUTH_RESULT_KEY_UNSUPPORTED`. 4096-bit generation can
/// take seconds.
///
/// On success writes a new handle to `*out_pair`; the caller owns it, reads the three texts
/// with `notiflows_auth_key_pair_private_key_pem`, `notiflows_auth_key_pair_private_key_base64`
/// and `notiflows_auth_key_pair_public_key_pem`, and releases it with
/// `notiflows_auth_key_pair_free`. Thread-safe.
///
/// # Safety
/// `out_pair` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_key_pair_generate(
    bits: u32,
    out_pair: *mut *mut notiflows_auth_key_pair,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees the output slot.
        let out = unsafe { Out::new(out_pair) }?;
        let bits = usize::try_from(bits).unwrap_or(usize::MAX);
        out.write(notiflows_auth_key_pair::into_raw(KeyPair(generate_signing_key(bits)?)));
        Ok(())
    })
}

/// Copies one text of a key pair out.
///
/// # Safety
/// As for `notiflows_auth_key_pair_private_key_pem`.
unsafe fn key_pair_text(
    pair: *const notiflows_auth_key_pair,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
    text: fn(&GeneratedKeyPair) -> &str,
) -> notiflows_auth_result {
    guard(|| {
        // SAFETY: the caller guarantees a live handle and the output buffer.
        let (pair, out) = unsafe { (notiflows_auth_key_pair::borrow(pair)?, OutBytes::new(buf, buf_len, out_len)?) };
        out.write(text(&pair.0).as_bytes())
    })
}

/// Writes the private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`; not NUL-terminated)
/// into `buf` and its length into `*out_len`. A secret: the caller should wipe its copy.
///
/// Buffer protocol: `buf` may be NULL when `buf_len` is 0; when too small, returns
/// `NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL` and writes only `*out_len`, the size needed
/// (under 4 KiB for 4096 bits). Thread-safe.
///
/// # Safety
/// `pair` must be a live handle; `buf` must point to `buf_len` writable bytes; `out_len`
/// must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_key_pair_private_key_pem(
    pair: *const notiflows_auth_key_pair,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { key_pair_text(pair, buf, buf_len, out_len, |p| &p.private_key_pem) }
}

/// Writes the private key as the standard base64 of its whole PEM, on one line without
/// wrapping (for environment variables such as `NOTIFLOWS_SIGNING_KEY`; not
/// NUL-terminated), and its length into `*out_len`. A secret: the caller should wipe its
/// copy.
///
/// Buffer protocol as for `notiflows_auth_key_pair_private_key_pem` (under 5 KiB for 4096
/// bits). Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_key_pair_private_key_pem`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_key_pair_private_key_base64(
    pair: *const notiflows_auth_key_pair,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { key_pair_text(pair, buf, buf_len, out_len, |p| &p.private_key_base64) }
}

/// Writes the public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`; not NUL-terminated)
/// and its length into `*out_len`.
///
/// Buffer protocol as for `notiflows_auth_key_pair_private_key_pem`. Thread-safe.
///
/// # Safety
/// As for `notiflows_auth_key_pair_private_key_pem`.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_key_pair_public_key_pem(
    pair: *const notiflows_auth_key_pair,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> notiflows_auth_result {
    // SAFETY: forwarded from the caller.
    unsafe { key_pair_text(pair, buf, buf_len, out_len, |p| &p.public_key_pem) }
}

/// Wipes the private texts of a key pair and releases it. NULL does nothing.
///
/// # Safety
/// `pair` must be NULL or a handle from `notiflows_auth_key_pair_generate` not yet freed; no
/// other thread may be using it, and it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn notiflows_auth_key_pair_free(pair: *mut notiflows_auth_key_pair) {
    // SAFETY: the caller hands back a handle it owns.
    guard_value((), || unsafe { notiflows_auth_key_pair::free(pair) })
}
