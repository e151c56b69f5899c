//! Target `providers`: the two verify providers, ring and aws-lc-rs (key parsed once), must
//! agree on every input.
//!
//! The first byte chooses what the rest is, modulo 6: a token as is (0, 1), a header and a
//! payload split at the first NUL and signed with the shared key (2), a payload signed
//! under `{"alg":"RS256","typ":"JWT"}` (3), key material (4), or bytes that tamper with a
//! valid raw signature (5).
//!
//! Invariants:
//! - a token gets the same result (claims, or the same error with the same detail) from
//!   both providers, under the default and a strict policy;
//! - every key that loads is accepted by both providers, and both give the same verdict on
//!   a signature made of the input;
//! - a raw RS256 signature, tampered with or taken as is, gets the same verdict from both.

use crate::fixtures::{self, NOW};
use notiflows_auth::provider::VerifyingKey;
use notiflows_auth::{Policy, Provider, PublicKey, Verifier};
use std::sync::OnceLock;

const HEADER: &[u8] = br#"{"alg":"RS256","typ":"JWT"}"#;
const MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm92aWRlcnMifQ";

/// Default and strict policies, each under both providers: `[ring, aws-lc-rs]` per policy.
fn verifiers() -> &'static [[Verifier; 2]; 2] {
    static VERIFIERS: OnceLock<[[Verifier; 2]; 2]> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let strict = Policy {
            leeway_seconds: 30,
            require_exp: true,
            max_lifetime_seconds: Some(7200),
            max_token_bytes: 4096,
            iat_skew_seconds: 0,
            ..Policy::default()
        };
        [Policy::default(), strict].map(|policy| both(|provider| Policy { provider, ..policy }))
    })
}

/// One verifier per provider for the shared key.
fn both(policy: impl Fn(Provider) -> Policy) -> [Verifier; 2] {
    Provider::ALL.map(|provider| {
        let verifier = Verifier::with_policy(fixtures::get().shared.public.clone(), policy(provider)).unwrap();
        assert_eq!(verifier.provider(), provider);
        verifier
    })
}

/// `key` prepared for each provider; both must accept every key that loads.
fn prepared(key: &PublicKey) -> [VerifyingKey; 2] {
    Provider::ALL.map(|provider| match VerifyingKey::new(key.clone(), provider) {
        Ok(prepared) => prepared,
        Err(e) => panic!("{provider} refuses a key that loads ({key:?}): {e}"),
    })
}

fn assert_same_verdict(keys: &[VerifyingKey; 2], message: &[u8], signature: &[u8]) {
    let [ring, aws] = keys.each_ref().map(|k| k.verify_rs256(message, signature));
    assert_eq!(ring, aws, "ring and aws-lc-rs disagree on a raw signature of {} bytes", signature.len());
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let fx = fixtures::get();
    let token = match mode % 6 {
        2 => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            fx.shared.token(&rest[..split], rest.get(split + 1..).unwrap_or_default())
        }
        3 => fx.shared.token(HEADER, rest),
        4 => {
            if let Ok(key) = PublicKey::parse(rest) {
                let mut signature = rest.to_vec();
                signature.resize(key.signature_len(), 0);
                assert_same_verdict(&prepared(&key), MESSAGE, &signature);
            }
            return;
        }
        5 => {
            let keys = prepared(&fx.shared.public);
            let mut signature = fx.shared.sign(MESSAGE);
            assert_same_verdict(&keys, MESSAGE, &signature);
            for (s, r) in signature.iter_mut().zip(rest) {
                *s ^= r;
            }
            assert_same_verdict(&keys, MESSAGE, &signature);
            assert_same_verdict(&keys, MESSAGE, rest);
            return;
        }
        _ => rest.to_vec(),
    };
    for [ring, aws] in verifiers() {
        let (a, b) = (ring.verify(&token, NOW), aws.verify(&token, NOW));
        assert_eq!(a, b, "ring and aws-lc-rs disagree on {:?}", String::from_utf8_lossy(&token));
    }
}
