//! Verify providers: which library checks a token's RSA signature, chosen per verifier or
//! authenticator at run time (as rustls chooses a `CryptoProvider`).
//!
//! - [`Provider::Ring`] (the default): `ring`, small and audited. Its API takes the key as
//!   DER on every call, so each verify re-derives the modulus' Montgomery constants.
//! - [`Provider::AwsLcRs`]: `aws-lc-rs` (already linked for signing; FIPS-validated), with
//!   the key parsed once into a `ParsedPublicKey` when the verifier is built, so nothing
//!   is re-derived per verify.
//!
//! Both accept exactly the same keys (every key [`PublicKey`] loads) and the same
//! signatures; the tests and the `providers` fuzz target hold them to that.

use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use core::fmt;
use core::str::FromStr;
use std::sync::Arc;

/// The library that verifies RS256 signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Provider {
    /// `ring` (the default).
    #[default]
    Ring,
    /// `aws-lc-rs`, with the public key parsed once.
    AwsLcRs,
}

const UNKNOWN: &str = "provider must be \"ring\" (the default) or \"aws-lc-rs\"";

impl Provider {
    /// Every provider, the default first.
    pub const ALL: [Provider; 2] = [Provider::Ring, Provider::AwsLcRs];

    /// `"ring"` or `"aws-lc-rs"`: the name every interface spells it with.
    pub const fn name(self) -> &'static str {
        match self {
            Provider::Ring => "ring",
            Provider::AwsLcRs => "aws-lc-rs",
        }
    }

    /// Reads a provider name; anything but `"ring"` or `"aws-lc-rs"` is `config_invalid`,
    /// naming the known ones. The bindings and the CLI pass their string here unchanged.
    pub fn from_name(name: &str) -> Result<Provider, Error> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or(Error::new(ErrorKind::ConfigInvalid).with_detail(UNKNOWN))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Provider::from_name(s)
    }
}

/// A public key made ready for one provider: what a [`crate::Verifier`] checks signatures
/// with, also usable alone for raw RS256 signatures. Cheap to clone.
#[derive(Clone)]
pub struct VerifyingKey {
    key: PublicKey,
    /// `None` for ring, which takes the DER on every call.
    parsed: Option<Arc<ParsedPublicKey>>,
}

impl VerifyingKey {
    /// Prepares `key` for `provider`: for aws-lc-rs, parses it once. Every key that loads
    /// parses (both libraries apply the rules `PublicKey` checks); a refusal would be
    /// `key_invalid`, never a panic.
    pub fn new(key: PublicKey, provider: Provider) -> Result<VerifyingKey, Error> {
        match provider {
            Provider::Ring => Ok(VerifyingKey::ring(key)),
            Provider::AwsLcRs => {
                let parsed =
                    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.rsa_public_key_der()).map_err(|_| {
                        Error::new(ErrorKind::KeyInvalid).with_detail("aws-lc-rs could not parse the RSA public key")
                    })?;
                Ok(VerifyingKey { key, parsed: Some(Arc::new(parsed)) })
            }
        }
    }

    /// `key` for ring, which needs no preparation.
    pub fn ring(key: PublicKey) -> VerifyingKey {
        VerifyingKey { key, parsed: None }
    }

    /// The key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The provider it was prepared for.
    pub fn provider(&self) -> Provider {
        if self.parsed.is_some() {
            Provider::AwsLcRs
        } else {
            Provider::Ring
        }
    }

    /// Length of an RS256 signature with this key, in bytes.
    pub fn signature_len(&self) -> usize {
        self.key.signature_len()
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature; `signature_invalid` and nothing more.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match &self.parsed {
            None => self.key.verify_rs256(message, signature),
            Some(parsed) => parsed.verify_sig(message, signature).map_err(|_| Error::new(ErrorKind::SignatureInvalid)),
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey").field("key", &self.key).field("provider", &self.provider().name()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_config_invalid() {
        for p in Provider::ALL {
            assert_eq!(Provider::from_name(p.name()), Ok(p));
            assert_eq!(p.to_string().parse::<Provider>(), Ok(p));
        }
        assert_eq!(Provider::default(), Provider::Ring);
        for bad in ["", "Ring", "aws_lc_rs", "aws-lc", "openssl", "ring "] {
            let e = Provider::from_name(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{bad:?}");
            assert!(e.to_string().contains("\"ring\"") && e.to_string().contains("\"aws-lc-rs\""), "{e}");
        }
    }
}
