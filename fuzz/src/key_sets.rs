//! Target `key_sets`: the strict readers of issue 12 from arbitrary bytes: a JWK Set
//! (`parse_jwk_set`) and a project document (`config::project_from_json`, then
//! `Authenticator::add_project`).
//!
//! Invariants: a JWK Set is refused only with `config_invalid`, `key_invalid` or
//! `key_unsupported`; one that loads holds at most 8 keys with unique, valid kids and is
//! written back (`jwk_set`) as text that reads as the same keys. A project document that is
//! accepted gives back, through `project_config` and `project_to_json`, a document that
//! reads as the same configuration.

use crate::codes;
use notiflows_auth::config::{project_from_json, project_to_json};
use notiflows_auth::{jwk_set, parse_jwk_set, Authenticator, AuthenticatorOptions, MAX_KID_BYTES, MAX_PROJECT_KEYS};

const JWKS_CODES: &[&str] = &["config_invalid", "key_invalid", "key_unsupported"];

pub fn check(data: &[u8]) {
    match parse_jwk_set(data) {
        Err(e) => codes::assert_error(&e, JWKS_CODES, &"JWK Set"),
        Ok(keys) => {
            assert!(keys.len() <= MAX_PROJECT_KEYS, "{} keys", keys.len());
            for (i, key) in keys.iter().enumerate() {
                let kid = key.kid();
                assert!((1..=MAX_KID_BYTES).contains(&kid.len()) && kid.bytes().all(|b| b.is_ascii_graphic()));
                assert!(keys[..i].iter().all(|k| k.kid() != kid), "duplicate kid {kid:?}");
            }
            let text = jwk_set(&keys);
            assert_eq!(parse_jwk_set(text.as_bytes()).as_ref(), Ok(&keys), "JWK Set round trip");
        }
    }
    // A project document: refusals are plain configuration errors (ConfigError), never panics.
    let Ok(config) = project_from_json(data) else { return };
    let auth = Authenticator::new(AuthenticatorOptions { cache_capacity: 0, ..AuthenticatorOptions::default() })
        .expect("default options");
    if let Err(e) = auth.add_project(config.clone()) {
        codes::assert_error(&e, JWKS_CODES, &"project document");
        return;
    }
    let in_force = auth.project_config(&config.api_key).expect("the project just added");
    let text = project_to_json(&in_force);
    assert_eq!(project_from_json(text.as_bytes()).as_ref(), Ok(&in_force), "project document round trip: {text}");
}
