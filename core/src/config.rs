//! Reading configuration strictly: a project file (what `notiflows-auth authenticate
//! --project` reads), and the helpers every configuration reader uses (the gate's too).
//!
//! Strict means: the size is checked first; the text is one strict JSON object (the
//! token reader's rules: UTF-8, no repeated member name); a member we do not know is
//! refused, naming it and the nearest known name, never ignored (a typo such as
//! `allowed_origin` would otherwise open every origin); a member of the wrong type is
//! refused, naming it. Values are then checked by the code that uses them
//! ([`crate::Authenticator::add_project`]: API key, allowed origins).
//!
//! Reading files is the caller's business: the core reads no file and no environment.

use crate::auth::{ProjectConfig, SecurityMode};
use crate::error::{Error, ErrorKind};
use crate::json::{self, Value};
use crate::keys::PublicKey;
use core::fmt;

/// Largest configuration text read, in bytes: far above any real project file.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The members of a project file.
pub const PROJECT_MEMBERS: [&str; 4] = ["api_key", "security_mode", "signing_public_key", "allowed_origins"];

/// A configuration refused, with a message naming what was wrong (a member, its type).
/// Its kind is always `config_invalid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    detail: String,
}

impl ConfigError {
    /// A refusal with this detail (what was wrong, and where).
    pub fn new(detail: impl Into<String>) -> ConfigError {
        ConfigError { detail: detail.into() }
    }

    /// The error of the one taxonomy: `config_invalid`.
    pub fn error(&self) -> Error {
        Error::new(ErrorKind::ConfigInvalid)
    }

    /// `"config_invalid"`.
    pub fn code(&self) -> &'static str {
        ErrorKind::ConfigInvalid.code()
    }

    /// What was wrong, without the general sentence.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", ErrorKind::ConfigInvalid.message(), self.detail)
    }
}

impl std::error::Error for ConfigError {}

impl From<Error> for ConfigError {
    fn from(error: Error) -> Self {
        ConfigError::new(error.detail().unwrap_or(error.kind().message()))
    }
}

/// The known name closest to `name` (edit distance, ASCII case ignored), if one is close
/// enough to be a likely typo: at most a third of its length away, and at least one edit.
/// Names longer than 64 bytes get no suggestion (bounded work on untrusted input).
pub fn nearest_name<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    const MAX_COMPARED: usize = 64;
    if name.len() > MAX_COMPARED {
        return None;
    }
    known
        .iter()
        .filter(|k| k.len() <= MAX_COMPARED)
        .map(|&k| (edit_distance(name.as_bytes(), k.as_bytes()), k))
        .filter(|&(d, k)| d <= (k.len() / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// The refusal of an unknown member `name` in `what` (e.g. "the project file"), naming the
/// nearest known member when there is one, else every known member.
pub fn unknown_member(what: &str, name: &str, known: &[&str]) -> ConfigError {
    // The name is shown as JSON would write it: control characters cannot garble the message.
    let mut shown = String::new();
    json::write_string(&mut shown, name);
    match nearest_name(name, known) {
        Some(near) => ConfigError::new(format!("{what}: unknown member {shown} (did you mean `{near}`?)")),
        None => ConfigError::new(format!("{what}: unknown member {shown} (known members: {})", known.join(", "))),
    }
}

/// Levenshtein distance, ASCII case-insensitive, in O(len(b)) memory (both at most 64 bytes).
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(!ca.eq_ignore_ascii_case(cb));
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Where a project's signing public key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The key itself (PEM text, or the one-line base64 form).
    Text(String),
    /// A path to a key file, relative to the project file.
    Path(String),
}

impl KeySource {
    /// Key text when it starts like a key (`-----BEGIN`, or the base64 of it), else a path.
    pub fn classify(value: &str) -> KeySource {
        let start = value.trim_start();
        if start.starts_with("-----BEGIN") || start.starts_with(crate::keys::BASE64_PEM_PREFIX) {
            KeySource::Text(value.to_owned())
        } else {
            KeySource::Path(value.to_owned())
        }
    }
}

/// A project file as read: [`ProjectFile::into_config`] makes it a [`ProjectConfig`] once
/// the caller has loaded the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFile {
    /// `api_key` (required).
    pub api_key: String,
    /// `security_mode`: `"secure"` (the default when absent) or `"development"`.
    pub security_mode: SecurityMode,
    /// `signing_public_key`: absent or `null` for none.
    pub signing_public_key: Option<KeySource>,
    /// `allowed_origins`: absent, `null` or empty allows every origin; a request without
    /// `Origin` is never origin-checked.
    pub allowed_origins: Vec<String>,
}

impl ProjectFile {
    /// The configuration to add, with the signing key the caller loaded from
    /// [`ProjectFile::signing_public_key`].
    pub fn into_config(self, signing_public_key: Option<PublicKey>) -> ProjectConfig {
        ProjectConfig {
            api_key: self.api_key,
            security_mode: self.security_mode,
            signing_public_key,
            allowed_origins: self.allowed_origins,
        }
    }
}

/// Reads a project file (JSON): `api_key`, `security_mode`, `signing_public_key`,
/// `allowed_origins`, nothing else.
pub fn read_project(text: &[u8]) -> Result<ProjectFile, ConfigError> {
    const WHAT: &str = "the project file";
    if text.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::new(format!("{WHAT} is larger than 1 MiB")));
    }
    let (mut api_key, mut security_mode, mut key, mut origins) = (None, None, None, None);
    let mut unknown = None;
    let mut wrong_type = None;
    json::parse_object(text, |name, value| {
        let name = String::from_utf8(name.bytes().collect()).unwrap_or_default();
        let string = |value: Value<'_>| match value {
            Value::String(s) => String::from_utf8(s.bytes().collect()).ok().map(Some),
            Value::Null => Some(None),
            _ => None,
        };
        let ok = match name.as_str() {
            "api_key" => string(value).map(|v| api_key = v).is_some(),
            "security_mode" => string(value).map(|v| security_mode = v).is_some(),
            "signing_public_key" => string(value).map(|v| key = v).is_some(),
            "allowed_origins" => match value {
                Value::Array(raw) => json::string_array(raw).map(|v| origins = Some(v)).is_some(),
                Value::Null => true,
                _ => false,
            },
            _ => {
                unknown.get_or_insert(name);
                return;
            }
        };
        if !ok {
            wrong_type.get_or_insert(name);
        }
    })
    .map_err(|e| match e.kind() {
        ErrorKind::TokenDuplicateMember => ConfigError::new(format!("{WHAT} repeats a member name")),
        _ => ConfigError::new(format!("{WHAT} is not one strict JSON object: {}", e.detail().unwrap_or("invalid"))),
    })?;
    if let Some(name) = unknown {
        return Err(unknown_member(WHAT, &name, &PROJECT_MEMBERS));
    }
    if let Some(name) = wrong_type {
        let wanted = if name == "allowed_origins" { "a list of strings" } else { "a string" };
        return Err(ConfigError::new(format!("{WHAT}: `{name}` must be {wanted}")));
    }
    Ok(ProjectFile {
        api_key: api_key.ok_or_else(|| ConfigError::new(format!("{WHAT}: `api_key` (a string) is required")))?,
        security_mode: security_mode.as_deref().map(str::parse).transpose()?.unwrap_or_default(),
        signing_public_key: key.as_deref().map(KeySource::classify),
        allowed_origins: origins.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names() {
        assert_eq!(nearest_name("allowed_origin", &PROJECT_MEMBERS), Some("allowed_origins"));
        assert_eq!(nearest_name("Allowed_Origins", &PROJECT_MEMBERS), Some("allowed_origins"));
        assert_eq!(nearest_name("apikey", &PROJECT_MEMBERS), Some("api_key"));
        assert_eq!(nearest_name("security", &PROJECT_MEMBERS), None);
        assert_eq!(nearest_name("x", &PROJECT_MEMBERS), None);
        assert_eq!(nearest_name(&"a".repeat(10_000), &PROJECT_MEMBERS), None);
    }

    #[test]
    fn a_typo_is_refused_naming_it_and_the_nearest_name() {
        let err = read_project(br#"{"api_key":"pk","allowed_origin":["https://a.test"]}"#).unwrap_err();
        assert_eq!(err.code(), "config_invalid");
        assert_eq!(
            err.detail(),
            r#"the project file: unknown member "allowed_origin" (did you mean `allowed_origins`?)"#
        );
        let err = read_project(br#"{"api_key":"pk","zzz":1}"#).unwrap_err();
        assert!(err.detail().contains("known members: api_key, security_mode"), "{err}");
        let err = read_project(b"{\"api_key\":\"pk\",\"a\\u001bb\":1}").unwrap_err();
        assert!(err.detail().contains(r#""a\u001bb""#), "{err}");
    }

    #[test]
    fn reads_every_member_and_refuses_wrong_types() {
        let file = read_project(
            br#"{"api_key":"pk","security_mode":"development","signing_public_key":"key.pem",
                 "allowed_origins":["https://a.test"]}"#,
        )
        .unwrap();
        assert_eq!(file.security_mode, SecurityMode::Development);
        assert_eq!(file.signing_public_key, Some(KeySource::Path("key.pem".into())));
        assert_eq!(file.allowed_origins, ["https://a.test"]);
        let minimal = read_project(br#"{"api_key":"pk","allowed_origins":null,"signing_public_key":null}"#).unwrap();
        assert_eq!(
            (minimal.security_mode, minimal.signing_public_key, minimal.allowed_origins.len()),
            (SecurityMode::Secure, None, 0)
        );
        for (bad, says) in [
            (&br#"{"api_key":1}"#[..], "`api_key` must be a string"),
            (br#"{"api_key":"pk","allowed_origins":"https://a.test"}"#, "`allowed_origins` must be a list"),
            (br#"{"api_key":"pk","allowed_origins":[1]}"#, "`allowed_origins` must be a list"),
            (br#"{"security_mode":"secure"}"#, "`api_key` (a string) is required"),
            (br#"{"api_key":"pk","security_mode":"Secure"}"#, "security_mode must be"),
            (br#"{"api_key":"pk","api_key":"pk2"}"#, "repeats a member name"),
            (b"[]", "not one strict JSON object"),
            (b"{\"api_key\":\"\xff\"}", "not one strict JSON object"),
        ] {
            let err = read_project(bad).unwrap_err();
            assert!(err.detail().contains(says), "{err}");
        }
        assert!(read_project(&vec![b' '; MAX_CONFIG_BYTES + 1]).unwrap_err().detail().contains("1 MiB"));
    }

    #[test]
    fn key_sources() {
        assert!(matches!(KeySource::classify("  -----BEGIN PUBLIC KEY-----"), KeySource::Text(_)));
        assert!(matches!(KeySource::classify("LS0tLS1CRUdJTiBQVUJMSUM"), KeySource::Text(_)));
        assert_eq!(KeySource::classify("keys/public.pem"), KeySource::Path("keys/public.pem".into()));
    }
}
