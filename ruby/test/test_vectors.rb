# frozen_string_literal: true

# Every case of testdata/vectors/jwt-cases through Verifier#verify, under the corpus's
# contract policy (exp required, no leeway, iat skew 0, tokens up to 16384 bytes), without a
# cache, and twice with one (a miss, then a hit), on each verify provider.

require_relative "test_helper"

require "json"

class TestVectors < Minitest::Test
  include TestHelper

  # The corpus's error categories, as our stable error codes (written once, for every language).
  CATEGORY_CODES = JSON.parse(File.read(File.expand_path("../../testdata/jwt_case_categories.json", __dir__))).freeze

  CASES = JSON.parse(File.read(File.join(TestHelper::CASES_DIR, "cases.json")))["cases"]
  POLICY = { require_exp: true, iat_skew: 0, leeway: 0, max_token_bytes: 16_384 }.freeze

  PROVIDERS = %w[ring aws-lc-rs].freeze

  def verifiers
    @verifiers ||= PROVIDERS.flat_map do |provider|
      plain = NotiflowsAuth::Verifier.new(corpus_public, **POLICY, provider: provider)
      cached = NotiflowsAuth::Verifier.new(corpus_public, **POLICY, provider: provider, cache_size: 256)
      [plain, cached, cached]
    end
  end

  def test_each_verifier_names_its_provider_and_an_unknown_one_is_config_invalid
    assert_equal PROVIDERS, verifiers.map(&:provider).uniq
    assert_equal "ring", NotiflowsAuth::Authenticator.new.provider
    assert_equal "aws-lc-rs", NotiflowsAuth::Authenticator.new(provider: "aws-lc-rs").provider
    error = assert_raises(NotiflowsAuth::Error) { NotiflowsAuth::Verifier.new(corpus_public, provider: "openssl") }
    assert_equal "config_invalid", error.code
    assert_includes error.message, '"aws-lc-rs"'
  end

  def test_the_corpus_has_every_case
    assert_operator CASES.size, :>=, 121
  end

  CASES.each do |c|
    define_method("test_jwt_case_#{c["name"]}") do
      verifiers.each do |verifier|
        if c["expect"] == "valid"
          claims = verifier.verify(c["token"], now: c["now"])
          assert_equal c["expected_sub"], claims.sub
          assert_kind_of Numeric, claims.exp
        else
          accepted = [c["expected_error_category"], *c["alt_error_categories"]].map { |k| CATEGORY_CODES.fetch(k) }
          error = assert_raises(NotiflowsAuth::TokenError) { verifier.verify(c["token"], now: c["now"]) }
          assert_includes accepted, error.code
          assert_equal 401, error.status
        end
      end
    end
  end
end
