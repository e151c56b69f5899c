'use strict';

/**
 * Every error code, with its number in the C ABI: the core's taxonomy (1 to 99) and the C
 * ABI's own codes (100 and up). The same set in Rust, the C header, Python and Ruby (checked
 * by ffi/src/tests/codes.rs).
 */
const ERROR_CODES = Object.freeze({
  token_malformed: 1,
  token_base64: 2,
  token_json: 3,
  token_duplicate_member: 4,
  token_too_large: 5,
  alg_not_allowed: 6,
  crit_unsupported: 7,
  signature_invalid: 8,
  claim_missing: 9,
  claim_invalid: 10,
  token_expired: 11,
  token_not_yet_valid: 12,
  token_issued_in_future: 13,
  key_invalid: 14,
  key_unsupported: 15,
  signing_key_not_configured: 16,
  api_key_missing: 17,
  api_key_invalid: 18,
  user_key_missing: 19,
  user_id_missing: 20,
  user_id_invalid: 21,
  origin_not_allowed: 22,
  config_invalid: 23,
  null_argument: 100,
  buffer_too_small: 101,
  invalid_utf8: 102,
  panic: 103,
});

module.exports = { ERROR_CODES };
