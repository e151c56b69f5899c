//! Key sets: a project's active signing key and the keys retiring after a rotation with an
//! overlap, each named by its `kid`.
//!
//! A token's `kid` chooses among these keys only (never a key from the token); a kid that
//! names none, or names a key at or past its deadline, is `key_unknown` before any RSA
//! work. A token without `kid` is checked against the active key only: one RSA verify per
//! token, whatever the number of keys.

use crate::error::{Error, ErrorKind};
use crate::keys::{PublicKey, MAX_PROJECT_KEYS};
use crate::provider::VerifyingKey;
use crate::token::{Claims, ClaimsRef, HeaderKid};
use crate::verify::{decode_and_check, Policy, SignatureCheck};

/// The longest overlap a rotation may give the previous key: 7 days.
pub const MAX_OVERLAP_SECONDS: u64 = 7 * 24 * 3600;

/// A key that still verifies tokens while `now < until` (Unix seconds), then is refused
/// (`key_unknown`): the previous active key after a rotation with an overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetiringKey {
    /// The public key, with its kid.
    pub key: PublicKey,
    /// The first second at which it no longer verifies.
    pub until: i64,
}

/// At most [`MAX_PROJECT_KEYS`] keys with unique kids: an optional active key and retiring
/// keys, with the token rules they verify under. Usable alone, like a [`crate::Verifier`]
/// choosing its key by `kid`.
#[derive(Clone, Debug)]
pub struct KeySet {
    active: Option<VerifyingKey>,
    retiring: Vec<(VerifyingKey, i64)>,
    policy: Policy,
}

const NO_ACTIVE_KEY: Error = Error::new(ErrorKind::KeyUnknown)
    .with_detail("the token has no kid and the project has no active key: sign with a kid");

impl KeySet {
    /// A key set; `config_invalid` for more than [`MAX_PROJECT_KEYS`] keys, two keys with
    /// the same kid, or a policy value out of range.
    pub fn new(active: Option<PublicKey>, retiring: Vec<RetiringKey>, policy: Policy) -> Result<KeySet, Error> {
        policy.validate()?;
        let count = usize::from(active.is_some()) + retiring.len();
        if count > MAX_PROJECT_KEYS {
            return Err(Error::new(ErrorKind::ConfigInvalid)
                .with_detail("a project holds at most 8 signing keys (active and retiring)"));
        }
        let mut kids: Vec<&str> = active.iter().map(PublicKey::kid).collect();
        for r in &retiring {
            if kids.contains(&r.key.kid()) {
                return Err(
                    Error::new(ErrorKind::ConfigInvalid).with_detail("two signing keys of a project have the same kid")
                );
            }
            kids.push(r.key.kid());
        }
        let active = active.map(|key| VerifyingKey::new(key, policy.provider)).transpose()?;
        let retiring = retiring
            .into_iter()
            .map(|r| Ok((VerifyingKey::new(r.key, policy.provider)?, r.until)))
            .collect::<Result<_, Error>>()?;
        Ok(KeySet { active, retiring, policy })
    }

    /// Whether the set holds no key at all.
    pub fn is_empty(&self) -> bool {
        self.active.is_none() && self.retiring.is_empty()
    }

    /// The active key, which new tokens are signed with.
    pub fn active(&self) -> Option<&PublicKey> {
        self.active.as_ref().map(VerifyingKey::public_key)
    }

    /// The retiring keys with their deadlines (expired ones included until the next change).
    pub fn retiring(&self) -> Vec<RetiringKey> {
        self.retiring.iter().map(|(k, until)| RetiringKey { key: k.public_key().clone(), until: *until }).collect()
    }

    /// Every key, the active one first.
    pub fn keys(&self) -> Vec<PublicKey> {
        self.active().into_iter().cloned().chain(self.retiring.iter().map(|(k, _)| k.public_key().clone())).collect()
    }

    /// The token rules.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies a token at `now` with the key its `kid` names (the active key when it has
    /// none), then its time claims. No cache.
    pub fn verify(&self, token: &[u8], now: i64) -> Result<Claims, Error> {
        self.check_signature(token, now, |claims, _| {
            self.policy.check_times(&claims, now)?;
            Ok(claims.to_claims())
        })
    }

    /// The key `kid` names at `now`, with its deadline (`i64::MAX` for the active key).
    /// A linear scan of at most 8 short strings: no hashing, no allocation.
    fn select(&self, kid: HeaderKid<'_>, now: i64) -> Result<(&VerifyingKey, i64), Error> {
        let kid = match kid {
            HeaderKid::Absent => return self.active.as_ref().map(|k| (k, i64::MAX)).ok_or(NO_ACTIVE_KEY),
            HeaderKid::Unusable => return Err(Error::new(ErrorKind::KeyUnknown)),
            HeaderKid::Named(kid) => kid,
        };
        if let Some(active) = self.active.as_ref().filter(|k| k.public_key().kid().as_bytes() == kid) {
            return Ok((active, i64::MAX));
        }
        match self.retiring.iter().find(|(k, _)| k.public_key().kid().as_bytes() == kid) {
            Some((key, until)) if now < *until => Ok((key, *until)),
            // Past its deadline, a key is refused exactly as a kid that names none.
            _ => Err(Error::new(ErrorKind::KeyUnknown)),
        }
    }
}

impl SignatureCheck for KeySet {
    fn policy(&self) -> &Policy {
        &self.policy
    }

    fn check_signature<R>(
        &self,
        token: &[u8],
        now: i64,
        then: impl FnOnce(ClaimsRef<'_>, i64) -> Result<R, Error>,
    ) -> Result<R, Error> {
        decode_and_check(token, &self.policy, |kid| self.select(kid, now).map(Some), then)
    }

    fn choose_key(&self, kid: HeaderKid<'_>, now: i64) -> Result<(), Error> {
        self.select(kid, now).map(|_| ())
    }
}
