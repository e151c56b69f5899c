# frozen_string_literal: true

# NotiflowsAuth::Rack in the example apps (plain Rack and Sinatra) under WEBrick, over real
# HTTP on loopback. Every expected status, body and CORS header comes from the Authenticator
# itself, called directly on the same headers: the middleware adds no rule.

require "minitest/autorun"
require "json"
require "base64"
require "net/http"
require "webrick"
require "rack/handler/webrick"
require_relative "app"

module RackMiddlewareTests
  API_KEY = "pk_test_middleware"
  ALLOWED = "http://app.example"
  SIGNING_KEY = NotiflowsAuth::SigningKey.new(NotiflowsAuth.generate_signing_key.private_key_pem)

  def setup
    @app, @auth = NotiflowsExample.send(self.class::KIND, signing_key: SIGNING_KEY, api_key: API_KEY,
                                                          allowed_origins: [ALLOWED])
    @server = WEBrick::HTTPServer.new(BindAddress: "127.0.0.1", Port: 0, Logger: WEBrick::Log.new(File::NULL),
                                      AccessLog: [])
    @server.mount("/", Rack::Handler::WEBrick, @app)
    @thread = Thread.new { @server.start }
    @port = @server.config[:Port]
  end

  def teardown
    @server.shutdown
    @thread.join(10)
  end

  def request(method, path, headers = {})
    http = Net::HTTP.new("127.0.0.1", @port)
    req = Net::HTTPGenericRequest.new(method, false, true, path)
    headers.each { |name, value| req[name] = value }
    http.request(req)
  end

  def cors_of(response)
    response.to_hash.select { |name, _| name.start_with?("access-control-") || name == "vary" }
            .transform_values { |values| values.join(", ") }
  end

  def lower(headers)
    headers.to_h { |name, value| [name.downcase, value] }
  end

  def claims_of(token)
    JSON.parse(Base64.urlsafe_decode64(token.split(".")[1].then { |s| s + ("=" * (-s.size % 4)) }))
  end

  def user_headers(token, origin = ALLOWED)
    { "x-notiflows-api-key" => API_KEY, "x-notiflows-user-key" => token, "origin" => origin }
  end

  def test_preflight_answers_204_with_the_binding_preflight_headers
    [ALLOWED, "http://evil.example"].each do |origin|
      response = request("OPTIONS", "/v1/me", "origin" => origin, "access-control-request-method" => "GET")
      assert_equal "204", response.code
      assert_equal lower(@auth.cors_headers({ "origin" => origin }, preflight: true)), cors_of(response)
    end
    assert_equal ALLOWED, @auth.cors_headers({ "origin" => ALLOWED }, preflight: true)["Access-Control-Allow-Origin"]
  end

  def test_token_endpoint_signs_a_one_hour_token_for_the_logged_in_user
    assert_equal "401", request("GET", "/notiflows-token").code
    response = request("GET", "/notiflows-token", "cookie" => "demo_user=alice")
    assert_equal "200", response.code
    assert_equal "no-store", response["cache-control"]
    claims = claims_of(JSON.parse(response.body)["userKey"])
    assert_equal "alice", claims["sub"]
    assert_equal 3600, claims["exp"] - claims["iat"]
  end

  def test_an_authenticated_request_gets_the_user_and_cors_headers
    token = JSON.parse(request("GET", "/notiflows-token", "cookie" => "demo_user=alice").body)["userKey"]
    response = request("GET", "/v1/me", user_headers(token))
    assert_equal "200", response.code
    assert_equal({ "userId" => "alice", "mode" => "secure", "expiresAt" => claims_of(token)["exp"] }, JSON.parse(response.body))
    assert_equal lower(@auth.cors_headers({ "x-notiflows-api-key" => API_KEY, "origin" => ALLOWED })), cors_of(response)
    assert_equal ALLOWED, response["access-control-allow-origin"]
  end

  def test_refusals_carry_the_binding_status_body_and_cors_headers
    token = SIGNING_KEY.sign("bob")
    cases = {
      "api_key_missing" => { "x-notiflows-user-key" => token, "origin" => ALLOWED },
      "api_key_invalid" => { "x-notiflows-api-key" => "pk_unknown", "x-notiflows-user-key" => token },
      "user_key_missing" => { "x-notiflows-api-key" => API_KEY, "x-notiflows-user-id" => "bob", "origin" => ALLOWED },
      "token_expired" => user_headers(SIGNING_KEY.sign("bob", now: 1_000_000, expires_in: 60)),
      "signature_invalid" => user_headers(token[0...-4] + (token.end_with?("AAAA") ? "BBBB" : "AAAA")),
      "token_malformed" => user_headers("not-a-token"),
      "origin_not_allowed" => user_headers(token, "http://evil.example"),
    }
    cases.each do |code, headers|
      error = assert_raises(NotiflowsAuth::Error) { @auth.authenticate(headers) }
      assert_equal code, error.code
      response = request("GET", "/v1/me", headers)
      assert_equal error.status.to_s, response.code, code
      assert_equal error.to_h.transform_keys(&:to_s), JSON.parse(response.body), code
      assert_match %r{\Aapplication/json}, response["content-type"]
      assert_equal lower(@auth.cors_headers(headers)), cors_of(response), code
    end
  end

  def test_development_mode_user_id
    @auth.add_project(api_key: "pk_test_dev", security_mode: :development)
    response = request("GET", "/v1/me", "x-notiflows-api-key" => "pk_test_dev", "x-notiflows-user-id" => "carol")
    assert_equal "200", response.code
    assert_equal({ "userId" => "carol", "mode" => "development", "expiresAt" => nil }, JSON.parse(response.body))
  end
end

class TestRackExample < Minitest::Test
  KIND = :rack
  include RackMiddlewareTests
end

class TestSinatraExample < Minitest::Test
  KIND = :sinatra
  include RackMiddlewareTests
end
