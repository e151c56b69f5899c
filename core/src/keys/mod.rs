//! Signing keys: loading public and private RSA keys from what users paste, generating
//! new pairs, and the raw RS256 signature operations.
//!
//! Verification runs on `ring` (small, audited, fast enough, and the verify path we
//! measure against). Key generation and signing run on `aws-lc-rs`, since `ring` cannot
//! generate RSA keys and signs at about half the speed of AWS-LC.
//!
//! Formats are detected, never asked for: PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`,
//! `PRIVATE KEY`, `RSA PRIVATE KEY`), DER, and the one-line base64-encoded PEM.

mod der;
mod generate;
mod jwk;
mod pem;
mod private;

pub use jwk::{jwk_set, parse_jwk_set, MAX_JWK_SET_BYTES};

pub use generate::{generate_signing_key, GeneratedKeyPair, DEFAULT_GENERATED_KEY_BITS, GENERATED_KEY_BITS};
pub(crate) use pem::BASE64_PEM_PREFIX;
pub use private::SigningKey;

use crate::base64;
use crate::error::{Error, ErrorKind};
use core::fmt;
use der::RsaNumbers;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_MODULUS_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (ring's `RSA_PKCS1_2048_8192_SHA256` limit).
pub const MAX_RSA_MODULUS_BITS: usize = 8192;
/// Longest `kid` accepted, in bytes (visible ASCII only).
pub const MAX_KID_BYTES: usize = 128;
/// Most keys a project holds: its active key plus its retiring keys.
pub const MAX_PROJECT_KEYS: usize = 8;

/// Largest public exponent accepted: ring's limit (2^33 - 1), which bounds the cost of a
/// verification.
const MAX_PUBLIC_EXPONENT: u64 = (1 << 33) - 1;

const PUBLIC_EXPECTED: &str =
    "expected an RSA public key as PEM (PUBLIC KEY or RSA PUBLIC KEY), DER, or a base64-encoded PEM line";

/// An RSA public key, parsed and checked once at load time (2048 to 8192 bits).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// PKCS#1 `RSAPublicKey` DER, the form `ring` verifies with; re-encoded canonically.
    rsa_public_key_der: Box<[u8]>,
    /// Modulus length in bytes: every RS256 signature must be exactly this long.
    modulus_len: usize,
    /// Exact modulus length in bits.
    modulus_bits: usize,
    /// The key id tokens name it by: the RFC 7638 thumbprint unless set with `with_kid`.
    kid: Box<str>,
}

impl PublicKey {
    /// Loads an RSA public key from SPKI PEM (`PUBLIC KEY`), PKCS#1 PEM (`RSA PUBLIC KEY`),
    /// DER (SPKI or PKCS#1), or a base64-encoded PEM line; the format is detected.
    /// Surrounding whitespace, CRLF line ends and literal `\n` escapes are tolerated.
    ///
    /// Fails with `key_unsupported` for a key that is not RSA or whose modulus is not 2048
    /// to 8192 bits, and with `key_invalid` for anything that cannot be read.
    pub fn parse(input: &[u8]) -> Result<PublicKey, Error> {
        let decoded = pem::decode(input, PUBLIC_EXPECTED)?;
        if let Some(pem::Label::Private | pem::Label::RsaPrivate) = decoded.label {
            return Err(invalid("expected a public key, found a private key"));
        }
        Self::from_der(&decoded.der)
    }

    /// SPKI or PKCS#1 `RSAPublicKey` DER, told apart by their shape.
    fn from_der(der: &[u8]) -> Result<PublicKey, Error> {
        match der::shape(der)? {
            der::Shape::SequenceFirst => Self::from_pkcs1_der(der::spki_rsa_public_key(der)?),
            der::Shape::IntegerFirst => Self::from_pkcs1_der(der).map_err(|e| {
                // PKCS#8 and PKCS#1 private keys also start `SEQUENCE { INTEGER`: say so.
                if der::rsa_public_key(der).is_err() && der::is_pkcs8(der).is_ok() {
                    invalid("expected a public key, found a private key")
                } else {
                    e
                }
            }),
        }
    }

    /// Loads PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<PublicKey, Error> {
        Self::from_numbers(der::rsa_public_key(der)?)
    }

    /// Applies ring's `RSA_PKCS1_2048_8192_SHA256` rules to `n` and `e`, so that every key
    /// that loads can verify: the modulus odd and 2048 to 8192 bits, the exponent odd,
    /// at least 3 and at most 2^33 - 1 (ring accepts e = 3, and so do we).
    pub(crate) fn from_numbers(numbers: RsaNumbers<'_>) -> Result<PublicKey, Error> {
        let (n, e) = (numbers.n, numbers.e);
        // `der` hands out integers without leading zero bytes, so `n[0] != 0`.
        let &first = n.first().ok_or(invalid("the RSA modulus is empty"))?;
        let leading_zero_bits = usize::try_from(first.leading_zeros()).map_err(|_| invalid("bad modulus"))?;
        let modulus_bits = (n.len() - 1).checked_mul(8).and_then(|b| b.checked_add(8 - leading_zero_bits));
        let modulus_bits = modulus_bits.ok_or(invalid("the RSA modulus is too long"))?;
        if !(MIN_RSA_MODULUS_BITS..=MAX_RSA_MODULUS_BITS).contains(&modulus_bits) {
            return Err(
                Error::new(ErrorKind::KeyUnsupported).with_detail("the RSA modulus must be 2048 to 8192 bits long")
            );
        }
        if n.last().is_some_and(|&b| b & 1 == 0) {
            return Err(invalid("the RSA modulus is even"));
        }
        if e.len() > 5 {
            return Err(unsupported_exponent());
        }
        let exponent = e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        if exponent < 3 || exponent & 1 == 0 {
            return Err(invalid("the RSA public exponent must be odd and at least 3"));
        }
        if exponent > MAX_PUBLIC_EXPONENT {
            return Err(unsupported_exponent());
        }
        let mut key = PublicKey {
            rsa_public_key_der: der::write_rsa_public_key(numbers).into_boxed_slice(),
            modulus_len: n.len(),
            modulus_bits,
            kid: Box::from(""),
        };
        key.kid = key.thumbprint().into_boxed_str();
        Ok(key)
    }

    /// The key id: what a token's `kid` header names this key by. By default its RFC 7638
    /// thumbprint, so the same key always has the same id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The same key named `kid` instead: 1 to [`MAX_KID_BYTES`] bytes of visible ASCII
    /// (0x21 to 0x7e), else `config_invalid`.
    pub fn with_kid(self, kid: &str) -> Result<PublicKey, Error> {
        check_kid(kid)?;
        Ok(PublicKey { kid: kid.into(), ..self })
    }

    /// The key's RFC 7638 JWK thumbprint (SHA-256, base64url), whatever its `kid`.
    pub fn thumbprint(&self) -> String {
        let (n, e) = self.jwk_numbers();
        // RFC 7638: the required members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let mut kid = String::new();
        base64::encode_url(ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes()).as_ref(), &mut kid);
        kid
    }

    /// `n` and `e` in base64url.
    fn jwk_numbers(&self) -> (String, String) {
        // Re-read from our own canonical encoding, so it cannot fail.
        let numbers = der::rsa_public_key(&self.rsa_public_key_der).expect("a loaded key re-reads");
        let (mut n, mut e) = (String::new(), String::new());
        base64::encode_url(numbers.n, &mut n);
        base64::encode_url(numbers.e, &mut e);
        (n, e)
    }

    /// The PKCS#1 `RSAPublicKey` DER.
    pub fn rsa_public_key_der(&self) -> &[u8] {
        &self.rsa_public_key_der
    }

    /// Length of the modulus in bits (2048 to 8192).
    pub fn modulus_bits(&self) -> usize {
        self.modulus_bits
    }

    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), 64-column lines,
    /// with a trailing newline.
    pub fn to_spki_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &der::write_spki(&self.rsa_public_key_der))
    }

    /// The key as a JSON Web Key (RFC 7517) for RS256: `{"kty":"RSA","use":"sig",
    /// "alg":"RS256","kid":...,"n":...,"e":...}`, where `kid` is [`PublicKey::kid`] (by
    /// default the RFC 7638 thumbprint, so it names this key and no other).
    pub fn to_jwk(&self) -> String {
        let (n, e) = self.jwk_numbers();
        let mut kid = String::new();
        crate::json::write_string(&mut kid, &self.kid);
        format!(r#"{{"kty":"RSA","use":"sig","alg":"RS256","kid":{kid},"n":"{n}","e":"{e}"}}"#)
    }

    /// Length of an RS256 signature with this key, in bytes.
    pub fn signature_len(&self) -> usize {
        self.modulus_len
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    ///
    /// Fails with `signature_invalid` and nothing more: callers learn no reason.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.rsa_public_key_der[..],
        )
        .verify(message, signature)
        .map_err(|_| Error::new(ErrorKind::SignatureInvalid))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("modulus_bits", &self.modulus_bits)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The rule every configured `kid` follows: 1 to [`MAX_KID_BYTES`] bytes of visible ASCII.
pub(crate) fn check_kid(kid: &str) -> Result<(), Error> {
    if is_valid_kid(kid.as_bytes()) {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::ConfigInvalid)
            .with_detail("a kid must be 1 to 128 bytes of visible ASCII (0x21 to 0x7e)"))
    }
}

/// Whether `kid` is 1 to [`MAX_KID_BYTES`] bytes of visible ASCII (length checked first).
pub(crate) fn is_valid_kid(kid: &[u8]) -> bool {
    (1..=MAX_KID_BYTES).contains(&kid.len()) && kid.iter().all(u8::is_ascii_graphic)
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::KeyInvalid).with_detail(detail)
}

fn unsupported_exponent() -> Error {
    Error::new(ErrorKind::KeyUnsupported).with_detail("the RSA public exponent is larger than 2^33 - 1")
}

#[cfg(test)]
mod tests {

    #[test]
    fn jwk_has_the_rfc_7638_thumbprint_as_kid() {
        // RFC 7638 section 3.1: the example key and its thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let mut modulus = [0u8; 256];
        assert_eq!(base64::decode_url(n.as_bytes(), &mut modulus).unwrap(), 256);
        let key = PublicKey::from_numbers(RsaNumbers { n: &modulus, e: &[1, 0, 1] }).unwrap();
        let jwk = key.to_jwk();
        assert_eq!(
            jwk,
            format!(
                r#"{{"kty":"RSA","use":"sig","alg":"RS256","kid":"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs","n":"{n}","e":"AQAB"}}"#
            )
        );
    }

    use super::*;

    fn key(n: &[u8], e: &[u8]) -> Result<PublicKey, Error> {
        PublicKey::from_numbers(RsaNumbers { n, e })
    }

    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0xff; bits.div_ceil(8)];
        n[0] = 0xff >> ((8 - bits % 8) % 8);
        n
    }

    #[test]
    fn modulus_and_exponent_rules() {
        assert_eq!(key(&modulus(2048), &[1, 0, 1]).unwrap().modulus_bits(), 2048);
        assert_eq!(key(&modulus(8192), &[3]).unwrap().signature_len(), 1024);
        assert_eq!(key(&modulus(3071), &[3]).unwrap().modulus_bits(), 3071);
        for (bits, e) in [(2047, &[3u8][..]), (8193, &[3]), (1024, &[3]), (2048, &[2, 0, 0, 0, 0, 1])] {
            assert_eq!(key(&modulus(bits), e).unwrap_err().kind(), ErrorKind::KeyUnsupported, "{bits} {e:?}");
        }
        assert_eq!(key(&modulus(2048), &[2, 0, 0, 0, 1]).unwrap_err().kind(), ErrorKind::KeyUnsupported);
        assert!(key(&modulus(2048), &[1, 0xff, 0xff, 0xff, 0xff]).is_ok(), "2^33 - 1 is ring's maximum");
        for e in [&[1u8][..], &[2], &[1, 0, 0]] {
            assert_eq!(key(&modulus(2048), e).unwrap_err().kind(), ErrorKind::KeyInvalid, "{e:?}");
        }
        let mut even = modulus(2048);
        even[255] = 0xfe;
        assert_eq!(key(&even, &[3]).unwrap_err().kind(), ErrorKind::KeyInvalid);
    }

    #[test]
    fn messages_say_what_was_wrong() {
        let exponent = key(&modulus(2048), &[2, 0, 0, 0, 0, 1]).unwrap_err().to_string();
        assert_eq!(exponent, "the key is not supported: the RSA public exponent is larger than 2^33 - 1");
        let size = key(&modulus(1024), &[3]).unwrap_err().to_string();
        assert_eq!(size, "the key is not supported: the RSA modulus must be 2048 to 8192 bits long");
        let generated = generate_signing_key(8192).unwrap_err().to_string();
        assert_eq!(generated, "the key is not supported: key generation supports 2048, 3072 or 4096 bits");
    }

    #[test]
    fn spki_pem_round_trips_and_debug_is_short() {
        let k = key(&modulus(2048), &[1, 0, 1]).unwrap();
        let pem = k.to_spki_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
        assert_eq!(PublicKey::parse(pem.as_bytes()).unwrap(), k);
        assert_eq!(format!("{k:?}"), format!("PublicKey {{ modulus_bits: 2048, kid: {:?}, .. }}", k.kid()));
    }
}
