//! RFC 7515 A.2 and RFC 7520 4.1: known-answer RS256 signatures that are not user tokens.

mod common;

use common::read_json;
use notiflows_auth::{ErrorKind, PublicKey, Verifier};

fn verifier_and_token(file: &str) -> (Verifier, serde_json::Value) {
    let doc = read_json(file);
    let key = PublicKey::parse(doc["public_key_pem"].as_str().unwrap().as_bytes()).unwrap();
    (Verifier::new(key), doc)
}

#[test]
fn rfc7515_a2_signature_verifies_but_has_no_sub() {
    let (verifier, doc) = verifier_and_token("rfc/rfc7515_a2.json");
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
    let (verifier, doc) = verifier_and_token("rfc/rfc7520_4_1.json");
    let token = doc["compact_jws"].as_str().unwrap();
    assert_eq!(verifier.verify(token.as_bytes(), 0).unwrap_err().kind(), ErrorKind::TokenJson);
    // Both keys are 2048-bit and both PEM forms load to the same key.
    let pkcs1 = PublicKey::parse(doc["public_key_pkcs1_pem"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(&pkcs1, verifier.public_key());
}
