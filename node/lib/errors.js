'use strict';

/**
 * Errors: every failure is a NotiflowsAuthError with the stable string `code` (the same in
 * every binding), the HTTP `status` a server should answer with and, for claim errors, the
 * `claim` concerned. Subclasses group the codes by family, as in the Python package.
 */

const TOKEN_CODES = [
  'token_malformed', 'token_base64', 'token_json', 'token_duplicate_member', 'token_too_large',
  'alg_not_allowed', 'crit_unsupported', 'signature_invalid', 'claim_missing', 'claim_invalid',
  'token_expired', 'token_not_yet_valid', 'token_issued_in_future',
];
const SIGNING_KEY_CODES = ['key_invalid', 'key_unsupported', 'signing_key_not_configured'];
const REQUEST_CODES = [
  'api_key_missing', 'api_key_invalid', 'user_key_missing', 'user_id_missing', 'user_id_invalid',
  'origin_not_allowed',
];

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

TokenError.codes = Object.freeze(TOKEN_CODES);
SigningKeyError.codes = Object.freeze(SIGNING_KEY_CODES);
RequestAuthError.codes = Object.freeze(REQUEST_CODES);
ConfigError.codes = Object.freeze(['config_invalid']);

const CLASS_BY_CODE = new Map();
for (const cls of [TokenError, SigningKeyError, RequestAuthError, ConfigError]) {
  for (const code of cls.codes) CLASS_BY_CODE.set(code, cls);
}

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
