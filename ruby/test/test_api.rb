# frozen_string_literal: true

# Every method of the gem, with its error paths.

require_relative "test_helper"
require "base64"
require "openssl"

class TestApi < Minitest::Test
  include TestHelper

  def signing_key
    @signing_key ||= NotiflowsAuth::SigningKey.new(corpus_private)
  end

  def test_error_codes_are_the_library_set
    library = (0...1000).each_with_object({}) do |n, codes|
      code = NotiflowsAuth::Native.error_code_string(n)
      codes[code] = n if code
    end
    assert_equal library, NotiflowsAuth::ERROR_CODES
    assert_predicate NotiflowsAuth::ERROR_CODES, :frozen?
    families = NotiflowsAuth::ERROR_FAMILIES.flat_map(&:codes)
    assert_equal NotiflowsAuth::ERROR_CODES.keys.sort, families.sort
    assert_equal NotiflowsAuth::TokenError, NotiflowsAuth.error_for("token_expired", 401, "m").class
    assert_equal NotiflowsAuth::Error, NotiflowsAuth.error_for("something_new", 500, "m").class
    error = NotiflowsAuth::RequestAuthError.new("origin_not_allowed", 403, "no", nil)
    assert_equal({ "code" => "origin_not_allowed", "message" => "no" }, error.to_h)
    assert_equal "0.1.0", NotiflowsAuth.library_version
    assert_equal NotiflowsAuth::VERSION, NotiflowsAuth.library_version
    assert File.exist?(NotiflowsAuth::Native::LIBRARY_PATH)
  end

  def test_generate_signing_key
    pair = NotiflowsAuth.generate_signing_key
    assert_match(/\A-----BEGIN PRIVATE KEY-----\n/, pair.private_key_pem)
    assert_match(%r{\ALS0tLS1CRUdJTi[A-Za-z0-9+/=]+\z}, pair.private_key_base64)
    assert_equal pair.private_key_pem, Base64.strict_decode64(pair.private_key_base64)
    assert_match(/\A-----BEGIN PUBLIC KEY-----\n/, pair.public_key_pem)
    refute_includes pair.inspect, pair.private_key_base64
    assert_equal 2048, NotiflowsAuth::PublicKey.new(pair.public_key_pem).bits
    assert_equal 3072, NotiflowsAuth::PublicKey.new(NotiflowsAuth.generate_signing_key(bits: 3072).public_key_pem).bits
    assert_code(NotiflowsAuth::SigningKeyError, "key_unsupported") { NotiflowsAuth.generate_signing_key(bits: 1024) }
  end

  def test_public_key
    key = NotiflowsAuth::PublicKey.new(corpus_public)
    assert_equal 2048, key.bits
    assert_equal corpus_public, key.to_pem
    assert_equal Encoding::UTF_8, key.to_pem.encoding
    [corpus("rsa_public_pkcs1.pem"), corpus("rsa_public_spki.der"), Base64.strict_encode64(corpus_public)].each do |form|
      assert_equal key.to_pem, NotiflowsAuth::PublicKey.new(form).to_pem
    end
    assert_code(NotiflowsAuth::SigningKeyError, "key_invalid") { NotiflowsAuth::PublicKey.new("nope") }
    error = assert_code(NotiflowsAuth::SigningKeyError, "key_invalid") { NotiflowsAuth::PublicKey.new(corpus_private) }
    assert_includes error.message, "found a private key"
    assert_raises(TypeError) { NotiflowsAuth::PublicKey.new(42) }
    key.close
    assert_predicate key, :closed?
    assert_code(NotiflowsAuth::BindingError, "null_argument") { key.to_pem }
    key.close
  end

  def test_signing_key
    assert_equal corpus_public, signing_key.public_key_pem
    public_key = signing_key.public_key
    assert_instance_of NotiflowsAuth::PublicKey, public_key
    assert_equal 2048, public_key.bits
    token = signing_key.sign("alice", now: NOW, kid: "k1")
    header, payload = token.split(".").first(2).map { |s| Base64.urlsafe_decode64(s + "=" * (-s.size % 4)) }
    assert_equal '{"alg":"RS256","typ":"JWT","kid":"k1"}', header
    assert_equal %({"sub":"alice","iat":#{NOW},"exp":#{NOW + 3600}}), payload
    assert_equal token, signing_key.sign("alice", now: Time.at(NOW + 0.9), kid: "k1")
    no_exp = signing_key.sign("bob", now: NOW, expires_in: nil)
    assert_equal %({"sub":"bob","iat":#{NOW}}), Base64.urlsafe_decode64(no_exp.split(".")[1])
    assert_code(NotiflowsAuth::TokenError, "claim_invalid", "sub") { signing_key.sign("") }
    assert_code(NotiflowsAuth::TokenError, "claim_invalid", "sub") { signing_key.sign("x" * 2049) }
    assert_code(NotiflowsAuth::TokenError, "claim_invalid", "exp") { signing_key.sign("x", now: 2**63 - 1) }
    assert_code(NotiflowsAuth::BindingError, "invalid_utf8") { signing_key.sign("\xff".b) }
    assert_raises(TypeError) { signing_key.sign("x", expires_in: -1) }
    assert_raises(TypeError) { signing_key.sign("x", now: "today") }
    assert_code(NotiflowsAuth::SigningKeyError, "key_invalid") { NotiflowsAuth::SigningKey.new(corpus_public) }
    assert NotiflowsAuth::SigningKey.new(corpus_private.gsub("\n", "\\n")).sign("x")
    key = NotiflowsAuth::SigningKey.new(Base64.strict_encode64(corpus_private))
    key.close
    assert_code(NotiflowsAuth::BindingError, "null_argument") { key.sign("x") }
  end

  def test_sign_user_token
    verifier = NotiflowsAuth::Verifier.new(corpus_public)
    token = NotiflowsAuth.sign_user_token("user-1", signing_key: corpus_private, now: NOW)
    assert_equal NotiflowsAuth::Claims.new(sub: "user-1", iat: NOW, exp: NOW + 3600), verifier.verify(token, now: NOW)
    claims = verifier.verify(NotiflowsAuth.sign_user_token("user-2", signing_key: corpus_private))
    assert_in_delta Time.now.to_i, claims.iat, 5
    assert_equal token, NotiflowsAuth.sign_user_token("user-1", signing_key: signing_key, now: NOW)
    saved = ENV["NOTIFLOWS_SIGNING_KEY"]
    begin
      ENV["NOTIFLOWS_SIGNING_KEY"] = Base64.strict_encode64(corpus_private)
      assert_equal token, NotiflowsAuth.sign_user_token("user-1", now: NOW)
      ENV.delete("NOTIFLOWS_SIGNING_KEY")
      assert_code(NotiflowsAuth::SigningKeyError, "signing_key_not_configured") do
        NotiflowsAuth.sign_user_token("user-1")
      end
    ensure
      ENV["NOTIFLOWS_SIGNING_KEY"] = saved
    end
    assert_code(NotiflowsAuth::SigningKeyError, "key_invalid") do
      NotiflowsAuth.sign_user_token("x", signing_key: "garbage")
    end
  end

  def test_verifier
    token = signing_key.sign("alice", now: NOW, expires_in: 100)
    verifier = NotiflowsAuth::Verifier.new(NotiflowsAuth::PublicKey.new(corpus_public))
    assert_equal NotiflowsAuth::Claims.new(sub: "alice", iat: NOW, exp: NOW + 100), verifier.verify(token, now: NOW)
    assert_equal "alice", verifier.verify(token, now: Time.at(NOW + 99)).sub
    assert_code(NotiflowsAuth::TokenError, "token_expired", "exp") { verifier.verify(token, now: NOW + 100) }
    assert_code(NotiflowsAuth::TokenError, "token_issued_in_future", "iat") { verifier.verify(token, now: NOW - 61) }
    assert_code(NotiflowsAuth::TokenError, "token_malformed") { verifier.verify("a.b") }
    assert_code(NotiflowsAuth::TokenError, "token_malformed") { verifier.verify("") }
    strict = NotiflowsAuth::Verifier.new(corpus_public, leeway: 10, require_exp: true, max_lifetime: 50, iat_skew: 0)
    # One meaning per value, the core's: a lifetime of 0 is refused (not "no limit"); nil is none.
    assert_code(NotiflowsAuth::ConfigError, "config_invalid") { NotiflowsAuth::Verifier.new(corpus_public, max_lifetime: 0) }
    NotiflowsAuth::Verifier.new(corpus_public, max_lifetime: nil).close
    # A token that would expire as it is issued is refused.
    assert_code(NotiflowsAuth::TokenError, "claim_invalid", "exp") { signing_key.sign("a", now: NOW, expires_in: 0) }
    assert_code(NotiflowsAuth::TokenError, "claim_invalid", "exp") { strict.verify(token, now: NOW) }
    no_exp = signing_key.sign("a", now: NOW, expires_in: nil)
    assert_code(NotiflowsAuth::TokenError, "claim_missing", "exp") { strict.verify(no_exp, now: NOW) }
    short = signing_key.sign("a", now: NOW, expires_in: 20)
    assert_equal "a", strict.verify(short, now: NOW + 29).sub
    assert_code(NotiflowsAuth::TokenError, "token_expired") { strict.verify(short, now: NOW + 30) }
    assert_code(NotiflowsAuth::TokenError, "token_issued_in_future") { strict.verify(short, now: NOW - 1) }
    tiny = NotiflowsAuth::Verifier.new(corpus_public, max_token_bytes: 100)
    assert_code(NotiflowsAuth::TokenError, "token_too_large") { tiny.verify(token) }
    assert_code(NotiflowsAuth::ConfigError, "config_invalid") do
      NotiflowsAuth::Verifier.new(corpus_public, max_token_bytes: 16_385)
    end
    assert_code(NotiflowsAuth::SigningKeyError, "key_invalid") { NotiflowsAuth::Verifier.new("nope") }
    cached = NotiflowsAuth::Verifier.new(corpus_public, cache_size: 4)
    3.times { assert_equal "alice", cached.verify(token, now: NOW).sub }
    assert_code(NotiflowsAuth::TokenError, "token_expired") { cached.verify(token, now: NOW + 100) }
    # Fractional dates, in a token made with OpenSSL.
    input = ['{"alg":"RS256"}', '{"sub":"f","exp":1700000000.5,"nbf":1.7e9,"iat":1699999999.25}']
            .map { |part| Base64.urlsafe_encode64(part, padding: false) }.join(".")
    signature = OpenSSL::PKey::RSA.new(corpus_private).sign("SHA256", input)
    fractional = "#{input}.#{Base64.urlsafe_encode64(signature, padding: false)}"
    assert_equal NotiflowsAuth::Claims.new(sub: "f", iat: 1_699_999_999.25, exp: 1_700_000_000.5, nbf: NOW),
                 verifier.verify(fractional, now: NOW)
    verifier.close
    assert_code(NotiflowsAuth::BindingError, "null_argument") { verifier.verify(token) }
  end

  def test_authenticator
    token = signing_key.sign("alice", now: NOW)
    auth = NotiflowsAuth::Authenticator.new(cache_size: 100)
    auth.add_project(api_key: "pk_secure", signing_public_key: corpus_public,
                     allowed_origins: ["https://app.example.com"])
    auth.add_project(api_key: "pk_dev", security_mode: :development)
    secure = { "x-notiflows-api-key" => "pk_secure", "x-notiflows-user-key" => token }

    user = auth.authenticate(secure.merge("Origin" => "https://app.example.com"), now: NOW)
    assert_equal NotiflowsAuth::AuthenticatedUser.new(user_id: "alice", mode: :secure, credential: :user_key,
                                                      expires_at: NOW + 3600), user
    assert_code(NotiflowsAuth::RequestAuthError, "origin_not_allowed") do
      auth.authenticate(secure.merge("origin" => "https://evil.test"), now: NOW)
    end
    # No binding-side Origin: there is no origin: argument, and two Origin headers are refused
    # by the library (not resolved by taking the first).
    assert_raises(ArgumentError) { auth.authenticate(secure, origin: nil, now: NOW) }
    assert_code(NotiflowsAuth::RequestAuthError, "origin_not_allowed") do
      auth.authenticate(secure.merge("Origin" => ["https://app.example.com", "https://evil.test"]), now: NOW)
    end
    twice = secure.to_a + [["Origin", "https://app.example.com"], ["origin", "https://app.example.com"]]
    assert_code(NotiflowsAuth::RequestAuthError, "origin_not_allowed") { auth.authenticate(twice, now: NOW) }
    assert_code(NotiflowsAuth::RequestAuthError, "origin_not_allowed") do
      auth.authenticate(secure.merge("origin" => ""), now: NOW)
    end
    # Whitespace around a value is not part of it.
    assert_equal "alice", auth.authenticate(secure.merge("origin" => " https://app.example.com\t"), now: NOW).user_id
    assert_code(NotiflowsAuth::RequestAuthError, "user_key_missing") do
      auth.authenticate({ "x-notiflows-api-key" => "pk_secure", "x-notiflows-user-id" => "bob" })
    end
    assert_code(NotiflowsAuth::RequestAuthError, "api_key_missing") { auth.authenticate({}) }
    assert_code(NotiflowsAuth::RequestAuthError, "api_key_invalid") do
      auth.authenticate({ "x-notiflows-api-key" => "pk_nope" })
    end
    assert_code(NotiflowsAuth::TokenError, "token_expired") { auth.authenticate(secure, now: NOW + 3600) }

    dev = auth.authenticate([%w[X-Notiflows-Api-Key pk_dev], %w[X-Notiflows-User-Id bob]])
    assert_equal NotiflowsAuth::AuthenticatedUser.new(user_id: "bob", mode: :development, credential: :user_id), dev
    rack = auth.authenticate_rack({ "HTTP_X_NOTIFLOWS_API_KEY" => "pk_dev", "HTTP_X_NOTIFLOWS_USER_ID" => "carol",
                                    "rack.input" => Object.new })
    assert_equal "carol", rack.user_id
    assert_code(NotiflowsAuth::RequestAuthError, "user_id_invalid") do
      auth.authenticate({ "x-notiflows-api-key" => "pk_dev", "x-notiflows-user-id" => %w[a b] })
    end
    assert_code(NotiflowsAuth::RequestAuthError, "user_id_missing") do
      auth.authenticate({ "x-notiflows-api-key" => "pk_dev" })
    end

    assert_code(NotiflowsAuth::ConfigError, "config_invalid") { auth.add_project(api_key: "bad key") }
    assert_code(NotiflowsAuth::ConfigError, "config_invalid") { auth.add_project(api_key: "pk", allowed_origins: ["*"]) }
    assert_code(NotiflowsAuth::ConfigError, "config_invalid") { auth.add_project(api_key: "pk", security_mode: :open) }
    assert_code(NotiflowsAuth::RequestAuthError, "api_key_invalid") { auth.set_security_mode("pk_nope", :secure) }
    auth.set_security_mode("pk_dev", "secure")
    assert_code(NotiflowsAuth::SigningKeyError, "signing_key_not_configured") do
      auth.authenticate({ "x-notiflows-api-key" => "pk_dev", "x-notiflows-user-id" => "bob" })
    end
    auth.set_signing_key("pk_dev", NotiflowsAuth::PublicKey.new(corpus_public))
    assert_equal "alice", auth.authenticate(secure.merge("x-notiflows-api-key" => "pk_dev"), now: NOW).user_id
    auth.set_signing_key("pk_dev", nil)
    assert_code(NotiflowsAuth::SigningKeyError, "signing_key_not_configured") do
      auth.authenticate(secure.merge("x-notiflows-api-key" => "pk_dev"), now: NOW)
    end
    auth.set_allowed_origins("pk_secure", ["http://localhost:3000"])
    assert_equal "alice", auth.authenticate(secure.merge("Origin" => "http://localhost:3000"), now: NOW).user_id
    assert_code(NotiflowsAuth::ConfigError, "config_invalid") { auth.set_allowed_origins("pk_secure", ["https://*"]) }

    assert_equal({ "Vary" => "Origin", "Access-Control-Allow-Origin" => "http://localhost:3000",
                   "Access-Control-Allow-Headers" =>
                     "x-notiflows-api-key, x-notiflows-user-key, x-notiflows-user-id, content-type",
                   "Access-Control-Allow-Methods" => "GET, POST, PUT, PATCH, DELETE, OPTIONS",
                   "Access-Control-Max-Age" => "7200" },
                 auth.cors_headers({ "Origin" => "http://localhost:3000" }, preflight: true, api_key: "pk_secure"))
    assert_equal({ "Vary" => "Origin" },
                 auth.cors_headers({ "x-notiflows-api-key" => "pk_secure", "Origin" => "https://evil.test" }))
    assert_equal({ "Vary" => "Origin", "Access-Control-Allow-Origin" => "https://evil.test" },
                 auth.cors_headers({ "origin" => "https://evil.test" }))
    assert_equal({ "Vary" => "Origin" }, auth.cors_headers({ "Origin" => ["https://evil.test", "https://evil.test"] }))
    assert_equal({ "Vary" => "Origin" }, auth.cors_headers({}))

    pair = auth.rotate_signing_key("pk_secure")
    assert_code(NotiflowsAuth::TokenError, "key_unknown") { auth.authenticate(secure, now: NOW) } # its kid is gone
    fresh = NotiflowsAuth.sign_user_token("alice", signing_key: pair.private_key_base64, now: NOW)
    assert_equal "alice", auth.authenticate(secure.merge("x-notiflows-user-key" => fresh), now: NOW).user_id
    assert_code(NotiflowsAuth::RequestAuthError, "api_key_invalid") { auth.rotate_signing_key("pk_nope") }

    assert auth.remove_project("pk_dev")
    refute auth.remove_project("pk_dev")
    auth.close
    assert_code(NotiflowsAuth::BindingError, "null_argument") { auth.authenticate(secure) }

    strict = NotiflowsAuth::Authenticator.new(require_exp: true, cache_size: 0)
    strict.add_project(api_key: "pk", signing_public_key: NotiflowsAuth::PublicKey.new(corpus_public))
    no_exp = signing_key.sign("a", now: NOW, expires_in: nil)
    assert_code(NotiflowsAuth::TokenError, "claim_missing", "exp") do
      strict.authenticate({ "x-notiflows-api-key" => "pk", "x-notiflows-user-key" => no_exp }, now: NOW)
    end
  end

  def test_threads_share_a_verifier_and_an_authenticator
    token = signing_key.sign("alice", now: NOW)
    verifier = NotiflowsAuth::Verifier.new(corpus_public, cache_size: 8)
    auth = NotiflowsAuth::Authenticator.new
    auth.add_project(api_key: "pk", signing_public_key: corpus_public)
    threads = 4.times.map do
      Thread.new do
        20.times.map do
          [verifier.verify(token, now: NOW).sub,
           auth.authenticate({ "x-notiflows-api-key" => "pk", "x-notiflows-user-key" => token }, now: NOW).user_id]
        end
      end
    end
    assert_equal [%w[alice alice]] * 80, threads.flat_map(&:value)
  end

  def test_handles_released_by_the_garbage_collector
    200.times do
      NotiflowsAuth::Verifier.new(corpus_public).verify(signing_key.sign("gc", now: NOW), now: NOW)
    end
    GC.start
    assert_equal "gc", NotiflowsAuth::Verifier.new(corpus_public).verify(signing_key.sign("gc", now: NOW), now: NOW).sub
  end
end
