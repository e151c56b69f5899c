//! The gate's only calls into the core: every rule (projects, modes, origins, CORS, the
//! error taxonomy) stays there; this module converts HTTP headers into core calls.
//!
//! Kept small on purpose: when the core's request API changes, this is the one file to
//! follow it.

use crate::store::StoreFile;
use axum::http::HeaderMap;
use notiflows_auth::auth::{CorsHeaders, ProjectConfig, API_KEY_HEADER};
use notiflows_auth::{AuthenticatedUser, Authenticator, AuthenticatorOptions, Error, ErrorKind, PublicKey};

/// An authenticator holding every project of `file`; the core validates each one
/// (`config_invalid`, `key_invalid`, ... with the project's API key in the caller's message).
pub fn authenticator(options: AuthenticatorOptions, file: &StoreFile) -> Result<Authenticator, (String, Error)> {
    let auth = Authenticator::new(options).map_err(|e| (String::new(), e))?;
    for project in &file.projects {
        let with_key = |e| (project.api_key.clone(), e);
        let key = project.signing_public_key.as_deref().map(|pem| PublicKey::parse(pem.as_bytes())).transpose();
        let config = ProjectConfig {
            api_key: project.api_key.clone(),
            security_mode: project.security_mode.parse().map_err(with_key)?,
            signing_public_key: key.map_err(with_key)?,
            allowed_origins: project.allowed_origins.clone(),
        };
        auth.add_project(config).map_err(with_key)?;
    }
    Ok(auth)
}

/// Each project's public JWK Set (`{"keys":[...]}`): its current signing key, or none.
pub fn jwk_sets(file: &StoreFile) -> std::collections::HashMap<String, String> {
    let set = |pem: Option<&str>| {
        let key = pem.and_then(|pem| PublicKey::parse(pem.as_bytes()).ok()).map(|key| key.to_jwk());
        format!(r#"{{"keys":[{}]}}"#, key.unwrap_or_default())
    };
    file.projects.iter().map(|p| (p.api_key.clone(), set(p.signing_public_key.as_deref()))).collect()
}

/// Authenticates the original request whose headers the gateway forwarded.
pub fn authenticate(auth: &Authenticator, headers: &HeaderMap, now: i64) -> Result<AuthenticatedUser, Error> {
    let origin = origin(headers)?;
    auth.authenticate(headers.iter(), origin, now)
}

/// CORS headers for a preflight: the core's rule for a request without an API key.
pub fn preflight_cors<'h>(auth: &Authenticator, headers: &'h HeaderMap) -> CorsHeaders<'h> {
    auth.cors_preflight(None, origin(headers).ok().flatten())
}

/// CORS headers for an answer to an actual request, allowed or refused.
pub fn response_cors<'h>(auth: &Authenticator, headers: &'h HeaderMap) -> CorsHeaders<'h> {
    auth.cors_response(single_str(headers, API_KEY_HEADER), origin(headers).ok().flatten())
}

/// The request's `Origin`. A repeated or non-UTF-8 Origin cannot be matched against any
/// allowed list: refused as `origin_not_allowed`.
fn origin(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let mut values = headers.get_all("origin").iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => value.to_str().map(Some).map_err(|_| Error::new(ErrorKind::OriginNotAllowed)),
        (Some(_), Some(_)) => Err(Error::new(ErrorKind::OriginNotAllowed)),
    }
}

/// A header sent exactly once, as text.
pub fn single_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value.to_str().ok(),
        _ => None,
    }
}

/// The known name closest to `name` (edit distance at most a third of its length), for
/// "unknown member `x` (did you mean `y`?)".
pub fn nearest_name<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = name.chars().count().max(3) / 3;
    known.iter().map(|k| (edit_distance(name, k), *k)).filter(|(d, _)| *d <= limit.max(1)).min().map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names() {
        let known = ["api_key", "security_mode", "allowed_origins"];
        assert_eq!(nearest_name("api_kye", &known), Some("api_key"));
        assert_eq!(nearest_name("allowed_origin", &known), Some("allowed_origins"));
        assert_eq!(nearest_name("colour", &known), None);
    }
}
