# frozen_string_literal: true

require "ffi"

module NotiflowsAuth
  # The C library (libnotiflows_auth, built by cargo from ffi/) and its functions. Everything
  # here mirrors ffi/include/notiflows_auth.h; the public API is in notiflows_auth.rb.
  #
  # The library is looked for, in this order:
  # 1. bundled: lib/notiflows_auth/prebuilt/ inside the installed (platform) gem, which
  #    `scripts/package` builds;
  # 2. $NOTIFLOWS_AUTH_LIB, when set;
  # 3. in development only (this is the ruby/ folder of a notiflows-auth checkout): the newest
  #    of target/{release,debug}/ in $CARGO_TARGET_DIR or the checkout.
  # NotiflowsAuth.native_library says which one was loaded; when none is found, the LoadError
  # lists what was tried.
  module Native
    extend FFI::Library

    LIBRARY_FILE = RbConfig::CONFIG["host_os"].match?(/darwin/) ? "libnotiflows_auth.dylib" : "libnotiflows_auth.so"
    BUNDLED = File.expand_path("prebuilt/#{LIBRARY_FILE}", __dir__)

    # The checkout this gem's source sits in, or nil when it is installed.
    def self.checkout_root
      root = File.expand_path("../../..", __dir__)
      root if File.exist?(File.join(root, "Cargo.toml")) && File.exist?(File.join(root, "ffi", "Cargo.toml"))
    end

    # [path, source] of the library to load, source being :bundled, :env or :development.
    def self.find_library
      return [BUNDLED, :bundled] if File.exist?(BUNDLED)

      tried = ["bundled #{BUNDLED} (not in this gem)"]
      explicit = ENV["NOTIFLOWS_AUTH_LIB"]
      if explicit && !explicit.empty?
        raise LoadError, "NOTIFLOWS_AUTH_LIB is set to #{explicit}, which does not exist" unless File.exist?(explicit)

        return [explicit, :env]
      end
      tried << "NOTIFLOWS_AUTH_LIB (not set)"
      root = checkout_root
      if root
        targets = [ENV["CARGO_TARGET_DIR"], File.join(root, "target")].compact.reject(&:empty?)
        builds = targets.product(%w[release debug]).map { |t, p| File.join(t, p, LIBRARY_FILE) }
        found = builds.select { |f| File.exist?(f) }
        return [found.max_by { |f| File.mtime(f) }, :development] unless found.empty?

        tried.concat(builds.map { |f| "development build #{f}" })
      else
        tried << "a development build (#{File.expand_path("../..", __dir__)} is not in a notiflows-auth checkout)"
      end
      raise LoadError, "cannot find #{LIBRARY_FILE}; tried:\n  #{tried.join("\n  ")}\n" \
                       "install the platform gem built by scripts/package, set NOTIFLOWS_AUTH_LIB to the library, " \
                       "or in a checkout build it with `cargo build --release -p notiflows-auth-ffi`"
    end

    LIBRARY_PATH, LIBRARY_SOURCE = find_library
    ffi_lib LIBRARY_PATH

    OK = 0
    BUFFER_TOO_SMALL = 101
    # NOTIFLOWS_AUTH_CURRENT_TIME: the library reads the system clock.
    CURRENT_TIME = -(2**63)
    # NOTIFLOWS_AUTH_NO_EXPIRY.
    NO_EXPIRY = 2**64 - 1
    MAX_SUBJECT_BYTES = 2048
    # NOTIFLOWS_AUTH_MAX_CORS_HEADERS.
    MAX_CORS_HEADERS = 5
    DEFAULT_CACHE_CAPACITY = 10_000

    # notiflows_auth_numeric_date
    class NumericDate < FFI::Struct
      layout :present, :bool, :seconds, :int64, :nanos, :uint32

      # Seconds since the epoch (an Integer, or a Float when there is a fraction), or nil.
      def value
        return nil unless self[:present]

        self[:nanos].zero? ? self[:seconds] : self[:seconds] + self[:nanos] / 1e9
      end
    end

    # notiflows_auth_claims
    class Claims < FFI::Struct
      layout :exp, NumericDate, :nbf, NumericDate, :iat, NumericDate
    end

    # notiflows_auth_bytes
    class Bytes < FFI::Struct
      layout :ptr, :pointer, :len, :size_t
    end

    # notiflows_auth_header
    class Header < FFI::Struct
      layout :name, :pointer, :name_len, :size_t, :value, :pointer, :value_len, :size_t
    end

    # notiflows_auth_error_info
    class ErrorInfo < FFI::Struct
      layout :number, :uint32, :http_status, :uint16, :code, Bytes, :family, Bytes, :message, Bytes
    end

    # notiflows_auth_authenticated
    class Authenticated < FFI::Struct
      layout :mode, :uint32, :credential, :uint32, :expires_at, NumericDate
    end

    R = :uint32 # notiflows_auth_result
    BUF = %i[pointer size_t pointer].freeze # uint8_t *buf, size_t buf_len, size_t *out_len

    attach_function :version, :notiflows_auth_version, [], :string
    attach_function :error_code_string, :notiflows_auth_error_code_string, [:uint32], :string
    attach_function :error_http_status, :notiflows_auth_error_http_status, [:uint32], :uint16
    attach_function :error_count, :notiflows_auth_error_count, [], :size_t
    attach_function :error_at, :notiflows_auth_error_at, [:size_t, ErrorInfo.by_ref], :bool
    attach_function :error_message, :notiflows_auth_error_message, [:uint32, *BUF], R
    attach_function :last_error_message, :notiflows_auth_last_error_message, BUF, R
    attach_function :last_error_claim, :notiflows_auth_last_error_claim, BUF, R
    attach_function :last_error_response, :notiflows_auth_last_error_response, [:pointer, *BUF], R
    attach_function :public_key_parse, :notiflows_auth_public_key_parse, %i[pointer size_t pointer], R
    attach_function :public_key_to_pem, :notiflows_auth_public_key_to_pem, [:pointer, *BUF], R
    attach_function :public_key_bits, :notiflows_auth_public_key_bits, %i[pointer pointer], R
    attach_function :public_key_free, :notiflows_auth_public_key_free, [:pointer], :void
    attach_function :signing_key_parse, :notiflows_auth_signing_key_parse, %i[pointer size_t pointer], R
    attach_function :signing_key_public_key, :notiflows_auth_signing_key_public_key, %i[pointer pointer], R
    attach_function :sign_buffer_size, :notiflows_auth_sign_buffer_size, %i[size_t size_t], :size_t
    attach_function :signing_key_sign, :notiflows_auth_signing_key_sign,
                    [:pointer, :pointer, :size_t, :int64, :uint64, :pointer, :size_t, *BUF], R
    attach_function :signing_key_free, :notiflows_auth_signing_key_free, [:pointer], :void
    attach_function :key_pair_generate, :notiflows_auth_key_pair_generate, %i[uint32 pointer], R, blocking: true
    attach_function :key_pair_private_key_pem, :notiflows_auth_key_pair_private_key_pem, [:pointer, *BUF], R
    attach_function :key_pair_private_key_base64, :notiflows_auth_key_pair_private_key_base64, [:pointer, *BUF], R
    attach_function :key_pair_public_key_pem, :notiflows_auth_key_pair_public_key_pem, [:pointer, *BUF], R
    attach_function :key_pair_free, :notiflows_auth_key_pair_free, [:pointer], :void
    attach_function :policy_new, :notiflows_auth_policy_new, [:pointer], R
    attach_function :policy_set_leeway_seconds, :notiflows_auth_policy_set_leeway_seconds, %i[pointer uint64], R
    attach_function :policy_set_require_exp, :notiflows_auth_policy_set_require_exp, %i[pointer bool], R
    attach_function :policy_set_max_lifetime_seconds, :notiflows_auth_policy_set_max_lifetime_seconds,
                    %i[pointer uint64], R
    attach_function :policy_set_max_token_bytes, :notiflows_auth_policy_set_max_token_bytes, %i[pointer size_t], R
    attach_function :policy_set_iat_skew_seconds, :notiflows_auth_policy_set_iat_skew_seconds, %i[pointer uint64], R
    attach_function :policy_set_provider, :notiflows_auth_policy_set_provider, %i[pointer pointer size_t], R
    attach_function :policy_free, :notiflows_auth_policy_free, [:pointer], :void
    attach_function :verifier_provider, :notiflows_auth_verifier_provider, %i[pointer pointer], R
    attach_function :authenticator_provider, :notiflows_auth_authenticator_provider, %i[pointer pointer], R
    attach_function :verifier_new, :notiflows_auth_verifier_new, %i[pointer pointer size_t pointer], R
    attach_function :verifier_verify, :notiflows_auth_verifier_verify,
                    [:pointer, :pointer, :size_t, :int64, :pointer, :size_t, :pointer, Claims.by_ref], R
    attach_function :verifier_free, :notiflows_auth_verifier_free, [:pointer], :void
    attach_function :authenticator_new, :notiflows_auth_authenticator_new, %i[pointer size_t pointer], R
    attach_function :authenticator_add_project, :notiflows_auth_authenticator_add_project,
                    %i[pointer pointer size_t uint32 pointer pointer size_t], R
    attach_function :authenticator_remove_project, :notiflows_auth_authenticator_remove_project,
                    %i[pointer pointer size_t pointer], R
    attach_function :authenticator_set_signing_key, :notiflows_auth_authenticator_set_signing_key,
                    %i[pointer pointer size_t pointer], R
    attach_function :authenticator_rotate_signing_key, :notiflows_auth_authenticator_rotate_signing_key,
                    %i[pointer pointer size_t uint32 pointer], R, blocking: true
    attach_function :security_mode_parse, :notiflows_auth_security_mode_parse, %i[pointer size_t pointer], R
    attach_function :authenticator_set_security_mode, :notiflows_auth_authenticator_set_security_mode,
                    %i[pointer pointer size_t uint32], R
    attach_function :authenticator_set_allowed_origins, :notiflows_auth_authenticator_set_allowed_origins,
                    %i[pointer pointer size_t pointer size_t], R
    attach_function :authenticator_authenticate, :notiflows_auth_authenticator_authenticate,
                    [:pointer, :pointer, :size_t, :int64, :pointer, :size_t, :pointer, Authenticated.by_ref], R
    attach_function :authenticator_cors_response, :notiflows_auth_authenticator_cors_response,
                    %i[pointer pointer size_t pointer size_t pointer], R
    attach_function :authenticator_cors_preflight, :notiflows_auth_authenticator_cors_preflight,
                    %i[pointer pointer size_t pointer size_t pointer size_t pointer], R
    # The same two functions with every output as plain memory, for lib/notiflows_auth/calls.rb
    # (a String given for the token or a header array is passed as its bytes, not copied).
    attach_function :verifier_verify_into, :notiflows_auth_verifier_verify,
                    %i[pointer pointer size_t int64 pointer size_t pointer pointer], R
    attach_function :authenticator_authenticate_into, :notiflows_auth_authenticator_authenticate,
                    %i[pointer pointer size_t int64 pointer size_t pointer pointer], R
    # Key sets (issue 12).
    KID_MODE = { key: 0, omit: 1, custom: 2 }.freeze
    MAX_PROJECT_KEYS = 8
    attach_function :public_key_kid, :notiflows_auth_public_key_kid, [:pointer, *BUF], R
    attach_function :public_key_with_kid, :notiflows_auth_public_key_with_kid, %i[pointer pointer size_t pointer], R
    attach_function :public_key_to_jwk, :notiflows_auth_public_key_to_jwk, [:pointer, *BUF], R
    attach_function :jwk_set_write, :notiflows_auth_jwk_set_write, [:pointer, :size_t, *BUF], R
    attach_function :jwk_set_parse, :notiflows_auth_jwk_set_parse, %i[pointer size_t pointer size_t pointer], R
    attach_function :signing_key_kid, :notiflows_auth_signing_key_kid, [:pointer, *BUF], R
    attach_function :signing_key_sign_with_kid, :notiflows_auth_signing_key_sign_with_kid,
                    [:pointer, :pointer, :size_t, :int64, :uint64, :uint32, :pointer, :size_t, *BUF], R
    attach_function :authenticator_set_signing_key_with_overlap,
                    :notiflows_auth_authenticator_set_signing_key_with_overlap,
                    %i[pointer pointer size_t pointer int64 uint64], R
    attach_function :authenticator_rotate_signing_key_with_overlap,
                    :notiflows_auth_authenticator_rotate_signing_key_with_overlap,
                    %i[pointer pointer size_t uint32 int64 uint64 pointer], R, blocking: true
    attach_function :authenticator_remove_signing_key, :notiflows_auth_authenticator_remove_signing_key,
                    %i[pointer pointer size_t pointer size_t pointer], R
    attach_function :authenticator_revoke_tokens_issued_before,
                    :notiflows_auth_authenticator_revoke_tokens_issued_before, %i[pointer pointer size_t int64], R
    attach_function :authenticator_revoke_user_tokens_issued_before,
                    :notiflows_auth_authenticator_revoke_user_tokens_issued_before,
                    %i[pointer pointer size_t pointer size_t int64], R
    attach_function :authenticator_prune_revocations, :notiflows_auth_authenticator_prune_revocations,
                    %i[pointer pointer size_t int64 pointer], R
    attach_function :authenticator_jwks, :notiflows_auth_authenticator_jwks, [:pointer, :pointer, :size_t, *BUF], R
    attach_function :authenticator_jwks_at, :notiflows_auth_authenticator_jwks_at,
                    [:pointer, :pointer, :size_t, :int64, *BUF], R
    attach_function :authenticator_project_json, :notiflows_auth_authenticator_project_json,
                    [:pointer, :pointer, :size_t, *BUF], R
    attach_function :authenticator_add_project_json, :notiflows_auth_authenticator_add_project_json,
                    %i[pointer pointer size_t], R
    attach_function :authenticator_free, :notiflows_auth_authenticator_free, [:pointer], :void

    module_function

    # Reads a last-error text function (message or claim) without touching the last error.
    def last_error_text(function)
      buf = FFI::MemoryPointer.new(:uint8, 1024)
      len = FFI::MemoryPointer.new(:size_t)
      result = send(function, buf, buf.size, len)
      if result == BUFFER_TOO_SMALL
        buf = FFI::MemoryPointer.new(:uint8, len.read(:size_t))
        result = send(function, buf, buf.size, len)
      end
      result == OK ? buf.read_bytes(len.read(:size_t)).force_encoding(Encoding::UTF_8) : ""
    end

    # The error for a failed call's result: code, status, the last error's message and claim.
    def error_from(result)
      code = error_code_string(result) || "unknown_#{result}"
      status = error_http_status(result)
      message = last_error_text(:last_error_message)
      claim = last_error_text(:last_error_claim)
      NotiflowsAuth.error_for(code, status.zero? ? 500 : status, message.empty? ? code : message,
                              claim.empty? ? nil : claim)
    end

    # Raises the error for `result` unless it is OK.
    def check(result)
      raise error_from(result) unless result == OK
    end

    # Calls a buffer-protocol function: yields (buf, len, out_len) with `size` bytes, once more
    # with the size it asks for if that is too small; returns the bytes written (binary).
    def read_buffer(size = 4096)
      len = FFI::MemoryPointer.new(:size_t)
      buf = FFI::MemoryPointer.new(:uint8, size)
      result = yield buf, buf.size, len
      if result == BUFFER_TOO_SMALL
        buf = FFI::MemoryPointer.new(:uint8, len.read(:size_t))
        result = yield buf, buf.size, len
      end
      check(result)
      buf.read_bytes(len.read(:size_t))
    end

    # A string's bytes in native memory, for (pointer, length) arguments: [pointer, length].
    def bytes(value, what)
      raise TypeError, "#{what} must be a String" unless value.is_a?(String)

      data = value.b
      pointer = FFI::MemoryPointer.new(:uint8, [data.bytesize, 1].max)
      pointer.put_bytes(0, data)
      [pointer, data.bytesize]
    end

    # Reads the pointer an output slot received.
    def out_pointer
      slot = FFI::MemoryPointer.new(:pointer)
      yield slot
      slot.read_pointer
    end
  end

  # Which C library this process loaded: { path:, source: } with source :bundled (in the
  # gem), :env ($NOTIFLOWS_AUTH_LIB) or :development (a checkout's target/).
  def self.native_library
    { path: Native::LIBRARY_PATH, source: Native::LIBRARY_SOURCE }
  end
end
