//! New signing key pairs, in the forms a dashboard shows once.

use super::{pem, SigningKey};
use crate::error::{Error, ErrorKind};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64ct::Encoding as _;
use core::fmt;

/// The key size callers should generate when the user does not choose one.
pub const DEFAULT_GENERATED_KEY_BITS: usize = 2048;
/// The key sizes [`generate_signing_key`] makes.
pub const GENERATED_KEY_BITS: [usize; 3] = [2048, 3072, 4096];

/// A new key pair. The private forms are secrets: show them once and store them safely.
///
/// `Debug` redacts both private forms.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedKeyPair {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), 64-column lines, trailing newline.
    pub private_key_pem: String,
    /// Standard base64 of the whole private PEM, one line without wrapping: for
    /// environment variables.
    pub private_key_base64: String,
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub public_key_pem: String,
}

impl GeneratedKeyPair {
    /// The private key, loaded for signing.
    pub fn signing_key(&self) -> Result<SigningKey, Error> {
        SigningKey::parse(self.private_key_pem.as_bytes())
    }
}

impl fmt::Debug for GeneratedKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKeyPair")
            .field("private_key_pem", &"<redacted>")
            .field("private_key_base64", &"<redacted>")
            .field("public_key_pem", &self.public_key_pem)
            .finish()
    }
}

/// Generates an RSA signing key pair of `bits` bits: 2048 ([`DEFAULT_GENERATED_KEY_BITS`]),
/// 3072 or 4096; other sizes fail with `key_unsupported`. 4096-bit generation can take
/// seconds.
pub fn generate_signing_key(bits: usize) -> Result<GeneratedKeyPair, Error> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => {
            return Err(
                Error::new(ErrorKind::KeyUnsupported).with_detail("key generation supports 2048, 3072 or 4096 bits")
            )
        }
    };
    let failed = || Error::new(ErrorKind::KeyInvalid).with_detail("RSA key generation failed");
    let pair = RsaKeyPair::generate(size).map_err(|_| failed())?;
    let pkcs8 = pair.as_der().map_err(|_| failed())?;
    let private_key_pem = pem::encode("PRIVATE KEY", pkcs8.as_ref());
    // Constant-time encoding: this is the private key.
    let private_key_base64 = base64ct::Base64::encode_string(private_key_pem.as_bytes());
    let public_key_pem = SigningKey::from_pair(pair)?.public_key().to_spki_pem();
    Ok(GeneratedKeyPair { private_key_pem, private_key_base64, public_key_pem })
}
