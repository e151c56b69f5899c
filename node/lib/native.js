'use strict';

/**
 * The C library (libnotiflows_auth, built by cargo from ffi/) and its functions, through
 * koffi. Everything here mirrors ffi/include/notiflows_auth.h; the public API is in index.js.
 *
 * The library is looked for, in this order:
 * 1. bundled: prebuilds/<platform>-<arch>/ inside the installed package (what
 *    `scripts/package` puts in the npm tarball);
 * 2. $NOTIFLOWS_AUTH_LIB, when set;
 * 3. in development only (this package is the node/ folder of a notiflows-auth checkout):
 *    the newest of target/{release,debug}/ in $CARGO_TARGET_DIR or the checkout.
 * `nativeLibrary` says which one was loaded; when none is found the error lists what was tried.
 */

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

const LIBRARY_FILE = {
  darwin: 'libnotiflows_auth.dylib',
  win32: 'notiflows_auth.dll',
}[process.platform] || 'libnotiflows_auth.so';
const PACKAGE_DIR = path.join(__dirname, '..');

/** The checkout this package sits in, or null when it is installed (e.g. in node_modules). */
function checkoutRoot() {
  const root = path.join(PACKAGE_DIR, '..');
  const isCheckout = fs.existsSync(path.join(root, 'Cargo.toml')) && fs.existsSync(path.join(root, 'ffi', 'Cargo.toml'));
  return isCheckout ? root : null;
}

/** `{ path, source }` of the library to load, source being 'bundled', 'env' or 'development'. */
function findLibrary() {
  const tried = [];
  const bundled = path.join(PACKAGE_DIR, 'prebuilds', `${process.platform}-${process.arch}`, LIBRARY_FILE);
  if (fs.existsSync(bundled)) return { path: bundled, source: 'bundled' };
  tried.push(`bundled ${bundled} (not in this package)`);

  const explicit = process.env.NOTIFLOWS_AUTH_LIB;
  if (explicit) {
    if (!fs.existsSync(explicit)) {
      throw new Error(`NOTIFLOWS_AUTH_LIB is set to ${explicit}, which does not exist`);
    }
    return { path: explicit, source: 'env' };
  }
  tried.push('NOTIFLOWS_AUTH_LIB (not set)');

  const root = checkoutRoot();
  if (root === null) {
    tried.push(`a development build (${PACKAGE_DIR} is not in a notiflows-auth checkout)`);
  } else {
    const candidates = [];
    for (const target of [process.env.CARGO_TARGET_DIR, path.join(root, 'target')].filter(Boolean)) {
      for (const profile of ['release', 'debug']) {
        const file = path.join(target, profile, LIBRARY_FILE);
        if (fs.existsSync(file)) candidates.push({ file, mtime: fs.statSync(file).mtimeMs });
        else tried.push(`development build ${file}`);
      }
    }
    if (candidates.length > 0) {
      candidates.sort((a, b) => b.mtime - a.mtime);
      return { path: candidates[0].file, source: 'development' };
    }
  }
  throw new Error(
    `cannot find ${LIBRARY_FILE}; tried:\n  ${tried.join('\n  ')}\n` +
      'install the package built by scripts/package, set NOTIFLOWS_AUTH_LIB to the library, or in a ' +
      'checkout build it with `cargo build --release -p notiflows-auth-ffi`',
  );
}

/** Which C library this process loaded: `{ path, source: 'bundled' | 'env' | 'development' }`. */
const nativeLibrary = Object.freeze(findLibrary());
const libraryPath = nativeLibrary.path;
const lib = koffi.load(libraryPath);

for (const name of [
  'notiflows_auth_public_key',
  'notiflows_auth_signing_key',
  'notiflows_auth_key_pair',
  'notiflows_auth_policy',
  'notiflows_auth_verifier',
  'notiflows_auth_authenticator',
]) {
  koffi.opaque(name);
}
const NumericDate = koffi.struct('notiflows_auth_numeric_date', {
  present: 'bool',
  seconds: 'int64_t',
  nanos: 'uint32_t',
});
koffi.struct('notiflows_auth_claims', { exp: NumericDate, nbf: NumericDate, iat: NumericDate });
koffi.struct('notiflows_auth_bytes', { ptr: 'const uint8_t *', len: 'size_t' });
// `void *`, not `const uint8_t *`: koffi passes such pointers through unchanged (it copies
// a Buffer given for a `const uint8_t *` member into per-call memory), so CORS values, which
// point into the request's Origin bytes, stay valid after the call when those bytes are
// native memory (see nativeBytes).
koffi.struct('notiflows_auth_header', {
  name: 'void *',
  name_len: 'size_t',
  value: 'void *',
  value_len: 'size_t',
});
koffi.struct('notiflows_auth_error_info', {
  number: 'uint32_t',
  http_status: 'uint16_t',
  code: 'notiflows_auth_bytes',
  family: 'notiflows_auth_bytes',
  message: 'notiflows_auth_bytes',
});
koffi.struct('notiflows_auth_authenticated', {
  mode: 'uint32_t',
  credential: 'uint32_t',
  expires_at: NumericDate,
});

const R = 'uint32_t'; // notiflows_auth_result
const OUT_LEN = '_Out_ size_t *out_len';
const PROTOTYPES = [
  'const char *notiflows_auth_version()',
  'const char *notiflows_auth_error_code_string(uint32_t result)',
  'uint16_t notiflows_auth_error_http_status(uint32_t result)',
  'size_t notiflows_auth_error_count()',
  'bool notiflows_auth_error_at(size_t index, _Out_ notiflows_auth_error_info *out_info)',
  `${R} notiflows_auth_error_message(uint32_t result, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_last_error_message(uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_last_error_claim(uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_last_error_response(_Out_ uint16_t *out_status, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_public_key_parse(const uint8_t *input, size_t input_len, _Out_ notiflows_auth_public_key **out_key)`,
  `${R} notiflows_auth_public_key_to_pem(const notiflows_auth_public_key *key, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_public_key_bits(const notiflows_auth_public_key *key, _Out_ size_t *out_bits)`,
  'void notiflows_auth_public_key_free(notiflows_auth_public_key *key)',
  `${R} notiflows_auth_signing_key_parse(const uint8_t *input, size_t input_len, _Out_ notiflows_auth_signing_key **out_key)`,
  `${R} notiflows_auth_signing_key_public_key(const notiflows_auth_signing_key *key, _Out_ notiflows_auth_public_key **out_key)`,
  'size_t notiflows_auth_sign_buffer_size(size_t sub_len, size_t kid_len)',
  `${R} notiflows_auth_signing_key_sign(const notiflows_auth_signing_key *key, const uint8_t *sub, size_t sub_len,
     int64_t now, uint64_t expires_in_seconds, const uint8_t *kid, size_t kid_len,
     uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  'void notiflows_auth_signing_key_free(notiflows_auth_signing_key *key)',
  `${R} notiflows_auth_key_pair_generate(uint32_t bits, _Out_ notiflows_auth_key_pair **out_pair)`,
  `${R} notiflows_auth_key_pair_private_key_pem(const notiflows_auth_key_pair *pair, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_key_pair_private_key_base64(const notiflows_auth_key_pair *pair, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_key_pair_public_key_pem(const notiflows_auth_key_pair *pair, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  'void notiflows_auth_key_pair_free(notiflows_auth_key_pair *pair)',
  `${R} notiflows_auth_policy_new(_Out_ notiflows_auth_policy **out_policy)`,
  `${R} notiflows_auth_policy_set_leeway_seconds(notiflows_auth_policy *policy, uint64_t seconds)`,
  `${R} notiflows_auth_policy_set_require_exp(notiflows_auth_policy *policy, bool require_exp)`,
  `${R} notiflows_auth_policy_set_max_lifetime_seconds(notiflows_auth_policy *policy, uint64_t seconds)`,
  `${R} notiflows_auth_policy_set_max_token_bytes(notiflows_auth_policy *policy, size_t bytes)`,
  `${R} notiflows_auth_policy_set_iat_skew_seconds(notiflows_auth_policy *policy, uint64_t seconds)`,
  `${R} notiflows_auth_policy_set_provider(notiflows_auth_policy *policy, const uint8_t *name, size_t name_len)`,
  `${R} notiflows_auth_verifier_provider(const notiflows_auth_verifier *verifier, _Out_ const char **out_name)`,
  `${R} notiflows_auth_authenticator_provider(const notiflows_auth_authenticator *authenticator,
     _Out_ const char **out_name)`,
  'void notiflows_auth_policy_free(notiflows_auth_policy *policy)',
  `${R} notiflows_auth_verifier_new(const notiflows_auth_public_key *key, const notiflows_auth_policy *policy,
     size_t cache_capacity, _Out_ notiflows_auth_verifier **out_verifier)`,
  `${R} notiflows_auth_verifier_verify(const notiflows_auth_verifier *verifier, const uint8_t *token, size_t token_len,
     int64_t now, uint8_t *sub_buf, size_t sub_buf_len, _Out_ size_t *out_sub_len, _Out_ notiflows_auth_claims *out_claims)`,
  'void notiflows_auth_verifier_free(notiflows_auth_verifier *verifier)',
  `${R} notiflows_auth_authenticator_new(const notiflows_auth_policy *policy, size_t cache_capacity,
     _Out_ notiflows_auth_authenticator **out_authenticator)`,
  `${R} notiflows_auth_authenticator_add_project(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint32_t security_mode, const notiflows_auth_public_key *signing_key,
     const notiflows_auth_bytes *allowed_origins, size_t allowed_origins_count)`,
  `${R} notiflows_auth_authenticator_remove_project(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, _Out_ bool *out_removed)`,
  `${R} notiflows_auth_authenticator_set_signing_key(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, const notiflows_auth_public_key *signing_key)`,
  `${R} notiflows_auth_authenticator_rotate_signing_key(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint32_t bits, _Out_ notiflows_auth_key_pair **out_pair)`,
  `${R} notiflows_auth_security_mode_parse(const uint8_t *name, size_t name_len, _Out_ uint32_t *out_mode)`,
  `${R} notiflows_auth_authenticator_set_security_mode(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint32_t security_mode)`,
  `${R} notiflows_auth_authenticator_set_allowed_origins(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, const notiflows_auth_bytes *allowed_origins, size_t allowed_origins_count)`,
  `${R} notiflows_auth_authenticator_authenticate(const notiflows_auth_authenticator *authenticator,
     const notiflows_auth_header *headers, size_t headers_count, int64_t now,
     uint8_t *user_id_buf, size_t user_id_buf_len, _Out_ size_t *out_user_id_len, _Out_ notiflows_auth_authenticated *out_user)`,
  `${R} notiflows_auth_authenticator_cors_response(const notiflows_auth_authenticator *authenticator,
     const notiflows_auth_header *headers, size_t headers_count,
     _Out_ notiflows_auth_header *out_headers, size_t out_headers_cap, _Out_ size_t *out_count)`,
  `${R} notiflows_auth_authenticator_cors_preflight(const notiflows_auth_authenticator *authenticator,
     const notiflows_auth_header *headers, size_t headers_count, const uint8_t *api_key, size_t api_key_len,
     _Out_ notiflows_auth_header *out_headers, size_t out_headers_cap, _Out_ size_t *out_count)`,
  'void notiflows_auth_authenticator_free(notiflows_auth_authenticator *authenticator)',
  // Key sets (issue 12).
  `${R} notiflows_auth_public_key_kid(const notiflows_auth_public_key *key, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_public_key_with_kid(const notiflows_auth_public_key *key, const uint8_t *kid, size_t kid_len,
     _Out_ notiflows_auth_public_key **out_key)`,
  `${R} notiflows_auth_public_key_to_jwk(const notiflows_auth_public_key *key, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_jwk_set_write(notiflows_auth_public_key **keys, size_t count, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_jwk_set_parse(const uint8_t *input, size_t input_len, _Out_ notiflows_auth_public_key **out_keys,
     size_t keys_cap, ${OUT_LEN.replace('out_len', 'out_count')})`,
  `${R} notiflows_auth_signing_key_kid(const notiflows_auth_signing_key *key, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_signing_key_sign_with_kid(const notiflows_auth_signing_key *key, const uint8_t *sub, size_t sub_len,
     int64_t now, uint64_t expires_in_seconds, uint32_t kid_mode, const uint8_t *kid, size_t kid_len,
     uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_authenticator_set_signing_key_with_overlap(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, const notiflows_auth_public_key *signing_key, int64_t now,
     uint64_t overlap_seconds)`,
  `${R} notiflows_auth_authenticator_rotate_signing_key_with_overlap(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint32_t bits, int64_t now, uint64_t overlap_seconds,
     _Out_ notiflows_auth_key_pair **out_pair)`,
  `${R} notiflows_auth_authenticator_remove_signing_key(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, const uint8_t *kid, size_t kid_len, _Out_ bool *out_removed)`,
  `${R} notiflows_auth_authenticator_revoke_tokens_issued_before(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, int64_t before)`,
  `${R} notiflows_auth_authenticator_revoke_user_tokens_issued_before(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, const uint8_t *user_id, size_t user_id_len, int64_t before)`,
  `${R} notiflows_auth_authenticator_prune_revocations(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, int64_t now, _Out_ size_t *out_dropped)`,
  `${R} notiflows_auth_authenticator_jwks(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_authenticator_jwks_at(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, int64_t now, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_authenticator_project_json(const notiflows_auth_authenticator *authenticator,
     const uint8_t *api_key, size_t api_key_len, uint8_t *buf, size_t buf_len, ${OUT_LEN})`,
  `${R} notiflows_auth_authenticator_add_project_json(const notiflows_auth_authenticator *authenticator,
     const uint8_t *json, size_t json_len)`,
];

/** The C functions by their short name: `c.verifier_verify(...)` for `notiflows_auth_verifier_verify`. */
const c = {};
for (const prototype of PROTOTYPES) {
  const name = /notiflows_auth_(\w+)\(/.exec(prototype)[1];
  c[name] = lib.func(prototype.replace(/\s+/g, ' '));
}

const OK = 0;
const BUFFER_TOO_SMALL = 101;
/** NOTIFLOWS_AUTH_CURRENT_TIME: the library reads the system clock. */
const CURRENT_TIME = -(2n ** 63n);
/** NOTIFLOWS_AUTH_NO_EXPIRY. */
const NO_EXPIRY = 2n ** 64n - 1n;
const MAX_SUBJECT_BYTES = 2048;
const DEFAULT_CACHE_CAPACITY = 10000;
/** NOTIFLOWS_AUTH_MAX_CORS_HEADERS. */
const MAX_CORS_HEADERS = 5;
/** NOTIFLOWS_AUTH_KID_MODE_KEY, _OMIT, _CUSTOM. */
const KID_MODE = Object.freeze({ key: 0, omit: 1, custom: 2 });
/** NOTIFLOWS_AUTH_MAX_PROJECT_KEYS: the most keys a JWK Set read holds. */
const MAX_PROJECT_KEYS = 8;

/**
 * Copies of `buffers` in native memory (koffi.alloc), passed to `use`, freed afterwards:
 * for calls whose outputs point into their inputs.
 */
function withNativeBytes(buffers, use) {
  const copies = buffers.map((buf) => {
    const ptr = koffi.alloc('uint8_t', Math.max(buf.length, 1));
    if (buf.length > 0) koffi.encode(ptr, koffi.array('uint8_t', buf.length), buf);
    return ptr;
  });
  try {
    return use(copies);
  } finally {
    for (const ptr of copies) koffi.free(ptr);
  }
}

/** `len` bytes at a native address, as a latin1/UTF-8 string. */
function decodeText(ptr, len) {
  return len === 0 ? '' : koffi.decode(ptr, 'char', len);
}

/** Reads a last-error text function (message or claim) without touching the last error. */
function lastErrorText(fn) {
  let buf = Buffer.alloc(1024);
  const len = [0];
  let r = fn(buf, buf.length, len);
  if (r === BUFFER_TOO_SMALL) {
    buf = Buffer.alloc(len[0]);
    r = fn(buf, buf.length, len);
  }
  return r === OK ? buf.toString('utf8', 0, len[0]) : '';
}

/**
 * The error for a failed call's result: code, status, the last error's message and claim.
 * errors.js is required here, not on top: it builds its classes from this module's table.
 */
function errorFromResult(result) {
  const { errorFor } = require('./errors');
  const code = c.error_code_string(result) || `unknown_${result}`;
  const status = c.error_http_status(result) || 500;
  const message = lastErrorText(c.last_error_message) || code;
  const claim = lastErrorText(c.last_error_claim) || null;
  return errorFor(code, status, message, claim);
}

/** Throws the error for `result` unless it is OK. */
function check(result) {
  if (result !== OK) throw errorFromResult(result);
}

/**
 * Calls a buffer-protocol function `call(buf, len, outLen)` with a buffer of `size` bytes,
 * once more with the size it asks for if that is too small; returns the bytes written.
 */
function readBuffer(call, size = 4096) {
  let buf = Buffer.allocUnsafe(size);
  const len = [0];
  let r = call(buf, buf.length, len);
  if (r === BUFFER_TOO_SMALL) {
    buf = Buffer.allocUnsafe(len[0]);
    r = call(buf, buf.length, len);
  }
  check(r);
  return buf.subarray(0, len[0]);
}

/** An error for using a handle after close(), with the code the C library would give. */
function closedError(what) {
  const { errorFor } = require('./errors');
  const { ERROR_CODES } = require('./codes');
  return errorFor('null_argument', c.error_http_status(ERROR_CODES.null_argument), `this ${what} was closed`);
}

module.exports = {
  c,
  lib,
  libraryPath,
  nativeLibrary,
  check,
  readBuffer,
  closedError,
  CURRENT_TIME,
  NO_EXPIRY,
  MAX_SUBJECT_BYTES,
  DEFAULT_CACHE_CAPACITY,
  MAX_CORS_HEADERS,
  KID_MODE,
  MAX_PROJECT_KEYS,
  withNativeBytes,
  decodeText,
};
