# frozen_string_literal: true

require_relative "notiflows_auth/version"
require_relative "notiflows_auth/errors"
require_relative "notiflows_auth/native"
require_relative "notiflows_auth/calls"
require "json"

# notiflows_auth for Ruby: sign user tokens (RS256) for the Notiflows User API, generate
# signing keys, verify tokens and authenticate requests, over the notiflows-auth C library.
#
# Handles (SigningKey, PublicKey, Verifier, Authenticator) hold native memory in
# FFI::AutoPointer: the garbage collector releases it, or #close does at once.
module NotiflowsAuth
  # A new key pair: the private key as PEM and as one base64 line (for
  # NOTIFLOWS_SIGNING_KEY), and the public key as PEM. Show the private forms once.
  GeneratedKeyPair = Struct.new(:private_key_pem, :private_key_base64, :public_key_pem, keyword_init: true) do
    def inspect
      "#<struct NotiflowsAuth::GeneratedKeyPair private_key_pem=[REDACTED], private_key_base64=[REDACTED], " \
        "public_key_pem=#{public_key_pem.inspect}>"
    end
    alias_method :to_s, :inspect
  end

  # The claims of a verified user token: sub, and iat, exp, nbf (seconds, or nil when absent).
  Claims = Struct.new(:sub, :iat, :exp, :nbf, keyword_init: true)

  # A request that passed authentication.
  AuthenticatedUser = Struct.new(:user_id, :mode, :credential, :expires_at, keyword_init: true)

  MODES = { secure: 0, development: 1 }.freeze
  LAST_KEY_LOCK = Mutex.new
  CREDENTIALS = %i[user_key user_id].freeze
  private_constant :MODES, :CREDENTIALS, :LAST_KEY_LOCK

  # Shared plumbing of the native handles.
  class Handle
    # Releases the native memory now; the object is unusable afterwards. Safe to call twice.
    def close
      @pointer&.free
      @pointer = nil
    end

    def closed?
      @pointer.nil?
    end

    private

    def adopt(pointer, free)
      @pointer = FFI::AutoPointer.new(pointer, Native.method(free))
    end

    def handle
      unless @pointer
        status = Native.error_http_status(NotiflowsAuth::ERROR_CODES.fetch("null_argument"))
        raise NotiflowsAuth.error_for("null_argument", status, "this #{self.class.name} was closed")
      end

      @pointer
    end
  end
  private_constant :Handle

  module_function

  # Unix seconds for a `now:` argument: an Integer, a Time, or nil for the current time.
  def unix_seconds(now)
    case now
    # The clock read here: a small Integer passes to the C call far faster than the
    # library's sentinel for "now" (-2**63, a Bignum in Ruby).
    when nil then Process.clock_gettime(Process::CLOCK_REALTIME, :second)
    when Time then now.to_i
    when Integer then now
    when Numeric then now.floor
    else raise TypeError, "now must be Unix seconds, a Time, or nil for the current time"
    end
  end

  # The three texts of a generated key pair; frees the native pair.
  def key_pair_texts(pointer)
    texts = %i[key_pair_private_key_pem key_pair_private_key_base64 key_pair_public_key_pem].map do |function|
      Native.read_buffer(8192) { |buf, len, out| Native.send(function, pointer, buf, len, out) }.force_encoding(Encoding::UTF_8)
    end
    GeneratedKeyPair.new(private_key_pem: texts[0], private_key_base64: texts[1], public_key_pem: texts[2])
  ensure
    Native.key_pair_free(pointer)
  end

  # A native policy from keyword options; the caller frees it.
  def policy_from(leeway: nil, require_exp: nil, max_token_bytes: nil, max_lifetime: nil, iat_skew: nil,
                  provider: nil)
    policy = Native.out_pointer { |slot| Native.check(Native.policy_new(slot)) }
    begin
      Native.check(Native.policy_set_leeway_seconds(policy, leeway)) unless leeway.nil?
      Native.check(Native.policy_set_require_exp(policy, require_exp ? true : false)) unless require_exp.nil?
      Native.check(Native.policy_set_max_token_bytes(policy, max_token_bytes)) unless max_token_bytes.nil?
      Native.check(Native.policy_set_max_lifetime_seconds(policy, max_lifetime)) unless max_lifetime.nil?
      Native.check(Native.policy_set_iat_skew_seconds(policy, iat_skew)) unless iat_skew.nil?
      unless provider.nil?
        # The core reads the name: "ring" or "aws-lc-rs", anything else is config_invalid.
        name, name_len = Native.bytes(provider.to_s, "provider")
        Native.check(Native.policy_set_provider(policy, name, name_len))
      end
      policy
    rescue StandardError
      Native.policy_free(policy)
      raise
    end
  end

  # [PublicKey, owned?] from a PublicKey or its text.
  def public_key_from(key)
    key.is_a?(PublicKey) ? [key, false] : [PublicKey.new(key), true]
  end

  # The signing key for sign_user_token: a SigningKey as given, or loaded from its text (the
  # last one loaded is kept for reuse).
  def signing_key_from(signing_key)
    return signing_key if signing_key.is_a?(SigningKey)
    if signing_key.nil? || signing_key.empty?
      raise SigningKeyError.new("signing_key_not_configured", Native.error_http_status(16),
                                "no signing key: pass signing_key: or set NOTIFLOWS_SIGNING_KEY")
    end

    LAST_KEY_LOCK.synchronize do
      @last_key = [signing_key.dup.freeze, SigningKey.new(signing_key)] unless @last_key && @last_key[0] == signing_key
      @last_key[1]
    end
  end

  # Signs a user token for `user_id` with the project's private signing key (either format,
  # default ENV["NOTIFLOWS_SIGNING_KEY"]); `expires_in:` nil signs a token without exp.
  def sign_user_token(user_id, signing_key: ENV["NOTIFLOWS_SIGNING_KEY"], expires_in: 3600, now: nil, kid: :key)
    signing_key_from(signing_key).sign(user_id, expires_in: expires_in, now: now, kid: kid)
  end

  # Generates an RSA signing key pair (2048, 3072 or 4096 bits).
  def generate_signing_key(bits: 2048)
    key_pair_texts(Native.out_pointer { |slot| Native.check(Native.key_pair_generate(bits, slot)) })
  end

  # The library's version.
  # A Rack env's request headers (HTTP_*) as [name, value] pairs, as they came: what
  # Authenticator#authenticate and #cors_headers read (Origin among them).
  def rack_headers(env)
    env.filter_map do |key, value|
      next unless key.is_a?(String) && key.start_with?("HTTP_") && value.is_a?(String)

      [key.delete_prefix("HTTP_").tr("_", "-").downcase, value]
    end
  end

  def library_version
    Native.version
  end

  # An RFC 7517 JWK Set (JSON text) of `keys` (PublicKeys or their text), in the order given.
  def jwk_set(keys)
    raise TypeError, "keys must be an Array of public keys" unless keys.is_a?(Array)

    pairs = keys.map { |key| public_key_from(key) }
    array = FFI::MemoryPointer.new(:pointer, [pairs.size, 1].max)
    array.write_array_of_pointer(pairs.map { |key, _| key.send(:handle) }) unless pairs.empty?
    Native.read_buffer(16_384) { |buf, len, out| Native.jwk_set_write(array, pairs.size, buf, len, out) }
          .force_encoding(Encoding::UTF_8)
  ensure
    pairs&.each { |key, owned| key.close if owned }
  end

  # The public keys of a JWK Set (JSON text; at most 8 RSA keys, read strictly by the library).
  def parse_jwk_set(text)
    input, len = Native.bytes(text, "jwk_set")
    out = FFI::MemoryPointer.new(:pointer, Native::MAX_PROJECT_KEYS)
    count = FFI::MemoryPointer.new(:size_t)
    Native.check(Native.jwk_set_parse(input, len, out, Native::MAX_PROJECT_KEYS, count))
    out.read_array_of_pointer(count.read(:size_t)).map { |pointer| PublicKey.new(nil, pointer: pointer) }
  end

  # addProject's members that only the core's project document carries.
  PROJECT_DOCUMENT_MEMBERS = %i[retiring_keys revoked_before user_revocations require_exp max_lifetime leeway
                                iat_skew].freeze
  private_constant :PROJECT_DOCUMENT_MEMBERS

  # A key's [PEM, kid] for the project document.
  def document_key(key)
    key, owned = public_key_from(key)
    [key.to_pem, key.kid]
  ensure
    key.close if owned
  end

  # add_project's arguments as the core's project document (the project file's format):
  # names and types converted, every value checked by the library when it reads it.
  def project_document(api_key, security_mode, signing_public_key, allowed_origins, members)
    doc = { "api_key" => api_key, "security_mode" => security_mode.to_s, "allowed_origins" => allowed_origins,
            "signing_public_key" => nil }
    unless signing_public_key.nil?
      doc["signing_public_key"], doc["signing_key_kid"] = document_key(signing_public_key)
    end
    members.each do |name, value|
      doc[name.to_s] = case name
                       when :retiring_keys
                         value.map do |entry|
                           pem, kid = document_key(entry.fetch(:key))
                           { "key" => pem, "until" => entry.fetch(:until), "kid" => kid }
                         end
                       when :user_revocations
                         value.map { |e| { "user_id" => e.fetch(:user_id), "revoked_before" => e.fetch(:revoked_before) } }
                       else value
                       end
    end
    JSON.generate(doc)
  end

  private_class_method :unix_seconds, :key_pair_texts, :policy_from, :public_key_from, :signing_key_from,
                       :document_key, :project_document

  # An RSA public key (2048 to 8192 bits) that verifies user tokens.
  class PublicKey < Handle
    # `key`: SPKI PEM, PKCS#1 PEM, DER, or a base64-encoded PEM line (the format is detected).
    def initialize(key, pointer: nil)
      super()
      pointer ||= Native.out_pointer do |slot|
        input, len = Native.bytes(key, "key")
        Native.check(Native.public_key_parse(input, len, slot))
      end
      adopt(pointer, :public_key_free)
    end

    # The key as SPKI PEM.
    def to_pem
      Native.read_buffer { |buf, len, out| Native.public_key_to_pem(handle, buf, len, out) }.force_encoding(Encoding::UTF_8)
    end

    # The modulus length in bits.
    def bits
      out = FFI::MemoryPointer.new(:size_t)
      Native.check(Native.public_key_bits(handle, out))
      out.read(:size_t)
    end

    # The key's id: its RFC 7638 thumbprint unless set with #with_kid.
    def kid
      Native.read_buffer(256) { |buf, len, out| Native.public_key_kid(handle, buf, len, out) }
            .force_encoding(Encoding::US_ASCII)
    end

    # The same key with another kid (1 to 128 visible ASCII characters), as a new PublicKey.
    def with_kid(kid)
      name, name_len = Native.bytes(kid, "kid")
      pointer = Native.out_pointer { |slot| Native.check(Native.public_key_with_kid(handle, name, name_len, slot)) }
      PublicKey.new(nil, pointer: pointer)
    end

    # The key as an RFC 7517 JWK (JSON text: kty, use, alg, kid, n, e).
    def to_jwk
      Native.read_buffer { |buf, len, out| Native.public_key_to_jwk(handle, buf, len, out) }.force_encoding(Encoding::UTF_8)
    end
  end

  # An RSA private key that signs user tokens; load it once and reuse it.
  class SigningKey < Handle
    # `key`: PKCS#8 or PKCS#1 PEM, DER, or the one-line base64 of a PEM (the format is detected).
    def initialize(key)
      super()
      pointer = Native.out_pointer do |slot|
        input, len = Native.bytes(key, "signing_key")
        Native.check(Native.signing_key_parse(input, len, slot))
      end
      adopt(pointer, :signing_key_free)
    end

    # Signs a user token for `user_id`: sub, iat and (unless expires_in is nil) exp. The
    # header's kid: the key's own (kid: :key, the default), none (kid: nil), or the String given.
    def sign(user_id, expires_in: 3600, now: nil, kid: :key)
      sub, sub_len = Native.bytes(user_id, "user_id")
      mode = if kid == :key then Native::KID_MODE[:key]
             elsif kid.nil? then Native::KID_MODE[:omit]
             else Native::KID_MODE[:custom]
             end
      kid_ptr, kid_len = mode == Native::KID_MODE[:custom] ? Native.bytes(kid, "kid") : [nil, 0]
      lifetime = expires_in.nil? ? Native::NO_EXPIRY : expires_in
      raise TypeError, "expires_in must be a non-negative Integer or nil" unless lifetime.is_a?(Integer) && lifetime >= 0

      at = NotiflowsAuth.send(:unix_seconds, now)
      size = Native.sign_buffer_size(sub_len, kid_len)
      Native.read_buffer(size) do |buf, len, out|
        Native.signing_key_sign_with_kid(handle, sub, sub_len, at, lifetime, mode, kid_ptr, kid_len, buf, len, out)
      end.force_encoding(Encoding::US_ASCII)
    end

    # The kid signed tokens carry by default: the RFC 7638 thumbprint of the public key.
    def kid
      Native.read_buffer(256) { |buf, len, out| Native.signing_key_kid(handle, buf, len, out) }
            .force_encoding(Encoding::US_ASCII)
    end

    # The matching public key (a new handle).
    def public_key
      pointer = Native.out_pointer { |slot| Native.check(Native.signing_key_public_key(handle, slot)) }
      PublicKey.new(nil, pointer: pointer)
    end

    # The matching public key as SPKI PEM.
    def public_key_pem
      key = public_key
      key.to_pem
    ensure
      key&.close
    end
  end

  # Verifies user tokens against one public key. Safe to share between threads.
  class Verifier < Handle
    # `public_key`: a PublicKey or its text. Options: leeway: seconds for exp/nbf (0),
    # require_exp: (false), max_token_bytes: (8192, at most 16384), max_lifetime: seconds
    # (none), iat_skew: seconds (60), cache_size: tokens remembered as verified (0: none),
    # provider: the library that verifies, "ring" (default) or "aws-lc-rs" (same results).
    def initialize(public_key, leeway: 0, require_exp: false, max_token_bytes: nil, cache_size: 0, max_lifetime: nil,
                   iat_skew: nil, provider: nil)
      super()
      key, owned = NotiflowsAuth.send(:public_key_from, public_key)
      policy = NotiflowsAuth.send(:policy_from, leeway: leeway, require_exp: require_exp,
                                                max_token_bytes: max_token_bytes, max_lifetime: max_lifetime,
                                                iat_skew: iat_skew, provider: provider)
      pointer = Native.out_pointer do |slot|
        Native.check(Native.verifier_new(key.send(:handle), policy, cache_size, slot))
      end
      adopt(pointer, :verifier_free)
      @call = Calls::Verify.new
    ensure
      Native.policy_free(policy) if policy
      key.close if owned
    end

    # The library that verifies signatures: "ring" or "aws-lc-rs".
    def provider
      Native.out_pointer { |slot| Native.check(Native.verifier_provider(handle, slot)) }.read_string
    end

    # Verifies a user token at `now:` (default: the current time) and returns its Claims;
    # raises a TokenError (with #code, #status, #claim) when refused.
    def verify(token, now: nil)
      raise TypeError, "token must be a String" unless token.is_a?(String)

      @call.call(handle, token, NotiflowsAuth.send(:unix_seconds, now))
    end
  end

  # Projects by API key: authenticates User API requests. Safe to share between threads;
  # configuration changes are atomic.
  class Authenticator < Handle
    # Options as for Verifier; cache_size defaults to 10_000 tokens across all projects.
    def initialize(leeway: 0, require_exp: false, max_token_bytes: nil, cache_size: Native::DEFAULT_CACHE_CAPACITY,
                   max_lifetime: nil, iat_skew: nil, provider: nil)
      super()
      policy = NotiflowsAuth.send(:policy_from, leeway: leeway, require_exp: require_exp,
                                                max_token_bytes: max_token_bytes, max_lifetime: max_lifetime,
                                                iat_skew: iat_skew, provider: provider)
      pointer = Native.out_pointer { |slot| Native.check(Native.authenticator_new(policy, cache_size, slot)) }
      adopt(pointer, :authenticator_free)
      @call = Calls::Authenticate.new(MODES.invert.freeze, CREDENTIALS)
    ensure
      Native.policy_free(policy) if policy
    end

    # The library that verifies signatures: "ring" or "aws-lc-rs".
    def provider
      Native.out_pointer { |slot| Native.check(Native.authenticator_provider(handle, slot)) }.read_string
    end

    # Adds a project, or replaces the one with the same API key. Also: retiring_keys:
    # [{ key:, until: }] (keys verifying while now < until), revoked_before: (Unix seconds),
    # user_revocations: [{ user_id:, revoked_before: }], and require_exp:, max_lifetime:,
    # leeway:, iat_skew:, which override the authenticator's rules for this project.
    def add_project(api_key:, security_mode: :secure, signing_public_key: nil, allowed_origins: [], **members)
      unknown = members.keys - PROJECT_DOCUMENT_MEMBERS
      raise ArgumentError, "unknown keyword: #{unknown.map(&:inspect).join(", ")}" unless unknown.empty?

      unless members.empty?
        # Key sets, revocations and lifetime rules travel as the core's project document.
        return add_project_json(NotiflowsAuth.send(:project_document, api_key, security_mode, signing_public_key,
                                                   allowed_origins, members))
      end

      api, api_len = Native.bytes(api_key, "api_key")
      origins, count, keep = origin_array(allowed_origins)
      key, owned = signing_public_key.nil? ? [nil, false] : NotiflowsAuth.send(:public_key_from, signing_public_key)
      Native.check(Native.authenticator_add_project(handle, api, api_len, mode_number(security_mode),
                                                    key&.send(:handle), origins, count))
      keep.size # the origin strings stay alive until here
    ensure
      key.close if owned
    end

    # Removes a project; returns whether it existed.
    def remove_project(api_key)
      api, api_len = Native.bytes(api_key, "api_key")
      out = FFI::MemoryPointer.new(:uint8)
      Native.check(Native.authenticator_remove_project(handle, api, api_len, out))
      out.read_uint8 != 0
    end

    # Sets (or with nil removes) a project's signing public key; old tokens fail at once.
    def set_signing_key(api_key, public_key)
      api, api_len = Native.bytes(api_key, "api_key")
      key, owned = public_key.nil? ? [nil, false] : NotiflowsAuth.send(:public_key_from, public_key)
      Native.check(Native.authenticator_set_signing_key(handle, api, api_len, key&.send(:handle)))
    ensure
      key.close if owned
    end

    # Generates a new key pair for a project and makes its public key the signing key; returns
    # the GeneratedKeyPair (give the private key to the backend, once).
    def rotate_signing_key(api_key, bits: 2048)
      api, api_len = Native.bytes(api_key, "api_key")
      pointer = Native.out_pointer do |slot|
        Native.check(Native.authenticator_rotate_signing_key(handle, api, api_len, bits, slot))
      end
      NotiflowsAuth.send(:key_pair_texts, pointer)
    end

    # Makes `public_key` the active key; the previous one keeps verifying until now + overlap
    # (seconds, 1 to 604800) instead of being removed at once.
    def set_signing_key_with_overlap(api_key, public_key, overlap:, now: nil)
      api, api_len = Native.bytes(api_key, "api_key")
      key, owned = NotiflowsAuth.send(:public_key_from, public_key)
      Native.check(Native.authenticator_set_signing_key_with_overlap(handle, api, api_len, key.send(:handle),
                                                                     NotiflowsAuth.send(:unix_seconds, now), overlap))
    ensure
      key.close if owned
    end

    # #rotate_signing_key, keeping the previous key verifying until now + overlap.
    def rotate_signing_key_with_overlap(api_key, overlap:, bits: 2048, now: nil)
      api, api_len = Native.bytes(api_key, "api_key")
      at = NotiflowsAuth.send(:unix_seconds, now)
      pointer = Native.out_pointer do |slot|
        Native.check(Native.authenticator_rotate_signing_key_with_overlap(handle, api, api_len, bits, at, overlap, slot))
      end
      NotiflowsAuth.send(:key_pair_texts, pointer)
    end

    # Removes a project's key (active or retiring) by kid; returns whether it was there.
    def remove_signing_key(api_key, kid)
      api, api_len = Native.bytes(api_key, "api_key")
      name, name_len = Native.bytes(kid, "kid")
      out = FFI::MemoryPointer.new(:uint8)
      Native.check(Native.authenticator_remove_signing_key(handle, api, api_len, name, name_len, out))
      out.read_uint8 != 0
    end

    # Refuses the project's tokens issued before `before` (Unix seconds or a Time).
    def revoke_tokens_issued_before(api_key, before)
      api, api_len = Native.bytes(api_key, "api_key")
      Native.check(Native.authenticator_revoke_tokens_issued_before(handle, api, api_len,
                                                                    NotiflowsAuth.send(:unix_seconds, before)))
    end

    # Refuses one user's tokens issued before `before` (the user logged out everywhere).
    def revoke_user_tokens_issued_before(api_key, user_id, before)
      api, api_len = Native.bytes(api_key, "api_key")
      user, user_len = Native.bytes(user_id, "user_id")
      Native.check(Native.authenticator_revoke_user_tokens_issued_before(handle, api, api_len, user, user_len,
                                                                         NotiflowsAuth.send(:unix_seconds, before)))
    end

    # Drops the revocations that can no longer matter at `now`; returns how many.
    def prune_revocations(api_key, now: nil)
      api, api_len = Native.bytes(api_key, "api_key")
      out = FFI::MemoryPointer.new(:size_t)
      Native.check(Native.authenticator_prune_revocations(handle, api, api_len, NotiflowsAuth.send(:unix_seconds, now),
                                                          out))
      out.read(:size_t)
    end

    # The project's public keys as an RFC 7517 JWK Set (JSON text), the active key first.
    def jwks(api_key)
      api, api_len = Native.bytes(api_key, "api_key")
      Native.read_buffer(16_384) { |buf, len, out| Native.authenticator_jwks(handle, api, api_len, buf, len, out) }
            .force_encoding(Encoding::UTF_8)
    end

    # The JWK Set of the keys that verify at `now:` (the active key, and retiring keys before
    # their deadline): what to serve a gateway, so that it refuses what this refuses.
    def jwks_at(api_key, now: nil)
      api, api_len = Native.bytes(api_key, "api_key")
      at = NotiflowsAuth.send(:unix_seconds, now)
      Native.read_buffer(16_384) { |buf, len, out| Native.authenticator_jwks_at(handle, api, api_len, at, buf, len, out) }
            .force_encoding(Encoding::UTF_8)
    end

    # What is in force for a project, as the core's project document (JSON text, keys as PEM).
    def project_json(api_key)
      api, api_len = Native.bytes(api_key, "api_key")
      Native.read_buffer(16_384) do |buf, len, out|
        Native.authenticator_project_json(handle, api, api_len, buf, len, out)
      end.force_encoding(Encoding::UTF_8)
    end

    # Adds (or replaces) a project from its project document (#project_json's format, strict).
    def add_project_json(text)
      input, len = Native.bytes(text, "project")
      Native.check(Native.authenticator_add_project_json(handle, input, len))
    end

    # Switches a project's mode: :secure or :development.
    def set_security_mode(api_key, security_mode)
      api, api_len = Native.bytes(api_key, "api_key")
      Native.check(Native.authenticator_set_security_mode(handle, api, api_len, mode_number(security_mode)))
    end

    # Replaces a project's allowed origins (an empty list allows every origin).
    def set_allowed_origins(api_key, allowed_origins)
      api, api_len = Native.bytes(api_key, "api_key")
      origins, count, keep = origin_array(allowed_origins)
      Native.check(Native.authenticator_set_allowed_origins(handle, api, api_len, origins, count))
      keep.size
    end

    # Authenticates a request from its headers (a Hash of name => value or [values], or an
    # Array of [name, value] pairs), passed as they came, Origin among them (the library reads
    # it by the rule of the Notiflows headers: sent twice, it is refused), and `now:`.
    # Returns an AuthenticatedUser; raises a NotiflowsAuth::Error when refused.
    def authenticate(headers, now: nil)
      at = NotiflowsAuth.send(:unix_seconds, now)
      user = @call.call(handle, headers, at)
      user == :too_large ? authenticate_copying(headers, at) : user
    end

    # Authenticates a Rack request from its env (HTTP_X_NOTIFLOWS_* and HTTP_ORIGIN).
    def authenticate_rack(env, now: nil)
      authenticate(NotiflowsAuth.rack_headers(env), now: now)
    end

    # The CORS headers for a response to a request, as a Hash of name => value, read from
    # the request's headers (Origin, x-notiflows-api-key): Vary: Origin always; for an allowed
    # origin, Access-Control-Allow-Origin and, on a preflight, the allowed headers, methods
    # and max age (answer a preflight with 204). `api_key:` is for a preflight (which carries
    # no Notiflows headers), when the server knows the project otherwise.
    def cors_headers(headers, preflight: false, api_key: nil)
      native, count, keep = native_headers(headers)
      out = FFI::MemoryPointer.new(Native::Header, Native::MAX_CORS_HEADERS)
      out_count = FFI::MemoryPointer.new(:size_t)
      if preflight
        api, api_len = api_key.nil? ? [nil, 0] : Native.bytes(api_key, "api_key")
        Native.check(Native.authenticator_cors_preflight(handle, native, count, api, api_len, out,
                                                         Native::MAX_CORS_HEADERS, out_count))
      else
        Native.check(Native.authenticator_cors_response(handle, native, count, out, Native::MAX_CORS_HEADERS,
                                                        out_count))
      end
      # The values point into static memory or into `keep` (the Origin bytes): read them now.
      cors = Array.new(out_count.read(:size_t)) do |i|
        header = Native::Header.new(out + i * Native::Header.size)
        [header[:name].read_bytes(header[:name_len]), header[:value].read_bytes(header[:value_len])]
      end
      keep.size
      cors.to_h { |name, value| [name.force_encoding(Encoding::UTF_8), value.force_encoding(Encoding::UTF_8)] }
    end

    private

    # A security mode (:secure, :development or their names) as the library's number; the
    # library refuses any other name.
    def mode_number(mode)
      raise TypeError, "security_mode must be :secure or :development" unless mode.is_a?(String) || mode.is_a?(Symbol)

      name, len = Native.bytes(mode.to_s, "security_mode")
      out = FFI::MemoryPointer.new(:uint32)
      Native.check(Native.security_mode_parse(name, len, out))
      out.read(:uint32)
    end

    # [pointer, count, strings kept alive] for an array of origins.
    def origin_array(origins)
      raise TypeError, "allowed_origins must be an Array of Strings" unless origins.is_a?(Array)

      array = FFI::MemoryPointer.new(Native::Bytes, [origins.size, 1].max)
      keep = origins.each_with_index.map do |origin, i|
        ptr, len = Native.bytes(origin, "an allowed origin")
        item = Native::Bytes.new(array + i * Native::Bytes.size)
        item[:ptr] = ptr
        item[:len] = len
        ptr
      end
      [origins.empty? ? nil : array, origins.size, keep]
    end

    # authenticate for headers too many or too long for the memory held (Calls::Authenticate).
    def authenticate_copying(headers, now)
      native, count, keep = native_headers(headers)
      user = FFI::MemoryPointer.new(:uint8, Native::MAX_SUBJECT_BYTES)
      user_len = FFI::MemoryPointer.new(:size_t)
      out = Native::Authenticated.new
      Native.check(Native.authenticator_authenticate(handle, native, count, now, user, user.size, user_len, out))
      keep.size
      AuthenticatedUser.new(user_id: user.read_bytes(user_len.read(:size_t)).force_encoding(Encoding::UTF_8),
                            mode: MODES.key(out[:mode]), credential: CREDENTIALS[out[:credential]],
                            expires_at: out[:expires_at].value)
    end

    # [pointer, count, memory kept alive] for the C array of a request's headers.
    def native_headers(headers)
      pairs = header_pairs(headers)
      native = FFI::MemoryPointer.new(Native::Header, [pairs.size, 1].max)
      keep = pairs.each_with_index.map do |(name, value), i|
        header = Native::Header.new(native + i * Native::Header.size)
        name_ptr, name_len = Native.bytes(name, "a header name")
        value_ptr, value_len = Native.bytes(value, "a header value")
        header[:name] = name_ptr
        header[:name_len] = name_len
        header[:value] = value_ptr
        header[:value_len] = value_len
        [name_ptr, value_ptr]
      end
      [native, pairs.size, keep]
    end

    def header_pairs(headers)
      headers.flat_map do |name, value|
        next [] if value.nil?

        Array(value).map { |v| [name.to_s, v.to_s] }
      end
    end
  end
end
