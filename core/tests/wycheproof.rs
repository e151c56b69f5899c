//! Every Wycheproof RSASSA-PKCS1-v1_5 SHA-256 case (2048- and 4096-bit files) through our
//! key loading (SPKI DER, SPKI PEM, PKCS#1 DER) and the RS256 verify of every provider
//! (`PublicKey::verify_rs256` is ring's; `VerifyingKey` is each provider's).
//!
//! The one "acceptable" case (tcId 8, `MissingNull`: a DigestInfo without the NULL
//! parameter) is asserted rejected: ring and aws-lc-rs accept only the exact DER
//! DigestInfo, and so do we. Wycheproof allows either outcome.

use notiflows_auth::provider::VerifyingKey;
use notiflows_auth::{ErrorKind, Provider, PublicKey};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Runs one file; returns (valid, acceptable, invalid) counts.
fn run(file: &str) -> (usize, usize, usize) {
    let path = format!("{}/../testdata/vectors/wycheproof/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut counts = (0, 0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let der = hex(group["publicKeyDer"].as_str().unwrap());
        let pkcs1 = hex(group["publicKeyAsn"].as_str().unwrap());
        let pem = group["publicKeyPem"].as_str().unwrap();
        let key = PublicKey::parse(&der).unwrap();
        assert_eq!(PublicKey::parse(pem.as_bytes()).as_ref(), Ok(&key));
        assert_eq!(PublicKey::parse(&pkcs1).as_ref(), Ok(&key));
        // Wycheproof's PKCS#1 DER is canonical, so ours must be identical to it.
        assert_eq!(key.rsa_public_key_der(), pkcs1);
        assert_eq!(key.modulus_bits(), group["keySize"].as_u64().unwrap() as usize);
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            let msg = hex(test["msg"].as_str().unwrap());
            let sig = hex(test["sig"].as_str().unwrap());
            let got = key.verify_rs256(&msg, &sig);
            for provider in Provider::ALL {
                let prepared = VerifyingKey::new(key.clone(), provider).unwrap();
                assert_eq!(prepared.verify_rs256(&msg, &sig), got, "{file} tcId {id}: {provider} differs from ring");
            }
            match test["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(got, Ok(()), "{file} tcId {id}");
                    counts.0 += 1;
                }
                "acceptable" => {
                    assert_eq!(id, 8, "{file}: the only acceptable case is MissingNull");
                    assert_eq!(got.map_err(|e| e.kind()), Err(ErrorKind::SignatureInvalid), "{file} tcId {id}");
                    counts.1 += 1;
                }
                "invalid" => {
                    assert_eq!(got.map_err(|e| e.kind()), Err(ErrorKind::SignatureInvalid), "{file} tcId {id}");
                    counts.2 += 1;
                }
                other => panic!("{file} tcId {id}: unknown result {other}"),
            }
        }
    }
    assert_eq!(counts.0 + counts.1 + counts.2, doc["numberOfTests"].as_u64().unwrap() as usize, "{file}");
    counts
}

#[test]
fn rsa_2048_sha256() {
    // Three key groups: e = 65537, and two with e = 3 (ring accepts e >= 3).
    assert_eq!(run("rsa_signature_2048_sha256_test.json"), (9, 1, 249));
}

#[test]
fn rsa_4096_sha256() {
    assert_eq!(run("rsa_signature_4096_sha256_test.json"), (7, 1, 250));
}
