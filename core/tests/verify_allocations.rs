//! Zero heap allocations in our code per verify, with every provider: a full verify must
//! allocate exactly what the bare library's verify of the same signature allocates (ring's
//! RSA verify allocates inside ring; aws-lc-rs with a `ParsedPublicKey` allocates in C,
//! which this counter does not see, and nothing in Rust). Counted per thread with a
//! counting global allocator.

mod common;
mod counting_alloc;

use common::{b64url, jwt_cases, shared_public_key, with_each_provider};
use counting_alloc::count;
use notiflows_auth::{Policy, Provider, Verifier};

#[test]
fn full_verify_allocates_exactly_what_the_bare_library_does() {
    let key = shared_public_key();
    let cases = jwt_cases();
    // Every valid case, including escaped, surrogate-pair and 1117-byte subjects.
    let valid: Vec<_> = cases.iter().filter(|c| c.expect == "valid").collect();
    assert_eq!(valid.len(), 24);
    let ring_key =
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key.rsa_public_key_der());
    let aws_key = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        key.rsa_public_key_der(),
    )
    .unwrap();
    for policy in with_each_provider(Policy { require_exp: false, ..Policy::default() }) {
        let verifier = Verifier::with_policy(key.clone(), policy).unwrap();
        for case in &valid {
            let (signing_input, signature) = case.token.rsplit_once('.').unwrap();
            let signature = b64url(signature);
            let bare = match policy.provider {
                Provider::Ring => {
                    let bare = count(|| ring_key.verify(signing_input.as_bytes(), &signature).unwrap());
                    assert!(bare.0 > 0, "the counter sees ring's own allocations");
                    bare
                }
                Provider::AwsLcRs => count(|| aws_key.verify_sig(signing_input.as_bytes(), &signature).unwrap()),
            };
            let ours = count(|| verifier.verify(case.token.as_bytes(), case.now).unwrap());
            assert_eq!(ours, bare, "{} ({}): ours {ours:?} vs bare {bare:?}", case.name, policy.provider);
        }
    }
}

#[test]
fn rejected_tokens_allocate_nothing_before_the_signature() {
    for policy in with_each_provider(Policy::default()) {
        rejected_tokens_with(&Verifier::with_policy(shared_public_key(), policy).unwrap());
    }
}

fn rejected_tokens_with(verifier: &Verifier) {
    for case in jwt_cases().iter().filter(|c| c.category == "alg_none" || c.category == "base64url_encoding") {
        let (allocations, _) = count(|| verifier.verify(case.token.as_bytes(), case.now).unwrap_err());
        // Tokens refused before the signature step never reach ring.
        if allocations != 0 {
            let err = verifier.verify(case.token.as_bytes(), case.now).unwrap_err();
            assert_eq!(err.code(), "signature_invalid", "{}", case.name);
        }
    }
}
