//! Target `authenticate`: request authentication from arbitrary header sets and origins.
//!
//! The input is lines of `name:value` headers (split at the first `:`, nothing trimmed);
//! a line `@origin:VALUE` adds an `Origin: VALUE` header (`origin:VALUE` does the same). Four projects are configured: a
//! Secure one with the shared key and an origin list, a Development one with the key and
//! no list, and one of each mode without a key.
//!
//! Invariants:
//! - the outcome (user, mode, credential, expiry, or error code) is the one a model written
//!   from issue 3's rules predicts, with the token part decided by `Verifier::verify` and
//!   a token accepted only if the reference verifier accepts it too;
//! - the same request again (a cache hit when it verified) gives the same outcome;
//! - the token's `kid` (issue 12) chooses among the project's keys: a header that passes the
//!   header rules and names another key than the shared one is `key_unknown`, whatever
//!   the rest of the token (the key is chosen before the payload is decoded);
//! - after a key rotation a request that passed with a user token fails with
//!   `key_unknown` when its kid named the old key, `signature_invalid` when it had none, and
//!   after switching Development Mode off a user-id request fails;
//! - error responses are 401/403/500 with a JSON body of exactly the code and message;
//! - CORS echoes only the request's own origin, well formed and allowed.

use crate::codes;
use crate::fixtures::{self, NOW};
use crate::origin_ref;
use crate::reference::{self, Options};
use notiflows_auth::{
    AuthenticatedUser, Authenticator, AuthenticatorOptions, Credential, Error, ErrorResponse, ProjectConfig,
    SecurityMode,
};

const ORIGINS: &[&str] = &["https://app.example.com", "http://localhost:3000", "https://*.example.org"];

struct ProjectSpec {
    api_key: &'static str,
    mode: SecurityMode,
    keyed: bool,
    origins: &'static [&'static str],
}

const PROJECTS: &[ProjectSpec] = &[
    ProjectSpec { api_key: "pk_secure", mode: SecurityMode::Secure, keyed: true, origins: ORIGINS },
    ProjectSpec { api_key: "pk_dev", mode: SecurityMode::Development, keyed: true, origins: &[] },
    ProjectSpec { api_key: "pk_secure_nokey", mode: SecurityMode::Secure, keyed: false, origins: &[] },
    ProjectSpec { api_key: "pk_dev_nokey", mode: SecurityMode::Development, keyed: false, origins: ORIGINS },
];

/// What the model expects: the user id, mode, credential and `exp` seconds, or a code.
type Outcome = Result<(String, SecurityMode, Credential, Option<i64>), &'static str>;

fn outcome(result: &Result<AuthenticatedUser, Error>) -> Outcome {
    match result {
        Ok(user) => {
            Ok((user.user_id.as_str().to_owned(), user.mode, user.credential, user.expires_at.map(|d| d.seconds())))
        }
        Err(e) => Err(e.code()),
    }
}

pub fn check(data: &[u8]) {
    let mut headers: Vec<(&[u8], &[u8])> = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        if let Some(value) = line.strip_prefix(b"@origin:") {
            headers.push((b"Origin", value));
            continue;
        }
        let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
        headers.push((&line[..colon], line.get(colon + 1..).unwrap_or_default()));
    }
    if headers.len() > 64 {
        return;
    }

    let fx = fixtures::get();
    let auth = Authenticator::new(AuthenticatorOptions { cache_capacity: 4, ..Default::default() }).unwrap();
    for p in PROJECTS {
        auth.add_project(ProjectConfig {
            api_key: p.api_key.into(),
            security_mode: p.mode,
            signing_public_key: p.keyed.then(|| fx.shared.public.clone()),
            allowed_origins: p.origins.iter().map(|o| o.to_string()).collect(),
            ..ProjectConfig::default()
        })
        .unwrap();
    }

    let result = auth.authenticate(&headers, NOW);
    let expected = model(&headers);
    let context = || format!("headers {:?}", lossy(&headers));
    assert_eq!(outcome(&result), expected, "{}", context());
    match &result {
        Ok(user) => assert!(PROJECTS.iter().any(|p| *user.api_key == *p.api_key)),
        Err(e) => check_error_response(e, &context()),
    }

    // The same request again: from the cache when the token verified.
    assert_eq!(outcome(&auth.authenticate(&headers, NOW)), expected, "second time: {}", context());

    if let Ok(user) = &result {
        match user.credential {
            Credential::UserKey => {
                auth.set_signing_key(&user.api_key, Some(fx.other.public.clone())).unwrap();
                let after = auth.authenticate(&headers, NOW);
                let token = values(&headers, "x-notiflows-user-key")[0];
                let want = if header_kid(token).is_some() { "key_unknown" } else { "signature_invalid" };
                assert_eq!(outcome(&after), Err(want), "after rotation: {}", context());
            }
            Credential::UserId => {
                auth.set_security_mode(&user.api_key, SecurityMode::Secure).unwrap();
                let after = outcome(&auth.authenticate(&headers, NOW));
                assert!(matches!(after, Err("user_key_missing" | "signing_key_not_configured")), "{after:?}");
            }
        }
    }

    check_cors(&auth, &headers);
}

fn lossy(headers: &[(&[u8], &[u8])]) -> Vec<(String, String)> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    headers.iter().map(|(n, v)| (text(n), text(v))).collect()
}

/// The values of every header named `name` (ASCII case-insensitively), without the spaces
/// and tabs around them (RFC 9110: not part of the value).
fn values<'h>(headers: &[(&[u8], &'h [u8])], name: &str) -> Vec<&'h [u8]> {
    let trim = |mut v: &'h [u8]| {
        while let [b' ' | b'\t', rest @ ..] = v {
            v = rest;
        }
        while let [rest @ .., b' ' | b'\t'] = v {
            v = rest;
        }
        v
    };
    headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| trim(v)).collect()
}

/// The request's `Origin`: `Ok(None)` when absent; refused when repeated, over 512 bytes or
/// not UTF-8.
fn origin_of<'h>(headers: &[(&[u8], &'h [u8])]) -> Result<Option<&'h str>, &'static str> {
    match values(headers, "origin")[..] {
        [] => Ok(None),
        [o] if o.len() <= 512 => std::str::from_utf8(o).map(Some).map_err(|_| "origin_not_allowed"),
        _ => Err("origin_not_allowed"),
    }
}

/// Issue 3's rules (and issue 10's reading of Origin), in their order.
fn model(headers: &[(&[u8], &[u8])]) -> Outcome {
    let project = match values(headers, "x-notiflows-api-key")[..] {
        [] => return Err("api_key_missing"),
        [key] if key.len() > 256 => return Err("api_key_invalid"),
        [key] => PROJECTS.iter().find(|p| p.api_key.as_bytes() == key).ok_or("api_key_invalid")?,
        _ => return Err("api_key_invalid"),
    };
    let origin = origin_of(headers)?;
    let entries: Vec<_> = project.origins.iter().map(|e| origin_ref::parse_entry(e).unwrap()).collect();
    if !origin_ref::allows(&entries, origin) {
        return Err("origin_not_allowed");
    }
    let user_keys = values(headers, "x-notiflows-user-key");
    let user_ids = values(headers, "x-notiflows-user-id");
    if user_keys.len() > 1 {
        return Err("token_malformed");
    }
    if user_ids.len() > 1 {
        return Err("user_id_invalid");
    }
    if let [token] = user_keys[..] {
        if !project.keyed {
            return Err("signing_key_not_configured");
        }
        let fx = fixtures::get();
        let verdict = fx.shared.verifier.verify(token, NOW);
        if header_passes(token, &verdict) {
            if let Some(kid) = header_kid(token) {
                if kid.as_str() != Some(fx.shared.public.kid()) {
                    return Err("key_unknown");
                }
            }
        }
        let claims = verdict.map_err(|e| e.code())?;
        let reference = reference::check(token, &Options::verifier(NOW));
        assert!(reference.is_ok(), "Verifier accepted what the reference refuses: {reference:?}");
        let exp = claims.exp.map(|d| d.seconds());
        return Ok((claims.sub.as_str().to_owned(), project.mode, Credential::UserKey, exp));
    }
    match (project.mode, user_ids[..].first()) {
        (SecurityMode::Secure, _) if !project.keyed => Err("signing_key_not_configured"),
        (SecurityMode::Secure, _) => Err("user_key_missing"),
        (SecurityMode::Development, None) => Err("user_id_missing"),
        (SecurityMode::Development, Some(id)) => {
            let id = std::str::from_utf8(id).map_err(|_| "user_id_invalid")?;
            if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
                return Err("user_id_invalid");
            }
            Ok((id.to_owned(), SecurityMode::Development, Credential::UserId, None))
        }
    }
}

/// Whether the token gets past everything the core checks before choosing a key: its size,
/// its segments, the lengths of its header and payload, and the header rules (found by
/// verifying the header alone with an empty claims object and no signature: past the header,
/// that can only be `signature_invalid`).
fn header_passes(token: &[u8], verdict: &Result<notiflows_auth::Claims, Error>) -> bool {
    if let Err(e) = verdict {
        if ["token_too_large", "token_malformed"].contains(&e.code()) {
            return false;
        }
    }
    let mut segments = token.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (segments.next(), segments.next()) else { return false };
    if payload.len() % 4 == 1 {
        return false; // no base64url text has this length: token_base64 before the header
    }
    let probe = [header, b".e30."].concat();
    let probed = fixtures::get().shared.verifier.verify(&probe, NOW);
    matches!(probed, Err(e) if e.code() == "signature_invalid")
}

/// The header's `kid` value, when the header segment decodes to a JSON object that has one.
fn header_kid(token: &[u8]) -> Option<serde_json::Value> {
    let header = token.split(|&b| b == b'.').next()?;
    let json = crate::b64::decode_url_canonical(header)?;
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&json).ok()?;
    object.get("kid").cloned()
}

fn check_error_response(error: &Error, context: &str) {
    codes::assert_error(error, codes::documented(), &context);
    let response = ErrorResponse::new(error);
    assert_eq!(response.status, error.http_status());
    let body: serde_json::Value = serde_json::from_str(&response.body).expect("the error body is JSON");
    let expected = serde_json::json!({ "code": error.code(), "message": error.to_string() });
    assert_eq!(body, expected, "error body");
}

fn check_cors(auth: &Authenticator, headers: &[(&[u8], &[u8])]) {
    let api_key = match values(headers, "x-notiflows-api-key")[..] {
        [key] => std::str::from_utf8(key).ok(),
        _ => None,
    };
    let origin = origin_of(headers).ok().flatten();
    let project = api_key.and_then(|k| PROJECTS.iter().find(|p| p.api_key == k));
    for cors in [auth.cors_preflight(headers, api_key), auth.cors_response(headers)] {
        assert!(cors.iter().any(|h| h == ("Vary", "Origin")));
        let Some(echoed) = cors.allow_origin() else {
            if let (Some(o), Some(p)) = (origin, project) {
                let entries: Vec<_> = p.origins.iter().map(|e| origin_ref::parse_entry(e).unwrap()).collect();
                assert!(!(origin_ref::echoable(o) && origin_ref::allows(&entries, Some(o))), "{o:?} not echoed");
            }
            continue;
        };
        assert_eq!(Some(echoed), origin, "allow-origin is the request's own origin");
        assert!(origin_ref::echoable(echoed), "echoed a malformed origin {echoed:?}");
        if let Some(p) = project {
            let entries: Vec<_> = p.origins.iter().map(|e| origin_ref::parse_entry(e).unwrap()).collect();
            assert!(origin_ref::allows(&entries, Some(echoed)), "echoed a refused origin {echoed:?}");
        }
    }
}
