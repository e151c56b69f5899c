//! RS256 user-token verification: the hot path.
//!
//! Order: size, segments, header (`alg`, `crit`), signature, then claims, so that a claims
//! error is only ever reported for a token whose signature verified. The token is decoded
//! into stack buffers; nothing here allocates.

use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use crate::provider::{Provider, VerifyingKey};
use crate::token::{self, Claims, ClaimsRef, NumericDate};

/// The largest `max_token_bytes` a policy may set: it sizes the verifier's stack buffers.
pub const MAX_TOKEN_BYTES_LIMIT: usize = 16 * 1024;
/// Default token size limit.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Default allowance for backends whose clocks run ahead when checking `iat`.
pub const DEFAULT_IAT_SKEW_SECONDS: u64 = 60;

/// Decoded header plus payload of most tokens fit this; larger ones use a bigger buffer,
/// so the common case does not pay for zeroing the large one.
const SMALL_BUFFER: usize = 512;
const LARGE_BUFFER: usize = MAX_TOKEN_BYTES_LIMIT / 4 * 3;
/// RS256 signatures are at most 8192 bits.
const MAX_SIGNATURE_BYTES: usize = 8192 / 8;

/// What a verifier accepts beyond the fixed rules (RS256 only, no `crit`, `sub` required).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Seconds of tolerance applied to `exp` and `nbf`. Default 0.
    pub leeway_seconds: u64,
    /// Refuse tokens without `exp` (`claim_missing`). Default off: the product documents
    /// `exp` as recommended, not required.
    pub require_exp: bool,
    /// When set, refuse tokens whose `exp - iat` exceeds this many seconds (such tokens
    /// must carry both claims).
    pub max_lifetime_seconds: Option<u64>,
    /// Tokens longer than this are refused with `token_too_large` before any decoding.
    /// 1 to [`MAX_TOKEN_BYTES_LIMIT`]; default [`DEFAULT_MAX_TOKEN_BYTES`].
    pub max_token_bytes: usize,
    /// How far `iat` may lie in the future, for backends whose clocks drift. Default 60 s.
    pub iat_skew_seconds: u64,
    /// Which library verifies signatures: [`Provider::Ring`] (default) or
    /// [`Provider::AwsLcRs`]. Both give the same results.
    pub provider: Provider,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            leeway_seconds: 0,
            require_exp: false,
            max_lifetime_seconds: None,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            iat_skew_seconds: DEFAULT_IAT_SKEW_SECONDS,
            provider: Provider::Ring,
        }
    }
}

impl Policy {
    /// Checks the policy's limits: `config_invalid` when `max_token_bytes` is 0 or above
    /// [`MAX_TOKEN_BYTES_LIMIT`].
    pub fn validate(&self) -> Result<(), Error> {
        if (1..=MAX_TOKEN_BYTES_LIMIT).contains(&self.max_token_bytes) {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::ConfigInvalid).with_detail("max_token_bytes must be between 1 and 16384"))
        }
    }

    /// Applies the time rules to verified claims, in the order `exp`, `nbf`, `iat`, lifetime.
    pub fn check_times(&self, claims: &ClaimsRef<'_>, now: i64) -> Result<(), Error> {
        let now = i128::from(now);
        let leeway = i128::from(self.leeway_seconds);
        match claims.exp {
            Some(exp) if now >= exp.ceil_seconds() + leeway => {
                return Err(Error::claim(ErrorKind::TokenExpired, "exp"))
            }
            None if self.require_exp => return Err(Error::claim(ErrorKind::ClaimMissing, "exp")),
            _ => {}
        }
        if let Some(nbf) = claims.nbf {
            if now + leeway < nbf.ceil_seconds() {
                return Err(Error::claim(ErrorKind::TokenNotYetValid, "nbf"));
            }
        }
        if let Some(iat) = claims.iat {
            if iat.ceil_seconds() > now + i128::from(self.iat_skew_seconds) {
                return Err(Error::claim(ErrorKind::TokenIssuedInFuture, "iat"));
            }
        }
        if let Some(max) = self.max_lifetime_seconds {
            check_lifetime(claims.iat, claims.exp, max)?;
        }
        Ok(())
    }
}

fn check_lifetime(iat: Option<NumericDate>, exp: Option<NumericDate>, max: u64) -> Result<(), Error> {
    let lifetime_error =
        |kind, claim| Error::claim(kind, claim).with_detail("the policy limits the token lifetime (exp - iat)");
    let exp = exp.ok_or(lifetime_error(ErrorKind::ClaimMissing, "exp"))?;
    let iat = iat.ok_or(lifetime_error(ErrorKind::ClaimMissing, "iat"))?;
    let lifetime = i128::from(exp.seconds()) - i128::from(iat.seconds());
    if lifetime > i128::from(max) {
        return Err(
            lifetime_error(ErrorKind::ClaimInvalid, "exp").with_detail("exp - iat exceeds the maximum token lifetime")
        );
    }
    Ok(())
}

/// Verifies user tokens against one configured public key. Cheap to share across threads.
#[derive(Clone, Debug)]
pub struct Verifier {
    key: VerifyingKey,
    policy: Policy,
}

impl Verifier {
    /// A verifier with the default [`Policy`] (and so the `ring` provider).
    pub fn new(key: PublicKey) -> Self {
        Verifier { key: VerifyingKey::ring(key), policy: Policy::default() }
    }

    /// A verifier with `policy`, refused with `config_invalid` if its limits are out of range.
    /// The key is prepared for the policy's provider here, once.
    pub fn with_policy(key: PublicKey, policy: Policy) -> Result<Self, Error> {
        policy.validate()?;
        Ok(Verifier { key: VerifyingKey::new(key, policy.provider)?, policy })
    }

    /// The configured key.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// The provider that verifies signatures (the policy's).
    pub fn provider(&self) -> Provider {
        self.key.provider()
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies a compact RS256 user token at time `now` (Unix seconds) and returns its
    /// claims. Allocates nothing in this crate.
    pub fn verify(&self, token: &[u8], now: i64) -> Result<Claims, Error> {
        self.verify_with(token, now, |claims| claims.to_claims())
    }

    /// Verifies like [`Verifier::verify`] and hands the claims, borrowed from the verifier's
    /// stack buffer, to `f`: nothing is copied.
    pub fn verify_with<R>(&self, token: &[u8], now: i64, f: impl FnOnce(ClaimsRef<'_>) -> R) -> Result<R, Error> {
        decode_and_check(token, self.policy.max_token_bytes, Some(&self.key), |claims| {
            self.policy.check_times(&claims, now)?;
            Ok(f(claims))
        })
    }

    /// Everything except the time rules, for callers (the verified-token cache) that check
    /// the clock themselves on every use.
    pub fn verify_signature_with<R>(&self, token: &[u8], f: impl FnOnce(ClaimsRef<'_>) -> R) -> Result<R, Error> {
        decode_and_check(token, self.policy.max_token_bytes, Some(&self.key), |claims| Ok(f(claims)))
    }
}

/// Parses and checks a token without verifying its signature or its times: for benchmarks,
/// fuzzing and inspection tools only. Never trust what it returns.
pub fn decode_unverified(token: &[u8], max_token_bytes: usize) -> Result<Claims, Error> {
    decode_unverified_with(token, max_token_bytes, |claims| claims.to_claims())
}

/// [`decode_unverified`] handing the borrowed claims to `f`, as [`Verifier::verify_with`]
/// does: parsing without copying anything.
pub fn decode_unverified_with<R>(
    token: &[u8],
    max_token_bytes: usize,
    f: impl FnOnce(ClaimsRef<'_>) -> R,
) -> Result<R, Error> {
    decode_and_check(token, max_token_bytes.min(MAX_TOKEN_BYTES_LIMIT), None, |claims| Ok(f(claims)))
}

/// A token's decoded header and payload, unverified: what `notiflows-auth inspect` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnverifiedParts {
    /// The header's JSON bytes.
    pub header: Vec<u8>,
    /// The payload's bytes (JSON for a JWT).
    pub payload: Vec<u8>,
}

/// Splits and base64url-decodes a token without checking anything else: for inspection
/// tools only. Refuses tokens over [`MAX_TOKEN_BYTES_LIMIT`] and non-canonical base64url.
pub fn decode_parts_unverified(token: &[u8]) -> Result<UnverifiedParts, Error> {
    if token.len() > MAX_TOKEN_BYTES_LIMIT {
        return Err(Error::new(ErrorKind::TokenTooLarge));
    }
    let segments = token::split(token)?;
    let decode = |segment, name| -> Result<Vec<u8>, Error> {
        let mut out = vec![0; token::decoded_len(segment, name)?];
        token::decode_segment(segment, &mut out, name)?;
        Ok(out)
    };
    Ok(UnverifiedParts { header: decode(segments.header, "header")?, payload: decode(segments.payload, "payload")? })
}

/// The steps in order, with the buffers on the stack; `then` sees the claims.
fn decode_and_check<R>(
    token: &[u8],
    max_token_bytes: usize,
    key: Option<&VerifyingKey>,
    then: impl FnOnce(ClaimsRef<'_>) -> Result<R, Error>,
) -> Result<R, Error> {
    if token.len() > max_token_bytes {
        return Err(Error::new(ErrorKind::TokenTooLarge));
    }
    let segments = token::split(token)?;
    // A length no base64url text has is found before the signature is decoded, so a fourth
    // segment must be looked for here too: segments are reported before encodings.
    let decoded_len = |segment, name| {
        token::decoded_len(segment, name).map_err(|e| token::refine_signature_error(segments.signature, e))
    };
    let needed = decoded_len(segments.header, "header")? + decoded_len(segments.payload, "payload")?;
    if needed <= SMALL_BUFFER {
        then(check_with_buffer(&segments, key, &mut [0; SMALL_BUFFER])?)
    } else {
        then(check_with_buffer(&segments, key, &mut [0; LARGE_BUFFER])?)
    }
}

fn check_with_buffer<'b>(
    segments: &token::Segments<'_>,
    key: Option<&VerifyingKey>,
    buf: &'b mut [u8],
) -> Result<ClaimsRef<'b>, Error> {
    // The signature is decoded first because its strict decoding is also what finds a
    // fourth segment, which must be reported before anything about the header. Its other
    // decoding errors wait until after the header, keeping the documented order.
    let mut signature = [0; MAX_SIGNATURE_BYTES];
    let signature_len = match token::decode_segment(segments.signature, &mut signature, "signature") {
        Ok(len) => Ok(len),
        Err(e) => match token::refine_signature_error(segments.signature, e) {
            e if e.kind() == ErrorKind::TokenMalformed => return Err(e),
            e => Err(e),
        },
    };
    let header_len = token::decode_segment(segments.header, buf, "header")?;
    let (header, rest) = buf.split_at_mut(header_len);
    token::check_header(header)?;
    let payload_len = token::decode_segment(segments.payload, rest, "payload")?;
    let signature = &signature[..signature_len?];
    if let Some(key) = key {
        // A signature of the wrong length is simply invalid; say nothing more.
        if signature.len() != key.signature_len() {
            return Err(Error::new(ErrorKind::SignatureInvalid));
        }
        key.verify_rs256(segments.signing_input, signature)?;
    }
    token::read_claims(&mut rest[..payload_len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fourth_segment_is_reported_before_a_bad_base64_length() {
        // Found by the token_parse fuzz target: a header or payload of a length no base64url
        // text has was reported as token_base64 before the extra segment.
        for token in [&b"a.b.c.d"[..], b"eyJ.a.c.d", b"abcde.e30.c.d"] {
            assert_eq!(decode_unverified(token, 100).unwrap_err().kind(), ErrorKind::TokenMalformed, "{token:?}");
        }
        assert_eq!(decode_unverified(b"a.e30.c", 100).unwrap_err().kind(), ErrorKind::TokenBase64);
    }
}
