# frozen_string_literal: true

require "json"
require "notiflows_auth"

module NotiflowsAuth
  # Rack middleware (Rails, Sinatra, any Rack app) over the Authenticator: answers CORS
  # preflights (204), authenticates every other request under `prefix:` and puts the
  # AuthenticatedUser in env["notiflows.user"], or answers the refusal with its status, the
  # JSON body {"code", "message"} and the CORS headers. Every decision is the binding's.
  #
  #   use NotiflowsAuth::Rack, authenticator: AUTH, prefix: "/v1/"                  # config.ru, Sinatra
  #   config.middleware.use NotiflowsAuth::Rack, authenticator: AUTH, prefix: "/v1/"  # Rails
  class Rack
    USER_KEY = "notiflows.user"
    JSON_TYPE = { "content-type" => "application/json" }.freeze
    TOKEN_HEADERS = { "content-type" => "application/json", "cache-control" => "no-store" }.freeze

    # now: a clock for tests (-> Unix seconds); nil is the binding's system clock.
    def initialize(app, authenticator:, prefix: "/", now: nil)
      @app = app
      @authenticator = authenticator
      @prefix = prefix
      @now = now
    end

    def call(env)
      return @app.call(env) unless "#{env['SCRIPT_NAME']}#{env['PATH_INFO']}".start_with?(@prefix)

      headers = NotiflowsAuth.rack_headers(env)
      if env["REQUEST_METHOD"] == "OPTIONS" && env.key?("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        return [204, cors(headers, preflight: true), []]
      end

      cors = cors(headers)
      begin
        env[USER_KEY] = @authenticator.authenticate_rack(env, now: @now&.call)
      rescue NotiflowsAuth::BindingError
        raise
      rescue NotiflowsAuth::Error => e
        return [e.status, cors.merge(JSON_TYPE), [JSON.generate(e.to_h)]]
      end
      status, headers, body = @app.call(env)
      [status, headers.merge(cors), body]
    end

    # The user the middleware authenticated for this request (nil outside its prefix).
    def self.user(env)
      env[USER_KEY]
    end

    # A Rack app answering {"userKey": ...}, a user token for the logged-in user the block
    # returns (nil: 401), signed with `signing_key:` (default: ENV["NOTIFLOWS_SIGNING_KEY"]),
    # valid `expires_in:` seconds (default 3600).
    #
    #   get "/notiflows-token", to: NotiflowsAuth::Rack.token_endpoint { |env| env["warden"].user&.id }  # Rails
    def self.token_endpoint(signing_key: ENV.fetch("NOTIFLOWS_SIGNING_KEY", nil), expires_in: 3600, now: nil, &user_id)
      raise ArgumentError, "token_endpoint needs a block giving the logged-in user's id" unless user_id

      lambda do |env|
        id = user_id.call(env)
        if id.nil? || id.to_s.empty?
          next [401, TOKEN_HEADERS.dup, [JSON.generate(message: "log in first: there is no user to sign a token for")]]
        end

        token = NotiflowsAuth.sign_user_token(id.to_s, signing_key: signing_key, expires_in: expires_in, now: now&.call)
        [200, TOKEN_HEADERS.dup, [JSON.generate(userKey: token)]]
      end
    end

    private

    # Lower-case names, as Rack 3 requires of response headers.
    def cors(headers, preflight: false)
      @authenticator.cors_headers(headers, preflight: preflight).to_h { |name, value| [name.downcase, value] }
    end
  end
end
