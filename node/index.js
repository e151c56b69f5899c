'use strict';

/**
 * notiflows-auth for Node: sign user tokens (RS256) for the Notiflows User API, generate
 * signing keys, verify tokens and authenticate requests, over the notiflows-auth C library.
 *
 * Handles (SigningKey, PublicKey, Verifier, Authenticator) hold native memory: release it
 * with close(), or let the garbage collector do it (a FinalizationRegistry).
 */

const {
  c,
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
} = require('./lib/native');
const util = require('node:util');
const koffi = require('koffi');
const { VerifyCall, AuthenticateCall } = require('./lib/calls');
const { ERROR_CODES, ERROR_TABLE } = require('./lib/codes');
const errors = require('./lib/errors');

const { NotiflowsAuthError, SigningKeyError, ConfigError } = errors;

/** Frees a handle's native memory when its owner is garbage collected without close(). */
const finalizer = new FinalizationRegistry(({ free, ptr }) => free(ptr));

/** Common handle plumbing: the native pointer, close(), and the finalizer. */
class Handle {
  constructor(ptr, free) {
    this._ptr = ptr;
    this._free = free;
    finalizer.register(this, { free, ptr }, this);
  }

  /** The live pointer; throws after close(). */
  _handle() {
    if (this._ptr === null) throw closedError(this.constructor.name);
    return this._ptr;
  }

  /** Releases the native memory now. Safe to call twice; the object is unusable afterwards. */
  close() {
    if (this._ptr !== null) {
      finalizer.unregister(this);
      this._free(this._ptr);
      this._ptr = null;
    }
  }

  /** Whether close() was called. */
  get closed() {
    return this._ptr === null;
  }
}

/**
 * An empty input that is not NULL: koffi passes an empty Buffer as NULL, which the C API
 * reads as "absent" for optional inputs (an empty Origin is not a missing one).
 */
const EMPTY = Buffer.alloc(1).subarray(0, 0);

/** Text or bytes as a Buffer (strings as UTF-8). */
function bytes(value, what) {
  let buf;
  if (Buffer.isBuffer(value)) buf = value;
  else if (value instanceof Uint8Array) buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else if (typeof value === 'string') buf = Buffer.from(value, 'utf8');
  else throw new TypeError(`${what} must be a string or a Buffer`);
  return buf.length === 0 ? EMPTY : buf;
}

/** A `now` option as whole Unix seconds, or the library's system-clock sentinel. */
function unixSeconds(now) {
  if (now === undefined || now === null) return CURRENT_TIME;
  if (now instanceof Date) now = now.getTime() / 1000;
  if (typeof now === 'bigint') return now;
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError('now must be Unix seconds (a finite number), a Date, or undefined for the current time');
  }
  return Math.floor(now);
}

/** A non-negative integer option. */
function count(value, what) {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a non-negative integer`);
  return value;
}

/** A NumericDate struct as a number of seconds (fractions kept), or undefined. */
function date(d) {
  return d.present ? Number(d.seconds) + d.nanos / 1e9 : undefined;
}

/**
 * A new key pair: `privateKeyPem`, `privateKeyBase64` (the one-line form for environment
 * variables) and `publicKeyPem`. The private forms are secrets: console.log, util.inspect
 * and toString() show them redacted (read the properties to store them).
 */
class GeneratedKeyPair {
  constructor(privateKeyPem, privateKeyBase64, publicKeyPem) {
    this.privateKeyPem = privateKeyPem;
    this.privateKeyBase64 = privateKeyBase64;
    this.publicKeyPem = publicKeyPem;
  }

  toString() {
    return 'GeneratedKeyPair { privateKeyPem: <redacted>, privateKeyBase64: <redacted>, publicKeyPem: ... }';
  }

  [util.inspect.custom]() {
    return `GeneratedKeyPair { privateKeyPem: '<redacted>', privateKeyBase64: '<redacted>', publicKeyPem: ${util.inspect(this.publicKeyPem)} }`;
  }
}

/** The three texts of a generated key pair; frees the native pair. */
function keyPairTexts(ptr) {
  try {
    return new GeneratedKeyPair(
      readBuffer((b, l, o) => c.key_pair_private_key_pem(ptr, b, l, o)).toString('utf8'),
      readBuffer((b, l, o) => c.key_pair_private_key_base64(ptr, b, l, o), 8192).toString('utf8'),
      readBuffer((b, l, o) => c.key_pair_public_key_pem(ptr, b, l, o)).toString('utf8'),
    );
  } finally {
    c.key_pair_free(ptr);
  }
}

/** An RSA public key (2048 to 8192 bits) that verifies user tokens. */
class PublicKey extends Handle {
  /**
   * @param {string|Buffer} key SPKI PEM, PKCS#1 PEM, DER, or a base64-encoded PEM line (the
   *   format is detected)
   */
  constructor(key) {
    const input = bytes(key, 'key');
    const out = [null];
    check(c.public_key_parse(input, input.length, out));
    super(out[0], c.public_key_free);
  }

  /** The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  toPem() {
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.public_key_to_pem(ptr, b, l, o)).toString('utf8');
  }

  /** The modulus length in bits. */
  get bits() {
    const out = [0];
    check(c.public_key_bits(this._handle(), out));
    return Number(out[0]);
  }

  /** The key's id: its RFC 7638 thumbprint unless set with withKid. */
  get kid() {
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.public_key_kid(ptr, b, l, o), 256).toString('latin1');
  }

  /** The same key with another kid (1 to 128 visible ASCII characters), as a new handle. */
  withKid(kid) {
    const name = bytes(kid, 'kid');
    const out = [null];
    check(c.public_key_with_kid(this._handle(), name, name.length, out));
    return PublicKey._adopt(out[0]);
  }

  /** The key as an RFC 7517 JWK (JSON text: kty, use, alg, kid, n, e). */
  toJwk() {
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.public_key_to_jwk(ptr, b, l, o)).toString('utf8');
  }
}

/** Keys (PublicKey objects or their text) as live handles; `owned` are the ones to close. */
function publicKeys(keys, what) {
  if (!Array.isArray(keys)) throw new TypeError(`${what} must be an array of public keys`);
  const owned = [];
  const handles = keys.map((key) => {
    const { key: k, owned: mine } = publicKeyFrom(key);
    if (mine) owned.push(k);
    return k;
  });
  return { handles, owned };
}

/**
 * An RFC 7517 JWK Set (JSON text) of `keys`, in the order given: what a gateway verifying
 * tokens itself loads.
 * @param {Array<string|Buffer|PublicKey>} keys
 */
function jwkSet(keys) {
  const { handles, owned } = publicKeys(keys, 'keys');
  try {
    const ptrs = handles.map((k) => k._handle());
    return readBuffer((b, l, o) => c.jwk_set_write(ptrs, ptrs.length, b, l, o), 16384).toString('utf8');
  } finally {
    for (const k of owned) k.close();
  }
}

/**
 * The public keys of a JWK Set (JSON text or bytes; at most 8 RSA keys, read strictly by
 * the library), each with the set's kid.
 * @returns {PublicKey[]}
 */
function parseJwkSet(text) {
  const input = bytes(text, 'jwkSet');
  const out = new Array(MAX_PROJECT_KEYS).fill(null);
  const n = [0];
  check(c.jwk_set_parse(input, input.length, out, MAX_PROJECT_KEYS, n));
  return out.slice(0, Number(n[0])).map((ptr) => PublicKey._adopt(ptr));
}

/** Wraps a pointer the library returned in a handle object of class `Cls`. */
function adopt(Cls, ptr, free) {
  const obj = Object.create(Cls.prototype);
  obj._ptr = ptr;
  obj._free = free;
  finalizer.register(obj, { free, ptr }, obj);
  return obj;
}
PublicKey._adopt = (ptr) => adopt(PublicKey, ptr, c.public_key_free);

/** An RSA private key that signs user tokens; load it once and reuse it. */
class SigningKey extends Handle {
  /**
   * @param {string|Buffer} key PKCS#8 or PKCS#1 PEM, DER, or the one-line base64 of a PEM (what
   *   NOTIFLOWS_SIGNING_KEY usually holds); the format is detected
   */
  constructor(key) {
    const input = bytes(key, 'signingKey');
    const out = [null];
    check(c.signing_key_parse(input, input.length, out));
    super(out[0], c.signing_key_free);
  }

  /**
   * Signs a user token for `userId`: `sub`, `iat` and (unless expiresInSeconds is null) `exp`.
   * @param {string} userId the user's external id
   * @param {{expiresInSeconds?: number|null, now?: number|Date, kid?: string|null}} [options]
   *   kid: left out, the key's own kid; null, no kid in the header; a string, that kid
   * @returns {string} the token
   */
  sign(userId, { expiresInSeconds = 3600, now, kid } = {}) {
    if (typeof userId !== 'string') throw new TypeError('userId must be a string');
    const sub = Buffer.from(userId, 'utf8');
    // The header's kid: the key's own (kid left out), none (kid: null), or the one given.
    const mode = kid === undefined ? KID_MODE.key : kid === null ? KID_MODE.omit : KID_MODE.custom;
    const kidBytes = mode === KID_MODE.custom ? bytes(kid, 'kid') : null;
    const expiresIn = expiresInSeconds === null ? NO_EXPIRY : count(expiresInSeconds, 'expiresInSeconds');
    const ptr = this._handle();
    const at = unixSeconds(now);
    const kidLen = kidBytes ? kidBytes.length : 0;
    const size = c.sign_buffer_size(sub.length, kidLen);
    return readBuffer(
      (b, l, o) => c.signing_key_sign_with_kid(ptr, sub, sub.length, at, expiresIn, mode, kidBytes, kidLen, b, l, o),
      Number(size),
    ).toString('latin1');
  }

  /** The kid signed tokens carry by default: the RFC 7638 thumbprint of the public key. */
  get kid() {
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.signing_key_kid(ptr, b, l, o), 256).toString('latin1');
  }

  /** The matching public key (a new handle). */
  publicKey() {
    const out = [null];
    check(c.signing_key_public_key(this._handle(), out));
    return PublicKey._adopt(out[0]);
  }

  /** The matching public key as SPKI PEM. */
  get publicKeyPem() {
    const key = this.publicKey();
    try {
      return key.toPem();
    } finally {
      key.close();
    }
  }
}

/** The last signing key loaded from a string by signUserToken, kept for reuse. */
let lastKey = { text: null, key: null };

function signingKeyFrom(signingKey) {
  if (signingKey instanceof SigningKey) return signingKey;
  if (signingKey === undefined || signingKey === null || signingKey === '') {
    throw new SigningKeyError(
      'signing_key_not_configured',
      c.error_http_status(ERROR_CODES.signing_key_not_configured),
      'no signing key: pass the signingKey option or set NOTIFLOWS_SIGNING_KEY',
    );
  }
  const text = Buffer.isBuffer(signingKey) ? null : signingKey;
  if (text !== null && text === lastKey.text && !lastKey.key.closed) return lastKey.key;
  const key = new SigningKey(signingKey);
  if (text !== null) lastKey = { text, key };
  return key;
}

/**
 * Signs a user token for `userId` with the project's private signing key.
 * @param {string} userId the user's external id (`sub`)
 * @param {{signingKey?: string|Buffer|SigningKey, expiresInSeconds?: number|null, now?: number|Date, kid?: string}} [options]
 *   signingKey defaults to process.env.NOTIFLOWS_SIGNING_KEY (either format); expiresInSeconds
 *   defaults to 3600 (null: no exp); now defaults to the current time
 * @returns {string} the token, for the x-notiflows-user-key header
 */
function signUserToken(userId, { signingKey = process.env.NOTIFLOWS_SIGNING_KEY, expiresInSeconds = 3600, now, kid } = {}) {
  return signingKeyFrom(signingKey).sign(userId, { expiresInSeconds, now, kid });
}

/**
 * Generates a signing key pair: the private key as PEM and as one base64 line (for
 * NOTIFLOWS_SIGNING_KEY), and the public key as PEM. Show the private forms once.
 * @param {{bits?: 2048|3072|4096}} [options]
 */
function generateSigningKey({ bits = 2048 } = {}) {
  const out = [null];
  check(c.key_pair_generate(count(bits, 'bits'), out));
  return keyPairTexts(out[0]);
}

/** A native policy built from the options; the caller frees it. */
function policyFrom({ leewaySeconds, requireExp, maxTokenBytes, maxLifetimeSeconds, iatSkewSeconds, provider } = {}) {
  const out = [null];
  check(c.policy_new(out));
  const policy = out[0];
  try {
    if (leewaySeconds !== undefined) check(c.policy_set_leeway_seconds(policy, count(leewaySeconds, 'leewaySeconds')));
    if (requireExp !== undefined) check(c.policy_set_require_exp(policy, Boolean(requireExp)));
    if (maxTokenBytes !== undefined && maxTokenBytes !== null) {
      check(c.policy_set_max_token_bytes(policy, count(maxTokenBytes, 'maxTokenBytes')));
    }
    if (maxLifetimeSeconds !== undefined && maxLifetimeSeconds !== null) {
      check(c.policy_set_max_lifetime_seconds(policy, count(maxLifetimeSeconds, 'maxLifetimeSeconds')));
    }
    if (iatSkewSeconds !== undefined) {
      check(c.policy_set_iat_skew_seconds(policy, count(iatSkewSeconds, 'iatSkewSeconds')));
    }
    if (provider !== undefined) {
      // The core reads the name: 'ring' or 'aws-lc-rs', anything else is config_invalid.
      const name = Buffer.from(String(provider), 'utf8');
      check(c.policy_set_provider(policy, name, name.length));
    }
    return policy;
  } catch (e) {
    c.policy_free(policy);
    throw e;
  }
}

/** A PublicKey from a key or its text; `owned` says whether the caller must close it. */
function publicKeyFrom(key) {
  if (key instanceof PublicKey) return { key, owned: false };
  return { key: new PublicKey(key), owned: true };
}

/** Verifies user tokens against one public key. Safe to share; reuse one per key. */
class Verifier extends Handle {
  /**
   * @param {string|Buffer|PublicKey} publicKey the project's public key (PEM, DER or base64 line)
   * @param {{leewaySeconds?: number, requireExp?: boolean, maxTokenBytes?: number,
   *   maxLifetimeSeconds?: number, iatSkewSeconds?: number, cacheSize?: number,
   *   provider?: 'ring'|'aws-lc-rs'}} [options] provider: which library verifies (default 'ring')
   */
  constructor(publicKey, options = {}) {
    const { cacheSize = 0 } = options;
    const { key, owned } = publicKeyFrom(publicKey);
    let policy = null;
    try {
      policy = policyFrom(options);
      const out = [null];
      check(c.verifier_new(key._handle(), policy, count(cacheSize, 'cacheSize'), out));
      super(out[0], c.verifier_free);
    } finally {
      if (policy !== null) c.policy_free(policy);
      if (owned) key.close();
    }
    this._call = new VerifyCall();
  }

  /** The library that verifies signatures: 'ring' or 'aws-lc-rs'. */
  get provider() {
    const out = [null];
    check(c.verifier_provider(this._handle(), out));
    return out[0];
  }

  /**
   * Verifies a user token; throws a TokenError (with .code, .status, .claim) when refused.
   * @param {string|Buffer} token
   * @param {{now?: number|Date}} [options] now defaults to the current time
   * @returns {{sub: string, iat?: number, exp?: number, nbf?: number}}
   */
  verify(token, { now } = {}) {
    let length = 0;
    if (Buffer.isBuffer(token) || token instanceof Uint8Array) length = token.length;
    else if (typeof token !== 'string') throw new TypeError('token must be a string or a Buffer');
    // An empty Buffer would go to the library as NULL: the string path passes an empty token.
    const input = length === 0 && typeof token !== 'string' ? '' : token;
    check(this._call.run(this._handle(), input, length, unixSeconds(now)));
    return this._call.claims();
  }
}

const MODE_NAMES = ['secure', 'development'];
const CREDENTIALS = ['user_key', 'user_id'];

/** A security mode's name as the library's number; the library refuses any other name. */
function modeNumber(mode) {
  if (typeof mode !== 'string') throw new TypeError('securityMode must be "secure" or "development"');
  const name = bytes(mode, 'securityMode');
  const out = [0];
  check(c.security_mode_parse(name, name.length, out));
  return out[0];
}

/** Origins as the C array of byte strings. */
function originArray(origins) {
  if (!Array.isArray(origins)) throw new TypeError('allowedOrigins must be an array of strings');
  return origins.map((o) => {
    const ptr = bytes(o, 'an allowed origin');
    return { ptr, len: ptr.length };
  });
}

/**
 * A header value's bytes. Node's http module and fetch's Headers deliver values as byte
 * strings (each byte one character, as latin1), so such strings are encoded back byte for
 * byte; a string with characters above U+00FF cannot be one, and is taken as UTF-8.
 */
function headerBytes(value) {
  // eslint-disable-next-line no-control-regex
  const buf = /^[\u0000-\u00ff]*$/.test(value) ? Buffer.from(value, 'latin1') : Buffer.from(value, 'utf8');
  return buf.length === 0 ? EMPTY : buf;
}

/** Request headers as [name, value] pairs: a plain object (values may be arrays) or pairs. */
function headerPairs(headers) {
  const pairs = [];
  const entries = headers && typeof headers[Symbol.iterator] === 'function' ? headers : Object.entries(headers || {});
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([String(name), String(v)]);
  }
  return pairs;
}

/**
 * Writes request headers (as headerPairs reads them) into an authenticate call's scratch
 * memory, each name and value as headerBytes turns it into bytes; false when they do not fit.
 */
function writeHeaders(call, headers) {
  call.begin();
  if (headers && typeof headers[Symbol.iterator] === 'function') {
    for (const [name, value] of headers) if (!addHeader(call, name, value)) return false;
    return true;
  }
  if (headers === undefined || headers === null) return true;
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) if (!addHeader(call, names[i], headers[names[i]])) return false;
  return true;
}

/** One header (a value may be an array: one header each; undefined and null are skipped). */
function addHeader(call, name, value) {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return call.add(String(name), value, headerBytes);
  if (!Array.isArray(value)) return call.add(String(name), String(value), headerBytes);
  for (const v of value) if (!call.add(String(name), String(v), headerBytes)) return false;
  return true;
}

/** Request headers as the C array of name/value byte strings (no copy kept after the call). */
function nativeHeaderArray(pairs) {
  return pairs.map(([name, value]) => {
    const n = headerBytes(name);
    const v = headerBytes(value);
    return { name: n, name_len: n.length, value: v, value_len: v.length };
  });
}

/** addProject's members that only the project document carries. */
const PROJECT_DOCUMENT_MEMBERS = [
  'retiringKeys',
  'revokedBefore',
  'userRevocations',
  'requireExp',
  'maxLifetimeSeconds',
  'leewaySeconds',
  'iatSkewSeconds',
];

/** A key's PEM and kid for the project document. */
function documentKey(key) {
  const { key: k, owned } = publicKeyFrom(key);
  try {
    return { pem: k.toPem(), kid: k.kid };
  } finally {
    if (owned) k.close();
  }
}

/**
 * addProject's object as the core's project document (the project file's format): names
 * and types converted, every value checked by the library when it reads the document.
 */
function projectDocument(project) {
  const known = new Set(['apiKey', 'securityMode', 'signingPublicKey', 'allowedOrigins', ...PROJECT_DOCUMENT_MEMBERS]);
  for (const name of Object.keys(project)) {
    if (!known.has(name)) throw new TypeError(`addProject: unknown member ${JSON.stringify(name)}`);
  }
  const doc = {
    api_key: project.apiKey,
    security_mode: project.securityMode === undefined ? 'secure' : project.securityMode,
    allowed_origins: project.allowedOrigins === undefined ? [] : project.allowedOrigins,
    signing_public_key: null,
  };
  if (project.signingPublicKey !== undefined && project.signingPublicKey !== null) {
    const { pem, kid } = documentKey(project.signingPublicKey);
    doc.signing_public_key = pem;
    doc.signing_key_kid = kid;
  }
  if (project.retiringKeys !== undefined) {
    if (!Array.isArray(project.retiringKeys)) throw new TypeError('retiringKeys must be an array of {key, until}');
    doc.retiring_keys = project.retiringKeys.map(({ key, until }) => {
      const { pem, kid } = documentKey(key);
      return { key: pem, until, kid };
    });
  }
  if (project.revokedBefore !== undefined) doc.revoked_before = project.revokedBefore;
  if (project.userRevocations !== undefined) {
    if (!Array.isArray(project.userRevocations)) {
      throw new TypeError('userRevocations must be an array of {userId, revokedBefore}');
    }
    doc.user_revocations = project.userRevocations.map(({ userId, revokedBefore }) => ({
      user_id: userId,
      revoked_before: revokedBefore,
    }));
  }
  if (project.requireExp !== undefined) doc.require_exp = project.requireExp;
  if (project.maxLifetimeSeconds !== undefined) doc.max_lifetime = project.maxLifetimeSeconds;
  if (project.leewaySeconds !== undefined) doc.leeway = project.leewaySeconds;
  if (project.iatSkewSeconds !== undefined) doc.iat_skew = project.iatSkewSeconds;
  return JSON.stringify(doc);
}

/** Projects by API key: authenticates User API requests. Safe to share; changes are atomic. */
class Authenticator extends Handle {
  /**
   * @param {{leewaySeconds?: number, requireExp?: boolean, maxTokenBytes?: number,
   *   maxLifetimeSeconds?: number, iatSkewSeconds?: number, cacheSize?: number,
   *   provider?: 'ring'|'aws-lc-rs'}} [options]
   *   cacheSize defaults to 10000 verified tokens (0 disables the cache); provider to 'ring'
   */
  constructor(options = {}) {
    const { cacheSize = DEFAULT_CACHE_CAPACITY } = options;
    const policy = policyFrom(options);
    try {
      const out = [null];
      check(c.authenticator_new(policy, count(cacheSize, 'cacheSize'), out));
      super(out[0], c.authenticator_free);
    } finally {
      c.policy_free(policy);
    }
    this._user = Buffer.allocUnsafe(MAX_SUBJECT_BYTES);
    // The per-call memory (native scratch for the headers): freed with the handle.
    this._call = new AuthenticateCall();
    finalizer.register(this, { free: koffi.free, ptr: this._call.scratch }, this);
  }

  /** Releases the native memory now (the handle and the headers' scratch memory). */
  close() {
    const open = !this.closed;
    super.close();
    if (open) this._call.free();
  }

  /** The library that verifies signatures: 'ring' or 'aws-lc-rs'. */
  get provider() {
    const out = [null];
    check(c.authenticator_provider(this._handle(), out));
    return out[0];
  }

  /**
   * Adds a project, or replaces the one with the same API key.
   * @param {{apiKey: string, securityMode?: 'secure'|'development',
   *   signingPublicKey?: string|Buffer|PublicKey|null, allowedOrigins?: string[],
   *   retiringKeys?: {key: string|Buffer|PublicKey, until: number}[], revokedBefore?: number,
   *   userRevocations?: {userId: string, revokedBefore: number}[], requireExp?: boolean,
   *   maxLifetimeSeconds?: number, leewaySeconds?: number, iatSkewSeconds?: number}} project
   *   the lifetime members override the Authenticator's rules for this project
   */
  addProject(project) {
    const { apiKey, securityMode = 'secure', signingPublicKey = null, allowedOrigins = [] } = project;
    // Key sets, revocations and lifetime rules travel as the core's project document.
    if (PROJECT_DOCUMENT_MEMBERS.some((name) => project[name] !== undefined)) {
      this.addProjectJson(projectDocument(project));
      return;
    }
    const api = bytes(apiKey, 'apiKey');
    const origins = originArray(allowedOrigins);
    const mode = modeNumber(securityMode);
    const key = signingPublicKey === null || signingPublicKey === undefined ? null : publicKeyFrom(signingPublicKey);
    try {
      check(c.authenticator_add_project(this._handle(), api, api.length, mode, key && key.key._handle(), origins, origins.length));
    } finally {
      if (key && key.owned) key.key.close();
    }
  }

  /** Removes a project; returns whether it existed. */
  removeProject(apiKey) {
    const api = bytes(apiKey, 'apiKey');
    const out = [false];
    check(c.authenticator_remove_project(this._handle(), api, api.length, out));
    return Boolean(out[0]);
  }

  /** Sets (or with null removes) a project's signing public key; old tokens fail at once. */
  setSigningKey(apiKey, publicKey) {
    const api = bytes(apiKey, 'apiKey');
    const key = publicKey === null || publicKey === undefined ? null : publicKeyFrom(publicKey);
    try {
      check(c.authenticator_set_signing_key(this._handle(), api, api.length, key && key.key._handle()));
    } finally {
      if (key && key.owned) key.key.close();
    }
  }

  /**
   * Generates a new key pair for a project and makes its public key the signing key; returns
   * the pair (give the private key to the backend, once).
   * @param {string} apiKey
   * @param {{bits?: 2048|3072|4096}} [options]
   */
  rotateSigningKey(apiKey, { bits = 2048 } = {}) {
    const api = bytes(apiKey, 'apiKey');
    const out = [null];
    check(c.authenticator_rotate_signing_key(this._handle(), api, api.length, count(bits, 'bits'), out));
    return keyPairTexts(out[0]);
  }

  /**
   * Makes `publicKey` the project's active key and keeps the previous one verifying until
   * `now + overlapSeconds` (1 to 604800), instead of removing it at once.
   * @param {{overlapSeconds: number, now?: number|Date}} options
   */
  setSigningKeyWithOverlap(apiKey, publicKey, { overlapSeconds, now } = {}) {
    const api = bytes(apiKey, 'apiKey');
    const { key, owned } = publicKeyFrom(publicKey);
    try {
      check(
        c.authenticator_set_signing_key_with_overlap(
          this._handle(),
          api,
          api.length,
          key._handle(),
          unixSeconds(now),
          count(overlapSeconds, 'overlapSeconds'),
        ),
      );
    } finally {
      if (owned) key.close();
    }
  }

  /**
   * rotateSigningKey, keeping the previous key verifying until `now + overlapSeconds`.
   * @param {{bits?: 2048|3072|4096, overlapSeconds: number, now?: number|Date}} options
   */
  rotateSigningKeyWithOverlap(apiKey, { bits = 2048, overlapSeconds, now } = {}) {
    const api = bytes(apiKey, 'apiKey');
    const out = [null];
    check(
      c.authenticator_rotate_signing_key_with_overlap(
        this._handle(),
        api,
        api.length,
        count(bits, 'bits'),
        unixSeconds(now),
        count(overlapSeconds, 'overlapSeconds'),
        out,
      ),
    );
    return keyPairTexts(out[0]);
  }

  /** Removes a project's key (active or retiring) by kid; returns whether it was there. */
  removeSigningKey(apiKey, kid) {
    const api = bytes(apiKey, 'apiKey');
    const name = bytes(kid, 'kid');
    const out = [false];
    check(c.authenticator_remove_signing_key(this._handle(), api, api.length, name, name.length, out));
    return Boolean(out[0]);
  }

  /** Refuses the project's tokens issued before `before` (Unix seconds; cut-offs only move forward). */
  revokeTokensIssuedBefore(apiKey, before) {
    const api = bytes(apiKey, 'apiKey');
    check(c.authenticator_revoke_tokens_issued_before(this._handle(), api, api.length, unixSeconds(before)));
  }

  /** Refuses one user's tokens issued before `before` (the user logged out everywhere). */
  revokeUserTokensIssuedBefore(apiKey, userId, before) {
    const api = bytes(apiKey, 'apiKey');
    const user = bytes(userId, 'userId');
    check(
      c.authenticator_revoke_user_tokens_issued_before(this._handle(), api, api.length, user, user.length, unixSeconds(before)),
    );
  }

  /** Drops the revocations that can no longer matter at `now`; returns how many. */
  pruneRevocations(apiKey, { now } = {}) {
    const api = bytes(apiKey, 'apiKey');
    const out = [0];
    check(c.authenticator_prune_revocations(this._handle(), api, api.length, unixSeconds(now), out));
    return Number(out[0]);
  }

  /** The project's public keys as an RFC 7517 JWK Set (JSON text), the active key first. */
  jwks(apiKey) {
    const api = bytes(apiKey, 'apiKey');
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.authenticator_jwks(ptr, api, api.length, b, l, o), 16384).toString('utf8');
  }

  /**
   * The JWK Set of the keys that verify at `now` (the active key, and retiring keys before
   * their deadline): what to serve a gateway, so that it refuses what this refuses.
   */
  jwksAt(apiKey, { now } = {}) {
    const api = bytes(apiKey, 'apiKey');
    const ptr = this._handle();
    const at = unixSeconds(now);
    return readBuffer((b, l, o) => c.authenticator_jwks_at(ptr, api, api.length, at, b, l, o), 16384).toString('utf8');
  }

  /** What is in force for a project, as the core's project document (JSON text, keys as PEM). */
  projectJson(apiKey) {
    const api = bytes(apiKey, 'apiKey');
    const ptr = this._handle();
    return readBuffer((b, l, o) => c.authenticator_project_json(ptr, api, api.length, b, l, o), 16384).toString('utf8');
  }

  /** Adds (or replaces) a project from its project document (projectJson's format, strict). */
  addProjectJson(text) {
    const input = bytes(text, 'project');
    check(c.authenticator_add_project_json(this._handle(), input, input.length));
  }

  /** Switches a project's mode: 'secure' or 'development'. */
  setSecurityMode(apiKey, securityMode) {
    const api = bytes(apiKey, 'apiKey');
    check(c.authenticator_set_security_mode(this._handle(), api, api.length, modeNumber(securityMode)));
  }

  /** Replaces a project's allowed origins (an empty list allows every origin). */
  setAllowedOrigins(apiKey, allowedOrigins) {
    const api = bytes(apiKey, 'apiKey');
    const origins = originArray(allowedOrigins);
    check(c.authenticator_set_allowed_origins(this._handle(), api, api.length, origins, origins.length));
  }

  /**
   * Authenticates a request; throws a NotiflowsAuthError (with .code and .status) when refused.
   * The headers go to the library as they came, Origin among them (the library reads it
   * by the rule it reads the Notiflows headers with: sent twice, it is refused).
   * @param {Record<string, string|string[]|undefined>|Iterable<[string, string]>} headers the
   *   request's headers (Node's req.headers, a fetch Headers, or [name, value] pairs)
   * @param {{now?: number|Date}} [options] now defaults to the current time
   * @returns {{userId: string, mode: 'secure'|'development', credential: 'user_key'|'user_id', expiresAt?: number}}
   */
  authenticate(headers, options = {}) {
    if (Object.hasOwn(options, 'origin')) {
      throw new TypeError('authenticate takes no origin option: pass the Origin header among the headers');
    }
    const handle = this._handle();
    const now = unixSeconds(options.now);
    const call = this._call;
    if (!writeHeaders(call, headers)) return this._authenticateCopying(handle, headers, now);
    check(call.run(handle, now));
    const expiresAt = call.expiresAt();
    return expiresAt === undefined
      ? { userId: call.userId(), mode: MODE_NAMES[call.mode()], credential: CREDENTIALS[call.credential()] }
      : { userId: call.userId(), mode: MODE_NAMES[call.mode()], credential: CREDENTIALS[call.credential()], expiresAt };
  }

  /** authenticate for headers too many or too long for the scratch memory: koffi copies them. */
  _authenticateCopying(handle, headers, now) {
    const native = nativeHeaderArray(headerPairs(headers));
    const userLen = [0];
    const user = {};
    check(c.authenticator_authenticate(handle, native, native.length, now, this._user, MAX_SUBJECT_BYTES, userLen, user));
    const result = {
      userId: this._user.toString('utf8', 0, userLen[0]),
      mode: MODE_NAMES[user.mode],
      credential: CREDENTIALS[user.credential],
    };
    const expiresAt = date(user.expires_at);
    if (expiresAt !== undefined) result.expiresAt = expiresAt;
    return result;
  }

  /**
   * The CORS headers for a response to a request, as an object of header name to value,
   * read from the request's headers (Origin, and x-notiflows-api-key): `Vary: Origin`
   * always; for an allowed origin, Access-Control-Allow-Origin and, on a preflight, the
   * allowed headers, methods and max age (answer a preflight with 204).
   * @param {Record<string, string|string[]|undefined>|Iterable<[string, string]>} headers
   * @param {{preflight?: boolean, apiKey?: string|null}} [options] apiKey: for a preflight
   *   (which carries no Notiflows headers), the project's key when the server knows it
   */
  corsHeaders(headers, { preflight = false, apiKey = null } = {}) {
    const pairs = headerPairs(headers).map(([name, value]) => [headerBytes(name), headerBytes(value)]);
    const ptr = this._handle();
    const api = apiKey === null ? null : bytes(apiKey, 'apiKey');
    // The allow-origin value points into the Origin bytes: native copies that outlive the call.
    return withNativeBytes(pairs.flat(), (copies) => {
      const native = pairs.map(([name, value], i) => ({
        name: copies[2 * i],
        name_len: name.length,
        value: copies[2 * i + 1],
        value_len: value.length,
      }));
      const out = Array.from({ length: MAX_CORS_HEADERS }, () => ({}));
      const count = [0];
      check(
        preflight
          ? c.authenticator_cors_preflight(ptr, native, native.length, api, api ? api.length : 0, out, out.length, count)
          : c.authenticator_cors_response(ptr, native, native.length, out, out.length, count),
      );
      const result = {};
      for (const h of out.slice(0, count[0])) result[decodeText(h.name, h.name_len)] = decodeText(h.value, h.value_len);
      return result;
    });
  }
}

/** The library's version. */
const version = c.version();

module.exports = {
  signUserToken,
  jwkSet,
  parseJwkSet,
  generateSigningKey,
  GeneratedKeyPair,
  SigningKey,
  PublicKey,
  Verifier,
  Authenticator,
  NotiflowsAuthError,
  TokenError: errors.TokenError,
  SigningKeyError,
  RequestAuthError: errors.RequestAuthError,
  ConfigError,
  ERROR_CODES,
  ERROR_TABLE,
  version,
  libraryPath,
  nativeLibrary,
};
