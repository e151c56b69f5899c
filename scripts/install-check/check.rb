# frozen_string_literal: true

# The user's script for the installed gem: the scenario of scripts/install-check/expected.txt.
require "notiflows_auth"

library = NotiflowsAuth.native_library
warn "ruby: version #{NotiflowsAuth::VERSION} (library #{NotiflowsAuth.library_version}), " \
     "library #{library[:source]} #{library[:path]}"
raise "VERSION #{NotiflowsAuth::VERSION}" unless NotiflowsAuth::VERSION == ENV.fetch("EXPECTED_VERSION")
raise "library version #{NotiflowsAuth.library_version}" unless NotiflowsAuth.library_version == ENV.fetch("EXPECTED_VERSION")
raise "library not bundled: #{library}" unless library[:source] == :bundled && library[:path].start_with?("#{ENV.fetch("INSTALL_DIR")}/")

pair = NotiflowsAuth.generate_signing_key
token = NotiflowsAuth.sign_user_token("user-42", signing_key: pair.private_key_pem, expires_in: 600)
puts "verified #{NotiflowsAuth::Verifier.new(pair.public_key_pem).verify(token).sub}"

auth = NotiflowsAuth::Authenticator.new
auth.add_project(api_key: "pk_test_1", signing_public_key: pair.public_key_pem,
                 allowed_origins: ["https://app.example.com"])
request = ->(origin) { { "x-notiflows-api-key" => "pk_test_1", "x-notiflows-user-key" => token, "origin" => origin } }
user = auth.authenticate(request.call("https://app.example.com"))
puts "authenticated #{user.user_id} #{user.mode}"
begin
  auth.authenticate(request.call("https://evil.example.net"))
  puts "not refused"
rescue NotiflowsAuth::Error => e
  puts "refused #{e.code} #{e.status}"
end
