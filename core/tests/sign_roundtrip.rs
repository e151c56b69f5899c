//! Sign-then-verify round trips: our verifier and an independent JSON parser (serde_json)
//! must read back exactly what was signed.

use notiflows_auth::token::MAX_SUBJECT_BYTES;
use notiflows_auth::{generate_signing_key, ErrorKind, Kid, NumericDate, SignOptions, SigningKey, Verifier};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The shared jwt-cases key: loading it is fast, generating one is not.
fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let path = format!("{}/../testdata/vectors/jwt-cases/rsa_private_pkcs8.pem", env!("CARGO_MANIFEST_DIR"));
        SigningKey::parse(&std::fs::read(path).unwrap()).unwrap()
    })
}

/// Unpadded base64url, decoded independently of the crate.
fn b64url(segment: &str) -> Vec<u8> {
    const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    for chunk in segment.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (URL.iter().position(|&u| u == c).unwrap() as u32) << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// The token's header and claims, as serde_json reads them, and its exact header text.
fn parts(token: &str) -> (String, Value, Value) {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3);
    let header = String::from_utf8(b64url(segments[0])).unwrap();
    let claims = serde_json::from_slice(&b64url(segments[1])).unwrap();
    (header.clone(), serde_json::from_str(&header).unwrap(), claims)
}

/// Signs and verifies; checks what both our verifier and serde_json read back.
fn round_trip(key: &SigningKey, sub: &str, options: &SignOptions<'_>) {
    let token = key.sign_user_token(sub, options).unwrap();
    let claims = Verifier::new(key.public_key().clone()).verify(token.as_bytes(), options.now).unwrap();
    assert_eq!(claims.sub.as_str(), sub);
    assert_eq!(claims.iat, Some(NumericDate::from_seconds(options.now)));
    let exp = options.expires_in.map(|secs| options.now + i64::try_from(secs).unwrap());
    assert_eq!(claims.exp, exp.map(NumericDate::from_seconds));
    assert_eq!(claims.nbf, None);

    let (header_text, header, payload) = parts(&token);
    let mut want_payload = json!({ "sub": sub, "iat": options.now });
    if let Some(exp) = exp {
        want_payload["exp"] = json!(exp);
    }
    assert_eq!(payload, want_payload);
    let kid = match options.kid {
        Kid::Omit => None,
        Kid::Key => Some(key.kid()),
        Kid::Custom(kid) => Some(kid),
    };
    match kid {
        None => assert_eq!(header_text, r#"{"alg":"RS256","typ":"JWT"}"#),
        Some(kid) => {
            assert!(header_text.starts_with(r#"{"alg":"RS256","typ":"JWT","kid":""#), "{header_text}");
            assert_eq!(header, json!({ "alg": "RS256", "typ": "JWT", "kid": kid }));
        }
    }
}

/// Subjects heavy in what JSON must escape, plus anything proptest makes up.
fn subjects() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_filter("sub must be non-empty", |s| !s.is_empty()),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}a\u{e9}\u{2028}\u{fffd}\u{1F600}]{1,64}",
    ]
}

proptest! {
    #[test]
    fn arbitrary_subjects_round_trip(
        sub in subjects(),
        now in -10_000_000_000i64..10_000_000_000,
        expires_in in proptest::option::of(1u64..=400 * 86_400),
        kid in proptest::option::of("[!-~]{1,128}"),
        omit in any::<bool>(),
    ) {
        let kid = match (&kid, omit) {
            (_, true) => Kid::Omit,
            (Some(kid), false) => Kid::Custom(kid),
            (None, false) => Kid::Key,
        };
        round_trip(key(), &sub, &SignOptions { now, expires_in, kid });
    }
}

#[test]
fn default_options_expire_after_an_hour() {
    let now = 1_700_000_000;
    let options = SignOptions::new(now);
    assert_eq!(options.expires_in, Some(notiflows_auth::DEFAULT_EXPIRES_IN_SECONDS));
    round_trip(key(), "user-1", &options);
    let token = key().sign_user_token("user-1", &options).unwrap();
    let verifier = Verifier::new(key().public_key().clone());
    assert!(verifier.verify(token.as_bytes(), now + 3599).is_ok());
    assert_eq!(verifier.verify(token.as_bytes(), now + 3600).unwrap_err().kind(), ErrorKind::TokenExpired);
}

#[test]
fn no_expiry_kid_and_known_answer() {
    let options = SignOptions { now: 1_700_000_000, expires_in: None, kid: Kid::Custom("k\"1\\") };
    round_trip(key(), "caf\u{e9} \"quoted\" \\ \u{1}", &options);
    // A kid with other bytes than visible ASCII is refused, as a configured one is.
    for bad in ["k\n", "", "k 1", "caf\u{e9}"] {
        let err = key().sign_user_token("u", &SignOptions { kid: Kid::Custom(bad), ..options }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{bad:?}");
    }
    // By default the header names the key by its thumbprint.
    let token = key().sign_user_token("user-1", &SignOptions::new(1_700_000_000)).unwrap();
    assert_eq!(parts(&token).1, json!({ "alg": "RS256", "typ": "JWT", "kid": key().kid() }));
    assert_eq!(key().kid(), key().public_key().thumbprint());
    // PKCS#1 v1.5 is deterministic: the same input gives the same token.
    let options = SignOptions { kid: Kid::Omit, ..SignOptions::new(1_700_000_000) };
    let token = key().sign_user_token("user-1", &options).unwrap();
    assert_eq!(token, key().sign_user_token("user-1", &options).unwrap());
    assert_eq!(
        token.split('.').take(2).collect::<Vec<_>>(),
        ["eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiJ1c2VyLTEiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0"]
    );
}

#[test]
fn tampering_breaks_the_signature() {
    let token = key().sign_user_token("alice", &SignOptions::new(1_700_000_000)).unwrap();
    let forged = token.replacen("eyJzdWIiOiJhbGljZSI", "eyJzdWIiOiJhbGljZCI", 1);
    assert_ne!(forged, token);
    let verifier = Verifier::new(key().public_key().clone());
    assert_eq!(verifier.verify(forged.as_bytes(), 1_700_000_000).unwrap_err().kind(), ErrorKind::SignatureInvalid);
}

#[test]
fn subject_limits_match_verification() {
    let options = SignOptions::new(0);
    let err = key().sign_user_token("", &options).unwrap_err();
    assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimInvalid, Some("sub")));
    let too_long = "x".repeat(MAX_SUBJECT_BYTES + 1);
    let err = key().sign_user_token(&too_long, &options).unwrap_err();
    assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimInvalid, Some("sub")));
    round_trip(key(), &"x".repeat(MAX_SUBJECT_BYTES), &options);
    round_trip(key(), &"\u{e9}".repeat(MAX_SUBJECT_BYTES / 2), &options);
}

#[test]
fn tokens_the_default_verifier_would_refuse_are_not_made() {
    let options = SignOptions::new(0);
    // 2048 control characters escape to 12 KiB of JSON.
    let err = key().sign_user_token(&"\u{1}".repeat(MAX_SUBJECT_BYTES), &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTooLarge);
    let kid = "k".repeat(129);
    let err = key().sign_user_token("u", &SignOptions { kid: Kid::Custom(&kid), ..options }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "a kid is at most 128 bytes");
    // Just under the limit still round-trips at the default policy.
    round_trip(key(), &"\u{1}".repeat(900), &options);
}

#[test]
fn exp_overflow_is_refused() {
    for (now, expires_in) in [(i64::MAX, 1), (i64::MAX - 10, 11), (0, u64::MAX), (-1, 1 << 63)] {
        let err =
            key().sign_user_token("u", &SignOptions { now, expires_in: Some(expires_in), kid: Kid::Omit }).unwrap_err();
        assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimInvalid, Some("exp")), "{now} {expires_in}");
    }
    // The largest representable exp is fine, and so is no exp at the end of time.
    round_trip(key(), "u", &SignOptions { now: i64::MAX - 10, expires_in: Some(10), kid: Kid::Omit });
    round_trip(key(), "u", &SignOptions { now: i64::MAX, expires_in: None, kid: Kid::Omit });
}

fn generated_key_round_trips(bits: usize) {
    let pair = generate_signing_key(bits).unwrap();
    let key = pair.signing_key().unwrap();
    assert_eq!(key.public_key().modulus_bits(), bits);
    assert_eq!(key.public_key().signature_len(), bits / 8);
    round_trip(&key, "generated \u{1F600}", &SignOptions::new(1_700_000_000));
}

#[test]
fn generated_2048_and_3072_bit_keys_sign_and_verify() {
    generated_key_round_trips(2048);
    generated_key_round_trips(3072);
}

#[test]
#[ignore = "4096-bit key generation takes seconds; CI runs it with --include-ignored"]
fn generated_4096_bit_key_signs_and_verifies() {
    generated_key_round_trips(4096);
}
