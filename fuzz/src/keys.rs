//! Target `keys`: public and private key loading from arbitrary bytes (PEM, DER, the
//! base64-encoded PEM line; the format is detected).
//!
//! Invariants: refusals are `key_invalid` or `key_unsupported`; no input is both a public
//! and a private key; a loaded public key is 2048 to 8192 bits and round-trips through its
//! SPKI PEM and its PKCS#1 DER; a loaded private key signs a token that its own public key
//! verifies and the fixed key refuses (unless it is the fixed key).

use crate::codes;
use crate::fixtures::{self, NOW};
use notiflows_auth::{PublicKey, SignOptions, SigningKey, Verifier, MAX_RSA_MODULUS_BITS, MIN_RSA_MODULUS_BITS};

const KEY_CODES: &[&str] = &["key_invalid", "key_unsupported"];

pub fn check(data: &[u8]) {
    let public = PublicKey::parse(data);
    let private = SigningKey::parse(data);
    for e in [public.as_ref().err(), private.as_ref().err()].into_iter().flatten() {
        codes::assert_error(e, KEY_CODES, &"key input");
    }
    assert!(!(public.is_ok() && private.is_ok()), "one input loaded as both a public and a private key");
    if let Ok(key) = &public {
        check_public(key);
    }
    if let Ok(key) = &private {
        check_public(key.public_key());
        let token = key.sign_user_token("fuzz-user", &SignOptions::new(NOW)).expect("a loaded key signs");
        let claims = Verifier::new(key.public_key().clone()).verify(token.as_bytes(), NOW).expect("own key verifies");
        assert_eq!(claims.sub.as_str(), "fuzz-user");
        let fx = fixtures::get();
        if key.public_key() != &fx.shared.public {
            let e = fx.shared.verifier.verify(token.as_bytes(), NOW).expect_err("another key's token verified");
            codes::assert_error(&e, &["signature_invalid"], &token);
        }
    }
}

fn check_public(key: &PublicKey) {
    let bits = key.modulus_bits();
    assert!((MIN_RSA_MODULUS_BITS..=MAX_RSA_MODULUS_BITS).contains(&bits), "{bits} bits");
    assert_eq!(key.signature_len(), bits.div_ceil(8));
    assert_eq!(PublicKey::parse(key.to_spki_pem().as_bytes()).as_ref(), Ok(key), "SPKI PEM round trip");
    assert_eq!(PublicKey::parse(key.rsa_public_key_der()).as_ref(), Ok(key), "PKCS#1 DER round trip");
}
