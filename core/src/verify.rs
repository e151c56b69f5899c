//! RS256 user-token verification: the hot path.
//!
//! Order: size, segments, header (`alg`, `crit`), signature, then claims, so that a claims
//! error is only ever reported for a token whose signature verified. The token is decoded
//! into stack buffers; nothing here allocates.

use crate::cache::TokenCache;
use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use crate::provider::{Provider, VerifyingKey};
use crate::token::{self, Claims, ClaimsRef, NumericDate};
use core::fmt;
use std::sync::Arc;

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
///
/// Each value has one meaning, in every binding: its range and what "none" is are written
/// here and checked by [`Policy::validate`]; no binding reinterprets one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Seconds of tolerance applied to `exp` and `nbf`: any value; 0 (the default) is none.
    pub leeway_seconds: u64,
    /// Refuse tokens without `exp` (`claim_missing`). Default off: the product documents
    /// `exp` as recommended, not required.
    pub require_exp: bool,
    /// The longest lifetime (`exp - iat`, compared exactly, fractions included) a token may
    /// have, in seconds: at least 1; tokens under a limit must carry both claims. `None`
    /// (the default) is no limit. 0 is refused (`config_invalid`): it would be a limit no
    /// usable token meets, and is too easily taken for "no limit".
    pub max_lifetime_seconds: Option<u64>,
    /// Tokens longer than this are refused with `token_too_large` before any other work
    /// (decoding, hashing for the cache). 1 to [`MAX_TOKEN_BYTES_LIMIT`]; default
    /// [`DEFAULT_MAX_TOKEN_BYTES`]; there is no "none".
    pub max_token_bytes: usize,
    /// How far `iat` may lie in the future, for backends whose clocks drift: any value;
    /// default 60 s; 0 allows none.
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
    /// Checks the policy's values against their ranges: `config_invalid` when
    /// `max_token_bytes` is 0 or above [`MAX_TOKEN_BYTES_LIMIT`], or `max_lifetime_seconds`
    /// is `Some(0)`.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |detail| Err(Error::new(ErrorKind::ConfigInvalid).with_detail(detail));
        if !(1..=MAX_TOKEN_BYTES_LIMIT).contains(&self.max_token_bytes) {
            return invalid("max_token_bytes must be between 1 and 16384");
        }
        if self.max_lifetime_seconds == Some(0) {
            return invalid("max_lifetime must be at least 1 second; leave it unset for no limit");
        }
        Ok(())
    }

    /// `token_too_large` for a token over [`Policy::max_token_bytes`]: the first check on
    /// every path, before the token is decoded or hashed.
    pub(crate) fn check_size(&self, token: &[u8]) -> Result<(), Error> {
        if token.len() > self.max_token_bytes {
            Err(Error::new(ErrorKind::TokenTooLarge))
        } else {
            Ok(())
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

/// `exp - iat <= max`, on the exact dates: a fraction of a second over the limit is over it.
fn check_lifetime(iat: Option<NumericDate>, exp: Option<NumericDate>, max: u64) -> Result<(), Error> {
    let lifetime_error =
        |kind, claim| Error::claim(kind, claim).with_detail("the policy limits the token lifetime (exp - iat)");
    let exp = exp.ok_or(lifetime_error(ErrorKind::ClaimMissing, "exp"))?;
    let iat = iat.ok_or(lifetime_error(ErrorKind::ClaimMissing, "iat"))?;
    const NANOS: i128 = 1_000_000_000;
    let nanos = |d: NumericDate| i128::from(d.seconds()) * NANOS + i128::from(d.subsec_nanos());
    if nanos(exp) - nanos(iat) > i128::from(max) * NANOS {
        return Err(
            lifetime_error(ErrorKind::ClaimInvalid, "exp").with_detail("exp - iat exceeds the maximum token lifetime")
        );
    }
    Ok(())
}

/// Verifies user tokens against one configured public key, optionally remembering the
/// tokens that verified. Cheap to share across threads; clones share the cache.
#[derive(Clone)]
pub struct Verifier {
    key: VerifyingKey,
    policy: Policy,
    cache: Option<Arc<TokenCache>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("key", &self.key)
            .field("policy", &self.policy)
            .field("cache_capacity", &self.cache_capacity())
            .finish()
    }
}

impl Verifier {
    /// A verifier with the default [`Policy`] (and so the `ring` provider) and no cache.
    pub fn new(key: PublicKey) -> Self {
        Verifier { key: VerifyingKey::ring(key), policy: Policy::default(), cache: None }
    }

    /// A verifier with `policy` and no cache, refused with `config_invalid` if a value of the
    /// policy is out of range. The key is prepared for the policy's provider here, once.
    pub fn with_policy(key: PublicKey, policy: Policy) -> Result<Self, Error> {
        Self::with_cache(key, policy, 0)
    }

    /// A verifier with `policy` and a verified-token cache of at most `cache_capacity`
    /// tokens (0: no cache). A browser sends the same token on every request: a cached
    /// token skips the RSA check, its `exp`, `nbf` and `iat` are checked against `now` on
    /// every use, and a hit allocates nothing.
    pub fn with_cache(key: PublicKey, policy: Policy, cache_capacity: usize) -> Result<Self, Error> {
        policy.validate()?;
        let key = VerifyingKey::new(key, policy.provider)?;
        Ok(Verifier { key, policy, cache: TokenCache::new(cache_capacity).map(Arc::new) })
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

    /// The most tokens the cache keeps (0: no cache).
    pub fn cache_capacity(&self) -> usize {
        self.cache.as_ref().map_or(0, |cache| cache.capacity())
    }

    /// Verifies a compact RS256 user token at time `now` (Unix seconds) and returns its
    /// claims. Allocates nothing in this crate (except to remember a new token in the cache).
    pub fn verify(&self, token: &[u8], now: i64) -> Result<Claims, Error> {
        self.verify_with(token, now, |claims| claims.to_claims())
    }

    /// Verifies like [`Verifier::verify`] and hands the claims, borrowed from the verifier's
    /// stack buffer (or the cache), to `f`: nothing is copied.
    pub fn verify_with<R>(&self, token: &[u8], now: i64, f: impl FnOnce(ClaimsRef<'_>) -> R) -> Result<R, Error> {
        match &self.cache {
            // One key and one policy for the verifier's life: generation 0 throughout.
            Some(cache) => cache.verify_with(self, 0, token, now, |_| Ok(()), f),
            None => self.check_signature(token, now, |claims, _| {
                self.policy.check_times(&claims, now)?;
                Ok(f(claims))
            }),
        }
    }
}

impl Verifier {
    /// [`Verifier::verify`] for the decisions that need no RSA work: a refusal before the
    /// signature (size, segments, header) or a cache hit; `None` when the signature must be
    /// verified (then call `verify`). For bindings that answer those without giving up a
    /// lock (Python's GIL), and release it only for RSA work.
    pub fn verify_cached(&self, token: &[u8], now: i64) -> Option<Result<Claims, Error>> {
        self.verify_cached_with(token, now, |claims| claims.to_claims())
    }

    /// [`Verifier::verify_cached`] handing the borrowed claims to `f`.
    pub fn verify_cached_with<R>(
        &self,
        token: &[u8],
        now: i64,
        f: impl FnOnce(ClaimsRef<'_>) -> R,
    ) -> Option<Result<R, Error>> {
        match &self.cache {
            Some(cache) => cache.answer_without_rsa(self, 0, token, now, |_| Ok(()), f),
            None => refusal_before_signature(self, token, now).map(Err),
        }
    }
}

/// The refusal of `token` before its signature is verified (size, segments, header, then
/// the key its `kid` chooses), or `None` when it gets as far as the RSA verify: the first
/// steps of [`decode_and_check`] itself, stopped where the RSA work would start.
pub(crate) fn refusal_before_signature(checker: &impl SignatureCheck, token: &[u8], now: i64) -> Option<Error> {
    let mut reached_signature = false;
    let stop = decode_and_check(
        token,
        checker.policy(),
        |kid| {
            checker.choose_key(kid, now)?;
            reached_signature = true;
            // Any error stops decode_and_check here; it is not reported.
            Err::<Option<(&VerifyingKey, i64)>, _>(Error::new(ErrorKind::SignatureInvalid))
        },
        |_, _| Ok(()),
    );
    match stop {
        Err(e) if !reached_signature => Some(e),
        _ => None,
    }
}

/// What the cache verifies a token with: a [`Verifier`] (one key, whatever the token's
/// `kid`) or a [`crate::KeySet`] (the key the `kid` names).
pub(crate) trait SignatureCheck {
    /// The token rules (size limit, time claims).
    fn policy(&self) -> &Policy;

    /// Everything except the time rules: `then` sees the verified claims and the deadline
    /// of the key that verified them (`i64::MAX` for none).
    fn check_signature<R>(
        &self,
        token: &[u8],
        now: i64,
        then: impl FnOnce(ClaimsRef<'_>, i64) -> Result<R, Error>,
    ) -> Result<R, Error>;

    /// The key choice of `check_signature` alone (no RSA work): its refusal, if any, of the
    /// token's `kid` at `now`.
    fn choose_key(&self, kid: token::HeaderKid<'_>, now: i64) -> Result<(), Error>;
}

impl SignatureCheck for Verifier {
    fn policy(&self) -> &Policy {
        &self.policy
    }

    fn check_signature<R>(
        &self,
        token: &[u8],
        _now: i64,
        then: impl FnOnce(ClaimsRef<'_>, i64) -> Result<R, Error>,
    ) -> Result<R, Error> {
        // One key: the token's kid chooses nothing (the signature decides).
        decode_and_check(token, &self.policy, |_| Ok(Some((&self.key, i64::MAX))), then)
    }

    fn choose_key(&self, _kid: token::HeaderKid<'_>, _now: i64) -> Result<(), Error> {
        Ok(())
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
    let policy = Policy { max_token_bytes: max_token_bytes.min(MAX_TOKEN_BYTES_LIMIT), ..Policy::default() };
    decode_and_check(token, &policy, |_| Ok(None), |claims, _| Ok(f(claims)))
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
pub fn decode_parts_unverified(compact: &[u8]) -> Result<UnverifiedParts, Error> {
    if compact.len() > MAX_TOKEN_BYTES_LIMIT {
        return Err(Error::new(ErrorKind::TokenTooLarge));
    }
    let segments = token::split(compact)?;
    let decode = |segment, name| -> Result<Vec<u8>, Error> {
        let mut out = vec![0; token::decoded_len(segment, name)?];
        token::decode_segment(segment, &mut out, name)?;
        Ok(out)
    };
    Ok(UnverifiedParts { header: decode(segments.header, "header")?, payload: decode(segments.payload, "payload")? })
}

/// The steps in order, with the buffers on the stack: `select` picks the key from the
/// header's `kid` (with its deadline; `None`: no signature check), `then` sees the claims.
pub(crate) fn decode_and_check<'k, R>(
    compact: &[u8],
    policy: &Policy,
    select: impl FnOnce(token::HeaderKid<'_>) -> Result<Option<(&'k VerifyingKey, i64)>, Error>,
    then: impl FnOnce(ClaimsRef<'_>, i64) -> Result<R, Error>,
) -> Result<R, Error> {
    policy.check_size(compact)?;
    let segments = token::split(compact)?;
    let needed = token::decoded_len(segments.header, "header")? + token::decoded_len(segments.payload, "payload")?;
    if needed <= SMALL_BUFFER {
        let mut buf = [0; SMALL_BUFFER];
        let (claims, until) = check_with_buffer(&segments, select, &mut buf)?;
        then(claims, until)
    } else {
        let mut buf = [0; LARGE_BUFFER];
        let (claims, until) = check_with_buffer(&segments, select, &mut buf)?;
        then(claims, until)
    }
}

fn check_with_buffer<'b, 'k>(
    segments: &token::Segments<'_>,
    select: impl FnOnce(token::HeaderKid<'_>) -> Result<Option<(&'k VerifyingKey, i64)>, Error>,
    buf: &'b mut [u8],
) -> Result<(ClaimsRef<'b>, i64), Error> {
    let header_len = token::decode_segment(segments.header, buf, "header")?;
    let (header, rest) = buf.split_at_mut(header_len);
    // The key is chosen before anything else is decoded: an unknown kid costs no RSA work.
    let key = select(token::check_header(header)?)?;
    let payload_len = token::decode_segment(segments.payload, rest, "payload")?;
    let mut signature = [0; MAX_SIGNATURE_BYTES];
    let signature_len = match token::decode_segment(segments.signature, &mut signature, "signature") {
        Ok(len) => len,
        // Too long for any RS256 signature: simply invalid, say nothing more.
        Err(e) if e.kind() == ErrorKind::TokenTooLarge => return Err(Error::new(ErrorKind::SignatureInvalid)),
        Err(e) => return Err(e),
    };
    let mut until = i64::MAX;
    if let Some((key, key_until)) = key {
        // A signature of the wrong length is simply invalid; say nothing more.
        if signature_len != key.signature_len() {
            return Err(Error::new(ErrorKind::SignatureInvalid));
        }
        key.verify_rs256(segments.signing_input, &signature[..signature_len])?;
        until = key_until;
    }
    Ok((token::read_claims(&mut rest[..payload_len])?, until))
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
