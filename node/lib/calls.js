'use strict';

/**
 * The two per-request calls (verify, authenticate) without per-call conversions (issue 15).
 *
 * koffi turns a struct output into a new JS object on every call, and a struct array input
 * (the headers) into native memory on every call: about 1.5 us each. Here the same C
 * functions are bound a second time with their outputs as plain bytes: each Verifier and
 * Authenticator owns one buffer for the outputs (user id, its length, the claims struct),
 * reused on every call and read with typed-array views at the offsets koffi computes from
 * the struct declarations in native.js. An Authenticator also owns native scratch memory
 * that the request's headers are written into (the header array and the bytes it points
 * to). Node runs one call at a time per object, so reusing the memory is safe.
 */

const koffi = require('koffi');
const { lib, MAX_SUBJECT_BYTES } = require('./native');

const verifyCall = lib.func(
  'uint32_t notiflows_auth_verifier_verify(const notiflows_auth_verifier *verifier, const uint8_t *token, ' +
    'size_t token_len, int64_t now, uint8_t *sub_buf, size_t sub_buf_len, uint8_t *out_sub_len, uint8_t *out_claims)',
);
const authenticateCall = lib.func(
  'uint32_t notiflows_auth_authenticator_authenticate(const notiflows_auth_authenticator *authenticator, ' +
    'void *headers, size_t headers_count, int64_t now, ' +
    'uint8_t *user_id_buf, size_t user_id_buf_len, uint8_t *out_user_id_len, uint8_t *out_user)',
);

const SIZE_T = koffi.sizeof('size_t');
const DATE = {
  present: koffi.offsetof('notiflows_auth_numeric_date', 'present'),
  seconds: koffi.offsetof('notiflows_auth_numeric_date', 'seconds'),
  nanos: koffi.offsetof('notiflows_auth_numeric_date', 'nanos'),
};
const CLAIMS = {
  size: koffi.sizeof('notiflows_auth_claims'),
  iat: koffi.offsetof('notiflows_auth_claims', 'iat'),
  exp: koffi.offsetof('notiflows_auth_claims', 'exp'),
  nbf: koffi.offsetof('notiflows_auth_claims', 'nbf'),
};
const AUTHENTICATED = {
  size: koffi.sizeof('notiflows_auth_authenticated'),
  mode: koffi.offsetof('notiflows_auth_authenticated', 'mode'),
  credential: koffi.offsetof('notiflows_auth_authenticated', 'credential'),
  expiresAt: koffi.offsetof('notiflows_auth_authenticated', 'expires_at'),
};
const HEADER = {
  size: koffi.sizeof('notiflows_auth_header'),
  name: koffi.offsetof('notiflows_auth_header', 'name'),
  nameLen: koffi.offsetof('notiflows_auth_header', 'name_len'),
  value: koffi.offsetof('notiflows_auth_header', 'value'),
  valueLen: koffi.offsetof('notiflows_auth_header', 'value_len'),
};
const TWO_32 = 2 ** 32;

/**
 * One call's reusable outputs: the text (sub or user id), its length, then the struct, in
 * one ArrayBuffer. Offsets are multiples of 8, so every field is aligned for its view.
 */
class Outputs {
  constructor(structSize) {
    const lenAt = MAX_SUBJECT_BYTES;
    const structAt = lenAt + 8;
    const memory = new ArrayBuffer(structAt + structSize);
    this.text = Buffer.from(memory, 0, MAX_SUBJECT_BYTES);
    this.len = new Uint8Array(memory, lenAt, SIZE_T);
    this.struct = new Uint8Array(memory, structAt, structSize);
    this._lenWord = lenAt / 4;
    this._structAt = structAt;
    this._u8 = new Uint8Array(memory);
    this._u32 = new Uint32Array(memory);
    this._i32 = new Int32Array(memory);
  }

  /** The text written by the call, as UTF-8 (its length fits in 32 bits: at most 2048). */
  textValue() {
    return this.text.toString('utf8', 0, this._u32[this._lenWord]);
  }

  /** A 32-bit field of the struct. */
  u32(offset) {
    return this._u32[(this._structAt + offset) / 4];
  }

  /** A NumericDate field of the struct as seconds (fractions kept), or undefined. */
  date(offset) {
    const at = this._structAt + offset;
    if (this._u8[at + DATE.present] === 0) return undefined;
    const word = (at + DATE.seconds) / 4; // little-endian int64: low word, then high word
    const seconds = this._i32[word + 1] * TWO_32 + this._u32[word];
    const nanos = this._u32[(at + DATE.nanos) / 4];
    return nanos === 0 ? seconds : seconds + nanos / 1e9;
  }
}

/**
 * Room for a token held by the object: the largest token the core accepts (16 KiB), plus
 * 4 so that a write that stopped short (a longer token) is told apart from one that fit.
 */
const TOKEN_ROOM = 16384 + 4;

/** The verify call over one Verifier's reusable memory. */
class VerifyCall {
  constructor() {
    this._out = new Outputs(CLAIMS.size);
    this._token = Buffer.allocUnsafe(TOKEN_ROOM);
  }

  /**
   * Calls notiflows_auth_verifier_verify; returns its result code (the claims are read
   * with claims() after a success). `token` is a string or a Buffer.
   */
  run(handle, token, length, now) {
    let input = token;
    let inputLength = length;
    if (typeof token === 'string') {
      inputLength = this._token.utf8Write(token, 0, TOKEN_ROOM);
      input = inputLength <= TOKEN_ROOM - 4 ? this._token : Buffer.from(token, 'utf8');
      if (input !== this._token) inputLength = input.length;
    }
    const out = this._out;
    return verifyCall(handle, input, inputLength, now, out.text, MAX_SUBJECT_BYTES, out.len, out.struct);
  }

  /** The verified claims, built in one step: `{ sub, iat?, exp?, nbf? }`. */
  claims() {
    const out = this._out;
    const result = { sub: out.textValue() };
    const iat = out.date(CLAIMS.iat);
    const exp = out.date(CLAIMS.exp);
    const nbf = out.date(CLAIMS.nbf);
    if (iat !== undefined) result.iat = iat;
    if (exp !== undefined) result.exp = exp;
    if (nbf !== undefined) result.nbf = nbf;
    return result;
  }
}

/** Headers that fit in an Authenticator's scratch memory take no allocation per call. */
const SCRATCH_HEADERS = 128;
const SCRATCH_BYTES = 32 * 1024;

/** The authenticate call over one Authenticator's reusable memory. */
class AuthenticateCall {
  constructor() {
    this._out = new Outputs(AUTHENTICATED.size);
    const arrayBytes = SCRATCH_HEADERS * HEADER.size;
    this.scratchSize = arrayBytes + SCRATCH_BYTES;
    this.scratch = koffi.alloc('uint8_t', this.scratchSize);
    const memory = koffi.view(this.scratch, this.scratchSize);
    this._bytes = Buffer.from(memory);
    this._u32 = new Uint32Array(memory, 0, arrayBytes / 4);
    this._address = Number(koffi.address(this.scratch));
    this._arrayBytes = arrayBytes;
    this._count = 0;
    this._at = arrayBytes;
  }

  /** Frees the scratch memory (native: not the garbage collector's). */
  free() {
    if (this.scratch !== null) {
      koffi.free(this.scratch);
      this.scratch = null;
    }
  }

  /** Starts writing a request's headers. */
  begin() {
    this._count = 0;
    this._at = this._arrayBytes;
  }

  /**
   * Writes one byte string (a header's name or value, see index.js's headerBytes for how a
   * string becomes bytes); returns its length, or -1 when it does not fit.
   */
  _text(value, encode) {
    const room = this.scratchSize - this._at;
    let written = this._bytes.utf8Write(value, this._at, room);
    // As many bytes as characters, and not cut short (a cut leaves under 4 bytes of room):
    // all ASCII, where UTF-8 and the byte-string reading agree. Otherwise encode it again.
    if (written !== value.length || written + 4 > room) {
      const bytes = encode(value);
      if (bytes.length > room) return -1;
      written = bytes.copy(this._bytes, this._at);
    }
    this._at += written;
    return written;
  }

  /** Adds one header; returns false when the scratch memory is full (use the slow path). */
  add(name, value, encode) {
    if (this._count === SCRATCH_HEADERS) return false;
    const nameAt = this._at;
    const nameLen = this._text(name, encode);
    if (nameLen < 0) return false;
    const valueAt = this._at;
    const valueLen = this._text(value, encode);
    if (valueLen < 0) return false;
    const word = (this._count * HEADER.size) / 4;
    this._pointer(word + HEADER.name / 4, this._address + nameAt);
    this._pointer(word + HEADER.nameLen / 4, nameLen);
    this._pointer(word + HEADER.value / 4, this._address + valueAt);
    this._pointer(word + HEADER.valueLen / 4, valueLen);
    this._count += 1;
    return true;
  }

  /** A 64-bit little-endian word (an address or a length: below 2^53, exact as a Number). */
  _pointer(word, value) {
    this._u32[word] = value % TWO_32;
    this._u32[word + 1] = Math.floor(value / TWO_32);
  }

  /** Calls notiflows_auth_authenticator_authenticate on the headers added; its result code. */
  run(handle, now) {
    const out = this._out;
    return authenticateCall(handle, this.scratch, this._count, now, out.text, MAX_SUBJECT_BYTES, out.len, out.struct);
  }

  /** The authenticated user's fields: user id, mode and credential numbers, expiry. */
  userId() {
    return this._out.textValue();
  }

  mode() {
    return this._out.u32(AUTHENTICATED.mode);
  }

  credential() {
    return this._out.u32(AUTHENTICATED.credential);
  }

  expiresAt() {
    return this._out.date(AUTHENTICATED.expiresAt);
  }
}

module.exports = { VerifyCall, AuthenticateCall };
