//! Projects: what an API key stands for, as configured and as held while serving.

use super::origin::AllowedOrigins;
use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use crate::keyset::{KeySet, RetiringKey};
use crate::token::{self, ClaimsRef};
use crate::verify::Policy;
use core::fmt;
use core::str::FromStr;
use std::collections::HashMap;
use std::sync::Arc;

/// Most per-user revocation entries a project holds.
pub const MAX_USER_REVOCATIONS: usize = 10_000;

/// Longest API key accepted, in bytes.
pub const MAX_API_KEY_BYTES: usize = 256;

/// A project's API key held inline, as [`crate::Subject`] holds a user id: an
/// authenticated user carries a copy, so answering a request takes no reference count on
/// shared memory (which would bounce between cores on every request).
#[derive(Clone, Copy)]
pub struct ApiKey {
    len: u16,
    bytes: [u8; MAX_API_KEY_BYTES],
}

impl ApiKey {
    /// Copies a checked API key (at most [`MAX_API_KEY_BYTES`]; longer input is cut).
    pub(crate) fn copy(api_key: &str) -> ApiKey {
        let len = api_key.len().min(MAX_API_KEY_BYTES);
        let mut bytes = [0; MAX_API_KEY_BYTES];
        bytes[..len].copy_from_slice(&api_key.as_bytes()[..len]);
        // `len` <= 256 fits u16.
        ApiKey { len: u16::try_from(len).unwrap_or(0), bytes }
    }

    /// The API key.
    pub fn as_str(&self) -> &str {
        // Built only from checked visible ASCII, so this never falls back.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl core::ops::Deref for ApiKey {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ApiKey {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ApiKey {}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a project identifies users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SecurityMode {
    /// Users are identified only by a user token (`x-notiflows-user-key`) signed by the
    /// customer's backend with the project's signing key. The default.
    #[default]
    Secure,
    /// Users may also be named by the unsigned `x-notiflows-user-id` header: for getting
    /// started, never for production. A user token, when sent, is still verified and wins.
    Development,
}

impl SecurityMode {
    /// `"secure"` or `"development"`, as in project files.
    pub const fn as_str(self) -> &'static str {
        match self {
            SecurityMode::Secure => "secure",
            SecurityMode::Development => "development",
        }
    }
}

impl fmt::Display for SecurityMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecurityMode {
    type Err = Error;

    /// Reads `"secure"` or `"development"`; anything else is `config_invalid`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "secure" => Ok(SecurityMode::Secure),
            "development" => Ok(SecurityMode::Development),
            _ => {
                Err(Error::new(ErrorKind::ConfigInvalid)
                    .with_detail("security_mode must be \"secure\" or \"development\""))
            }
        }
    }
}

/// A project as configured: the input of [`super::Authenticator::add_project`], and what
/// [`super::Authenticator::project_config`] gives back. Every member but `api_key` has a
/// default: fill with `..ProjectConfig::default()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The public API key clients send in `x-notiflows-api-key`: 1 to 256 visible ASCII
    /// characters.
    pub api_key: String,
    /// Secure (the default) or Development.
    pub security_mode: SecurityMode,
    /// The active key: the one new user tokens are signed with; `None` until one is
    /// generated.
    pub signing_public_key: Option<PublicKey>,
    /// Browser origins allowed to call the API (`https://app.example.com`,
    /// `http://localhost:3000`, `https://*.example.com`); empty allows every origin.
    pub allowed_origins: Vec<String>,
    /// Keys that still verify until their deadline (after a rotation with an overlap). At
    /// most 8 keys in all with the active one, kids unique.
    pub retiring_keys: Vec<RetiringKey>,
    /// Tokens issued before this time (`iat <` it, Unix seconds) are refused
    /// (`token_revoked`), and so is a token without `iat`.
    pub revoked_before: Option<i64>,
    /// The same cut-off for one user's tokens (a user logged out everywhere): at most
    /// [`MAX_USER_REVOCATIONS`], one per user id.
    pub user_revocations: Vec<UserRevocation>,
    /// This project's token lifetime rules, overriding the authenticator's policy.
    pub lifetime: LifetimeOverrides,
}

/// Refuse one user's tokens issued before `revoked_before` (Unix seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserRevocation {
    /// The user's external id (a token's `sub`): 1 to 2048 bytes.
    pub user_id: String,
    /// The cut-off: tokens with `iat <` it, or without `iat`, are refused.
    pub revoked_before: i64,
}

/// A project's own token lifetime rules; each `None` keeps the authenticator's
/// [`Policy`] value. The result is checked by [`Policy::validate`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LifetimeOverrides {
    /// [`Policy::require_exp`].
    pub require_exp: Option<bool>,
    /// [`Policy::max_lifetime_seconds`] (at least 1).
    pub max_lifetime_seconds: Option<u64>,
    /// [`Policy::leeway_seconds`].
    pub leeway_seconds: Option<u64>,
    /// [`Policy::iat_skew_seconds`].
    pub iat_skew_seconds: Option<u64>,
}

impl LifetimeOverrides {
    /// `policy` with these overrides applied, validated.
    pub fn apply(&self, policy: Policy) -> Result<Policy, Error> {
        let policy = Policy {
            require_exp: self.require_exp.unwrap_or(policy.require_exp),
            max_lifetime_seconds: self.max_lifetime_seconds.or(policy.max_lifetime_seconds),
            leeway_seconds: self.leeway_seconds.unwrap_or(policy.leeway_seconds),
            iat_skew_seconds: self.iat_skew_seconds.unwrap_or(policy.iat_skew_seconds),
            ..policy
        };
        policy.validate()?;
        Ok(policy)
    }
}

/// A project's revocation cut-offs, checked after the signature (they need `iat`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Revocations {
    pub project: Option<i64>,
    pub users: HashMap<Box<str>, i64>,
}

const REVOKED: Error = Error::new(ErrorKind::TokenRevoked);

impl Revocations {
    fn from_config(project: Option<i64>, users: Vec<UserRevocation>) -> Result<Revocations, Error> {
        if users.len() > MAX_USER_REVOCATIONS {
            return Err(too_many_revocations());
        }
        let mut map = HashMap::with_capacity(users.len());
        for u in users {
            token::check_subject(&u.user_id).map_err(|_| {
                Error::new(ErrorKind::ConfigInvalid).with_detail("a revoked user id must be 1 to 2048 bytes")
            })?;
            let slot = map.entry(u.user_id.into_boxed_str()).or_insert(u.revoked_before);
            *slot = (*slot).max(u.revoked_before);
        }
        Ok(Revocations { project, users: map })
    }

    /// `token_revoked` when a cut-off applies to the claims and `iat` is not at or after it.
    pub(crate) fn check(&self, claims: &ClaimsRef<'_>) -> Result<(), Error> {
        let user = if self.users.is_empty() { None } else { self.users.get(claims.sub).copied() };
        let cutoff = match (self.project, user) {
            (None, None) => return Ok(()),
            (a, b) => a.max(b),
        };
        match (claims.iat, cutoff) {
            (None, Some(_)) => Err(REVOKED.with_detail("the token has no iat and a revocation cut-off applies")),
            // `iat < T` for an integer T is `floor(iat) < T`.
            (Some(iat), Some(t)) if iat.seconds() < t => Err(REVOKED),
            _ => Ok(()),
        }
    }

    /// The entries as configuration, sorted by user id.
    pub(crate) fn user_list(&self) -> Vec<UserRevocation> {
        let mut list: Vec<UserRevocation> = self
            .users
            .iter()
            .map(|(user_id, &revoked_before)| UserRevocation { user_id: user_id.to_string(), revoked_before })
            .collect();
        list.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        list
    }
}

pub(crate) fn too_many_revocations() -> Error {
    Error::new(ErrorKind::ConfigInvalid).with_detail("a project holds at most 10000 user revocations")
}

/// A project while serving: validated, immutable, shared by `Arc` and replaced whole on
/// every change.
#[derive(Debug)]
pub(crate) struct Project {
    pub api_key: Arc<str>,
    pub mode: SecurityMode,
    pub keys: Arc<KeySet>,
    pub origins: Arc<AllowedOrigins>,
    /// The origins as configured, for [`super::Authenticator::project_config`].
    pub origin_entries: Arc<[String]>,
    pub revocations: Arc<Revocations>,
    pub lifetime: LifetimeOverrides,
    /// The authenticator's policy, which `lifetime` overrides.
    pub base_policy: Policy,
    /// Unique per state of a project within its authenticator: keys the token cache, so a
    /// change makes every cached token unreachable.
    pub generation: u64,
}

impl Project {
    /// Validates a configuration: `config_invalid` for a malformed API key, origin, key set,
    /// revocation list or lifetime rule.
    pub(crate) fn from_config(config: ProjectConfig, policy: Policy, generation: u64) -> Result<Project, Error> {
        check_api_key(&config.api_key)?;
        let project_policy = config.lifetime.apply(policy)?;
        Ok(Project {
            api_key: config.api_key.into(),
            mode: config.security_mode,
            keys: Arc::new(KeySet::new(config.signing_public_key, config.retiring_keys, project_policy)?),
            origins: Arc::new(AllowedOrigins::parse(&config.allowed_origins)?),
            origin_entries: config.allowed_origins.into(),
            revocations: Arc::new(Revocations::from_config(config.revoked_before, config.user_revocations)?),
            lifetime: config.lifetime,
            base_policy: policy,
            generation,
        })
    }

    /// A copy with a new generation, for changing one setting.
    pub(crate) fn next(&self, generation: u64) -> Project {
        Project {
            api_key: Arc::clone(&self.api_key),
            mode: self.mode,
            keys: Arc::clone(&self.keys),
            origins: Arc::clone(&self.origins),
            origin_entries: Arc::clone(&self.origin_entries),
            revocations: Arc::clone(&self.revocations),
            lifetime: self.lifetime,
            base_policy: self.base_policy,
            generation,
        }
    }

    /// The configuration in force.
    pub(crate) fn config(&self) -> ProjectConfig {
        ProjectConfig {
            api_key: self.api_key.to_string(),
            security_mode: self.mode,
            signing_public_key: self.keys.active().cloned(),
            allowed_origins: self.origin_entries.to_vec(),
            retiring_keys: self.keys.retiring(),
            revoked_before: self.revocations.project,
            user_revocations: self.revocations.user_list(),
            lifetime: self.lifetime,
        }
    }

    /// A key set for this project (its policy) from `active` and `retiring`.
    pub(crate) fn key_set(&self, active: Option<PublicKey>, retiring: Vec<RetiringKey>) -> Result<Arc<KeySet>, Error> {
        Ok(Arc::new(KeySet::new(active, retiring, *self.keys.policy())?))
    }
}

/// API keys travel in a header: visible ASCII only, bounded.
fn check_api_key(api_key: &str) -> Result<(), Error> {
    let ok = (1..=MAX_API_KEY_BYTES).contains(&api_key.len()) && api_key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::ConfigInvalid).with_detail("api_key must be 1 to 256 visible ASCII characters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip() {
        for mode in [SecurityMode::Secure, SecurityMode::Development] {
            assert_eq!(mode.as_str().parse::<SecurityMode>(), Ok(mode));
        }
        assert_eq!(SecurityMode::default(), SecurityMode::Secure);
        assert_eq!("Secure".parse::<SecurityMode>().unwrap_err().kind(), ErrorKind::ConfigInvalid);
    }

    #[test]
    fn api_keys_are_checked() {
        let project = |api_key: &str| {
            Project::from_config(
                ProjectConfig { api_key: api_key.into(), ..ProjectConfig::default() },
                Policy::default(),
                1,
            )
        };
        assert!(project("pk_test_123").is_ok());
        assert!(project(&"k".repeat(256)).is_ok());
        for bad in ["", "pk 1", "pk\n", "cl\u{e9}", &"k".repeat(257)] {
            assert_eq!(project(bad).unwrap_err().kind(), ErrorKind::ConfigInvalid, "{bad:?}");
        }
    }
}
