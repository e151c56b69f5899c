//! Signing keys: loading public and private RSA keys from what users paste, generating
//! new pairs, and the raw RS256 signature operations.
//!
//! Verification runs on `ring` (small, audited, fast enough, and the verify path we
//! measure against). Key generation and signing run on `aws-lc-rs`, since `ring` cannot
//! generate RSA keys and signs at about half the speed of AWS-LC.

use crate::error::{Error, ErrorKind};

/// An RSA public key, parsed and checked once at load time (2048 to 8192 bits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// PKCS#1 `RSAPublicKey` DER, the form `ring` verifies with.
    rsa_public_key_der: Box<[u8]>,
    /// Modulus length in bytes: every RS256 signature must be exactly this long.
    modulus_len: usize,
}

impl PublicKey {
    /// Builds a key from PKCS#1 `RSAPublicKey` DER whose modulus is `modulus_len` bytes.
    pub(crate) fn from_checked_parts(rsa_public_key_der: Box<[u8]>, modulus_len: usize) -> Self {
        PublicKey { rsa_public_key_der, modulus_len }
    }

    /// The PKCS#1 `RSAPublicKey` DER.
    pub fn rsa_public_key_der(&self) -> &[u8] {
        &self.rsa_public_key_der
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
