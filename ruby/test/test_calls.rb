# frozen_string_literal: true

# The per-call paths of issue 15: verify and authenticate reuse memory held by the object
# (lib/notiflows_auth/calls.rb), allocate at most 3 Ruby objects per call, and give the
# library's answers unchanged, also on the copying path for headers that do not fit.

require_relative "test_helper"

class TestCalls < Minitest::Test
  include TestHelper

  NOW = 1_700_000_000
  CALLS = 2000

  def signing_key
    @signing_key ||= NotiflowsAuth::SigningKey.new(corpus_private)
  end

  # Ruby objects allocated per call of the block, over CALLS calls after a warm-up.
  def objects_per_call
    200.times { yield }
    GC.disable
    before = GC.stat(:total_allocated_objects)
    CALLS.times { yield }
    (GC.stat(:total_allocated_objects) - before).fdiv(CALLS)
  ensure
    GC.enable
  end

  def test_verify_allocates_at_most_three_objects
    token = signing_key.sign("alice", now: NOW, expires_in: 100)
    cold = NotiflowsAuth::Verifier.new(corpus_public)
    cached = NotiflowsAuth::Verifier.new(corpus_public, cache_size: 10)
    [cold, cached].each do |verifier|
      claims = nil
      per_call = objects_per_call { claims = verifier.verify(token, now: NOW) }
      assert_operator per_call, :<=, 3, "#{per_call} objects per verify"
      assert_equal NotiflowsAuth::Claims.new(sub: "alice", iat: NOW, exp: NOW + 100, nbf: nil), claims
    end
  end

  def test_cache_hit_authenticate_allocates_at_most_three_objects
    token = signing_key.sign("alice", now: NOW)
    auth = NotiflowsAuth::Authenticator.new(cache_size: 10)
    auth.add_project(api_key: "pk", signing_public_key: corpus_public, allowed_origins: ["https://app.example.com"])
    auth.add_project(api_key: "pk_dev", security_mode: :development)
    secure = { "x-notiflows-api-key" => "pk", "x-notiflows-user-key" => token, "origin" => "https://app.example.com",
               "accept" => "*/*", "user-agent" => "test" }
    dev = [%w[x-notiflows-api-key pk_dev], %w[x-notiflows-user-id bob]]
    user = nil
    per_call = objects_per_call { user = auth.authenticate(secure, now: NOW) }
    assert_operator per_call, :<=, 3, "#{per_call} objects per cache-hit authenticate"
    assert_equal ["alice", :secure, :user_key, NOW + 3600], user.to_a
    per_call = objects_per_call { user = auth.authenticate(dev) }
    assert_operator per_call, :<=, 3, "#{per_call} objects per Development Mode authenticate"
    assert_equal ["bob", :development, :user_id, nil], user.to_a
  end

  def test_verify_outputs_do_not_carry_over
    verifier = NotiflowsAuth::Verifier.new(corpus_public, cache_size: 8)
    long = "u" * 2048
    cases = [
      [signing_key.sign("alice", now: NOW, expires_in: 100), ["alice", NOW, NOW + 100, nil]],
      [signing_key.sign(long, now: NOW - 5, expires_in: nil), [long, NOW - 5, nil, nil]],
      [signing_key.sign("café 😀", now: NOW), ["café 😀", NOW, NOW + 3600, nil]],
    ]
    2.times do
      cases.each do |token, claims|
        assert_equal claims, verifier.verify(token, now: NOW).to_a
        assert_equal claims, verifier.verify(token.b, now: NOW).to_a
        assert_equal Encoding::UTF_8, verifier.verify(token, now: NOW).sub.encoding
      end
    end
    assert_code(NotiflowsAuth::TokenError, "token_malformed") { verifier.verify("a.b") }
    assert_equal cases[0][1], verifier.verify(cases[0][0], now: NOW).to_a
    assert_code(NotiflowsAuth::TokenError, "token_malformed") { verifier.verify("") }
    assert_code(NotiflowsAuth::TokenError, "token_too_large") { verifier.verify("a" * 20_000) }
    assert_raises(TypeError) { verifier.verify(42) }
  end

  def test_verify_shared_between_threads
    verifier = NotiflowsAuth::Verifier.new(corpus_public, cache_size: 64)
    tokens = Array.new(8) { |i| [signing_key.sign("user#{i}", now: NOW), "user#{i}"] }
    threads = Array.new(4) do |t|
      Thread.new do
        Array.new(300) do |n|
          token, sub = tokens[(n + t) % tokens.size]
          verifier.verify(token, now: NOW).sub == sub
        end.all?
      end
    end
    assert threads.map(&:value).all?
  end

  def test_authenticate_scratch_and_copying_paths_agree
    token = signing_key.sign("alice", now: NOW)
    auth = NotiflowsAuth::Authenticator.new(cache_size: 16)
    auth.add_project(api_key: "pk", signing_public_key: corpus_public, allowed_origins: ["https://app.example.com"])
    auth.add_project(api_key: "pk_dev", security_mode: "development")
    base = { "x-notiflows-api-key" => "pk", "x-notiflows-user-key" => token, "origin" => "https://app.example.com" }
    expected = ["alice", :secure, :user_key, NOW + 3600]
    many = (0...200).to_h { |i| ["x-extra-#{i}", i.to_s] }
    big = { "cookie" => "c" * 40_000 }
    [{}, many, big].each do |extra|
      assert_equal expected, auth.authenticate(extra.merge(base), now: NOW).to_a
      assert_equal expected, auth.authenticate(extra.merge(base).to_a, now: NOW).to_a
      assert_code(NotiflowsAuth::RequestAuthError, "origin_not_allowed") do
        auth.authenticate(extra.merge(base, "origin" => "https://evil.test"), now: NOW)
      end
      assert_code(NotiflowsAuth::RequestAuthError, "api_key_invalid") do
        auth.authenticate(extra.merge(base, "x-notiflows-api-key" => %w[pk pk]), now: NOW)
      end
      assert_code(NotiflowsAuth::RequestAuthError, "user_id_missing") do
        auth.authenticate(extra.merge("x-notiflows-api-key" => "pk_dev"))
      end
      user = auth.authenticate(extra.merge("x-notiflows-api-key" => "pk_dev", "x-notiflows-user-id" => "café"))
      assert_equal ["café", :development, :user_id, nil], user.to_a
    end
    # Symbol names, nil values skipped, a value sent as bytes.
    user = auth.authenticate({ "x-notiflows-api-key": "pk_dev", "x-notiflows-user-id": "café".b, origin: nil })
    assert_equal "café", user.user_id
    assert_code(NotiflowsAuth::RequestAuthError, "api_key_missing") { auth.authenticate({}) }
    auth.close
    assert_code(NotiflowsAuth::BindingError, "null_argument") { auth.authenticate(base) }
  end
end
