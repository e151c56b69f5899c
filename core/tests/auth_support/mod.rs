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
    /// The private key's PKCS#8 DER, to sign claims our signer would not write.
    pkcs8: Vec<u8>,
}

impl Keys {
    pub fn generate() -> Keys {
        use base64::Engine as _;
        let pair = generate_signing_key(2048).unwrap();
        let body: String = pair.private_key_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        Keys {
            signing: pair.signing_key().unwrap(),
            public: PublicKey::parse(pair.public_key_pem.as_bytes()).unwrap(),
            pkcs8: base64::engine::general_purpose::STANDARD.decode(body).unwrap(),
        }
    }

    /// A token with this exact claims JSON, header `{"alg":"RS256"}`.
    pub fn sign_claims(&self, claims: &str) -> String {
        self.sign_parts(r#"{"alg":"RS256"}"#.as_bytes(), claims)
    }

    /// A token with this exact header (any bytes) and claims JSON.
    pub fn sign_parts(&self, header: &[u8], claims: &str) -> String {
        use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
        use base64::Engine as _;
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let input = format!("{}.{}", url.encode(header), url.encode(claims));
        let pair = RsaKeyPair::from_pkcs8(&self.pkcs8).unwrap();
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut signature).unwrap();
        format!("{input}.{}", url.encode(signature))
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
        ..ProjectConfig::default()
    }
}

/// Both configurations every rule is checked with: no cache, and a cache.
pub const CACHE_CAPACITIES: [usize; 2] = [0, 64];
