# frozen_string_literal: true

# Complete Rack and Sinatra servers with notiflows-auth: a (demo) login, the token endpoint
# that signs a user token for the logged-in user, and the User API behind the middleware.
#
#   apt-get install ruby ruby-ffi ruby-rack ruby-webrick ruby-sinatra
#   NOTIFLOWS_SIGNING_KEY=... rackup examples/ruby/config.ru      (or: ruby examples/ruby/app.rb)
#
# Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.

require "json"
require "rack"
require "sinatra/base"
require "notiflows_auth"
require "notiflows_auth/rack"

module NotiflowsExample
  # The demo's "session": a cookie naming the user. Use your real login (Devise, Warden) instead.
  def self.logged_in_user(env)
    ::Rack::Request.new(env).cookies["demo_user"]
  end

  # The User API's side: one Authenticator for the process, the project's public key in it.
  def self.authenticator(signing_key, api_key, allowed_origins)
    auth = NotiflowsAuth::Authenticator.new(cache_size: 10_000)
    auth.add_project(api_key: api_key, signing_public_key: signing_key.public_key_pem, allowed_origins: allowed_origins)
    auth
  end

  def self.me(user)
    JSON.generate(userId: user.user_id, mode: user.mode, expiresAt: user.expires_at)
  end

  # A plain Rack app (config.ru style).
  def self.rack(signing_key:, api_key:, allowed_origins: [], expires_in: 3600, now: nil)
    auth = authenticator(signing_key, api_key, allowed_origins)
    app = ::Rack::Builder.new do
      map "/notiflows-token" do
        run NotiflowsAuth::Rack.token_endpoint(signing_key: signing_key, expires_in: expires_in, now: now) { |env|
          NotiflowsExample.logged_in_user(env)
        }
      end
      map "/v1" do
        use NotiflowsAuth::Rack, authenticator: auth, now: now
        run lambda { |env|
          [200, { "content-type" => "application/json" }, [NotiflowsExample.me(env[NotiflowsAuth::Rack::USER_KEY])]]
        }
      end
    end
    [app.to_app, auth]
  end

  # The same in Sinatra: the middleware covers /v1/, the token route sits beside it.
  def self.sinatra(signing_key:, api_key:, allowed_origins: [], expires_in: 3600, now: nil)
    auth = authenticator(signing_key, api_key, allowed_origins)
    token = NotiflowsAuth::Rack.token_endpoint(signing_key: signing_key, expires_in: expires_in, now: now) { |env|
      NotiflowsExample.logged_in_user(env)
    }
    app = Class.new(Sinatra::Base) do
      use NotiflowsAuth::Rack, authenticator: auth, prefix: "/v1/", now: now
      get("/notiflows-token") { token.call(env) }
      get "/v1/me" do
        content_type :json
        NotiflowsExample.me(env["notiflows.user"])
      end
    end
    [app, auth]
  end

  def self.signing_key_from_env
    return NotiflowsAuth::SigningKey.new(ENV["NOTIFLOWS_SIGNING_KEY"]) if ENV["NOTIFLOWS_SIGNING_KEY"]

    warn "NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair"
    NotiflowsAuth::SigningKey.new(NotiflowsAuth.generate_signing_key.private_key_pem)
  end

  def self.from_env(kind)
    send(kind, signing_key: signing_key_from_env, api_key: ENV.fetch("NOTIFLOWS_API_KEY", "pk_test_example"),
               allowed_origins: ENV.fetch("NOTIFLOWS_ALLOWED_ORIGINS", "").split(",")).first
  end
end

if $PROGRAM_NAME == __FILE__
  require "rack/handler/webrick"
  Rack::Handler::WEBrick.run(NotiflowsExample.from_env(:sinatra), Host: "127.0.0.1", Port: Integer(ENV.fetch("PORT", "4567")))
end
