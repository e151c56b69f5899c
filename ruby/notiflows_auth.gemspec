# frozen_string_literal: true

require_relative "lib/notiflows_auth/version"

Gem::Specification.new do |spec|
  spec.name = "notiflows_auth"
  spec.version = NotiflowsAuth::VERSION
  spec.summary = "Notiflows User API client authentication: sign and verify RS256 user tokens, authenticate requests"
  spec.description = "Ruby bindings (ffi) over libnotiflows_auth, the notiflows-auth C library: user-token " \
                     "signing for backends, signing-key generation, token verification and request authentication."
  spec.license = "Apache-2.0"
  spec.authors = ["Notiflows"]
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir.glob("lib/**/*.rb", base: __dir__)
  spec.require_paths = ["lib"]
  # scripts/package puts the C library in lib/notiflows_auth/prebuilt/ (a copy of ruby/,
  # never the checkout itself): the gem is then one for this platform. Without it, a plain
  # gem that needs NOTIFLOWS_AUTH_LIB.
  prebuilt = Dir.glob("lib/notiflows_auth/prebuilt/*", base: __dir__)
  unless prebuilt.empty?
    spec.platform = Gem::Platform.local
    spec.files += prebuilt
  end
  # Satisfied by Debian's ruby-ffi (1.15.5, registered with rubygems), so `gem install
  # --local` needs no gem server.
  spec.add_dependency "ffi", ">= 1.15"
  spec.add_development_dependency "jwt", ">= 2.5"
  spec.add_development_dependency "minitest", ">= 5.17"
end
