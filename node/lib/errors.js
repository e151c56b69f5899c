'use strict';

/**
 * Errors: every failure is a NotiflowsAuthError with the stable string `code` (the same in
 * every binding), the HTTP `status` a server should answer with and, for claim errors, the
 * `claim` concerned. Subclasses group the codes by family; codes and families come from the
 * library's error table (lib/codes.js).
 */

const { ERROR_TABLE } = require('./codes');

class NotiflowsAuthError extends Error {
  /**
   * @param {string} code the stable error code
   * @param {number} status the HTTP status to answer with
   * @param {string} message the full message
   * @param {string|null} [claim] the claim concerned, for claim errors
   */
  constructor(code, status, message, claim = null) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.claim = claim || null;
  }

  /** The JSON body a server can send as is: `{ code, message }`. */
  toJSON() {
    return { code: this.code, message: this.message };
  }
}

/** The user token was refused (malformed, wrong algorithm, bad signature, claims, times). */
class TokenError extends NotiflowsAuthError {}
/** A key could not be loaded, is unsupported, or no signing key is configured. */
class SigningKeyError extends NotiflowsAuthError {}
/** A request's Notiflows headers or Origin were refused. */
class RequestAuthError extends NotiflowsAuthError {}
/** A configuration value (policy limit, project, origin pattern) is malformed or out of range. */
class ConfigError extends NotiflowsAuthError {}

/** The class of each family of the library's table; the C ABI's own codes (`ffi`) get the root. */
const CLASS_BY_FAMILY = new Map([
  ['token', TokenError],
  ['signing_key', SigningKeyError],
  ['request_auth', RequestAuthError],
  ['config', ConfigError],
]);

const CLASS_BY_CODE = new Map();
for (const cls of CLASS_BY_FAMILY.values()) cls.codes = [];
for (const { code, family } of ERROR_TABLE) {
  const cls = CLASS_BY_FAMILY.get(family) || NotiflowsAuthError;
  CLASS_BY_CODE.set(code, cls);
  if (cls !== NotiflowsAuthError) cls.codes.push(code);
}
for (const cls of CLASS_BY_FAMILY.values()) Object.freeze(cls.codes);

/** The error for `code`, of its family's class (NotiflowsAuthError for the C ABI's own codes). */
function errorFor(code, status, message, claim) {
  const Cls = CLASS_BY_CODE.get(code) || NotiflowsAuthError;
  return new Cls(code, status, message, claim);
}

module.exports = {
  NotiflowsAuthError,
  TokenError,
  SigningKeyError,
  RequestAuthError,
  ConfigError,
  errorFor,
};
