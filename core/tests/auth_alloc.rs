//! Authentication allocates nothing on its common paths: a verified-token cache hit, a
//! Development Mode user id, origin checks and refusals. Counted per thread with a
//! counting global allocator.

mod auth_support;
mod counting_alloc;

use auth_support::{authenticator_with, keys, project, API_KEY, NOW};
use counting_alloc::allocations;
use notiflows_auth::{Authenticator, ErrorKind, Provider, SecurityMode};

fn setup(mode: SecurityMode, provider: Provider) -> Authenticator {
    let auth = authenticator_with(provider, 64);
    assert_eq!(auth.provider(), provider);
    let origins = ["https://app.example.com", "https://*.example.org"];
    auth.add_project(project(mode, Some(&keys()[0].public), &origins)).unwrap();
    auth
}

#[test]
fn a_cache_hit_allocates_nothing() {
    for provider in Provider::ALL {
        cache_hits_with(provider);
    }
}

fn cache_hits_with(provider: Provider) {
    let auth = setup(SecurityMode::Secure, provider);
    let token = keys()[0].token("user \u{e9}\\\"escaped\"", NOW);
    let headers = [
        ("content-type", "application/json"),
        ("X-Notiflows-Api-Key", API_KEY),
        ("x-notiflows-user-key", &token),
        ("Origin", "https://a.example.org"),
    ];
    // The first call verifies and fills the cache (that allocates the cached entry).
    let mut first = None;
    let fill = allocations(|| first = Some(auth.authenticate(headers, NOW).unwrap()));
    assert!(fill > 0, "the counter sees the verify and the new cache entry");
    let first = first.unwrap();
    assert!(allocations(|| auth.authenticate(headers, NOW).unwrap()) == 0);
    let hits = allocations(|| {
        for i in 0..1000 {
            let user = auth.authenticate(headers, NOW + i).unwrap();
            assert_eq!(user, first);
        }
    });
    assert_eq!(hits, 0, "cache hits allocate nothing");
    // An expired hit allocates nothing either.
    let expired = allocations(|| auth.authenticate(headers, NOW + 3600).unwrap_err());
    assert_eq!(expired, 0);
}

#[test]
fn development_mode_and_refusals_allocate_nothing() {
    let auth = setup(SecurityMode::Development, Provider::default());
    let dev =
        [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "user-1"), ("Origin", "https://app.example.com")];
    auth.authenticate(dev, NOW).unwrap();
    assert_eq!(allocations(|| auth.authenticate(dev, NOW).unwrap()), 0);
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let evil =
        [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "user-1"), ("Origin", "https://evil-example.org")];
    let twice = [("x-notiflows-api-key", API_KEY), ("Origin", "https://a.test"), ("Origin", "https://a.test")];
    let refusals: [(Headers<'_>, ErrorKind); 6] = [
        (&[], ErrorKind::ApiKeyMissing),
        (&[("x-notiflows-api-key", "pk_unknown")], ErrorKind::ApiKeyInvalid),
        (&evil, ErrorKind::OriginNotAllowed),
        (&twice, ErrorKind::OriginNotAllowed),
        (&[("x-notiflows-api-key", API_KEY)], ErrorKind::UserIdMissing),
        (&[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "")], ErrorKind::UserIdInvalid),
    ];
    for (headers, kind) in refusals {
        let count = allocations(|| assert_eq!(auth.authenticate(headers, NOW).unwrap_err().kind(), kind));
        assert_eq!(count, 0, "{kind:?}");
    }
}

#[test]
fn cors_headers_allocate_nothing() {
    let auth = setup(SecurityMode::Secure, Provider::default());
    let count = allocations(|| {
        let preflight = auth.cors_preflight([("Origin", "https://a.example.org")], Some(API_KEY));
        assert_eq!(preflight.iter().count(), 5);
        let response = [("x-notiflows-api-key", API_KEY), ("Origin", "https://evil.test")];
        assert_eq!(auth.cors_response(response).iter().count(), 1);
    });
    assert_eq!(count, 0);
}
