# frozen_string_literal: true

# Ruby: notiflows_auth (over the C library, ffi gem; both verify providers) against ruby-jwt (key preloaded) and bare
# OpenSSL (the floor), RS256 verify and sign on the same 2048-bit key and token. Runs are
# interleaved: each run measures every library once, in turn.
#
# Usage: ruby bench.rb [--runs N] [--seconds S] > compare-ruby.json

$LOAD_PATH.unshift(File.expand_path("../../../ruby/lib", __dir__))
require "base64"
require "json"
require "jwt"
require "openssl"
require "notiflows_auth"

SUBJECT = "user_2f1c9a7e-5d4b-4c1a-9b3e-8f6d2a1c0e7b"
RUNS = (ARGV.index("--runs") ? ARGV[ARGV.index("--runs") + 1] : 5).to_i
SECONDS = (ARGV.index("--seconds") ? ARGV[ARGV.index("--seconds") + 1] : 0.5).to_f

def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)

def operations
  private_pem = File.read(File.expand_path("../../keys/rsa2048.pem", __dir__))
  now = Time.now.to_i
  signing_key = NotiflowsAuth::SigningKey.new(private_pem)
  public_pem = signing_key.public_key_pem
  token = signing_key.sign(SUBJECT, expires_in: 86_400, now: now)
  signing_input, _, sig_b64 = token.rpartition(".")
  signature = Base64.urlsafe_decode64(sig_b64 + ("=" * (-sig_b64.length % 4)))

  verifier = NotiflowsAuth::Verifier.new(public_pem)
  cached = NotiflowsAuth::Verifier.new(public_pem, cache_size: 1000)
  aws_lc = NotiflowsAuth::Verifier.new(public_pem, provider: "aws-lc-rs")
  auth = NotiflowsAuth::Authenticator.new(cache_size: 1000)
  auth.add_project(api_key: "pk_bench", signing_public_key: public_pem)
  headers = { "host" => "api.example.com", "user-agent" => "Mozilla/5.0", "accept" => "*/*",
              "origin" => "https://app.example.com", "x-notiflows-api-key" => "pk_bench",
              "x-notiflows-user-key" => token }
  rsa_public = OpenSSL::PKey::RSA.new(public_pem)
  rsa_private = OpenSSL::PKey::RSA.new(private_pem)
  claims = lambda do
    t = Time.now.to_i
    { "sub" => SUBJECT, "iat" => t, "exp" => t + 3600 }
  end
  ops = [
    ["verify/2048", "ours", "notiflows_auth", true, false, -> { verifier.verify(token) }],
    ["verify/2048", "ours_aws_lc_rs", "notiflows_auth, aws-lc-rs provider", true, false, -> { aws_lc.verify(token) }],
    ["verify/2048", "ours_cache_hit", "notiflows_auth, cache hit (cache_size: 1000)", true, false,
     -> { cached.verify(token) }],
    ["verify/2048", "ours_auth_cache_hit", "notiflows_auth Authenticator, cache hit (6 headers)", true, false,
     -> { auth.authenticate(headers) }],
    ["verify/2048", "ruby_jwt", "ruby-jwt (OpenSSL key)", false, false,
     -> { JWT.decode(token, rsa_public, true, algorithm: "RS256") }],
    ["verify/2048", "openssl", "OpenSSL (bare verify)", false, true,
     -> { rsa_public.verify("SHA256", signature, signing_input) }],
    ["sign/2048", "ours", "notiflows_auth", true, false, -> { signing_key.sign(SUBJECT) }],
    ["sign/2048", "ruby_jwt", "ruby-jwt (OpenSSL key)", false, false,
     -> { JWT.encode(claims.call, rsa_private, "RS256") }],
    ["sign/2048", "openssl", "OpenSSL (bare sign)", false, true, -> { rsa_private.sign("SHA256", signing_input) }],
  ]
  # Check every library once on the shared token, so that no error path is measured.
  raise "ours" unless [verifier, cached, aws_lc].all? { |v| v.verify(token).sub == SUBJECT }
  raise "ours auth" unless auth.authenticate(headers).user_id == SUBJECT
  raise "ruby-jwt" unless JWT.decode(token, rsa_public, true, algorithm: "RS256")[0]["sub"] == SUBJECT
  raise "openssl" unless rsa_public.verify("SHA256", signature, signing_input)
  raise "ruby-jwt sign" unless verifier.verify(JWT.encode(claims.call, rsa_private, "RS256")).sub == SUBJECT

  [ops, { "ruby" => RUBY_VERSION, "notiflows_auth" => NotiflowsAuth::VERSION, "ruby-jwt" => JWT::VERSION::STRING,
          "ffi" => FFI::VERSION, "openssl" => OpenSSL::OPENSSL_LIBRARY_VERSION }]
end

def rate(fn, seconds)
  n = 1
  t = 0.0
  loop do
    start = clock
    n.times { fn.call }
    t = clock - start
    break if t > 0.02

    n *= 2
  end
  batch = [1, (n * 0.02 / t).to_i].max
  done = 0
  start = clock
  stop = start + seconds
  while clock < stop
    batch.times { fn.call }
    done += batch
  end
  done / (clock - start)
end

ops, versions = operations
runs = Hash.new { |h, k| h[k] = [] }
RUNS.times do
  ops.each do |group, id, _, _, _, fn|
    runs[[group, id]] << rate(fn, group.start_with?("verify") ? SECONDS : SECONDS * 2)
  end
end
median = lambda do |xs|
  s = xs.sort
  m = s.length / 2
  s.length.odd? ? s[m] : (s[m - 1] + s[m]) / 2.0
end
results = ops.map do |group, id, label, ours, floor, _|
  r = runs[[group, id]]
  { group: group, threads: 1, id: id, label: label, ours: ours, floor: floor, runs: r, ops_per_sec: median.call(r) }
end
puts JSON.pretty_generate({ language: "ruby", versions: versions, results: results })
