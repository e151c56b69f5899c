//! Request authentication for the User API: what a server runs on every request.
//!
//! An [`Authenticator`] holds projects by API key. [`Authenticator::authenticate`] reads a
//! request's headers (the Notiflows headers and `Origin`, each by the same rule: whitespace
//! around a value dropped, sent twice refused, never resolved by picking one) and answers
//! with the user or an [`Error`], checking in this order:
//!
//! 1. `x-notiflows-api-key` names the project (`api_key_missing`; `api_key_invalid` when
//!    repeated, longer than 256 bytes, checked before anything else is done with it, or
//!    unknown).
//! 2. A browser `Origin` must be on the project's allowed list (`origin_not_allowed`),
//!    checked before any token work. A repeated, over-long (512 bytes) or non-UTF-8
//!    `Origin` is refused the same way; a request without `Origin` is not origin-checked.
//! 3. A repeated user key is `token_malformed`, a repeated user id `user_id_invalid`, each
//!    with a detail saying it was repeated.
//! 4. Secure Mode: `x-notiflows-user-key` must be a user token signed with one of the
//!    project's keys: the one its `kid` names (`key_unknown` for none, or for a retiring key
//!    past its deadline, before any RSA work), or the active key when it has no `kid`
//!    (`signing_key_not_configured` when the project has no key, `user_key_missing` when
//!    only `x-notiflows-user-id` or nothing is sent); then the project's revocation
//!    cut-offs (`token_revoked`). Development Mode: a user key, when
//!    sent, is verified and wins; otherwise `x-notiflows-user-id` names the user.
//!
//! Configuration changes (`add_project`, `set_signing_key`, `set_security_mode`, ...) take
//! `&self` and may run while other threads authenticate. Each replaces the project's state
//! whole and publishes a new snapshot of the project map, so it is atomic: once the call returns, every authentication
//! that starts sees the new state, and tokens signed with a replaced key fail.

mod cors;
mod origin;
mod project;
mod request;
mod response;

pub use crate::cache::CacheStats;
pub use crate::keyset::{KeySet, RetiringKey, MAX_OVERLAP_SECONDS};
pub use cors::{CorsHeaders, ALLOW_HEADERS, ALLOW_METHODS, MAX_AGE_SECONDS, MAX_CORS_HEADERS};
pub use origin::MAX_ORIGIN_BYTES;
pub use project::{
    ApiKey, LifetimeOverrides, ProjectConfig, SecurityMode, UserRevocation, MAX_API_KEY_BYTES, MAX_USER_REVOCATIONS,
};
pub use request::{
    field_value, HeaderPair, API_KEY_HEADER, MAX_USER_ID_BYTES, ORIGIN_HEADER, USER_ID_HEADER, USER_KEY_HEADER,
};
pub use response::ErrorResponse;

use crate::cache::TokenCache;
use crate::error::{Error, ErrorKind};
use crate::keys::{generate_signing_key, jwk_set, GeneratedKeyPair, PublicKey};
use crate::provider::Provider;
use crate::token::{ClaimsRef, NumericDate, Subject};
use crate::verify::Policy;
use crate::verify::{refusal_before_signature, SignatureCheck};
use arc_swap::ArcSwap;
use core::fmt;
use origin::AllowedOrigins;
use project::{Project, Revocations};
use request::{Field, RequestHeaders};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

const NO_PROJECT_KEY: Error = Error::new(ErrorKind::SigningKeyNotConfigured)
    .with_detail("Secure Mode is on but the project has no signing key: generate one before sending user tokens");

/// Verified-token cache size when the caller does not choose one.
pub const DEFAULT_CACHE_CAPACITY: usize = 10_000;

/// How an [`Authenticator`] verifies tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthenticatorOptions {
    /// The token rules (leeway, required `exp`, size limit, ...) for every project.
    pub policy: Policy,
    /// Most tokens kept in the verified-token cache, across all projects; 0 disables it.
    /// Default [`DEFAULT_CACHE_CAPACITY`].
    pub cache_capacity: usize,
}

impl Default for AuthenticatorOptions {
    fn default() -> Self {
        AuthenticatorOptions { policy: Policy::default(), cache_capacity: DEFAULT_CACHE_CAPACITY }
    }
}

/// Which header identified the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Credential {
    /// A verified user token (`x-notiflows-user-key`).
    UserKey,
    /// The unsigned `x-notiflows-user-id` header (Development Mode only).
    UserId,
}

/// A request that passed authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedUser {
    /// The project's API key.
    /// (A copy: answering a request takes no reference count on shared memory.)
    pub api_key: ApiKey,
    /// The user's external id: the token's `sub`, or the Development Mode user id.
    pub user_id: Subject,
    /// The project's mode when the request was authenticated.
    pub mode: SecurityMode,
    /// Which header identified the user.
    pub credential: Credential,
    /// The token's `exp`, when a user token with one was used.
    pub expires_at: Option<NumericDate>,
}

/// Projects by API key, and the verified-token cache they share. `Send + Sync`: share one
/// (for example in an `Arc`) between all request threads.
pub struct Authenticator {
    policy: Policy,
    /// A snapshot, replaced whole by every change: a request reads it under an `arc-swap`
    /// guard (a thread-local slot), so it writes nothing that other cores share, no lock's
    /// reader count and no reference count.
    projects: ArcSwap<Projects>,
    /// Serializes changes (copy, change, publish), so that none is lost.
    changes: Mutex<()>,
    cache: Option<TokenCache>,
    /// Source of project generations; never repeats within this authenticator.
    generations: AtomicU64,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("policy", &self.policy)
            .field("provider", &self.policy.provider.name())
            .field("projects", &self.projects.load().len())
            .field("cache", &self.cache.is_some())
            .finish()
    }
}

impl Authenticator {
    /// An authenticator without projects; `config_invalid` if the policy's limits are out of
    /// range.
    pub fn new(options: AuthenticatorOptions) -> Result<Authenticator, Error> {
        options.policy.validate()?;
        Ok(Authenticator {
            policy: options.policy,
            projects: ArcSwap::from_pointee(HashMap::new()),
            changes: Mutex::new(()),
            cache: TokenCache::new(options.cache_capacity),
            generations: AtomicU64::new(1),
        })
    }

    /// Adds a project, or replaces the one with the same API key (atomically, like
    /// [`Authenticator::set_signing_key`]). `config_invalid` for a malformed API key or
    /// allowed origin, with a detail naming the rule broken.
    pub fn add_project(&self, config: ProjectConfig) -> Result<(), Error> {
        let project = Project::from_config(config, self.policy, self.next_generation())?;
        self.change(|projects| {
            projects.insert(Arc::clone(&project.api_key), Arc::new(project));
            Ok(())
        })
    }

    /// Removes a project; returns whether it existed.
    pub fn remove_project(&self, api_key: &str) -> bool {
        self.change(|projects| projects.remove(api_key).map(drop).ok_or(Error::new(ErrorKind::ApiKeyInvalid))).is_ok()
    }

    /// The provider that verifies signatures for every project (the policy's).
    pub fn provider(&self) -> Provider {
        self.policy.provider
    }

    /// Sets (or, with `None`, removes) a project's signing public key: rotate now. The key
    /// becomes the active one and every other key (retiring ones included) is removed, so
    /// tokens signed with any previous key fail for every authentication that starts after
    /// this returns. `api_key_invalid` for an unknown project.
    pub fn set_signing_key(&self, api_key: &str, key: Option<PublicKey>) -> Result<(), Error> {
        self.try_replace(api_key, |p| {
            Ok(Project { keys: p.key_set(key, Vec::new())?, ..p.next(self.next_generation()) })
        })
    }

    /// Generates a new key pair of `bits` bits (see [`generate_signing_key`]) and makes its
    /// public key the project's signing key, as [`Authenticator::set_signing_key`] does
    /// (rotate now). Returns the pair: the private key is for the customer's backend and
    /// shown once.
    pub fn rotate_signing_key(&self, api_key: &str, bits: usize) -> Result<GeneratedKeyPair, Error> {
        // Fail fast for an unknown project; generation is slow and runs without any lock.
        lookup(&self.projects.load(), api_key)?;
        let pair = generate_signing_key(bits)?;
        let key = PublicKey::parse(pair.public_key_pem.as_bytes())?;
        self.set_signing_key(api_key, Some(key))?;
        Ok(pair)
    }

    /// Makes `key` the project's active key and keeps the previous active key verifying
    /// until `now + overlap_seconds` (a retiring key; from that second on its tokens are
    /// refused with `key_unknown`, cached or not). `overlap_seconds` is 1 to
    /// [`MAX_OVERLAP_SECONDS`] (7 days), else `config_invalid`. Retiring keys whose deadline
    /// has passed (`until <= now`) are dropped; a key already in the set under the same kid
    /// is replaced; more than 8 keys in all is `config_invalid` (and nothing changes).
    pub fn set_signing_key_with_overlap(
        &self,
        api_key: &str,
        key: PublicKey,
        now: i64,
        overlap_seconds: u64,
    ) -> Result<(), Error> {
        let until = overlap_deadline(now, overlap_seconds)?;
        self.try_replace(api_key, |p| {
            let mut retiring: Vec<RetiringKey> =
                p.keys.retiring().into_iter().filter(|r| r.until > now && r.key.kid() != key.kid()).collect();
            if let Some(previous) = p.keys.active().filter(|a| a.kid() != key.kid()) {
                retiring.retain(|r| r.key.kid() != previous.kid());
                retiring.insert(0, RetiringKey { key: previous.clone(), until });
            }
            Ok(Project { keys: p.key_set(Some(key), retiring)?, ..p.next(self.next_generation()) })
        })
    }

    /// Generates a new key pair (as [`Authenticator::rotate_signing_key`]) and makes it the
    /// active key with an overlap, as [`Authenticator::set_signing_key_with_overlap`] does.
    pub fn rotate_signing_key_with_overlap(
        &self,
        api_key: &str,
        bits: usize,
        now: i64,
        overlap_seconds: u64,
    ) -> Result<GeneratedKeyPair, Error> {
        overlap_deadline(now, overlap_seconds)?;
        lookup(&self.projects.load(), api_key)?;
        let pair = generate_signing_key(bits)?;
        let key = PublicKey::parse(pair.public_key_pem.as_bytes())?;
        self.set_signing_key_with_overlap(api_key, key, now, overlap_seconds)?;
        Ok(pair)
    }

    /// Removes the key named `kid` (active or retiring) at once; returns whether there was
    /// one. Removing the active key leaves the project without one: tokens without `kid`
    /// are then refused (`key_unknown`), and with no key left at all Secure Mode answers
    /// `signing_key_not_configured`.
    pub fn remove_signing_key(&self, api_key: &str, kid: &str) -> Result<bool, Error> {
        let mut removed = false;
        self.try_replace(api_key, |p| {
            let active = p.keys.active().filter(|k| k.kid() != kid).cloned();
            let mut retiring = p.keys.retiring();
            retiring.retain(|r| r.key.kid() != kid);
            removed = active.is_none() != p.keys.active().is_none() || retiring.len() != p.keys.retiring().len();
            Ok(Project { keys: p.key_set(active, retiring)?, ..p.next(self.next_generation()) })
        })?;
        Ok(removed)
    }

    /// Refuses the project's tokens issued before `before` (`iat < before`, Unix seconds;
    /// tokens without `iat` too) with `token_revoked`, without a new key. Cut-offs only move
    /// forward: an earlier `before` than the one in force changes nothing.
    pub fn revoke_tokens_issued_before(&self, api_key: &str, before: i64) -> Result<(), Error> {
        self.try_replace(api_key, |p| {
            let mut revocations = Revocations::clone(&p.revocations);
            revocations.project = Some(revocations.project.map_or(before, |t| t.max(before)));
            Ok(Project { revocations: Arc::new(revocations), ..p.next(self.next_generation()) })
        })
    }

    /// Refuses one user's tokens issued before `before` (a user logged out everywhere), as
    /// [`Authenticator::revoke_tokens_issued_before`] does for the project. The user id is
    /// checked like a `sub` (1 to 2048 bytes, else `config_invalid`); at most
    /// [`MAX_USER_REVOCATIONS`] users (`config_invalid` over: see
    /// [`Authenticator::prune_revocations`]).
    pub fn revoke_user_tokens_issued_before(&self, api_key: &str, user_id: &str, before: i64) -> Result<(), Error> {
        crate::token::check_subject(user_id).map_err(|_| {
            Error::new(ErrorKind::ConfigInvalid).with_detail("a revoked user id must be 1 to 2048 bytes")
        })?;
        self.try_replace(api_key, |p| {
            let mut revocations = Revocations::clone(&p.revocations);
            let full = revocations.users.len() >= MAX_USER_REVOCATIONS;
            match revocations.users.get_mut(user_id) {
                Some(t) => *t = (*t).max(before),
                None if full => return Err(project::too_many_revocations()),
                None => {
                    revocations.users.insert(user_id.into(), before);
                }
            }
            Ok(Project { revocations: Arc::new(revocations), ..p.next(self.next_generation()) })
        })
    }

    /// Drops the revocation entries that can no longer refuse a token that would otherwise
    /// pass at `now`, and returns how many were dropped: a user's cut-off at or below the
    /// project's, and, when the project's policy has a maximum lifetime (so every accepted
    /// token has `iat` and `exp`), every cut-off `T` with `T + max_lifetime + leeway <= now`
    /// (a token issued before `T` has expired by then).
    pub fn prune_revocations(&self, api_key: &str, now: i64) -> Result<usize, Error> {
        let mut dropped = 0;
        self.try_replace(api_key, |p| {
            let policy = p.keys.policy();
            let horizon = policy
                .max_lifetime_seconds
                .map(|max| i128::from(now) - i128::from(max) - i128::from(policy.leeway_seconds));
            let stale = |t: i64| horizon.is_some_and(|h| i128::from(t) <= h);
            let mut revocations = Revocations::clone(&p.revocations);
            let before = revocations.users.len() + usize::from(revocations.project.is_some());
            if revocations.project.is_some_and(stale) {
                revocations.project = None;
            }
            let project_cutoff = revocations.project;
            revocations.users.retain(|_, t| !stale(*t) && project_cutoff.map_or(true, |p| *t > p));
            dropped = before - revocations.users.len() - usize::from(revocations.project.is_some());
            Ok(Project { revocations: Arc::new(revocations), ..p.next(self.next_generation()) })
        })?;
        Ok(dropped)
    }

    /// The configuration in force for a project (active and retiring keys, revocations,
    /// lifetime rules...), so that a server can persist it; `None` for an unknown project.
    pub fn project_config(&self, api_key: &str) -> Option<ProjectConfig> {
        self.projects.load().get(api_key).map(|p| p.config())
    }

    /// The project's public keys as an RFC 7517 JWK Set (`{"keys":[...]}`, the active key
    /// first, then the retiring ones), for gateways that check signatures themselves. Every
    /// key held is listed, a retiring key past its deadline too (it stays until the next
    /// rotation): give a gateway [`Authenticator::jwks_at`] instead.
    pub fn jwks(&self, api_key: &str) -> Result<String, Error> {
        let projects = self.projects.load();
        Ok(jwk_set(&lookup(&projects, api_key)?.keys.keys()))
    }

    /// The JWK Set of the keys that verify at `now`: the active key and the retiring keys
    /// whose deadline is later than `now`, so that a gateway refuses what this
    /// authenticator refuses.
    pub fn jwks_at(&self, api_key: &str, now: i64) -> Result<String, Error> {
        let projects = self.projects.load();
        let keys = &lookup(&projects, api_key)?.keys;
        let live = keys
            .active()
            .cloned()
            .into_iter()
            .chain(keys.retiring().into_iter().filter(|r| now < r.until).map(|r| r.key));
        Ok(jwk_set(&live.collect::<Vec<_>>()))
    }

    /// Switches a project's mode, atomically like a key rotation.
    pub fn set_security_mode(&self, api_key: &str, mode: SecurityMode) -> Result<(), Error> {
        self.replace(api_key, |p| Project { mode, ..p.next(self.next_generation()) })
    }

    /// Replaces a project's allowed origins; `config_invalid` (and no change) if an entry
    /// is malformed.
    pub fn set_allowed_origins<S: AsRef<str>>(&self, api_key: &str, origins: &[S]) -> Result<(), Error> {
        let origins = Arc::new(AllowedOrigins::parse(origins)?);
        // Cached tokens do not depend on origins: the generation stays.
        self.replace(api_key, |p| Project { origins, ..p.next(p.generation) })
    }

    /// Authenticates one request from its headers (any order; names case-insensitive; the
    /// `Origin` header among them) and the current time in Unix seconds. See the module
    /// docs for the order of the checks.
    ///
    /// With the verified-token cache, a token seen before is not verified again; its time
    /// claims are checked against `now` every time, and a hit allocates nothing.
    pub fn authenticate<'h, H: HeaderPair<'h>>(
        &self,
        headers: impl IntoIterator<Item = H>,
        now: i64,
    ) -> Result<AuthenticatedUser, Error> {
        // With RSA work allowed every request is decided; fail closed all the same.
        self.decide(headers, now, Rsa::Allowed)?.ok_or(Error::new(ErrorKind::SignatureInvalid))
    }

    /// [`Authenticator::authenticate`] for the decisions that need no RSA work: every
    /// refusal before a signature check, cache hits and Development Mode; `None` when a
    /// token's signature must be verified (then call `authenticate`). For bindings that
    /// answer those without giving up a lock (Python's GIL), and release it only for RSA work.
    pub fn authenticate_cached<'h, H: HeaderPair<'h>>(
        &self,
        headers: impl IntoIterator<Item = H>,
        now: i64,
    ) -> Option<Result<AuthenticatedUser, Error>> {
        self.decide(headers, now, Rsa::Forbidden).transpose()
    }

    /// The one path of `authenticate` and `authenticate_cached`: `Ok(None)` only when `rsa`
    /// is forbidden and a signature must be verified.
    fn decide<'h, H: HeaderPair<'h>>(
        &self,
        headers: impl IntoIterator<Item = H>,
        now: i64,
        rsa: Rsa,
    ) -> Result<Option<AuthenticatedUser>, Error> {
        let request = request::scan(headers);
        let api_key = match request.api_key {
            Field::Absent => return Err(Error::new(ErrorKind::ApiKeyMissing)),
            Field::Repeated => return Err(request::API_KEY_REPEATED),
            Field::Once(value) => value,
        };
        // The project is borrowed under the snapshot's guard: no reference count taken.
        let api_key = checked_api_key(api_key)?;
        let projects = self.projects.load();
        let project = lookup(&projects, api_key)?;
        let origin = match request.origin {
            Field::Absent => None,
            Field::Repeated => return Err(request::ORIGIN_REPEATED),
            Field::Once(value) => Some(origin::read_header(value)?),
        };
        if !project.origins.allows(origin) {
            return Err(Error::new(ErrorKind::OriginNotAllowed));
        }
        if request.user_key == Field::Repeated {
            return Err(request::USER_KEY_REPEATED);
        }
        if request.user_id == Field::Repeated {
            return Err(request::USER_ID_REPEATED);
        }
        match (project.mode, request.user_key, request.user_id) {
            (_, Field::Once(token), _) => self.verify_user_key(project, token, now, rsa),
            (SecurityMode::Secure, _, _) if project.keys.is_empty() => Err(NO_PROJECT_KEY),
            (SecurityMode::Secure, _, _) => Err(Error::new(ErrorKind::UserKeyMissing)),
            (SecurityMode::Development, _, Field::Once(user_id)) => Ok(Some(AuthenticatedUser {
                api_key: ApiKey::copy(&project.api_key),
                user_id: Subject::new(request::check_user_id(user_id)?)?,
                mode: project.mode,
                credential: Credential::UserId,
                expires_at: None,
            })),
            (SecurityMode::Development, _, _) => Err(Error::new(ErrorKind::UserIdMissing)),
        }
    }

    /// The CORS headers for a preflight (`OPTIONS`) request, from its headers (`Origin`).
    /// Preflights carry no Notiflows headers, so pass the API key only if the server knows
    /// it otherwise (from the URL, say); without it every well-formed origin (or `null`) is
    /// echoed, and the actual request is still checked by [`Authenticator::authenticate`].
    pub fn cors_preflight<'h, H: HeaderPair<'h>>(
        &self,
        headers: impl IntoIterator<Item = H>,
        api_key: Option<&str>,
    ) -> CorsHeaders<'h> {
        let request = request::scan(headers);
        let origin = self.cors_origin(api_key.map(str::as_bytes), &request);
        CorsHeaders::new(origin, true)
    }

    /// The CORS headers for the actual response (success or error), from the request's
    /// headers (`x-notiflows-api-key` and `Origin`). An origin the project does not allow,
    /// and an `Origin` that `authenticate` refuses, get no allow-origin; for an unknown or
    /// missing API key a well-formed origin is echoed, so the page can read the `api_key_*`
    /// error.
    pub fn cors_response<'h, H: HeaderPair<'h>>(&self, headers: impl IntoIterator<Item = H>) -> CorsHeaders<'h> {
        let request = request::scan(headers);
        let api_key = match request.api_key {
            Field::Once(value) => Some(value),
            _ => None,
        };
        CorsHeaders::new(self.cors_origin(api_key, &request), false)
    }

    fn cors_origin<'h>(&self, api_key: Option<&[u8]>, request: &RequestHeaders<'h>) -> Option<&'h str> {
        let Field::Once(value) = request.origin else { return None };
        let origin = origin::read_header(value).ok().filter(|o| origin::is_echoable(o))?;
        let projects = self.projects.load();
        match api_key.map(|k| checked_api_key(k).and_then(|k| lookup(&projects, k))) {
            Some(Ok(project)) => project.origins.allows(Some(origin)).then_some(origin),
            _ => Some(origin),
        }
    }

    /// The verified-token cache's hits and misses so far (zeros without a cache).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.as_ref().map(TokenCache::stats).unwrap_or_default()
    }

    /// Verifies a user token for `project` with the key its `kid` names, through the cache
    /// when there is one; then the project's revocation cut-offs.
    /// `Ok(None)`: `rsa` is forbidden and the signature must be verified.
    fn verify_user_key(
        &self,
        project: &Project,
        token: &[u8],
        now: i64,
        rsa: Rsa,
    ) -> Result<Option<AuthenticatedUser>, Error> {
        if project.keys.is_empty() {
            return Err(NO_PROJECT_KEY);
        }
        let user = |claims: ClaimsRef<'_>| {
            Ok(AuthenticatedUser {
                api_key: ApiKey::copy(&project.api_key),
                user_id: Subject::new(claims.sub)?,
                mode: project.mode,
                credential: Credential::UserKey,
                expires_at: claims.exp,
            })
        };
        let revocations = |claims: &ClaimsRef<'_>| project.revocations.check(claims);
        let keys = &*project.keys;
        match (&self.cache, rsa) {
            (Some(cache), Rsa::Forbidden) => cache
                .answer_without_rsa(keys, project.generation, token, now, revocations, user)
                .transpose()?
                .transpose(),
            (None, Rsa::Forbidden) => refusal_before_signature(keys, token, now).map_or(Ok(None), Err),
            (Some(cache), Rsa::Allowed) => {
                cache.verify_with(keys, project.generation, token, now, revocations, user)?.map(Some)
            }
            (None, Rsa::Allowed) => keys
                .check_signature(token, now, |claims, _| {
                    keys.policy().check_times(&claims, now)?;
                    revocations(&claims)?;
                    Ok(user(claims))
                })?
                .map(Some),
        }
    }

    /// Replaces a project's state with `change(current)`, atomically.
    fn replace(&self, api_key: &str, change: impl FnOnce(&Project) -> Project) -> Result<(), Error> {
        self.try_replace(api_key, |p| Ok(change(p)))
    }

    /// [`Authenticator::replace`] with a change that may be refused (nothing changes then).
    fn try_replace(&self, api_key: &str, change: impl FnOnce(&Project) -> Result<Project, Error>) -> Result<(), Error> {
        self.change(|projects| {
            let slot = projects.get_mut(api_key).ok_or(Error::new(ErrorKind::ApiKeyInvalid))?;
            *slot = Arc::new(change(slot)?);
            Ok(())
        })
    }

    /// Applies `change` to a copy of the project map and publishes the copy, one change at
    /// a time. Changes are rare; requests never wait for them.
    fn change(&self, change: impl FnOnce(&mut Projects) -> Result<(), Error>) -> Result<(), Error> {
        // A panic elsewhere never leaves the map half-written (a copy is published whole),
        // so a poisoned lock is still safe to use.
        let _one_at_a_time = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let mut projects = Projects::clone(&self.projects.load());
        change(&mut projects)?;
        self.projects.store(Arc::new(projects));
        Ok(())
    }

    fn next_generation(&self) -> u64 {
        // Only uniqueness matters, which `fetch_add` gives at any ordering.
        self.generations.fetch_add(1, Ordering::Relaxed)
    }
}

/// Whether a decision may do RSA work (see [`Authenticator::authenticate_cached`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rsa {
    Allowed,
    Forbidden,
}

/// `now + overlap_seconds`, the deadline of a key retired with an overlap: the overlap 1 to
/// [`MAX_OVERLAP_SECONDS`], else `config_invalid`.
fn overlap_deadline(now: i64, overlap_seconds: u64) -> Result<i64, Error> {
    let invalid = Error::new(ErrorKind::ConfigInvalid).with_detail("the overlap must be 1 to 604800 seconds (7 days)");
    if !(1..=MAX_OVERLAP_SECONDS).contains(&overlap_seconds) {
        return Err(invalid);
    }
    i64::try_from(overlap_seconds).ok().and_then(|o| now.checked_add(o)).ok_or(invalid)
}

/// The projects by API key.
type Projects = HashMap<Arc<str>, Arc<Project>>;

/// An `x-notiflows-api-key` value, its length checked before it is decoded or looked up.
fn checked_api_key(api_key: &[u8]) -> Result<&str, Error> {
    if api_key.len() > MAX_API_KEY_BYTES {
        return Err(request::API_KEY_TOO_LONG);
    }
    core::str::from_utf8(api_key).map_err(|_| Error::new(ErrorKind::ApiKeyInvalid))
}

/// The project `api_key` names, borrowed from the snapshot. API keys are public: looking
/// them up in a hash map leaks nothing worth hiding.
fn lookup<'p>(projects: &'p Projects, api_key: &str) -> Result<&'p Project, Error> {
    #[cfg(test)]
    tests::LOOKUPS.with(|n| n.set(n.get() + 1));
    projects.get(api_key).map(|p| &**p).ok_or(Error::new(ErrorKind::ApiKeyInvalid))
}

const _: () = {
    const fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Authenticator>();
};

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Project lookups on this thread: evidence of work done.
        pub(super) static LOOKUPS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    #[test]
    fn an_oversized_api_key_is_refused_before_it_is_decoded_or_looked_up() {
        let auth = Authenticator::new(AuthenticatorOptions::default()).unwrap();
        auth.add_project(ProjectConfig { api_key: "pk".into(), ..ProjectConfig::default() }).unwrap();
        // 64 MiB, not UTF-8 past the first byte: decoding it would say so, not its size.
        let mut huge = vec![0xff; 64 << 20];
        huge[0] = b'p';
        LOOKUPS.with(|n| n.set(0));
        let err = auth.authenticate([(API_KEY_HEADER.as_bytes(), &huge[..])], 0).unwrap_err();
        assert_eq!((err.kind(), err.detail()), (ErrorKind::ApiKeyInvalid, request::API_KEY_TOO_LONG.detail()));
        let one_over = auth.authenticate([(API_KEY_HEADER.as_bytes(), &huge[..MAX_API_KEY_BYTES + 1])], 0);
        assert_eq!(one_over.unwrap_err().detail(), request::API_KEY_TOO_LONG.detail());
        assert_eq!(LOOKUPS.with(|n| n.get()), 0, "no lookup for an oversized key");
        // The CORS answer reads the key with the same rule: no lookup either.
        let cors =
            auth.cors_response([(API_KEY_HEADER.as_bytes(), &huge[..]), (&b"origin"[..], &b"https://a.test"[..])]);
        assert_eq!(cors.allow_origin(), Some("https://a.test"));
        assert_eq!(LOOKUPS.with(|n| n.get()), 0);
        // A key within the limit is looked up.
        let _ = auth.authenticate([(API_KEY_HEADER, "pk_other")], 0);
        assert_eq!(LOOKUPS.with(|n| n.get()), 1);
    }
}
