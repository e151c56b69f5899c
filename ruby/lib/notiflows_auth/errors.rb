# frozen_string_literal: true

require_relative "native"

# The errors of notiflows_auth. Codes, numbers, statuses and families are the library's error
# table (notiflows_auth_error_at), read when the gem loads: nothing here lists a code.
module NotiflowsAuth
  # One row of the library's error table.
  ErrorInfo = Struct.new(:code, :number, :status, :family, :message, keyword_init: true)

  # Every row, in numeric order: the core's taxonomy (1 to 99), then the C ABI's own codes.
  ERROR_TABLE = (0...Native.error_count).map do |index|
    info = Native::ErrorInfo.new
    raise LoadError, "notiflows_auth: error table row #{index} is missing" unless Native.error_at(index, info)

    text = ->(bytes) { bytes[:ptr].read_bytes(bytes[:len]).force_encoding(Encoding::UTF_8).freeze }
    ErrorInfo.new(code: text.call(info[:code]), number: info[:number], status: info[:http_status],
                  family: text.call(info[:family]), message: text.call(info[:message])).freeze
  end.freeze

  # Every error code with its number in the C ABI.
  ERROR_CODES = ERROR_TABLE.to_h { |row| [row.code, row.number] }.freeze

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
      # The codes this family is raised for (from the library's table).
      def codes
        const_defined?(:FAMILY, false) ? ERROR_TABLE.select { |row| row.family == self::FAMILY }.map(&:code) : []
      end
    end
  end

  # The user token was refused (malformed, wrong algorithm, bad signature, claims, times).
  class TokenError < Error
    FAMILY = "token"
  end

  # A key could not be loaded, is unsupported, or no signing key is configured.
  class SigningKeyError < Error
    FAMILY = "signing_key"
  end

  # A request's Notiflows headers or Origin were refused.
  class RequestAuthError < Error
    FAMILY = "request_auth"
  end

  # A configuration value (policy limit, project, origin pattern) is malformed or out of range.
  class ConfigError < Error
    FAMILY = "config"
  end

  # The binding misused the C library (a bug in this gem or the library): the C ABI's own codes.
  class BindingError < Error
    FAMILY = "ffi"
  end

  ERROR_FAMILIES = [TokenError, SigningKeyError, RequestAuthError, ConfigError, BindingError].freeze

  CLASS_BY_CODE = ERROR_TABLE.to_h do |row|
    [row.code, ERROR_FAMILIES.find { |family| family::FAMILY == row.family } || Error]
  end.freeze
  private_constant :CLASS_BY_CODE

  # The error for `code`, of its family's class.
  def self.error_for(code, status, message, claim = nil)
    CLASS_BY_CODE.fetch(code, Error).new(code, status, message, claim)
  end
end
