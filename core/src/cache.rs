//! The verified-token cache: a browser sends the same user token on every request for up
//! to an hour, so the RSA verify is done once and its claims are kept.
//!
//! - Keyed by the SHA-256 of the exact token bytes plus the project's generation, a number
//!   that changes on every project change (key rotation, mode switch): old entries become
//!   unreachable at once and age out first.
//! - Holds only tokens that fully verified, with their claims; every hit re-checks the time
//!   claims against the caller's `now` ([`TokenCache::verify_with`] is the one place that
//!   puts these steps in order).
//! - Bounded: at most `capacity` entries across all projects, split over a few shards each
//!   behind an `RwLock`; a full shard evicts with CLOCK (second chance), so tokens in use
//!   stay and one-off tokens go.
//! - A hit takes one shard read lock, hashes the token and allocates nothing. A token over
//!   the policy's size limit is refused before it is hashed.
//!
//! Internal: [`crate::Verifier`] (one key) and [`crate::Authenticator`] (projects, keyed by
//! generation) are the only users; no binding chooses "verifier, or verifier plus cache".

use crate::error::Error;
use crate::token::{ClaimsRef, NumericDate};
use crate::verify::Verifier;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

const MAX_SHARDS: usize = 16;

/// Identifies one token as verified under one project generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    generation: u64,
    digest: [u8; 32],
}

impl CacheKey {
    /// The key of `token` under `generation` (any number the caller changes whenever the
    /// verifying key or rules change: old entries then become unreachable).
    pub(crate) fn new(generation: u64, token: &[u8]) -> CacheKey {
        #[cfg(test)]
        tests::HASHED_BYTES.with(|n| n.set(n.get() + token.len()));
        let mut digest = [0; 32];
        digest.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token).as_ref());
        CacheKey { generation, digest }
    }
}

/// A bounded cache of verified claims, safe to share between threads (see the module
/// docs).
pub(crate) struct TokenCache {
    shards: Box<[RwLock<Shard>]>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// How often the cache found a token (hits) or verified it (misses), for a server's
/// metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}

/// A cached entry, read under its shard's read lock.
struct Hit<'a> {
    shard: RwLockReadGuard<'a, Shard>,
    slot: usize,
}

impl Hit<'_> {
    fn claims(&self) -> ClaimsRef<'_> {
        self.shard.slots[self.slot].claims()
    }
}

struct Shard {
    capacity: usize,
    index: HashMap<CacheKey, usize>,
    slots: Vec<Slot>,
    /// The CLOCK hand: the next slot considered for eviction.
    hand: usize,
}

/// Verified claims, stored compactly (the subject as its own allocation, not 2 KiB inline).
struct Slot {
    key: CacheKey,
    sub: Box<str>,
    exp: Option<NumericDate>,
    nbf: Option<NumericDate>,
    iat: Option<NumericDate>,
    /// Set on every hit (under the read lock); cleared by the passing CLOCK hand.
    referenced: AtomicBool,
}

impl Slot {
    fn new(key: CacheKey, claims: &ClaimsRef<'_>) -> Slot {
        Slot {
            key,
            sub: claims.sub.into(),
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            referenced: AtomicBool::new(false),
        }
    }

    fn claims(&self) -> ClaimsRef<'_> {
        ClaimsRef { sub: &self.sub, exp: self.exp, nbf: self.nbf, iat: self.iat }
    }
}

impl TokenCache {
    /// A cache of at most `capacity` entries; `None` when `capacity` is 0 (no cache).
    /// Memory grows with use, never beyond `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Option<TokenCache> {
        let shards = capacity.min(MAX_SHARDS);
        if shards == 0 {
            return None;
        }
        let (each, extra) = (capacity / shards, capacity % shards);
        let shards = (0..shards)
            .map(|i| {
                RwLock::new(Shard {
                    capacity: each + usize::from(i < extra),
                    index: HashMap::new(),
                    slots: Vec::new(),
                    hand: 0,
                })
            })
            .collect();
        Some(TokenCache { shards, capacity, hits: AtomicU64::new(0), misses: AtomicU64::new(0) })
    }

    /// The most entries kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    fn shard(&self, key: &CacheKey) -> &RwLock<Shard> {
        // The digest is uniform, so one byte spreads keys evenly over at most 16 shards.
        &self.shards[usize::from(key.digest[0]) % self.shards.len()]
    }

    /// Verifies `token` at `now` like [`Verifier::verify_with`], through the cache: the size
    /// limit first, then a token already verified under `generation` skips the signature
    /// check, and its time claims are checked against `now` on every call. Only tokens that
    /// pass every rule are cached. A hit allocates nothing.
    ///
    /// `generation` must change whenever the verifier's key or policy does; a cache with
    /// one verifier passes 0.
    pub(crate) fn verify_with<R>(
        &self,
        verifier: &Verifier,
        generation: u64,
        token: &[u8],
        now: i64,
        f: impl FnOnce(ClaimsRef<'_>) -> R,
    ) -> Result<R, Error> {
        let policy = verifier.policy();
        // Before hashing: an oversized token costs nothing but this comparison.
        policy.check_size(token)?;
        let key = CacheKey::new(generation, token);
        if let Some(hit) = self.get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            let claims = hit.claims();
            policy.check_times(&claims, now)?;
            return Ok(f(claims));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        verifier.verify_signature_with(token, |claims| {
            policy.check_times(&claims, now)?;
            self.insert(key, &claims);
            Ok(f(claims))
        })?
    }

    /// Hits and misses of [`TokenCache::verify_with`] so far.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats { hits: self.hits.load(Ordering::Relaxed), misses: self.misses.load(Ordering::Relaxed) }
    }

    /// The cached entry for `key`, marked as in use. Allocates nothing.
    fn get(&self, key: &CacheKey) -> Option<Hit<'_>> {
        let shard = self.shard(key).read().unwrap_or_else(PoisonError::into_inner);
        let slot = *shard.index.get(key)?;
        shard.slots[slot].referenced.store(true, Ordering::Relaxed);
        Some(Hit { shard, slot })
    }

    /// Remembers claims that just verified, evicting an entry if the shard is full.
    fn insert(&self, key: CacheKey, claims: &ClaimsRef<'_>) {
        let slot = Slot::new(key, claims);
        let mut shard = self.shard(&key).write().unwrap_or_else(PoisonError::into_inner);
        shard.insert(slot);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().unwrap().slots.len()).sum()
    }
}

impl Shard {
    fn insert(&mut self, slot: Slot) {
        if let Some(&i) = self.index.get(&slot.key) {
            // Another thread verified the same token meanwhile: same claims.
            self.slots[i] = slot;
            return;
        }
        let key = slot.key;
        if self.slots.len() < self.capacity {
            self.index.insert(key, self.slots.len());
            self.slots.push(slot);
            return;
        }
        let victim = self.clock_victim();
        self.index.remove(&self.slots[victim].key);
        self.index.insert(key, victim);
        self.slots[victim] = slot;
    }

    /// CLOCK: sweeps from the hand, giving each referenced slot a second chance, and
    /// returns the first unreferenced one (at most two turns of the clock).
    fn clock_victim(&mut self) -> usize {
        loop {
            let i = self.hand;
            self.hand = (i + 1) % self.slots.len();
            if !self.slots[i].referenced.swap(false, Ordering::Relaxed) {
                return i;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(sub: &str) -> ClaimsRef<'_> {
        ClaimsRef { sub, exp: Some(NumericDate::from_seconds(10)), nbf: None, iat: None }
    }

    thread_local! {
        /// Bytes hashed into cache keys on this thread: evidence of work done.
        pub(super) static HASHED_BYTES: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    fn sub_of(cache: &TokenCache, key: &CacheKey) -> Option<String> {
        cache.get(key).map(|hit| hit.claims().sub.to_string())
    }

    #[test]
    fn zero_capacity_is_no_cache() {
        assert!(TokenCache::new(0).is_none());
    }

    #[test]
    fn hits_misses_and_generations() {
        let cache = TokenCache::new(8).unwrap();
        let key = CacheKey::new(1, b"token");
        assert_eq!(sub_of(&cache, &key), None);
        cache.insert(key, &claims("alice"));
        assert_eq!(sub_of(&cache, &key), Some("alice".into()));
        assert_eq!(cache.get(&key).map(|hit| hit.claims().exp), Some(Some(NumericDate::from_seconds(10))));
        assert_eq!(sub_of(&cache, &CacheKey::new(2, b"token")), None, "another generation");
        assert_eq!(sub_of(&cache, &CacheKey::new(1, b"token ")), None, "other bytes");
        cache.insert(key, &claims("alice"));
        assert_eq!(cache.len(), 1, "re-inserting does not duplicate");
    }

    #[test]
    fn never_holds_more_than_capacity() {
        for capacity in [1, 3, 16, 17, 100] {
            let cache = TokenCache::new(capacity).unwrap();
            for i in 0..capacity * 50 {
                assert!(cache.len() <= capacity);
                cache.insert(CacheKey::new(1, format!("t{i}").as_bytes()), &claims("u"));
            }
            assert_eq!(cache.len(), capacity);
            let indexed: usize = cache.shards.iter().map(|s| s.read().unwrap().index.len()).sum();
            assert_eq!(indexed, capacity);
        }
    }

    #[test]
    fn clock_keeps_entries_in_use() {
        let cache = TokenCache::new(1).unwrap();
        let mut shard = cache.shards[0].write().unwrap();
        shard.capacity = 4;
        drop(shard);
        let keys: Vec<_> = (0..4).map(|i| CacheKey::new(1, &[i])).collect();
        for key in &keys {
            cache.insert(*key, &claims("u"));
        }
        // Token 2 is in use; the next insertions evict the others first.
        for i in 10..13 {
            assert!(sub_of(&cache, &keys[2]).is_some());
            cache.insert(CacheKey::new(1, &[i]), &claims("u"));
        }
        assert!(sub_of(&cache, &keys[2]).is_some());
        assert_eq!(keys.iter().filter(|k| sub_of(&cache, k).is_some()).count(), 1);
    }

    #[test]
    fn an_oversized_token_is_refused_before_it_is_hashed() {
        use crate::{ErrorKind, Policy, SigningKey};
        let pem = include_bytes!("../tests/fixtures/rsa2048_private_pkcs1.pem");
        let key = SigningKey::parse(pem).unwrap().public_key().clone();
        let verifier = Verifier::with_cache(key, Policy::default(), 8).unwrap();
        let huge = vec![b'a'; 32 << 20];
        HASHED_BYTES.with(|n| n.set(0));
        assert_eq!(verifier.verify(&huge, 0).unwrap_err().kind(), ErrorKind::TokenTooLarge);
        assert_eq!(HASHED_BYTES.with(|n| n.get()), 0, "nothing was hashed");
        // One byte over the limit is refused the same way; at the limit the token is hashed.
        let limit = Policy::default().max_token_bytes;
        assert_eq!(verifier.verify(&huge[..limit + 1], 0).unwrap_err().kind(), ErrorKind::TokenTooLarge);
        assert_eq!(HASHED_BYTES.with(|n| n.get()), 0);
        assert_eq!(verifier.verify(&huge[..limit], 0).unwrap_err().kind(), ErrorKind::TokenMalformed);
        assert_eq!(HASHED_BYTES.with(|n| n.get()), limit);
    }
}
