//! Projects: what an API key stands for, as configured and as held while serving.

use super::origin::AllowedOrigins;
use crate::error::{Error, ErrorKind};
use crate::keys::PublicKey;
use crate::verify::{Policy, Verifier};
use core::fmt;
use core::str::FromStr;
use std::sync::Arc;

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

/// A project as configured: the input of [`super::Authenticator::add_project`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The public API key clients send in `x-notiflows-api-key`: 1 to 256 visible ASCII
    /// characters.
    pub api_key: String,
    /// Secure (the default) or Development.
    pub security_mode: SecurityMode,
    /// The key user tokens must be signed with; `None` until one is generated.
    pub signing_public_key: Option<PublicKey>,
    /// Browser origins allowed to call the API (`https://app.example.com`,
    /// `http://localhost:3000`, `https://*.example.com`); empty allows every origin.
    pub allowed_origins: Vec<String>,
}

/// A project while serving: validated, immutable, shared by `Arc` and replaced whole on
/// every change.
#[derive(Debug)]
pub(crate) struct Project {
    pub api_key: Arc<str>,
    pub mode: SecurityMode,
    pub verifier: Option<Verifier>,
    pub origins: Arc<AllowedOrigins>,
    /// Unique per state of a project within its authenticator: keys the token cache, so a
    /// change makes every cached token unreachable.
    pub generation: u64,
}

impl Project {
    /// Validates a configuration: `config_invalid` for a malformed API key or origin.
    pub(crate) fn from_config(config: ProjectConfig, policy: Policy, generation: u64) -> Result<Project, Error> {
        check_api_key(&config.api_key)?;
        Ok(Project {
            api_key: config.api_key.into(),
            mode: config.security_mode,
            verifier: verifier(config.signing_public_key, policy)?,
            origins: Arc::new(AllowedOrigins::parse(&config.allowed_origins)?),
            generation,
        })
    }

    /// A copy with a new generation, for changing one setting.
    pub(crate) fn next(&self, generation: u64) -> Project {
        Project {
            api_key: Arc::clone(&self.api_key),
            mode: self.mode,
            verifier: self.verifier.clone(),
            origins: Arc::clone(&self.origins),
            generation,
        }
    }
}

pub(crate) fn verifier(key: Option<PublicKey>, policy: Policy) -> Result<Option<Verifier>, Error> {
    key.map(|key| Verifier::with_policy(key, policy)).transpose()
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
