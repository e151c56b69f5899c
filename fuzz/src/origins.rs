//! Target `origins`: allowed-origin configuration and matching. The input's lines are the
//! entries; its last line is the request's `Origin`.
//!
//! Invariants: configuration accepts exactly the lists the reference accepts, else
//! `config_invalid` (for `add_project` and `set_allowed_origins` alike, and a refused
//! change leaves the old list); a request passes exactly when the reference allows its
//! origin, else `origin_not_allowed`; every entry allows its own sample origin (upper case,
//! default port spelled out); the CORS allow-origin echoes exactly the origins that pass
//! and are well formed, and never a control character.

use crate::codes;
use crate::fixtures::NOW;
use crate::origin_ref::{self, Entry};
use notiflows_auth::{Authenticator, AuthenticatorOptions, ProjectConfig, SecurityMode};

const MAX_ENTRIES: usize = 16;

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines: Vec<&str> = text.split('\n').collect();
    // As a header value the origin loses the spaces and tabs around it (RFC 9110); an
    // Origin over 512 bytes is refused whatever the list.
    let origin = lines.pop().unwrap_or_default().trim_matches([' ', '\t']);
    if lines.len() > MAX_ENTRIES || origin.len() > 512 {
        return;
    }
    let entries: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let expected: Option<Vec<Entry>> = lines.iter().map(|l| origin_ref::parse_entry(l)).collect();

    let auth = Authenticator::new(AuthenticatorOptions { cache_capacity: 0, ..Default::default() }).unwrap();
    let config = ProjectConfig {
        api_key: "pk".into(),
        security_mode: SecurityMode::Development,
        signing_public_key: None,
        allowed_origins: entries.clone(),
        ..ProjectConfig::default()
    };
    let added = auth.add_project(config);
    match (&added, &expected) {
        (Ok(()), Some(_)) => {}
        (Err(e), None) => codes::assert_error(e, &["config_invalid"], &entries),
        _ => panic!("add_project {added:?}, reference {expected:?} for {entries:?}"),
    }
    let Some(list) = expected else {
        // A project with a valid list refuses the change and keeps its list.
        auth.add_project(ProjectConfig {
            api_key: "pk".into(),
            security_mode: SecurityMode::Development,
            ..Default::default()
        })
        .unwrap();
        let e = auth.set_allowed_origins("pk", &entries).expect_err("set_allowed_origins took a refused list");
        codes::assert_error(&e, &["config_invalid"], &entries);
        assert!(request(&auth, Some(origin)).is_ok(), "a refused change altered the list");
        return;
    };
    auth.set_allowed_origins("pk", &entries).expect("set_allowed_origins refused what add_project took");

    let allowed = origin_ref::allows(&list, Some(origin));
    match request(&auth, Some(origin)) {
        Ok(()) => assert!(allowed, "origin {origin:?} passed {entries:?}; the reference refuses it"),
        Err(code) => {
            assert_eq!(code, "origin_not_allowed", "{origin:?} {entries:?}");
            assert!(!allowed, "origin {origin:?} refused by {entries:?}; the reference allows it");
        }
    }
    assert_eq!(request(&auth, None), Ok(()), "a request without Origin is not origin-checked");
    for entry in &list {
        // Too long a host aside, every entry allows its sample.
        let sample = entry.sample();
        let expected = origin_ref::allows(&list, Some(&sample));
        assert!(expected || origin_ref::parse_origin(&sample).is_none(), "reference: {sample:?} for {entry:?}");
        assert_eq!(request(&auth, Some(&sample)).is_ok(), expected, "{sample:?} with {entries:?}");
    }

    let sent = [("x-notiflows-api-key", "pk"), ("origin", origin)];
    for cors in [auth.cors_preflight(&sent[1..], Some("pk")), auth.cors_response(sent)] {
        let echoed = cors.allow_origin();
        assert_eq!(echoed.is_some(), allowed && origin_ref::echoable(origin), "CORS for {origin:?} {entries:?}");
        if let Some(echoed) = echoed {
            assert_eq!(echoed, origin);
            assert!(!echoed.chars().any(|c| c.is_control() || c.is_whitespace()), "unsafe echo {echoed:?}");
        }
        assert!(cors.iter().any(|h| h == ("Vary", "Origin")));
    }
}

/// A Development Mode request from `origin`: `Ok` or the error's code.
fn request(auth: &Authenticator, origin: Option<&str>) -> Result<(), &'static str> {
    let headers = [("x-notiflows-api-key", "pk"), ("x-notiflows-user-id", "u")];
    let origin = origin.map(|o| ("origin", o));
    auth.authenticate(headers.into_iter().chain(origin), NOW).map(|_| ()).map_err(|e| e.code())
}
