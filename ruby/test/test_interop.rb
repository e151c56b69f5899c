# frozen_string_literal: true

# Interop with ruby-jwt, both ways: tokens we sign verify in ruby-jwt, and RS256 tokens
# ruby-jwt signs verify here; ruby-jwt tokens with other algorithms are refused.

require_relative "test_helper"
require "jwt"
require "openssl"

class TestInterop < Minitest::Test
  include TestHelper

  def test_tokens_we_sign_verify_in_ruby_jwt
    pair = NotiflowsAuth.generate_signing_key
    public_key = OpenSSL::PKey::RSA.new(pair.public_key_pem)
    ["user-42", "caf\u00e9 \u{1F600}", "quote \" backslash \\ newline \n tab \t", "\u0001\u001f"].each do |sub|
      token = NotiflowsAuth.sign_user_token(sub, signing_key: pair.private_key_base64, kid: "key-1")
      payload, header = JWT.decode(token, public_key, true, algorithm: "RS256")
      assert_equal({ "alg" => "RS256", "typ" => "JWT", "kid" => "key-1" }, header)
      assert_equal sub, payload["sub"]
      assert_in_delta Time.now.to_i, payload["iat"], 5
      assert_equal payload["iat"] + 3600, payload["exp"]
    end
  end

  def test_tokens_without_exp_verify_in_ruby_jwt
    token = NotiflowsAuth.sign_user_token("u", signing_key: corpus_private, expires_in: nil, now: NOW)
    payload, = JWT.decode(token, OpenSSL::PKey::RSA.new(corpus_public), true, algorithm: "RS256")
    assert_equal({ "sub" => "u", "iat" => NOW }, payload)
  end

  def test_rs256_tokens_ruby_jwt_signs_verify_here
    private_key = OpenSSL::PKey::RSA.new(corpus_private)
    now = Time.now.to_i
    token = JWT.encode({ "sub" => "from-ruby-jwt", "iat" => now, "nbf" => now, "exp" => now + 600, "x" => [1] },
                       private_key, "RS256", { "typ" => "JWT" })
    verifier = NotiflowsAuth::Verifier.new(corpus_public)
    claims = verifier.verify(token)
    assert_equal NotiflowsAuth::Claims.new(sub: "from-ruby-jwt", iat: now, exp: now + 600, nbf: now), claims
    assert_code(NotiflowsAuth::TokenError, "token_expired") { verifier.verify(token, now: now + 600) }
  end

  def test_keys_openssl_generates_work_here
    rsa = OpenSSL::PKey::RSA.generate(2048)
    signing = NotiflowsAuth::SigningKey.new(rsa.to_pem) # PKCS#1 "RSA PRIVATE KEY"
    verifier = NotiflowsAuth::Verifier.new(rsa.public_key.to_pem)
    token = signing.sign("openssl-key", now: NOW)
    assert_equal "openssl-key", verifier.verify(token, now: NOW).sub
    payload, = JWT.decode(token, rsa.public_key, true, algorithm: "RS256", verify_expiration: false)
    assert_equal "openssl-key", payload["sub"]
  end

  def test_ruby_jwt_tokens_with_other_algorithms_are_refused
    verifier = NotiflowsAuth::Verifier.new(corpus_public)
    private_key = OpenSSL::PKey::RSA.new(corpus_private)
    %w[RS384 RS512 PS256].each do |alg|
      token = JWT.encode({ "sub" => "x", "exp" => Time.now.to_i + 60 }, private_key, alg)
      assert_code(NotiflowsAuth::TokenError, "alg_not_allowed") { verifier.verify(token) }
    end
    hmac = JWT.encode({ "sub" => "x" }, corpus_public, "HS256")
    assert_code(NotiflowsAuth::TokenError, "alg_not_allowed") { verifier.verify(hmac) }
    unsecured = JWT.encode({ "sub" => "x" }, nil, "none")
    assert_code(NotiflowsAuth::TokenError, "alg_not_allowed") { verifier.verify(unsecured) }
  end
end
