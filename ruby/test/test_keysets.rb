# frozen_string_literal: true

# Key sets (issue 12) through the Ruby API: kids, rotation with an overlap (fractional now),
# removal, revocation, lifetime rules per project, the project document and JWK Sets.

require_relative "test_helper"
require "base64"
require "openssl"

class TestKeySets < Minitest::Test
  include TestHelper

  NOW = 1_700_000_000

  def pairs
    @@pairs ||= Array.new(2) { NotiflowsAuth.generate_signing_key } # rubocop:disable Style/ClassVars
  end

  def signers
    @signers ||= pairs.map { |p| NotiflowsAuth::SigningKey.new(p.private_key_pem) }
  end

  def header(token)
    JSON.parse(Base64.urlsafe_decode64(token.split(".")[0] + ("=" * (-token.split(".")[0].length % 4))))
  end

  def code
    yield
    "ok"
  rescue NotiflowsAuth::Error => e
    e.code
  end

  def setup_auth(cache_size, **project)
    auth = NotiflowsAuth::Authenticator.new(cache_size: cache_size)
    auth.add_project(api_key: "pk", signing_public_key: pairs[0].public_key_pem, **project)
    auth
  end

  def check(auth, token, now = NOW)
    code { auth.authenticate({ "x-notiflows-api-key" => "pk", "x-notiflows-user-key" => token }, now: now) }
  end

  def test_the_new_codes_come_from_the_library_table
    %w[key_unknown token_revoked].each do |name|
      assert_kind_of Integer, NotiflowsAuth::ERROR_CODES.fetch(name)
      assert_equal 401, NotiflowsAuth::Native.error_http_status(NotiflowsAuth::ERROR_CODES.fetch(name))
      assert_equal NotiflowsAuth::TokenError, NotiflowsAuth.error_for(name, 401, "m").class
    end
  end

  def test_keys_know_their_kid_and_tokens_carry_it
    key = NotiflowsAuth::PublicKey.new(pairs[0].public_key_pem)
    assert_match(/\A[A-Za-z0-9_-]{43}\z/, key.kid)
    assert_equal key.kid, signers[0].kid
    assert_equal "key-2026", key.with_kid("key-2026").kid
    ["", "a b", "k" * 129].each { |bad| assert_equal "config_invalid", code { key.with_kid(bad) } }
    assert_equal key.kid, header(signers[0].sign("u", now: NOW))["kid"]
    refute header(signers[0].sign("u", now: NOW, kid: nil)).key?("kid")
    assert_equal "custom", header(signers[0].sign("u", now: NOW, kid: "custom"))["kid"]
    assert_equal key.kid, header(NotiflowsAuth.sign_user_token("u", signing_key: pairs[0].private_key_pem))["kid"]
    refute header(NotiflowsAuth.sign_user_token("u", signing_key: pairs[0].private_key_pem, kid: nil)).key?("kid")
    jwk = JSON.parse(key.to_jwk)
    assert_equal %w[alg e kid kty n use], jwk.keys.sort
    assert_equal key.kid, jwk["kid"]
  end

  def test_a_kid_selects_among_the_project_keys
    [0, 64].each do |cache_size|
      auth = setup_auth(cache_size)
      assert_equal "ok", check(auth, signers[0].sign("alice", now: NOW))
      assert_equal "ok", check(auth, signers[0].sign("alice", now: NOW, kid: nil)), "no kid: the active key"
      assert_equal "key_unknown", check(auth, signers[0].sign("alice", now: NOW, kid: "nope"))
      assert_equal "key_unknown", check(auth, signers[1].sign("alice", now: NOW))
      assert_equal "signature_invalid", check(auth, signers[1].sign("alice", now: NOW, kid: nil))
    end
  end

  def test_rotation_with_an_overlap_to_the_second
    [0, 64].each do |cache_size|
      auth = setup_auth(cache_size)
      old = signers[0].sign("alice", now: NOW)
      assert_equal "ok", check(auth, old)
      auth.set_signing_key_with_overlap("pk", pairs[1].public_key_pem, overlap: 60, now: NOW)
      assert_equal "ok", check(auth, signers[1].sign("alice", now: NOW))
      assert_equal "ok", check(auth, old, NOW + 59)
      assert_equal "ok", check(auth, old, NOW + 59.75), "a fraction before the deadline"
      assert_equal "key_unknown", check(auth, old, NOW + 60), "at the deadline, even from the cache"
      assert_equal [signers[1].kid, signers[0].kid], JSON.parse(auth.jwks("pk"))["keys"].map { |k| k["kid"] }
      at = ->(now) { JSON.parse(auth.jwks_at("pk", now: now))["keys"].map { |k| k["kid"] } }
      assert_equal [signers[1].kid, signers[0].kid], at.call(NOW + 59)
      assert_equal [signers[1].kid], at.call(NOW + 60), "a retiring key leaves at its deadline"
      assert auth.remove_signing_key("pk", signers[0].kid)
      refute auth.remove_signing_key("pk", signers[0].kid)
      assert_equal "key_unknown", check(auth, old, NOW + 1)
      assert_equal "config_invalid", code { auth.set_signing_key_with_overlap("pk", pairs[0].public_key_pem, overlap: 0) }
      pair = auth.rotate_signing_key_with_overlap("pk", overlap: 3600, now: NOW)
      assert_equal "ok", check(auth, NotiflowsAuth::SigningKey.new(pair.private_key_pem).sign("bob", now: NOW))
      assert_equal "ok", check(auth, signers[1].sign("alice", now: NOW)), "the previous key retires"
      auth.rotate_signing_key("pk")
      assert_equal "key_unknown", check(auth, signers[1].sign("alice", now: NOW)), "rotate now removes the rest"
    end
  end

  def test_revocation
    [0, 64].each do |cache_size|
      auth = setup_auth(cache_size)
      alice = signers[0].sign("alice", now: NOW)
      bob = signers[0].sign("bob", now: NOW)
      assert_equal "ok", check(auth, alice, NOW + 10)
      auth.revoke_user_tokens_issued_before("pk", "alice", NOW + 5)
      assert_equal "token_revoked", check(auth, alice, NOW + 10)
      assert_equal "ok", check(auth, bob, NOW + 10)
      auth.revoke_tokens_issued_before("pk", Time.at(NOW + 1))
      assert_equal "token_revoked", check(auth, bob, NOW + 10)
      assert_kind_of Integer, auth.prune_revocations("pk", now: NOW + 10)
    end
    # A token without iat cannot prove it is newer than a cut-off.
    auth = setup_auth(0, revoked_before: NOW - 100)
    input = ['{"alg":"RS256"}', '{"sub":"x"}'].map { |p| Base64.urlsafe_encode64(p, padding: false) }.join(".")
    signature = OpenSSL::PKey::RSA.new(pairs[0].private_key_pem).sign("SHA256", input)
    assert_equal "token_revoked", check(auth, "#{input}.#{Base64.urlsafe_encode64(signature, padding: false)}")
  end

  def test_project_members_and_document
    old = NotiflowsAuth::PublicKey.new(pairs[1].public_key_pem).with_kid("old-key")
    auth = setup_auth(16, retiring_keys: [{ key: old, until: NOW + 30 }],
                          user_revocations: [{ user_id: "mallory", revoked_before: NOW + 1 }],
                          require_exp: true, max_lifetime: 600)
    assert_equal "ok", check(auth, signers[1].sign("alice", now: NOW, kid: "old-key", expires_in: 60))
    assert_equal "key_unknown", check(auth, signers[1].sign("alice", now: NOW, kid: "old-key", expires_in: 60), NOW + 30)
    assert_equal "token_revoked", check(auth, signers[0].sign("mallory", now: NOW, expires_in: 60))
    assert_equal "claim_missing", check(auth, signers[0].sign("alice", now: NOW, expires_in: nil))
    assert_equal "claim_invalid", check(auth, signers[0].sign("alice", now: NOW, expires_in: 601))
    doc = JSON.parse(auth.project_json("pk"))
    assert_equal [true, 600, "old-key"], [doc["require_exp"], doc["max_lifetime"], doc["retiring_keys"][0]["kid"]]
    other = NotiflowsAuth::Authenticator.new
    other.add_project_json(auth.project_json("pk"))
    assert_equal auth.project_json("pk"), other.project_json("pk")
    assert_equal "config_invalid", code { other.add_project_json('{"api_key":"pk","nope":1}') }
    assert_raises(ArgumentError) { auth.add_project(api_key: "pk2", max_lifetime_seconds: 5) }
    assert_equal "config_invalid", code { auth.add_project(api_key: "pk2", max_lifetime: 0) }
  end

  def test_jwk_sets_round_trip
    keys = pairs.map { |p| NotiflowsAuth::PublicKey.new(p.public_key_pem) }
    set = NotiflowsAuth.jwk_set([keys[0], pairs[1].public_key_pem])
    read = NotiflowsAuth.parse_jwk_set(set)
    assert_equal keys.map(&:kid), read.map(&:kid)
    assert_equal keys.map(&:to_pem), read.map(&:to_pem)
    # ruby-jwt verifies our token with our exported set.
    jwks = JSON.parse(set, symbolize_names: true)
    token = signers[1].sign("alice")
    payload, = JWT.decode(token, nil, true, algorithms: ["RS256"], jwks: jwks)
    assert_equal "alice", payload["sub"]
    private_jwk = JSON.parse(keys[0].to_jwk).merge("d" => "AQAB")
    assert_equal "config_invalid", code { NotiflowsAuth.parse_jwk_set(JSON.generate({ "keys" => [private_jwk] })) }
  end
end
