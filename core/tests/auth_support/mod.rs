//! Helpers for the request-authentication tests: generated key pairs, signed tokens and a
//! configured authenticator.
#![allow(dead_code)]

use notiflows_auth::{
    generate_signing_key, Authenticator, AuthenticatorOptions, Policy, ProjectConfig, Provider, PublicKey,
    SecurityMode, SignOptions, SigningKey,
};
use std::sync::OnceLock;

pub const NOW: i64 = 1_700_000_000;
pub const API_KEY: &str = "pk_test_project";

/// A key pair for tests.
pub struct Keys {
    pub signing: SigningKey,
    pub public: PublicKey,
}

impl Keys {
    pub fn generate() -> Keys {
        let pair = generate_signing_key(2048).unwrap();
        Keys { signing: pair.signing_key().unwrap(), public: PublicKey::parse(pair.public_key_pem.as_bytes()).unwrap() }
    }

    /// A token for `sub` issued at `now`, valid for an hour.
    pub fn token(&self, sub: &str, now: i64) -> String {
        self.token_with(sub, &SignOptions::new(now))
    }

    pub fn token_with(&self, sub: &str, options: &SignOptions<'_>) -> String {
        self.signing.sign_user_token(sub, options).unwrap()
    }
}

/// Two key pairs generated once per test binary.
pub fn keys() -> &'static [Keys; 2] {
    static KEYS: OnceLock<[Keys; 2]> = OnceLock::new();
    KEYS.get_or_init(|| [Keys::generate(), Keys::generate()])
}

/// An authenticator with the default policy and the given cache capacity.
pub fn authenticator(cache_capacity: usize) -> Authenticator {
    authenticator_with(Provider::default(), cache_capacity)
}

/// An authenticator with the default policy on `provider`.
pub fn authenticator_with(provider: Provider, cache_capacity: usize) -> Authenticator {
    let policy = Policy { provider, ..Policy::default() };
    Authenticator::new(AuthenticatorOptions { policy, cache_capacity }).unwrap()
}

/// A project config for [`API_KEY`].
pub fn project(mode: SecurityMode, key: Option<&PublicKey>, origins: &[&str]) -> ProjectConfig {
    ProjectConfig {
        api_key: API_KEY.to_string(),
        security_mode: mode,
        signing_public_key: key.cloned(),
        allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
    }
}

/// Both configurations every rule is checked with: no cache, and a cache.
pub const CACHE_CAPACITIES: [usize; 2] = [0, 64];
