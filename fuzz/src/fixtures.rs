//! The fixed keys and clock of the targets, from `testdata/vectors`: the jwt-cases key pair
//! (whose tokens seed the corpus) and, as "another key", the RFC 7515 A.2 key.

use crate::b64;
use notiflows_auth::{PublicKey, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use std::sync::OnceLock;

/// The clock of every target: the jwt-cases `now`.
pub const NOW: i64 = 1_700_000_000;

const SHARED_PRIVATE_PEM: &[u8] = include_bytes!("../../testdata/vectors/jwt-cases/rsa_private_pkcs8.pem");
const SHARED_PUBLIC_PEM: &[u8] = include_bytes!("../../testdata/vectors/jwt-cases/rsa_public_spki.pem");
const SHARED_PUBLIC_JWK: &[u8] = include_bytes!("../../testdata/vectors/jwt-cases/rsa_public_jwk.json");
const RFC7515_A2: &[u8] = include_bytes!("../../testdata/vectors/rfc/rfc7515_a2.json");

/// A key pair as the targets use it.
pub struct Pair {
    /// Our loading of the public key.
    pub public: PublicKey,
    /// A default-policy verifier for it.
    pub verifier: Verifier,
    /// ring's signer for the private key.
    pub signer: RsaKeyPair,
}

pub struct Fixtures {
    /// The jwt-cases key: the one every target verifies with.
    pub shared: Pair,
    /// The RFC 7515 A.2 key: a different key that signs the same tokens.
    pub other: Pair,
    /// The jwt-cases public key as RSA numbers (n, e), read from its JWK for the reference.
    pub reference_n: Vec<u8>,
    pub reference_e: Vec<u8>,
}

impl Pair {
    fn load(private_pem: &[u8], public_pem: &[u8]) -> Pair {
        let public = PublicKey::parse(public_pem).expect("fixture public key");
        let signer = RsaKeyPair::from_pkcs8(&b64::pem_body(private_pem)).expect("fixture private key");
        Pair { verifier: Verifier::new(public.clone()), public, signer }
    }

    /// An RS256 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.signer.public().modulus_len()];
        self.signer.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).expect("ring signs");
        signature
    }

    /// `b64(header).b64(payload).b64(signature)`.
    pub fn token(&self, header: &[u8], payload: &[u8]) -> Vec<u8> {
        let signing_input = format!("{}.{}", b64::encode_url(header), b64::encode_url(payload));
        self.with_signature(signing_input.as_bytes())
    }

    /// `signing_input` followed by `.` and this key's signature over it.
    pub fn with_signature(&self, signing_input: &[u8]) -> Vec<u8> {
        let mut token = signing_input.to_vec();
        token.push(b'.');
        token.extend_from_slice(b64::encode_url(&self.sign(signing_input)).as_bytes());
        token
    }
}

pub fn get() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let rfc: serde_json::Value = serde_json::from_slice(RFC7515_A2).expect("rfc7515_a2.json");
        let field = |name: &str| rfc[name].as_str().expect(name).as_bytes().to_vec();
        let jwk: serde_json::Value = serde_json::from_slice(SHARED_PUBLIC_JWK).expect("jwk");
        let number = |name: &str| b64::decode_url_canonical(jwk[name].as_str().expect(name).as_bytes()).expect(name);
        Fixtures {
            shared: Pair::load(SHARED_PRIVATE_PEM, SHARED_PUBLIC_PEM),
            other: Pair::load(&field("private_key_pkcs8_pem"), &field("public_key_pem")),
            reference_n: number("n"),
            reference_e: number("e"),
        }
    })
}

impl Fixtures {
    /// The reference RS256 check: ring over the JWK's numbers.
    pub fn reference_verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let key = RsaPublicKeyComponents { n: &self.reference_n, e: &self.reference_e };
        key.verify(&RSA_PKCS1_2048_8192_SHA256, message, signature).is_ok()
    }
}
