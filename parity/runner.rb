# frozen_string_literal: true

# The parity runner for Ruby: every case of the corpus through the notiflows_auth gem's public
# API. Usage: ruby -Iruby/lib parity/runner.rb CORPUS_JSON > ruby.jsonl (see parity/README.md).

require "json"
require "notiflows_auth"

ROOT = File.expand_path("..", __dir__)
OPTIONS = %w[leeway require_exp max_token_bytes max_lifetime iat_skew cache_size].freeze
FAMILIES = [NotiflowsAuth::TokenError, NotiflowsAuth::SigningKeyError, NotiflowsAuth::RequestAuthError,
            NotiflowsAuth::ConfigError].freeze

# Compact JSON with the keys sorted, as every runner writes it.
def line(record)
  JSON.generate(record.sort.to_h)
end

def result(kase, **fields)
  record = %w[claim code credential family message mode status sub user_id].to_h { |k| [k, nil] }
  record.merge("case" => kase["name"], "outcome" => "ok").merge(fields.transform_keys(&:to_s))
end

def failure(kase, error)
  if error.is_a?(NotiflowsAuth::Error)
    family = FAMILIES.find { |cls| error.is_a?(cls) }
    return result(kase, outcome: "error", code: error.code, status: error.status, claim: error.claim,
                        message: error.message, family: family && family::FAMILY)
  end
  result(kase, outcome: "binding_error", message: "#{error.class}: #{error.message}")
end

# A header value as Rack delivers it: the bytes as sent.
def value(corpus, val)
  return val.b if val.is_a?(String)
  return [val["hex"]].pack("H*") if val.key?("hex")

  (corpus["tokens"].fetch(val["token"]) + val.fetch("append", "")).b
end

def options(kase, cache: true)
  kase["options"].select { |k, _| OPTIONS.include?(k) && (cache || k != "cache_size") }.transform_keys(&:to_sym)
end

def add_project(auth, key, project)
  # The corpus key, named by `kid` when the project names it.
  named = ->(kid) { kid.nil? ? key : NotiflowsAuth::PublicKey.new(key).with_kid(kid) }
  members = {}
  members[:retiring_keys] = project["retiring_keys"].map { |r| { key: named.call(r["kid"]), until: r["until"] } } if project.key?("retiring_keys")
  members[:revoked_before] = project["revoked_before"] if project.key?("revoked_before")
  if project.key?("user_revocations")
    members[:user_revocations] = project["user_revocations"].map do |u|
      { user_id: u["user_id"], revoked_before: u["revoked_before"] }
    end
  end
  (project["lifetime"] || {}).each { |name, value| members[name.to_sym] = value }
  auth.add_project(api_key: project["api_key"], security_mode: project["security_mode"].to_sym,
                   signing_public_key: project["signing_key"] ? named.call(project["signing_key_kid"]) : nil,
                   allowed_origins: project["allowed_origins"], **members)
end

def run(corpus, key, kase)
  case kase["kind"]
  when "verify"
    claims = NotiflowsAuth::Verifier.new(key, **options(kase)).verify(corpus["tokens"].fetch(kase["token"]),
                                                                      now: kase["now"])
    result(kase, sub: claims.sub)
  when "request"
    auth = NotiflowsAuth::Authenticator.new(**options(kase))
    corpus["projects"].each { |project| add_project(auth, key, project) }
    headers = kase["headers"].map { |name, val| [name, value(corpus, val)] }
    user = nil
    kase.fetch("repeat", 1).times { user = auth.authenticate(headers, now: kase["now"]) }
    result(kase, user_id: user.user_id, mode: user.mode.to_s, credential: user.credential.to_s)
  else
    NotiflowsAuth::Verifier.new(key, **options(kase, cache: false)).close
    auth = NotiflowsAuth::Authenticator.new(**options(kase))
    add_project(auth, key, kase["project"])
    result(kase)
  end
rescue StandardError => e
  failure(kase, e)
end

corpus = JSON.parse(File.read(ARGV.fetch(0), encoding: "UTF-8"))
key = File.read(File.join(ROOT, corpus["public_key"]))
out = NotiflowsAuth::ERROR_TABLE.reject { |row| row.family == "ffi" }.map do |row|
  family = FAMILIES.select { |cls| cls.codes.include?(row.code) }.map { |cls| cls::FAMILY }
  line("case" => "error/#{row.code}", "family" => family, "status" => row.status)
end
corpus["cases"].each { |kase| out << line(run(corpus, key, kase)) }
$stdout.write("#{out.join("\n")}\n")
