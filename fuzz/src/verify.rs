//! Target `verify`: full verification with the shared key at the fixed clock.
//!
//! The first byte chooses what the rest is: a token as is (two times out of four), a
//! header and a payload (split at the first NUL) signed with the shared key, or a payload
//! signed under `{"alg":"RS256","typ":"JWT"}`. Signing lets the fuzzer reach the claims
//! rules, which only a verified signature unlocks.
//!
//! Invariants:
//! - `Ok` only for tokens the reference accepts, with the same claims; refusals with the
//!   reference's code (so a claims error never comes before a verified signature);
//! - a token whose signature verified, re-signed with another key, fails with
//!   `signature_invalid`, and that key's own verifier gives the original verdict;
//! - a stricter policy agrees with the reference under that policy.

use crate::codes;
use crate::fixtures::{self, NOW};
use crate::reference::{self, Options, Stage};
use notiflows_auth::{Policy, Provider, Verifier};
use std::sync::OnceLock;

const HEADER: &[u8] = br#"{"alg":"RS256","typ":"JWT"}"#;

/// A stricter policy: leeway, `exp` required, a lifetime cap, a smaller size limit, no skew.
const STRICT: Policy = Policy {
    leeway_seconds: 30,
    require_exp: true,
    max_lifetime_seconds: Some(7200),
    max_token_bytes: 4096,
    iat_skew_seconds: 0,
    provider: Provider::Ring,
};
const STRICT_REFERENCE: Options = Options {
    max_token_bytes: 4096,
    verify_signature: true,
    now: Some(NOW),
    leeway: 30,
    require_exp: true,
    max_lifetime: Some(7200),
    iat_skew: 0,
};

fn strict_verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| Verifier::with_policy(fixtures::get().shared.public.clone(), STRICT).unwrap())
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let fx = fixtures::get();
    let token = match mode % 4 {
        2 => {
            let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            fx.shared.token(&rest[..split], rest.get(split + 1..).unwrap_or_default())
        }
        3 => fx.shared.token(HEADER, rest),
        _ => rest.to_vec(),
    };
    let token = &token[..];

    let ours = fx.shared.verifier.verify(token, NOW);
    let reference = reference::check(token, &Options::verifier(NOW));
    reference::assert_agrees(&ours, &reference, token);
    let borrowed = fx.shared.verifier.verify_with(token, NOW, |claims| claims.to_claims());
    assert_eq!(borrowed, ours, "verify_with and verify disagree");
    if let Ok(claims) = &ours {
        // Verified implies parseable, with the same claims.
        assert_eq!(notiflows_auth::verify::decode_unverified(token, usize::MAX).as_ref(), Ok(claims));
    }

    let strict = strict_verifier().verify(token, NOW);
    reference::assert_agrees(&strict, &reference::check(token, &STRICT_REFERENCE), token);

    // Re-signed with another key: worth the RSA work for tokens whose signature verified.
    let verified = reference.as_ref().err().is_none_or(|r| r.stage == Stage::Claims);
    let second_dot = token.iter().enumerate().filter(|(_, &b)| b == b'.').nth(1).map(|(i, _)| i);
    if let (true, Some(end)) = (verified, second_dot) {
        let resigned = fx.other.with_signature(&token[..end]);
        match fx.shared.verifier.verify(&resigned, NOW) {
            Ok(claims) => panic!("a token re-signed with another key verified: {claims:?}"),
            Err(e) => codes::assert_error(&e, &["signature_invalid"], &String::from_utf8_lossy(&resigned)),
        }
        // The other key's verifier gives the original verdict on its own signature (both
        // keys are 2048-bit, so the token keeps its length).
        assert_eq!(fx.other.verifier.verify(&resigned, NOW), ours, "the other key's verdict on its own signature");
    }
}
