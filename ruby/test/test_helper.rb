# frozen_string_literal: true

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "json"
require "minitest/autorun"
require "notiflows_auth"

module TestHelper
  CASES_DIR = File.expand_path("../../testdata/vectors/jwt-cases", __dir__)
  NOW = 1_700_000_000

  def corpus(name)
    File.binread(File.join(CASES_DIR, name))
  end

  def corpus_private
    corpus("rsa_private_pkcs8.pem")
  end

  def corpus_public
    corpus("rsa_public_spki.pem")
  end

  # Asserts that the block raises a NotiflowsAuth::Error of `klass` with `code` (and `claim`).
  def assert_code(klass, code, claim = :any)
    error = assert_raises(klass) { yield }
    assert_kind_of NotiflowsAuth::Error, error
    assert_equal code, error.code, error.message
    assert_equal NotiflowsAuth::Native.error_http_status(NotiflowsAuth::ERROR_CODES.fetch(code)), error.status
    assert_equal claim, error.claim unless claim == :any
    error
  end
end
