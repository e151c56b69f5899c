//! Benchmark fixtures and the operations measured: ours and each peer's, on the same key and
//! the same token bytes, every key parsed once before measuring.
//!
//! The criterion benches (`benches/auth.rs`) and the allocation counter (`src/bin/allocs.rs`)
//! both run the operations listed by [`operations`], so the two always measure the same
//! thing.

use jsonwebtoken_aws_lc as jwt11;
use jsonwebtoken_rust_crypto as jwt10;
use jwt_simple::prelude::{
    Duration as JwtSimpleDuration, JWTClaims, NoCustomClaims, RS256KeyPair, RS256PublicKey, RSAKeyPairLike,
    RSAPublicKeyLike,
};
use notiflows_auth::{Kid, Policy, Provider, SignOptions, SigningKey, Verifier};
use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

pub mod auth;

/// A realistic user id: what a customer's backend puts in `sub`.
pub const SUBJECT: &str = "user_2f1c9a7e-5d4b-4c1a-9b3e-8f6d2a1c0e7b";

/// Which backend jwt-simple runs on in this build (see the crate's features).
pub const JWT_SIMPLE_BACKEND: &str =
    if cfg!(feature = "jwt-simple-pure-rust") { "pure Rust (superboring)" } else { "BoringSSL" };

/// Key sizes of the verify groups.
pub const VERIFY_BITS: [usize; 3] = [2048, 3072, 4096];

/// The current Unix time: the peers read the clock themselves, so the token must be valid now.
pub fn unix_now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// One key pair in every form the libraries load, and one token signed with it.
pub struct Fixture {
    /// Modulus size.
    pub bits: usize,
    /// The time the token was issued, passed to our verifier.
    pub now: i64,
    /// PKCS#8 PEM.
    pub private_pem: String,
    /// PKCS#8 DER, for bare ring and aws-lc-rs.
    pub private_der: Vec<u8>,
    /// SPKI PEM.
    pub public_pem: String,
    /// Ours, loaded once.
    pub signing_key: SigningKey,
    /// Ours, loaded once, default policy.
    pub verifier: Verifier,
    /// `{"alg":"RS256","typ":"JWT"}.{"sub":SUBJECT,"iat":now,"exp":now+1 day}.signature`.
    pub token: String,
    /// The token's signature, decoded: what a bare verify takes.
    pub signature: Vec<u8>,
}

impl Fixture {
    /// Loads the committed key of `bits` (`keys/rsaBITS.pem`) and signs a token valid for a
    /// day from now.
    pub fn new(bits: usize) -> Fixture {
        let private_pem = match bits {
            2048 => include_str!("../keys/rsa2048.pem"),
            3072 => include_str!("../keys/rsa3072.pem"),
            4096 => include_str!("../keys/rsa4096.pem"),
            _ => panic!("no benchmark key of {bits} bits"),
        };
        let signing_key = SigningKey::parse(private_pem.as_bytes()).expect("benchmark key loads");
        let public_pem = signing_key.public_key().to_spki_pem();
        let verifier = Verifier::new(signing_key.public_key().clone());
        let now = unix_now();
        let options = SignOptions { now, expires_in: Some(86_400), kid: Kid::Omit };
        let token = signing_key.sign_user_token(SUBJECT, &options).expect("sign");
        let private_der = pem::parse(private_pem).expect("PEM").into_contents();
        let signature_b64 = token.rsplit_once('.').map(|(_, s)| s).unwrap_or_default();
        Fixture {
            bits,
            now,
            signature: b64url_decode(signature_b64),
            private_pem: private_pem.to_string(),
            private_der,
            public_pem,
            signing_key,
            verifier,
            token,
        }
    }

    /// `header '.' payload`: the bytes the signature covers.
    pub fn signing_input(&self) -> &[u8] {
        let end = self.token.rfind('.').unwrap_or(0);
        &self.token.as_bytes()[..end]
    }
}

/// Decodes unpadded base64url (fixture set-up only; not measured).
pub fn b64url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).expect("base64url fixture")
}

/// Who an operation belongs to: ours, or a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Library {
    /// notiflows-auth.
    Ours,
    /// Anyone else.
    Peer,
}

/// One measured operation.
pub struct Operation {
    /// Criterion group, e.g. `verify/2048`.
    pub group: String,
    /// Criterion function id, e.g. `ring`: short, stable, file-name safe.
    pub id: &'static str,
    /// Ours or a peer.
    pub library: Library,
    /// Runs the operation once.
    pub run: Box<dyn FnMut()>,
}

impl Operation {
    fn new(group: &str, id: &'static str, library: Library, run: impl FnMut() + 'static) -> Operation {
        Operation { group: group.to_string(), id, library, run: Box::new(run) }
    }
}

/// The claims the serde-based peers decode into.
#[derive(serde::Deserialize, serde::Serialize)]
pub struct PeerClaims {
    /// User id.
    pub sub: String,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
}

/// Every operation of the groups `parse`, `verify/BITS` and `sign/2048`, for the given
/// fixtures (one per size in [`VERIFY_BITS`]; the first is also used for parse and sign).
/// Each closure checks its result once before it is returned, so a broken peer fails loudly
/// instead of measuring an error path.
pub fn operations(fixtures: &[Fixture]) -> Vec<Operation> {
    let mut ops = Vec::new();
    let first = &fixtures[0];
    ops.extend(parse_operations(first));
    for f in fixtures {
        ops.extend(verify_operations(f));
    }
    ops.extend(sign_operations(first));
    for op in &mut ops {
        (op.run)();
    }
    ops
}

/// Parse only, no cryptography: ours against jsonwebtoken's `insecure_decode`.
pub fn parse_operations(f: &Fixture) -> Vec<Operation> {
    let group = "parse";
    let token = f.token.clone();
    let ours = {
        let token = token.clone();
        move || {
            // Borrowed claims, as `verify_with` gives them: parsing, not copying.
            let sub_len = notiflows_auth::verify::decode_unverified_with(black_box(token.as_bytes()), 8192, |claims| {
                black_box(claims.exp);
                claims.sub.len()
            })
            .expect("parse");
            assert_eq!(sub_len, SUBJECT.len());
        }
    };
    let jwt11 = {
        let token = token.clone();
        move || {
            let data = jwt11::dangerous::insecure_decode::<PeerClaims>(black_box(&token)).expect("parse");
            black_box(data);
        }
    };
    vec![
        Operation::new(group, "ours", Library::Ours, ours),
        Operation::new(group, "jsonwebtoken11", Library::Peer, jwt11),
    ]
}

/// RS256 verify of the same token: ours (ring provider copying and zero-copy, aws-lc-rs
/// provider), bare ring and bare aws-lc-rs
/// (key parsed once) of the same signing input and signature, jsonwebtoken on aws-lc and on
/// RustCrypto, jwt-simple.
pub fn verify_operations(f: &Fixture) -> Vec<Operation> {
    let group = format!("verify/{}", f.bits);
    let mut ops = Vec::new();

    let (verifier, token, now) = (f.verifier.clone(), f.token.clone(), f.now);
    ops.push(Operation::new(&group, "ours", Library::Ours, move || {
        let claims = verifier.verify(black_box(token.as_bytes()), now).expect("ours verifies");
        black_box(claims);
    }));

    // The aws-lc-rs provider: the key parsed once into a `ParsedPublicKey` when the verifier
    // is built; set against bare `aws_lc_rs` below.
    let aws_policy = Policy { provider: Provider::AwsLcRs, ..Policy::default() };
    let (verifier, token) =
        (Verifier::with_policy(f.verifier.public_key().clone(), aws_policy).expect("aws-lc-rs"), f.token.clone());
    ops.push(Operation::new(&group, "ours_aws_lc_rs", Library::Ours, move || {
        let claims = verifier.verify(black_box(token.as_bytes()), now).expect("ours (aws-lc-rs) verifies");
        black_box(claims);
    }));

    let (verifier, token) = (f.verifier.clone(), f.token.clone());
    ops.push(Operation::new(&group, "ours_borrowed", Library::Ours, move || {
        let len = verifier.verify_with(black_box(token.as_bytes()), now, |c| c.sub.len()).expect("ours verifies");
        black_box(len);
    }));

    // The floor: ring's verify of the same bytes, the signature already decoded, nothing else.
    let der = f.verifier.public_key().rsa_public_key_der().to_vec();
    let (message, signature) = (f.signing_input().to_vec(), f.signature.clone());
    ops.push(Operation::new(&group, "ring", Library::Peer, move || {
        let key = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &der);
        key.verify(black_box(&message), black_box(&signature)).expect("ring verifies");
    }));

    // aws-lc-rs with its key parsed once (`ParsedPublicKey`): what a verify costs when the
    // key's Montgomery constants are not recomputed on every call, as ring's API makes them.
    let key = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        f.verifier.public_key().rsa_public_key_der(),
    )
    .expect("aws-lc-rs key");
    let (message, signature) = (f.signing_input().to_vec(), f.signature.clone());
    ops.push(Operation::new(&group, "aws_lc_rs", Library::Peer, move || {
        key.verify_sig(black_box(&message), black_box(&signature)).expect("aws-lc-rs verifies");
    }));

    let key = jwt11::DecodingKey::from_rsa_pem(f.public_pem.as_bytes()).expect("jsonwebtoken 11 key");
    let validation = jwt11::Validation::new(jwt11::Algorithm::RS256);
    let token = f.token.clone();
    ops.push(Operation::new(&group, "jsonwebtoken11_aws_lc", Library::Peer, move || {
        let data = jwt11::decode::<PeerClaims>(black_box(&token), &key, &validation).expect("jsonwebtoken 11");
        black_box(data);
    }));

    let key = jwt10::DecodingKey::from_rsa_pem(f.public_pem.as_bytes()).expect("jsonwebtoken 10 key");
    let validation = jwt10::Validation::new(jwt10::Algorithm::RS256);
    let token = f.token.clone();
    ops.push(Operation::new(&group, "jsonwebtoken10_rust_crypto", Library::Peer, move || {
        let data = jwt10::decode::<PeerClaims>(black_box(&token), &key, &validation).expect("jsonwebtoken 10");
        black_box(data);
    }));

    let key = RS256PublicKey::from_pem(&f.public_pem).expect("jwt-simple key");
    let token = f.token.clone();
    ops.push(Operation::new(&group, "jwt_simple", Library::Peer, move || {
        let claims: JWTClaims<NoCustomClaims> = key.verify_token(black_box(&token), None).expect("jwt-simple");
        black_box(claims);
    }));
    ops
}

/// RS256 sign of a user token: ours (on aws-lc), bare aws-lc-rs and bare ring over the same
/// signing input, jsonwebtoken on aws-lc and on RustCrypto, jwt-simple.
pub fn sign_operations(f: &Fixture) -> Vec<Operation> {
    let group = format!("sign/{}", f.bits);
    let mut ops = Vec::new();
    let now = f.now;

    let key = f.signing_key.clone();
    ops.push(Operation::new(&group, "ours", Library::Ours, move || {
        let options = SignOptions { now, expires_in: Some(3600), kid: Kid::Omit };
        let token = key.sign_user_token(black_box(SUBJECT), &options).expect("ours signs");
        black_box(token);
    }));

    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&f.private_der).expect("aws-lc key");
    let message = f.signing_input().to_vec();
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut signature = vec![0; pair.public_modulus_len()];
    ops.push(Operation::new(&group, "aws_lc_rs", Library::Peer, move || {
        pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, black_box(&message), &mut signature)
            .expect("aws-lc signs");
        black_box(&signature);
    }));

    let pair = ring::signature::RsaKeyPair::from_pkcs8(&f.private_der).expect("ring key");
    let message = f.signing_input().to_vec();
    let rng = ring::rand::SystemRandom::new();
    let mut signature = vec![0; pair.public().modulus_len()];
    ops.push(Operation::new(&group, "ring", Library::Peer, move || {
        pair.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, black_box(&message), &mut signature).expect("ring signs");
        black_box(&signature);
    }));

    let key = jwt11::EncodingKey::from_rsa_pem(f.private_pem.as_bytes()).expect("jsonwebtoken 11 key");
    let header = jwt11::Header::new(jwt11::Algorithm::RS256);
    ops.push(Operation::new(&group, "jsonwebtoken11_aws_lc", Library::Peer, move || {
        let claims = PeerClaims { sub: SUBJECT.to_string(), iat: now, exp: now + 3600 };
        black_box(jwt11::encode(&header, black_box(&claims), &key).expect("jsonwebtoken 11"));
    }));

    let key = jwt10::EncodingKey::from_rsa_pem(f.private_pem.as_bytes()).expect("jsonwebtoken 10 key");
    let header = jwt10::Header::new(jwt10::Algorithm::RS256);
    ops.push(Operation::new(&group, "jsonwebtoken10_rust_crypto", Library::Peer, move || {
        let claims = PeerClaims { sub: SUBJECT.to_string(), iat: now, exp: now + 3600 };
        black_box(jwt10::encode(&header, black_box(&claims), &key).expect("jsonwebtoken 10"));
    }));

    let pair = RS256KeyPair::from_pem(&f.private_pem).expect("jwt-simple key");
    ops.push(Operation::new(&group, "jwt_simple", Library::Peer, move || {
        let claims = jwt_simple::prelude::Claims::create(JwtSimpleDuration::from_hours(1)).with_subject(SUBJECT);
        black_box(pair.sign(black_box(claims)).expect("jwt-simple"));
    }));
    ops
}
