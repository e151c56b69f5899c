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

use crate::auth::{LifetimeOverrides, ProjectConfig, RetiringKey, SecurityMode, UserRevocation};
use crate::error::{Error, ErrorKind};
use crate::json::{self, Value};
use crate::keys::PublicKey;
use core::fmt;
use core::fmt::Write as _;

/// Largest configuration text read, in bytes: far above any real project file.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The members of a project file.
pub const PROJECT_MEMBERS: [&str; 12] = [
    "api_key",
    "security_mode",
    "signing_public_key",
    "allowed_origins",
    "signing_key_kid",
    "retiring_keys",
    "revoked_before",
    "user_revocations",
    "require_exp",
    "max_lifetime",
    "leeway",
    "iat_skew",
];
/// The members of a `retiring_keys` entry.
pub const RETIRING_KEY_MEMBERS: [&str; 3] = ["key", "until", "kid"];
/// The members of a `user_revocations` entry.
pub const USER_REVOCATION_MEMBERS: [&str; 2] = ["user_id", "revoked_before"];

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

/// A retiring key as read from a project file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetiringKeySource {
    /// `key`: PEM text or a path.
    pub key: KeySource,
    /// `until`: Unix seconds.
    pub until: i64,
    /// `kid`: the key's kid when not its thumbprint.
    pub kid: Option<String>,
}

/// A project file as read: [`ProjectFile::into_config`] makes it a [`ProjectConfig`] once
/// the caller has loaded the keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFile {
    /// `api_key` (required).
    pub api_key: String,
    /// `security_mode`: `"secure"` (the default when absent) or `"development"`.
    pub security_mode: SecurityMode,
    /// `signing_public_key`: the active key; absent or `null` for none.
    pub signing_public_key: Option<KeySource>,
    /// `signing_key_kid`: the active key's kid when not its thumbprint.
    pub signing_key_kid: Option<String>,
    /// `allowed_origins`: absent, `null` or empty allows every origin; a request without
    /// `Origin` is never origin-checked.
    pub allowed_origins: Vec<String>,
    /// `retiring_keys`: `[{"key": ..., "until": ..., "kid"?: ...}]`.
    pub retiring_keys: Vec<RetiringKeySource>,
    /// `revoked_before`: the project's cut-off.
    pub revoked_before: Option<i64>,
    /// `user_revocations`: `[{"user_id": ..., "revoked_before": ...}]`.
    pub user_revocations: Vec<UserRevocation>,
    /// `require_exp`, `max_lifetime`, `leeway`, `iat_skew`.
    pub lifetime: LifetimeOverrides,
}

impl ProjectFile {
    /// The configuration to add, each key loaded by `load` (which reads a path, or refuses
    /// one). A `kid` member renames its key (checked like [`PublicKey::with_kid`]).
    pub fn into_config(
        self,
        mut load: impl FnMut(&KeySource) -> Result<PublicKey, ConfigError>,
    ) -> Result<ProjectConfig, ConfigError> {
        let mut named = |source: &KeySource, kid: Option<&str>| -> Result<PublicKey, ConfigError> {
            let key = load(source)?;
            Ok(match kid {
                Some(kid) => key.with_kid(kid)?,
                None => key,
            })
        };
        let signing_public_key =
            self.signing_public_key.as_ref().map(|s| named(s, self.signing_key_kid.as_deref())).transpose()?;
        if signing_public_key.is_none() && self.signing_key_kid.is_some() {
            return Err(ConfigError::new("the project file: `signing_key_kid` needs `signing_public_key`"));
        }
        let retiring_keys = self
            .retiring_keys
            .iter()
            .map(|r| Ok(RetiringKey { key: named(&r.key, r.kid.as_deref())?, until: r.until }))
            .collect::<Result<_, ConfigError>>()?;
        Ok(ProjectConfig {
            api_key: self.api_key,
            security_mode: self.security_mode,
            signing_public_key,
            allowed_origins: self.allowed_origins,
            retiring_keys,
            revoked_before: self.revoked_before,
            user_revocations: self.user_revocations,
            lifetime: self.lifetime,
        })
    }
}

/// A JSON value, as configuration reads it.
fn string_of(value: Value<'_>) -> Option<Option<String>> {
    match value {
        Value::String(s) => json::owned_string(s).map(Some),
        Value::Null => Some(None),
        _ => None,
    }
}

/// An integer (no fraction, no exponent) of type `T`; `null` is `Some(None)`.
fn integer_of<T: core::str::FromStr>(value: Value<'_>) -> Option<Option<T>> {
    match value {
        Value::Number(text) if !text.contains(['.', 'e', 'E']) => text.parse().ok().map(Some),
        Value::Null => Some(None),
        _ => None,
    }
}

/// The members of one object: `visit(name, value)` returns `None` for a value of the wrong
/// type (named in the refusal, with `wanted(name)`), and unknown names are refused with the
/// nearest known one.
fn read_object<'a>(
    text: &'a [u8],
    what: &str,
    known: &[&str],
    wanted: impl Fn(&str) -> &'static str,
    mut visit: impl FnMut(&str, Value<'a>) -> Option<()>,
) -> Result<(), ConfigError> {
    let (mut unknown, mut wrong_type) = (None, None);
    json::parse_object(text, |name, value| {
        let name = json::owned_string(name).unwrap_or_default();
        if !known.contains(&name.as_str()) {
            unknown.get_or_insert(name);
        } else if visit(&name, value).is_none() {
            wrong_type.get_or_insert(name);
        }
    })
    .map_err(|e| match e.kind() {
        ErrorKind::TokenDuplicateMember => ConfigError::new(format!("{what} repeats a member name")),
        _ => ConfigError::new(format!("{what} is not one strict JSON object: {}", e.detail().unwrap_or("invalid"))),
    })?;
    if let Some(name) = unknown {
        return Err(unknown_member(what, &name, known));
    }
    if let Some(name) = wrong_type {
        return Err(ConfigError::new(format!("{what}: `{name}` must be {}", wanted(&name))));
    }
    Ok(())
}

/// Reads a project file (JSON): `api_key` (required), `security_mode`,
/// `signing_public_key`, `signing_key_kid`, `allowed_origins`, `retiring_keys`,
/// `revoked_before`, `user_revocations`, `require_exp`, `max_lifetime`, `leeway`,
/// `iat_skew`; nothing else.
pub fn read_project(text: &[u8]) -> Result<ProjectFile, ConfigError> {
    const WHAT: &str = "the project file";
    if text.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::new(format!("{WHAT} is larger than 1 MiB")));
    }
    let mut file = ProjectFile::default();
    let (mut api_key, mut security_mode, mut retiring, mut users) = (None, None, None, None);
    let wanted = |name: &str| match name {
        "allowed_origins" => "a list of strings",
        "retiring_keys" => "a list of objects",
        "user_revocations" => "a list of objects",
        "require_exp" => "true or false",
        "revoked_before" => "an integer (Unix seconds)",
        "max_lifetime" | "leeway" | "iat_skew" => "a non-negative integer (seconds)",
        _ => "a string",
    };
    read_object(text, WHAT, &PROJECT_MEMBERS, wanted, |name, value| {
        match name {
            "api_key" => api_key = string_of(value)?,
            "security_mode" => security_mode = string_of(value)?,
            "signing_public_key" => file.signing_public_key = string_of(value)?.as_deref().map(KeySource::classify),
            "signing_key_kid" => file.signing_key_kid = string_of(value)?,
            "allowed_origins" => match value {
                Value::Array(raw) => file.allowed_origins = json::string_array(raw)?,
                Value::Null => {}
                _ => return None,
            },
            "retiring_keys" | "user_revocations" => {
                let Value::Array(raw) = value else { return None };
                let objects = json::object_array(raw)?;
                if name == "retiring_keys" {
                    retiring = Some(objects);
                } else {
                    users = Some(objects);
                }
            }
            "revoked_before" => file.revoked_before = integer_of(value)?,
            "require_exp" => match value {
                Value::Bool(b) => file.lifetime.require_exp = Some(b),
                Value::Null => {}
                _ => return None,
            },
            "max_lifetime" => file.lifetime.max_lifetime_seconds = integer_of(value)?,
            "leeway" => file.lifetime.leeway_seconds = integer_of(value)?,
            "iat_skew" => file.lifetime.iat_skew_seconds = integer_of(value)?,
            _ => return None,
        }
        Some(())
    })?;
    for (i, entry) in retiring.unwrap_or_default().into_iter().enumerate() {
        let what = format!("{WHAT}: retiring_keys[{i}]");
        let (mut key, mut until, mut kid) = (None, None, None);
        let wanted = |name: &str| if name == "until" { "an integer (Unix seconds)" } else { "a string" };
        read_object(entry, &what, &RETIRING_KEY_MEMBERS, wanted, |name, value| {
            match name {
                "key" => key = string_of(value)?,
                "until" => until = integer_of(value)?,
                _ => kid = string_of(value)?,
            }
            Some(())
        })?;
        match (key, until) {
            (Some(key), Some(until)) => {
                file.retiring_keys.push(RetiringKeySource { key: KeySource::classify(&key), until, kid })
            }
            _ => return Err(ConfigError::new(format!("{what}: `key` and `until` are required"))),
        }
    }
    for (i, entry) in users.unwrap_or_default().into_iter().enumerate() {
        let what = format!("{WHAT}: user_revocations[{i}]");
        let (mut user_id, mut before) = (None, None);
        let wanted = |name: &str| if name == "user_id" { "a string" } else { "an integer (Unix seconds)" };
        read_object(entry, &what, &USER_REVOCATION_MEMBERS, wanted, |name, value| {
            match name {
                "user_id" => user_id = string_of(value)?,
                _ => before = integer_of(value)?,
            }
            Some(())
        })?;
        match (user_id, before) {
            (Some(user_id), Some(revoked_before)) => {
                file.user_revocations.push(UserRevocation { user_id, revoked_before })
            }
            _ => return Err(ConfigError::new(format!("{what}: `user_id` and `revoked_before` are required"))),
        }
    }
    file.api_key = api_key.ok_or_else(|| ConfigError::new(format!("{WHAT}: `api_key` (a string) is required")))?;
    file.security_mode = security_mode.as_deref().map(str::parse).transpose()?.unwrap_or_default();
    Ok(file)
}

/// Reads a project document whose keys are given as text (PEM or the base64 line), never
/// as paths: what the C ABI and the bindings accept. The inverse of [`project_to_json`].
pub fn project_from_json(text: &[u8]) -> Result<ProjectConfig, ConfigError> {
    read_project(text)?.into_config(|source| match source {
        KeySource::Text(text) => Ok(PublicKey::parse(text.as_bytes())?),
        KeySource::Path(_) => Err(ConfigError::new("a project document gives its keys as PEM text, not as paths")),
    })
}

/// A project's configuration as a project document (the project file's format, keys as
/// SPKI PEM text), so that what is in force can be stored and read back by
/// [`project_from_json`]. Members left at their default are written only when set.
pub fn project_to_json(config: &ProjectConfig) -> String {
    let mut out = String::from("{");
    let string = |s: &str| {
        let mut text = String::new();
        json::write_string(&mut text, s);
        text
    };
    // Writing to a String cannot fail.
    let _ = write!(out, r#""api_key":{},"security_mode":"{}""#, string(&config.api_key), config.security_mode);
    let kid_of = |key: &PublicKey| (key.kid() != key.thumbprint()).then(|| string(key.kid()));
    match &config.signing_public_key {
        Some(key) => {
            let _ = write!(out, r#","signing_public_key":{}"#, string(&key.to_spki_pem()));
            if let Some(kid) = kid_of(key) {
                let _ = write!(out, r#","signing_key_kid":{kid}"#);
            }
        }
        None => out.push_str(r#","signing_public_key":null"#),
    }
    let origins: Vec<String> = config.allowed_origins.iter().map(|o| string(o)).collect();
    let _ = write!(out, r#","allowed_origins":[{}]"#, origins.join(","));
    if !config.retiring_keys.is_empty() {
        let entries: Vec<String> = config
            .retiring_keys
            .iter()
            .map(|r| {
                let kid = kid_of(&r.key).map(|k| format!(r#","kid":{k}"#)).unwrap_or_default();
                format!(r#"{{"key":{},"until":{}{kid}}}"#, string(&r.key.to_spki_pem()), r.until)
            })
            .collect();
        let _ = write!(out, r#","retiring_keys":[{}]"#, entries.join(","));
    }
    if let Some(t) = config.revoked_before {
        let _ = write!(out, r#","revoked_before":{t}"#);
    }
    let l = &config.lifetime;
    if let Some(b) = l.require_exp {
        let _ = write!(out, r#","require_exp":{b}"#);
    }
    for (name, value) in
        [("max_lifetime", l.max_lifetime_seconds), ("leeway", l.leeway_seconds), ("iat_skew", l.iat_skew_seconds)]
    {
        if let Some(v) = value {
            let _ = write!(out, r#","{name}":{v}"#);
        }
    }
    // Last: the list can be long, and the reader locates top-level members within the first
    // 64 KiB of a document.
    if !config.user_revocations.is_empty() {
        let entries: Vec<String> = config
            .user_revocations
            .iter()
            .map(|u| format!(r#"{{"user_id":{},"revoked_before":{}}}"#, string(&u.user_id), u.revoked_before))
            .collect();
        let _ = write!(out, r#","user_revocations":[{}]"#, entries.join(","));
    }
    out.push('}');
    out
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
        let err = read_project(br#"{"api_key":"pk","retiring_keys":[{"key":"k.pem","untill":1}]}"#).unwrap_err();
        assert!(err.detail().contains("retiring_keys[0]: unknown member \"untill\" (did you mean `until`?)"), "{err}");
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
