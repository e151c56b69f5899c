# frozen_string_literal: true

# The errors of notiflows_auth: pure Ruby, loadable without the native library.
module NotiflowsAuth
  # Every error code with its number in the C ABI: the core's taxonomy (1 to 99) and the C
  # ABI's own codes (100 and up). The same set in Rust, the C header, Python and Node
  # (checked by ffi/src/tests/codes.rs).
  ERROR_CODES = {
    "token_malformed" => 1,
    "token_base64" => 2,
    "token_json" => 3,
    "token_duplicate_member" => 4,
    "token_too_large" => 5,
    "alg_not_allowed" => 6,
    "crit_unsupported" => 7,
    "signature_invalid" => 8,
    "claim_missing" => 9,
    "claim_invalid" => 10,
    "token_expired" => 11,
    "token_not_yet_valid" => 12,
    "token_issued_in_future" => 13,
    "key_invalid" => 14,
    "key_unsupported" => 15,
    "signing_key_not_configured" => 16,
    "api_key_missing" => 17,
    "api_key_invalid" => 18,
    "user_key_missing" => 19,
    "user_id_missing" => 20,
    "user_id_invalid" => 21,
    "origin_not_allowed" => 22,
    "config_invalid" => 23,
    "null_argument" => 100,
    "buffer_too_small" => 101,
    "invalid_utf8" => 102,
    "panic" => 103,
  }.freeze

  # Every failure: the stable string #code (the same in every binding), the HTTP #status a
  # server should answer with, and for claim errors the #claim concerned.
  class Error < StandardError
    attr_reader :code, :status, :claim

    def initialize(code, status, message, claim = nil)
      super(message)
      @code = code
      @status = status
      @claim = claim
    end

    # The JSON body a server can send as is: { "code" => ..., "message" => ... }.
    def to_h
      { "code" => code, "message" => message }
    end

    class << self
      # The codes this family is raised for.
      def codes
        const_defined?(:CODES, false) ? const_get(:CODES, false) : []
      end
    end
  end

  # The user token was refused (malformed, wrong algorithm, bad signature, claims, times).
  class TokenError < Error
    CODES = %w[
      token_malformed token_base64 token_json token_duplicate_member token_too_large
      alg_not_allowed crit_unsupported signature_invalid claim_missing claim_invalid
      token_expired token_not_yet_valid token_issued_in_future
    ].freeze
  end

  # A key could not be loaded, is unsupported, or no signing key is configured.
  class SigningKeyError < Error
    CODES = %w[key_invalid key_unsupported signing_key_not_configured].freeze
  end

  # A request's Notiflows headers or Origin were refused.
  class RequestAuthError < Error
    CODES = %w[
      api_key_missing api_key_invalid user_key_missing user_id_missing user_id_invalid
      origin_not_allowed
    ].freeze
  end

  # A configuration value (policy limit, project, origin pattern) is malformed or out of range.
  class ConfigError < Error
    CODES = %w[config_invalid].freeze
  end

  # The binding misused the C library (a bug in this gem or the library).
  class BindingError < Error
    CODES = %w[null_argument buffer_too_small invalid_utf8 panic].freeze
  end

  ERROR_FAMILIES = [TokenError, SigningKeyError, RequestAuthError, ConfigError, BindingError].freeze

  CLASS_BY_CODE = ERROR_FAMILIES.each_with_object({}) do |family, map|
    family::CODES.each { |code| map[code] = family }
  end.freeze
  private_constant :CLASS_BY_CODE

  # The error for `code`, of its family's class.
  def self.error_for(code, status, message, claim = nil)
    CLASS_BY_CODE.fetch(code, Error).new(code, status, message, claim)
  end
end
