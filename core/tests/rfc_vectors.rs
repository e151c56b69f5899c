//! RFC 7515 A.2 and RFC 7520 4.1: known-answer RS256 signatures that are not user tokens.

mod common;

use common::{read_json, with_each_provider};
use notiflows_auth::{ErrorKind, Policy, PublicKey, Verifier};

/// The file's key under every provider, and the file.
fn verifiers_and_token(file: &str) -> (Vec<Verifier>, serde_json::Value) {
    let doc = read_json(file);
    let key = PublicKey::parse(doc["public_key_pem"].as_str().unwrap().as_bytes()).unwrap();
    let verifiers = with_each_provider(Policy::default()).map(|p| Verifier::with_policy(key.clone(), p).unwrap());
    (verifiers.collect(), doc)
}

#[test]
fn rfc7515_a2_signature_verifies_but_has_no_sub() {
    let (verifiers, doc) = verifiers_and_token("rfc/rfc7515_a2.json");
    for verifier in &verifiers {
        rfc7515_a2(verifier, &doc);
    }
}

fn rfc7515_a2(verifier: &Verifier, doc: &serde_json::Value) {
    let token = doc["compact_jws"].as_str().unwrap();
    let err = verifier.verify(token.as_bytes(), 1_300_819_000).unwrap_err();
    // A claims error is only reported once the signature has verified.
    assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimMissing, Some("sub")));
    // The same token with one signature bit flipped stops at the signature.
    let mut tampered = token.as_bytes().to_vec();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(verifier.verify(&tampered, 1_300_819_000).unwrap_err().kind(), ErrorKind::SignatureInvalid);
}

#[test]
fn rfc7520_4_1_payload_is_not_json() {
    let (verifiers, doc) = verifiers_and_token("rfc/rfc7520_4_1.json");
    let token = doc["compact_jws"].as_str().unwrap();
    // Both keys are 2048-bit and both PEM forms load to the same key.
    let pkcs1 = PublicKey::parse(doc["public_key_pkcs1_pem"].as_str().unwrap().as_bytes()).unwrap();
    for verifier in &verifiers {
        assert_eq!(verifier.verify(token.as_bytes(), 0).unwrap_err().kind(), ErrorKind::TokenJson);
        assert_eq!(&pkcs1, verifier.public_key());
    }
}
