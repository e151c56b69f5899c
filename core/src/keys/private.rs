//! Private signing keys, held by aws-lc-rs.

use super::{der, invalid, pem, PublicKey};
use crate::error::{Error, ErrorKind};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use core::fmt;

const PRIVATE_EXPECTED: &str = "expected an RSA private key as PEM (PRIVATE KEY or RSA PRIVATE KEY), DER, \
                                or a base64-encoded PEM line";

/// An RSA private key that signs user tokens (2048 to 8192 bits).
///
/// `Debug` shows the modulus size only; the key material is never printed.
#[derive(Clone)]
pub struct SigningKey {
    pair: RsaKeyPair,
    public: PublicKey,
}

impl SigningKey {
    /// Loads an RSA private key from PKCS#8 PEM (`PRIVATE KEY`), PKCS#1 PEM
    /// (`RSA PRIVATE KEY`), DER (either), or a base64-encoded PEM line; the format is
    /// detected. Surrounding whitespace, CRLF line ends and literal `\n` escapes are
    /// tolerated.
    ///
    /// Fails with `key_unsupported` for a key that is not RSA or whose modulus is not 2048
    /// to 8192 bits, and with `key_invalid` for anything that cannot be read. Messages
    /// never contain key material.
    pub fn parse(input: &[u8]) -> Result<SigningKey, Error> {
        let decoded = pem::decode(input, PRIVATE_EXPECTED)?;
        if let Some(pem::Label::Public | pem::Label::RsaPublic) = decoded.label {
            return Err(found_public());
        }
        let der = &decoded.der[..];
        if der::shape(der)? == der::Shape::SequenceFirst {
            return Err(found_public());
        }
        let pkcs8 = match der::is_pkcs8(der) {
            Ok(pkcs8) => pkcs8,
            Err(_) if der::rsa_public_key(der).is_ok() => return Err(found_public()),
            Err(e) => return Err(e),
        };
        let rsa_private_key = if pkcs8 { der::pkcs8_rsa_private_key(der)? } else { der };
        // Our own size and exponent rules first, so that a well-formed key of the wrong
        // size is `key_unsupported`, not whatever aws-lc calls it.
        let public = PublicKey::from_numbers(der::rsa_private_key_public_part(rsa_private_key)?)?;
        let pair = if pkcs8 { RsaKeyPair::from_pkcs8(der) } else { RsaKeyPair::from_der(der) }
            .map_err(|_| invalid("the RSA private key is malformed or its numbers are inconsistent"))?;
        // aws-lc re-encodes the public half canonically, as we do: they must agree.
        if pair.public_key().as_ref() != public.rsa_public_key_der() {
            return Err(invalid("the RSA private key is malformed or its numbers are inconsistent"));
        }
        Ok(SigningKey { pair, public })
    }

    /// Wraps a freshly generated aws-lc key pair.
    pub(super) fn from_pair(pair: RsaKeyPair) -> Result<SigningKey, Error> {
        let public = PublicKey::from_pkcs1_der(pair.public_key().as_ref())?;
        Ok(SigningKey { pair, public })
    }

    /// The matching public key, for verification.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key id signed tokens carry by default: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    /// An RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    pub(crate) fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        // aws-lc ignores the RNG for PKCS#1 v1.5 (the padding is deterministic).
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| Error::new(ErrorKind::KeyInvalid).with_detail("the RSA private key failed to sign"))?;
        Ok(signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("modulus_bits", &self.public.modulus_bits()).finish_non_exhaustive()
    }
}

fn found_public() -> Error {
    invalid("expected a private key, found a public key")
}
