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
fn choosing_a_key_by_kid_allocates_nothing_more() {
    use auth_support::Keys;
    use notiflows_auth::{Kid, ProjectConfig, RetiringKey, SignOptions};
    // A kid-less token in a one-key project against a kid naming the last of 8 keys, with
    // revocation lists in force: the same allocations (those of the RSA verify), no cache.
    let keys: Vec<Keys> = (0..8).map(|_| Keys::generate()).collect();
    let one = auth_support::authenticator(0);
    one.add_project(project(SecurityMode::Secure, Some(&keys[0].public), &[])).unwrap();
    let eight = auth_support::authenticator(0);
    eight
        .add_project(ProjectConfig {
            retiring_keys: keys[1..].iter().map(|k| RetiringKey { key: k.public.clone(), until: NOW + 60 }).collect(),
            revoked_before: Some(NOW - 100),
            user_revocations: vec![notiflows_auth::UserRevocation { user_id: "bob".into(), revoked_before: NOW }],
            ..project(SecurityMode::Secure, Some(&keys[0].public), &[])
        })
        .unwrap();
    let no_kid = keys[0].token_with("alice", &SignOptions { kid: Kid::Omit, ..SignOptions::new(NOW) });
    let with_kid = keys[7].token("alice", NOW);
    let run = |auth: &Authenticator, token: &str| {
        allocations(|| {
            auth.authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)], NOW).unwrap();
        })
    };
    run(&one, &no_kid);
    run(&eight, &with_kid);
    let baseline = run(&one, &no_kid);
    assert!(baseline > 0, "the RSA verify allocates");
    assert_eq!(run(&eight, &with_kid), baseline);
    // An unknown kid is refused before any RSA work: nothing allocated.
    let unknown = Keys::generate().token("alice", NOW);
    let count = allocations(|| {
        let err = eight.authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &unknown)], NOW);
        assert_eq!(err.unwrap_err().kind(), ErrorKind::KeyUnknown);
    });
    assert_eq!(count, 0);
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
