//! Key loading from every accepted form, the tolerances, and the refusals.

use notiflows_auth::{generate_signing_key, ErrorKind, PublicKey, SigningKey};

fn shared(path: &str) -> Vec<u8> {
    let full = format!("{}/../testdata/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn fixture(name: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

fn rfc(name: &str, field: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(&shared(&format!("rfc/{name}.json"))).unwrap();
    v[field].as_str().unwrap().to_owned()
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Padded standard base64, independent of the crate's own encoder.
fn b64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(STD[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// The DER inside a PEM file, independent of the crate's own reader.
fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: Vec<u8> = pem.lines().filter(|l| !l.starts_with("-----")).flat_map(|l| l.trim().bytes()).collect();
    let mut out = Vec::new();
    for chunk in body.chunks(4) {
        let vals: Vec<u32> =
            chunk.iter().filter(|&&c| c != b'=').map(|&c| STD.iter().position(|&s| s == c).unwrap() as u32).collect();
        let n = vals.iter().enumerate().fold(0u32, |n, (i, &v)| n | v << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..vals.len()]);
    }
    out
}

/// Every way users paste one PEM text: as is, with CRLF, literal `\n` escapes, padding
/// whitespace, on one line, and as a base64-encoded PEM line (plain and padded).
fn pasted_forms(pem: &str) -> Vec<String> {
    let one_line = b64(pem.as_bytes());
    vec![
        pem.to_owned(),
        pem.replace('\n', "\r\n"),
        pem.replace('\n', "\\n"),
        pem.trim_end().replace('\n', "\\n"),
        format!("\n\n  \t{pem}   \n"),
        format!("  {}  ", pem.replace('\n', "\\r\\n")),
        pem.replace('\n', " "),
        one_line.clone(),
        format!("  {one_line}\r\n"),
        b64(pem.replace('\n', "\r\n").as_bytes()),
    ]
}

fn reference_public() -> PublicKey {
    PublicKey::parse(&shared("jwt-cases/rsa_public_spki.pem")).unwrap()
}

#[test]
fn public_keys_load_from_every_form() {
    let want = reference_public();
    assert_eq!(want.modulus_bits(), 2048);
    assert_eq!(want.signature_len(), 256);
    let spki_pem = text(shared("jwt-cases/rsa_public_spki.pem"));
    let pkcs1_pem = text(shared("jwt-cases/rsa_public_pkcs1.pem"));
    let mut tried = 0;
    for pem in [&spki_pem, &pkcs1_pem] {
        for form in pasted_forms(pem) {
            assert_eq!(PublicKey::parse(form.as_bytes()).as_ref(), Ok(&want), "{form:?}");
            tried += 1;
        }
    }
    let spki_der = shared("jwt-cases/rsa_public_spki.der");
    assert_eq!(spki_der, pem_to_der(&spki_pem));
    assert_eq!(PublicKey::parse(&spki_der), Ok(want.clone()));
    assert_eq!(PublicKey::parse(&pem_to_der(&pkcs1_pem)), Ok(want.clone()));
    assert_eq!(want.rsa_public_key_der(), pem_to_der(&pkcs1_pem));
    assert_eq!(want.to_spki_pem(), spki_pem, "our SPKI PEM is byte-for-byte OpenSSL's");
    assert_eq!(tried, 20);
}

#[test]
fn rfc_keys_agree_across_formats() {
    for name in ["rfc7515_a2", "rfc7520_4_1"] {
        let spki = PublicKey::parse(rfc(name, "public_key_pem").as_bytes()).unwrap();
        let pkcs1 = PublicKey::parse(rfc(name, "public_key_pkcs1_pem").as_bytes()).unwrap();
        assert_eq!(spki, pkcs1, "{name}");
        assert_eq!(spki.to_spki_pem(), rfc(name, "public_key_pem"), "{name}");
        let private = SigningKey::parse(rfc(name, "private_key_pkcs8_pem").as_bytes()).unwrap();
        assert_eq!(private.public_key(), &spki, "{name}");
    }
}

#[test]
fn private_keys_load_from_every_form() {
    let want = reference_public();
    let pkcs8_pem = text(shared("jwt-cases/rsa_private_pkcs8.pem"));
    let pkcs1_pem = text(fixture("rsa2048_private_pkcs1.pem"));
    let mut tried = 0;
    for pem in [&pkcs8_pem, &pkcs1_pem] {
        for form in pasted_forms(pem) {
            let key = SigningKey::parse(form.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(key.public_key(), &want);
            tried += 1;
        }
        let key = SigningKey::parse(&pem_to_der(pem)).unwrap();
        assert_eq!(key.public_key(), &want);
        tried += 1;
    }
    assert_eq!(tried, 22);
}

#[test]
fn a_key_of_the_wrong_kind_is_refused_as_invalid() {
    for public in [shared("jwt-cases/rsa_public_spki.pem"), shared("jwt-cases/rsa_public_pkcs1.pem")] {
        let e = SigningKey::parse(&public).unwrap_err();
        assert_eq!((e.kind(), e.detail()), (ErrorKind::KeyInvalid, Some("expected a private key, found a public key")));
        let der = pem_to_der(&text(public));
        assert_eq!(SigningKey::parse(&der).unwrap_err().kind(), ErrorKind::KeyInvalid);
    }
    for private in [shared("jwt-cases/rsa_private_pkcs8.pem"), fixture("rsa2048_private_pkcs1.pem")] {
        let e = PublicKey::parse(&private).unwrap_err();
        assert_eq!((e.kind(), e.detail()), (ErrorKind::KeyInvalid, Some("expected a public key, found a private key")));
        let e = PublicKey::parse(&pem_to_der(&text(private))).unwrap_err();
        assert_eq!((e.kind(), e.detail()), (ErrorKind::KeyInvalid, Some("expected a public key, found a private key")));
    }
}

#[test]
fn small_and_non_rsa_keys_are_unsupported() {
    for name in ["rsa1024_public_spki.pem", "ec_p256_public_spki.pem"] {
        let pem = text(fixture(name));
        for input in [pem.clone().into_bytes(), pem_to_der(&pem), b64(pem.as_bytes()).into_bytes()] {
            assert_eq!(PublicKey::parse(&input).unwrap_err().kind(), ErrorKind::KeyUnsupported, "{name}");
        }
    }
    for name in ["rsa1024_private_pkcs8.pem", "ec_p256_private_pkcs8.pem", "ec_p256_private_sec1.pem"] {
        let pem = text(fixture(name));
        for input in [pem.clone().into_bytes(), b64(pem.as_bytes()).into_bytes()] {
            assert_eq!(SigningKey::parse(&input).unwrap_err().kind(), ErrorKind::KeyUnsupported, "{name}");
        }
    }
    for der in [
        pem_to_der(&text(fixture("rsa1024_private_pkcs8.pem"))),
        pem_to_der(&text(fixture("ec_p256_private_pkcs8.pem"))),
    ] {
        assert_eq!(SigningKey::parse(&der).unwrap_err().kind(), ErrorKind::KeyUnsupported);
    }
}

/// Every input that must fail with `key_invalid`, built from the reference key.
fn broken_inputs() -> Vec<Vec<u8>> {
    let pem = text(shared("jwt-cases/rsa_public_spki.pem"));
    let private = text(shared("jwt-cases/rsa_private_pkcs8.pem"));
    let der = shared("jwt-cases/rsa_public_spki.der");
    let mut der_trailing = der.clone();
    der_trailing.push(0);
    let mut der_bad_null = der.clone();
    der_bad_null[17] = 0x04; // the NULL parameters become an OCTET STRING
    let half = pem.len() / 2;
    let mut private_flipped = pem_to_der(&private);
    private_flipped[600] ^= 1; // inside d: aws-lc's consistency checks must catch it
    vec![
        Vec::new(),
        b"   \n\t ".to_vec(),
        b"not a key".to_vec(),
        b"\\n\\n".to_vec(),
        vec![0xff, 0xfe, 0x00],
        format!("{}\n-----END PUBLIC KEY-----\n", &pem[..half]).into_bytes(),
        pem.replacen("MII", "MI!", 1).into_bytes(),
        pem.replace("-----END PUBLIC KEY-----", "").into_bytes(),
        format!("{pem}{pem}").into_bytes(),
        b64(&pem.as_bytes()[..half]).into_bytes(),
        format!("LS0tLS1CRUdJTi{}", &b64(pem.as_bytes())[14..40]).into_bytes(),
        der[..der.len() - 1].to_vec(),
        der[..10].to_vec(),
        der_trailing,
        der_bad_null,
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(),
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n".into(),
        private_flipped,
    ]
}

#[test]
fn unreadable_input_is_invalid_and_never_echoed() {
    let private = text(shared("jwt-cases/rsa_private_pkcs8.pem"));
    let public = text(shared("jwt-cases/rsa_public_spki.pem"));
    let secrets: Vec<&str> = private.lines().chain(public.lines()).filter(|l| !l.starts_with("-----")).collect();
    let cases = broken_inputs();
    assert_eq!(cases.len(), 18);
    for (i, input) in cases.iter().enumerate() {
        for e in [PublicKey::parse(input).unwrap_err(), SigningKey::parse(input).unwrap_err()] {
            assert_eq!(e.kind(), ErrorKind::KeyInvalid, "case {i}: {e}");
            let message = e.to_string();
            assert!(e.detail().is_some(), "case {i}: the message says what was expected");
            for secret in &secrets {
                for window in secret.as_bytes().windows(12) {
                    assert!(!message.contains(std::str::from_utf8(window).unwrap()), "case {i}: {message}");
                }
            }
        }
    }
    let e = PublicKey::parse(b"hello").unwrap_err();
    assert_eq!(
        e.detail(),
        Some("expected an RSA public key as PEM (PUBLIC KEY or RSA PUBLIC KEY), DER, or a base64-encoded PEM line")
    );
    assert!(SigningKey::parse(b"hello").unwrap_err().detail().unwrap().contains("RSA PRIVATE KEY"));
}

#[test]
fn debug_output_hides_private_material() {
    let pem = text(shared("jwt-cases/rsa_private_pkcs8.pem"));
    let key = SigningKey::parse(pem.as_bytes()).unwrap();
    assert_eq!(format!("{key:?}"), "SigningKey { modulus_bits: 2048, .. }");
    // The kid is public (it travels in every token's header).
    let want = format!("PublicKey {{ modulus_bits: 2048, kid: {:?}, .. }}", key.kid());
    assert_eq!(format!("{:?}", key.public_key()), want);
}

#[test]
fn generated_keys_come_in_the_three_dashboard_forms() {
    let pair = generate_signing_key(2048).unwrap();
    let pem = &pair.private_key_pem;
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n") && pem.ends_with("\n-----END PRIVATE KEY-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    assert_eq!(pair.private_key_base64, b64(pem.as_bytes()));
    assert!(pair.private_key_base64.starts_with("LS0tLS1CRUdJTi") && !pair.private_key_base64.contains(['\n', '\r']));
    assert!(pair.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));

    let from_pem = SigningKey::parse(pem.as_bytes()).unwrap();
    let from_line = SigningKey::parse(pair.private_key_base64.as_bytes()).unwrap();
    let public = PublicKey::parse(pair.public_key_pem.as_bytes()).unwrap();
    assert_eq!(from_pem.public_key(), &public);
    assert_eq!(from_line.public_key(), &public);
    assert_eq!(pair.signing_key().unwrap().public_key(), &public);
    assert_eq!(public.modulus_bits(), 2048);
    assert_eq!(public.to_spki_pem(), pair.public_key_pem);

    let debug = format!("{pair:?}");
    assert!(debug.contains("<redacted>") && debug.contains("BEGIN PUBLIC KEY"), "{debug}");
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!debug.contains(line));
    }
    assert!(!debug.contains(&pair.private_key_base64[20..60]));
}

#[test]
fn generation_refuses_other_sizes() {
    for bits in [0, 1024, 2047, 2049, 8192, usize::MAX] {
        assert_eq!(generate_signing_key(bits).unwrap_err().kind(), ErrorKind::KeyUnsupported, "{bits}");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn seeds() -> Vec<Vec<u8>> {
        let public = text(shared("jwt-cases/rsa_public_spki.pem"));
        let private = text(shared("jwt-cases/rsa_private_pkcs8.pem"));
        let pkcs1 = text(fixture("rsa2048_private_pkcs1.pem"));
        vec![
            public.clone().into_bytes(),
            pem_to_der(&public),
            pem_to_der(&private),
            pem_to_der(&pkcs1),
            b64(private.as_bytes()).into_bytes(),
        ]
    }

    /// Loading either succeeds with a key inside the size rules or fails with a key error.
    fn check(input: &[u8]) -> Result<(), TestCaseError> {
        let public = PublicKey::parse(input).map(|k| k.modulus_bits());
        let private = SigningKey::parse(input).map(|k| k.public_key().modulus_bits());
        for result in [public, private] {
            match result {
                Ok(bits) => prop_assert!((2048..=8192).contains(&bits)),
                Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::KeyInvalid | ErrorKind::KeyUnsupported)),
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..600)) {
            check(&input)?;
        }

        /// Real keys, cut short and with a byte changed.
        #[test]
        fn on_damaged_keys(seed in 0usize..5, cut in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), xor in 1u8..) {
            let mut input = seeds().swap_remove(seed);
            let i = at.index(input.len());
            input[i] ^= xor;
            input.truncate(cut.index(input.len() + 1).max(1));
            check(&input)?;
        }
    }
}
