//! The verified-token cache: a browser sends the same user token on every request for up
//! to an hour, so the RSA verify is done once and its claims are kept.
//!
//! - Keyed by the SHA-256 of the exact token bytes plus the project's generation, a number
//!   that changes on every project change (key rotation, mode switch): old entries become
//!   unreachable at once and age out first.
//! - Holds only tokens that fully verified, with their claims; every hit re-checks the time
//!   claims against the caller's `now` ([`TokenCache::verify_with`] is the one place that
//!   puts these steps in order).
//! - Bounded: at most `capacity` entries across all projects, split over shards of at most
//!   `SHARD_ENTRIES` (64) entries; a full shard evicts with CLOCK (second chance), so tokens
//!   in use stay and one-off tokens go.
//! - A hit takes no lock and writes nothing other cores share: each shard is an immutable
//!   table behind an `arc-swap` pointer, loaded through a thread-local slot, an insert
//!   publishes a copy of its (small) shard, and the hit counter is striped per thread. So
//!   hits scale across cores; a hit hashes the token and allocates nothing. A token over
//!   the policy's size limit is refused before it is hashed.
//!
//! Internal: [`crate::Verifier`] (one key) and [`crate::Authenticator`] (projects, keyed by
//! generation) are the only users; no binding chooses "verifier, or verifier plus cache".

use crate::error::{Error, ErrorKind};
use crate::token::{ClaimsRef, NumericDate};
use crate::verify::{refusal_before_signature, Policy, SignatureCheck};
use arc_swap::{ArcSwap, Guard};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Most entries per shard: what an insert copies. Small enough that the copy costs a small
/// fraction of the RSA verify that precedes every insert.
const SHARD_ENTRIES: usize = 64;
/// Most shards: 4096 shards of 64 entries hold 262144 tokens; larger caches fill each shard
/// further.
const MAX_SHARDS: usize = 4096;

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
    shards: Box<[Shard]>,
    capacity: usize,
    hits: Counter,
    misses: Counter,
}

/// Stripes of a counter, each on its own cache line.
const STRIPES: usize = 16;

#[repr(align(128))]
#[derive(Default)]
struct Stripe(AtomicU64);

/// A counter that threads add to without sharing a cache line (each adds to its own
/// stripe), so counting hits does not undo their scaling across cores.
#[derive(Default)]
struct Counter([Stripe; STRIPES]);

impl Counter {
    fn add(&self) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static STRIPE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
        }
        let stripe = STRIPE.try_with(|s| *s).unwrap_or(0);
        self.0[stripe].0.fetch_add(1, Ordering::Relaxed);
    }

    fn total(&self) -> u64 {
        self.0.iter().map(|s| s.0.load(Ordering::Relaxed)).sum()
    }
}

/// How often the cache found a token (hits) or verified it (misses), for a server's
/// metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}

/// A cached entry, read from its shard's table under an `arc-swap` guard.
struct Hit {
    table: Guard<Arc<Table>>,
    slot: usize,
}

impl Hit {
    fn claims(&self) -> ClaimsRef<'_> {
        self.table.slots[self.slot].claims()
    }

    fn until(&self) -> i64 {
        self.table.slots[self.slot].until
    }
}

/// The refusal of a token whose key's retiring deadline has passed: the same as for a kid
/// that names no key, so nothing tells the two apart.
pub(crate) const KEY_UNKNOWN: Error = Error::new(ErrorKind::KeyUnknown);

struct Shard {
    capacity: usize,
    /// What readers see; replaced whole by every insert.
    table: ArcSwap<Table>,
    /// Serializes inserts (copy, change, publish); holds the CLOCK hand: the next slot
    /// considered for eviction.
    hand: Mutex<usize>,
}

#[derive(Clone, Default)]
struct Table {
    index: HashMap<CacheKey, usize>,
    /// Shared between successive tables, so a hit's mark survives the next insert.
    slots: Vec<Arc<Slot>>,
}

/// Verified claims, stored compactly (the subject as its own allocation, not 2 KiB inline).
struct Slot {
    key: CacheKey,
    sub: Box<str>,
    exp: Option<NumericDate>,
    nbf: Option<NumericDate>,
    iat: Option<NumericDate>,
    /// The deadline of the key that verified the token (`i64::MAX`: none): a hit at or
    /// after it is refused, so a retired key is gone at the boundary even for cached tokens.
    until: i64,
    /// Set by a hit (only when clear, so a hot token is not written on every hit); cleared
    /// by the passing CLOCK hand.
    referenced: AtomicBool,
}

impl Slot {
    fn new(key: CacheKey, claims: &ClaimsRef<'_>, until: i64) -> Slot {
        Slot {
            key,
            sub: claims.sub.into(),
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            until,
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
        let shards = capacity.div_ceil(SHARD_ENTRIES).min(MAX_SHARDS);
        if shards == 0 {
            return None;
        }
        let (each, extra) = (capacity / shards, capacity % shards);
        let shards = (0..shards)
            .map(|i| Shard {
                capacity: each + usize::from(i < extra),
                table: ArcSwap::from_pointee(Table::default()),
                hand: Mutex::new(0),
            })
            .collect();
        Some(TokenCache { shards, capacity, hits: Counter::default(), misses: Counter::default() })
    }

    /// The most entries kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    fn shard(&self, key: &CacheKey) -> &Shard {
        // The digest is uniform, so its first bytes spread keys evenly over the shards.
        let spread = usize::from(u16::from_le_bytes([key.digest[0], key.digest[1]]));
        &self.shards[spread % self.shards.len()]
    }

    /// Verifies `token` at `now` like [`crate::Verifier::verify_with`], through the cache:
    /// the size limit first, then a token already verified under `generation` skips the
    /// signature check; on every call its key's deadline, its time claims and then `extra`
    /// (a project's revocation cut-offs) are checked against the claims. Only tokens that
    /// pass every rule are cached. A hit allocates nothing.
    ///
    /// `generation` must change whenever the keys or rules change; a cache with one
    /// verifier passes 0.
    pub(crate) fn verify_with<R>(
        &self,
        checker: &impl SignatureCheck,
        generation: u64,
        token: &[u8],
        now: i64,
        extra: impl Fn(&ClaimsRef<'_>) -> Result<(), Error>,
        f: impl FnOnce(ClaimsRef<'_>) -> R,
    ) -> Result<R, Error> {
        let policy = checker.policy();
        // Before hashing: an oversized token costs nothing but this comparison.
        policy.check_size(token)?;
        let key = CacheKey::new(generation, token);
        if let Some(hit) = self.get(&key) {
            self.hits.add();
            return answer_hit(&hit, policy, now, extra, f);
        }
        self.misses.add();
        checker.check_signature(token, now, |claims, until| {
            policy.check_times(&claims, now)?;
            extra(&claims)?;
            self.insert(key, &claims, until);
            Ok(f(claims))
        })
    }

    /// What [`TokenCache::verify_with`] answers without RSA work: a refusal before the
    /// signature (size, segments, header, `kid`) or a cache hit; `None` when the signature
    /// must be verified (then call `verify_with`, which counts the miss). For bindings that
    /// answer those cases without giving up a lock such as Python's GIL.
    pub(crate) fn answer_without_rsa<R>(
        &self,
        checker: &impl SignatureCheck,
        generation: u64,
        token: &[u8],
        now: i64,
        extra: impl Fn(&ClaimsRef<'_>) -> Result<(), Error>,
        f: impl FnOnce(ClaimsRef<'_>) -> R,
    ) -> Option<Result<R, Error>> {
        let policy = checker.policy();
        if let Err(e) = policy.check_size(token) {
            return Some(Err(e));
        }
        if let Some(hit) = self.get(&CacheKey::new(generation, token)) {
            self.hits.add();
            return Some(answer_hit(&hit, policy, now, extra, f));
        }
        refusal_before_signature(checker, token, now).map(Err)
    }

    /// Hits and misses of [`TokenCache::verify_with`] so far.
    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats { hits: self.hits.total(), misses: self.misses.total() }
    }

    /// The cached entry for `key`, marked as in use. Allocates nothing.
    fn get(&self, key: &CacheKey) -> Option<Hit> {
        let table = self.shard(key).table.load();
        let slot = *table.index.get(key)?;
        let referenced = &table.slots.get(slot)?.referenced;
        if !referenced.load(Ordering::Relaxed) {
            referenced.store(true, Ordering::Relaxed);
        }
        Some(Hit { table, slot })
    }

    /// Remembers claims that just verified, evicting an entry if the shard is full.
    fn insert(&self, key: CacheKey, claims: &ClaimsRef<'_>, until: i64) {
        let slot = Arc::new(Slot::new(key, claims, until));
        let shard = self.shard(&key);
        // A panic elsewhere never leaves a table half-written (a copy is published whole).
        let mut hand = shard.hand.lock().unwrap_or_else(PoisonError::into_inner);
        let mut table = Table::clone(&shard.table.load());
        table.insert(slot, shard.capacity, &mut hand);
        shard.table.store(Arc::new(table));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.table.load().slots.len()).sum()
    }
}

/// A cache hit's answer: its key's deadline, the time claims and `extra` checked at `now`.
fn answer_hit<R>(
    hit: &Hit,
    policy: &Policy,
    now: i64,
    extra: impl Fn(&ClaimsRef<'_>) -> Result<(), Error>,
    f: impl FnOnce(ClaimsRef<'_>) -> R,
) -> Result<R, Error> {
    if now >= hit.until() {
        return Err(KEY_UNKNOWN);
    }
    let claims = hit.claims();
    policy.check_times(&claims, now)?;
    extra(&claims)?;
    Ok(f(claims))
}

impl Table {
    fn insert(&mut self, slot: Arc<Slot>, capacity: usize, hand: &mut usize) {
        if let Some(&i) = self.index.get(&slot.key) {
            // Another thread verified the same token meanwhile: same claims.
            self.slots[i] = slot;
            return;
        }
        let key = slot.key;
        if self.slots.len() < capacity {
            self.index.insert(key, self.slots.len());
            self.slots.push(slot);
            return;
        }
        let victim = self.clock_victim(hand);
        self.index.remove(&self.slots[victim].key);
        self.index.insert(key, victim);
        self.slots[victim] = slot;
    }

    /// CLOCK: sweeps from the hand, giving each referenced slot a second chance, and
    /// returns the first unreferenced one (at most two turns of the clock).
    fn clock_victim(&self, hand: &mut usize) -> usize {
        loop {
            let i = *hand % self.slots.len();
            *hand = (i + 1) % self.slots.len();
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
        cache.insert(key, &claims("alice"), i64::MAX);
        assert_eq!(sub_of(&cache, &key), Some("alice".into()));
        assert_eq!(cache.get(&key).map(|hit| hit.claims().exp), Some(Some(NumericDate::from_seconds(10))));
        assert_eq!(sub_of(&cache, &CacheKey::new(2, b"token")), None, "another generation");
        assert_eq!(sub_of(&cache, &CacheKey::new(1, b"token ")), None, "other bytes");
        cache.insert(key, &claims("alice"), i64::MAX);
        assert_eq!(cache.len(), 1, "re-inserting does not duplicate");
    }

    #[test]
    fn never_holds_more_than_capacity() {
        for capacity in [1, 3, 16, 17, 100] {
            let cache = TokenCache::new(capacity).unwrap();
            for i in 0..capacity * 50 {
                assert!(cache.len() <= capacity);
                cache.insert(CacheKey::new(1, format!("t{i}").as_bytes()), &claims("u"), i64::MAX);
            }
            assert_eq!(cache.len(), capacity);
            let indexed: usize = cache.shards.iter().map(|s| s.table.load().index.len()).sum();
            assert_eq!(indexed, capacity);
        }
    }

    #[test]
    fn clock_keeps_entries_in_use() {
        let cache = TokenCache::new(4).unwrap();
        assert_eq!(cache.shards.len(), 1);
        let keys: Vec<_> = (0..4).map(|i| CacheKey::new(1, &[i])).collect();
        for key in &keys {
            cache.insert(*key, &claims("u"), i64::MAX);
        }
        // Token 2 is in use; the next insertions evict the others first.
        for i in 10..13 {
            assert!(sub_of(&cache, &keys[2]).is_some());
            cache.insert(CacheKey::new(1, &[i]), &claims("u"), i64::MAX);
        }
        assert!(sub_of(&cache, &keys[2]).is_some());
        assert_eq!(keys.iter().filter(|k| sub_of(&cache, k).is_some()).count(), 1);
    }

    #[test]
    fn an_oversized_token_is_refused_before_it_is_hashed() {
        use crate::{Policy, SigningKey, Verifier};
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
