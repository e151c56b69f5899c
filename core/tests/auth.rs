//! Request authentication through the public API: every rule of the authenticator, each
//! with and without the verified-token cache.

mod auth_support;
mod common;

use auth_support::{authenticator, authenticator_with, keys, project, API_KEY, CACHE_CAPACITIES, NOW};
use notiflows_auth::auth::{ALLOW_HEADERS, ALLOW_METHODS, MAX_AGE_SECONDS};
use notiflows_auth::{
    AuthenticatedUser, Authenticator, AuthenticatorOptions, CorsHeaders, Credential, Error, ErrorKind, ErrorResponse,
    Kid, NumericDate, Policy, ProjectConfig, Provider, SecurityMode, SignOptions,
};

const SECURE: SecurityMode = SecurityMode::Secure;
const DEV: SecurityMode = SecurityMode::Development;

/// One authenticator per cache setting with a project of `mode`, keyed with key 0.
fn setups(mode: SecurityMode, origins: &[&str]) -> Vec<Authenticator> {
    CACHE_CAPACITIES
        .iter()
        .map(|&capacity| {
            let auth = authenticator(capacity);
            auth.add_project(project(mode, Some(&keys()[0].public), origins)).unwrap();
            auth
        })
        .collect()
}

/// Authenticates `headers` plus, when given, an `Origin` header.
fn auth_at(
    auth: &Authenticator,
    headers: &[(&str, &str)],
    origin: Option<&str>,
    now: i64,
) -> Result<AuthenticatedUser, Error> {
    auth.authenticate(with_origin(headers, origin), now)
}

fn with_origin<'a>(headers: &[(&'a str, &'a str)], origin: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    headers.iter().copied().chain(origin.map(|o| ("Origin", o))).collect()
}

/// The CORS headers for a response to a request with this API key and origin.
fn cors_response<'a>(auth: &Authenticator, api_key: Option<&'a str>, origin: Option<&'a str>) -> CorsHeaders<'a> {
    let headers: Vec<(&str, &str)> =
        api_key.map(|k| ("x-notiflows-api-key", k)).into_iter().chain(origin.map(|o| ("Origin", o))).collect();
    auth.cors_response(headers)
}

fn cors_preflight<'a>(auth: &Authenticator, api_key: Option<&str>, origin: Option<&'a str>) -> CorsHeaders<'a> {
    auth.cors_preflight(origin.map(|o| ("Origin", o)), api_key)
}

fn auth(auth: &Authenticator, headers: &[(&str, &str)]) -> Result<AuthenticatedUser, Error> {
    auth_at(auth, headers, None, NOW)
}

/// The error code, or "ok".
fn code(result: Result<AuthenticatedUser, Error>) -> &'static str {
    result.map_or_else(|e| e.code(), |_| "ok")
}

fn token0(sub: &str) -> String {
    keys()[0].token(sub, NOW)
}

#[test]
fn api_key_missing_unknown_repeated() {
    let token = token0("alice");
    for a in setups(SECURE, &[]) {
        assert_eq!(code(auth(&a, &[("x-notiflows-user-key", &token)])), "api_key_missing");
        assert_eq!(code(auth(&a, &[])), "api_key_missing");
        assert_eq!(
            code(auth(&a, &[("x-notiflows-api-key", "pk_other"), ("x-notiflows-user-key", &token)])),
            "api_key_invalid"
        );
        assert_eq!(code(auth(&a, &[("x-notiflows-api-key", ""), ("x-notiflows-user-key", &token)])), "api_key_invalid");
        let repeated = auth(&a, &[("x-notiflows-api-key", API_KEY), ("X-Notiflows-Api-Key", API_KEY)]).unwrap_err();
        assert_eq!(repeated.kind(), ErrorKind::ApiKeyInvalid);
        assert!(repeated.to_string().contains("more than once"), "{repeated}");
        let bytes: [(&[u8], &[u8]); 2] =
            [(b"x-notiflows-api-key", b"pk_\xff"), (b"x-notiflows-user-key", token.as_bytes())];
        assert_eq!(a.authenticate(bytes, NOW).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    }
}

#[test]
fn header_names_are_case_insensitive_and_order_free() {
    let token = token0("alice");
    for a in setups(SECURE, &[]) {
        let headers = [("X-NOTIFLOWS-USER-KEY", token.as_str()), ("Accept", "*/*"), ("x-Notiflows-API-key", API_KEY)];
        assert_eq!(auth(&a, &headers).unwrap().user_id.as_str(), "alice");
    }
}

#[test]
fn secure_mode_accepts_a_valid_user_key() {
    let token = token0("user \u{e9}\"1\"");
    for a in setups(SECURE, &[]) {
        let user = auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)]).unwrap();
        assert_eq!(&*user.api_key, API_KEY);
        assert_eq!(user.user_id.as_str(), "user \u{e9}\"1\"");
        assert_eq!(user.mode, SECURE);
        assert_eq!(user.credential, Credential::UserKey);
        assert_eq!(user.expires_at, Some(NumericDate::from_seconds(NOW + 3600)));
        // A user id sent alongside is ignored: the token names the user.
        let user = auth(
            &a,
            &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "mallory"), ("x-notiflows-user-key", &token)],
        )
        .unwrap();
        assert_eq!(user.user_id.as_str(), "user \u{e9}\"1\"");
    }
}

#[test]
fn secure_mode_token_without_exp_has_no_expiry() {
    let token = keys()[0].token_with("bob", &SignOptions { now: NOW, expires_in: None, kid: Kid::Omit });
    for a in setups(SECURE, &[]) {
        let user = auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)]).unwrap();
        assert_eq!(user.expires_at, None);
    }
}

#[test]
fn secure_mode_refuses_the_user_id_header_and_missing_keys() {
    for a in setups(SECURE, &[]) {
        let err = auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "alice")]).unwrap_err();
        assert_eq!(err.code(), "user_key_missing");
        assert!(err.to_string().contains("Security Mode is on"), "{err}");
        assert_eq!(err.http_status(), 401);
        assert_eq!(code(auth(&a, &[("x-notiflows-api-key", API_KEY)])), "user_key_missing");
    }
}

#[test]
fn secure_mode_applies_every_token_rule() {
    let other_key = keys()[1].token("alice", NOW);
    let other_key_no_kid = keys()[1].token_with("alice", &SignOptions { kid: Kid::Omit, ..SignOptions::new(NOW) });
    let expired = keys()[0].token("alice", NOW - 3600);
    let future = keys()[0].token("alice", NOW + 3600);
    // Bob's claims under Alice's signature.
    let (alice, bob) = (token0("alice"), token0("bob"));
    let tampered = format!("{}.{}", bob.rsplit_once('.').unwrap().0, alice.rsplit_once('.').unwrap().1);
    for a in setups(SECURE, &[]) {
        let with = |token: &str| code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)]));
        // Its kid names no key of the project; without a kid, the active key refuses it.
        assert_eq!(with(&other_key), "key_unknown");
        assert_eq!(with(&other_key_no_kid), "signature_invalid");
        assert_eq!(with(&expired), "token_expired");
        assert_eq!(with(&future), "token_issued_in_future");
        assert_eq!(with(&tampered), "signature_invalid");
        assert_eq!(with(&format!("{alice}.x")), "token_malformed");
        assert_eq!(with("not a token"), "token_malformed");
        assert_eq!(with(""), "token_malformed");
        assert_eq!(with(&"a".repeat(100_000)), "token_too_large");
    }
}

#[test]
fn no_signing_key_is_signing_key_not_configured() {
    let token = token0("alice");
    for capacity in CACHE_CAPACITIES {
        for mode in [SECURE, DEV] {
            let a = authenticator(capacity);
            a.add_project(project(mode, None, &[])).unwrap();
            let err = auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)]).unwrap_err();
            assert_eq!(err.code(), "signing_key_not_configured", "{mode}");
        }
        let a = authenticator(capacity);
        a.add_project(project(SECURE, None, &[])).unwrap();
        assert_eq!(code(auth(&a, &[("x-notiflows-api-key", API_KEY)])), "signing_key_not_configured");
        assert_eq!(
            code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "u")])),
            "signing_key_not_configured"
        );
    }
}

#[test]
fn repeated_user_headers_are_refused_never_picked() {
    let token = token0("alice");
    let other = token0("bob");
    for mode in [SECURE, DEV] {
        for a in setups(mode, &[]) {
            let err = auth(
                &a,
                &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token), ("X-Notiflows-User-Key", &other)],
            )
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TokenMalformed);
            assert!(err.to_string().contains("x-notiflows-user-key was sent more than once"), "{err}");
            // The same token twice is still a repeat.
            let same = auth(
                &a,
                &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token), ("x-notiflows-user-key", &token)],
            );
            assert_eq!(code(same), "token_malformed");
            let ids = auth(
                &a,
                &[
                    ("x-notiflows-api-key", API_KEY),
                    ("x-notiflows-user-key", &token),
                    ("x-notiflows-user-id", "a"),
                    ("x-notiflows-user-id", "b"),
                ],
            );
            assert_eq!(code(ids), "user_id_invalid", "{mode}");
        }
    }
}

#[test]
fn development_mode_names_the_user_by_header() {
    for a in setups(DEV, &[]) {
        let user = auth(&a, &[("x-notiflows-api-key", API_KEY), ("X-Notiflows-User-Id", "user-42")]).unwrap();
        assert_eq!(user.user_id.as_str(), "user-42");
        assert_eq!(user.mode, DEV);
        assert_eq!(user.credential, Credential::UserId);
        assert_eq!(user.expires_at, None);
        let longest = "\u{e9}".repeat(128);
        assert_eq!(
            auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", &longest)]).unwrap().user_id.as_str(),
            longest
        );
        assert_eq!(code(auth(&a, &[("x-notiflows-api-key", API_KEY)])), "user_id_missing");
        let too_long = "a".repeat(257);
        for bad in ["", too_long.as_str(), "a\nb", "tab\there", "nul\0", "del\u{7f}", "c1\u{9b}"] {
            assert_eq!(
                code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", bad)])),
                "user_id_invalid",
                "{bad:?}"
            );
        }
        let not_utf8: [(&[u8], &[u8]); 2] =
            [(b"x-notiflows-api-key", API_KEY.as_bytes()), (b"x-notiflows-user-id", b"\xc3")];
        assert_eq!(a.authenticate(not_utf8, NOW).unwrap_err().kind(), ErrorKind::UserIdInvalid);
    }
}

#[test]
fn development_mode_verifies_a_user_key_and_it_wins() {
    let token = token0("from-token");
    let expired = keys()[0].token("from-token", NOW - 7200);
    for a in setups(DEV, &[]) {
        let both = [
            ("x-notiflows-api-key", API_KEY),
            ("x-notiflows-user-id", "from-header"),
            ("x-notiflows-user-key", &token),
        ];
        let user = auth(&a, &both).unwrap();
        assert_eq!(user.user_id.as_str(), "from-token");
        assert_eq!(user.credential, Credential::UserKey);
        assert_eq!(user.expires_at, Some(NumericDate::from_seconds(NOW + 3600)));
        // A bad token is an error, never a fallback to the unsigned header.
        let bad = [
            ("x-notiflows-api-key", API_KEY),
            ("x-notiflows-user-id", "from-header"),
            ("x-notiflows-user-key", &expired),
        ];
        assert_eq!(code(auth(&a, &bad)), "token_expired");
    }
}

#[test]
fn origins_are_checked_first() {
    let origins = ["https://app.example.com", "http://localhost:3000", "https://*.example.org"];
    let token = token0("alice");
    for a in setups(SECURE, &origins) {
        let with_origin = |origin: Option<&str>, token: &str| {
            code(auth_at(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)], origin, NOW))
        };
        for ok in [
            None,
            Some("https://app.example.com"),
            Some("HTTPS://App.Example.Com"),
            Some("https://app.example.com:443"),
            Some("http://localhost:3000"),
            Some("https://a.example.org"),
            Some("https://a.b.example.org"),
        ] {
            assert_eq!(with_origin(ok, &token), "ok", "{ok:?}");
        }
        for refused in [
            "https://evil-example.com",
            "https://app.example.com.evil.com",
            "https://example.org",
            "https://evil-example.org",
            "https://example.org.evil.com",
            "http://app.example.com",
            "https://app.example.com:8443",
            "http://localhost",
            "http://localhost:3001",
            "https://localhost:3000",
            "https://app.example.com/",
            "https://app.example.com/path",
            "null",
            "",
        ] {
            let err =
                auth_at(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)], Some(refused), NOW)
                    .unwrap_err();
            assert_eq!(err.code(), "origin_not_allowed", "{refused:?}");
            assert_eq!(err.http_status(), 403);
            // Before any token work: a broken token is not even looked at.
            assert_eq!(with_origin(Some(refused), "garbage"), "origin_not_allowed");
        }
        // The API key comes first: without a project there is no list to check.
        let no_key = auth_at(&a, &[("x-notiflows-user-key", &token)], Some("https://evil.test"), NOW);
        assert_eq!(code(no_key), "api_key_missing");
    }
}

#[test]
fn an_empty_origin_list_allows_every_origin() {
    let token = token0("alice");
    for a in setups(SECURE, &[]) {
        for origin in ["https://anything.test", "null", "http://localhost:1234"] {
            let result =
                auth_at(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)], Some(origin), NOW);
            assert!(result.is_ok(), "{origin}");
        }
    }
}

#[test]
fn malformed_origin_entries_are_refused_at_configuration() {
    let a = authenticator(0);
    for bad in [
        "example.com",
        "https://example.com/",
        "https://*.",
        "https://app.*.example.com",
        "https://*",
        "null",
        "*",
        "https://a.test:99999",
    ] {
        let err = a.add_project(project(SECURE, None, &["https://ok.test", bad])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{bad}");
        assert!(err.detail().is_some(), "{bad}: a detail says which rule");
        assert_eq!(err.http_status(), 500);
    }
    assert_eq!(code(auth(&a, &[("x-notiflows-api-key", API_KEY)])), "api_key_invalid", "nothing was added");

    a.add_project(project(DEV, None, &["https://ok.test"])).unwrap();
    let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "u")];
    assert_eq!(
        a.set_allowed_origins(API_KEY, &["https://ok.test", "ok.test"]).unwrap_err().kind(),
        ErrorKind::ConfigInvalid
    );
    // A refused change changes nothing.
    assert_eq!(code(auth_at(&a, &headers, Some("https://ok.test"), NOW)), "ok");
    assert_eq!(code(auth_at(&a, &headers, Some("https://new.test"), NOW)), "origin_not_allowed");
    a.set_allowed_origins(API_KEY, &["https://new.test".to_string()]).unwrap();
    assert_eq!(code(auth_at(&a, &headers, Some("https://new.test"), NOW)), "ok");
    assert_eq!(code(auth_at(&a, &headers, Some("https://ok.test"), NOW)), "origin_not_allowed");
    a.set_allowed_origins::<&str>(API_KEY, &[]).unwrap();
    assert_eq!(code(auth_at(&a, &headers, Some("https://ok.test"), NOW)), "ok");
}

#[test]
fn project_configuration() {
    let a = authenticator(16);
    let bad_key = ProjectConfig { api_key: "has space".into(), ..ProjectConfig::default() };
    assert_eq!(a.add_project(bad_key).unwrap_err().kind(), ErrorKind::ConfigInvalid);
    assert_eq!(a.add_project(ProjectConfig::default()).unwrap_err().kind(), ErrorKind::ConfigInvalid);

    // Setters on an unknown project.
    assert_eq!(a.set_signing_key("nope", None).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    assert_eq!(a.set_security_mode("nope", DEV).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    assert_eq!(a.set_allowed_origins::<&str>("nope", &[]).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    assert_eq!(a.rotate_signing_key("nope", 2048).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    assert!(!a.remove_project("nope"));

    // The default project config is Secure with no key.
    a.add_project(ProjectConfig { api_key: API_KEY.into(), ..ProjectConfig::default() }).unwrap();
    let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "u")];
    assert_eq!(code(auth(&a, &headers)), "signing_key_not_configured");
    a.set_security_mode(API_KEY, DEV).unwrap();
    assert_eq!(code(auth(&a, &headers)), "ok");
    // Adding again replaces.
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    assert_eq!(code(auth(&a, &headers)), "user_key_missing");
    assert!(a.remove_project(API_KEY));
    assert_eq!(code(auth(&a, &headers)), "api_key_invalid");

    // Several projects side by side.
    let mut second = project(DEV, None, &[]);
    second.api_key = "pk_second".into();
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    a.add_project(second).unwrap();
    assert_eq!(code(auth(&a, &headers)), "user_key_missing");
    assert_eq!(
        &*auth(&a, &[("x-notiflows-api-key", "pk_second"), ("x-notiflows-user-id", "u")]).unwrap().api_key,
        "pk_second"
    );
}

#[test]
fn invalid_policy_is_config_invalid() {
    let policy = Policy { max_token_bytes: 0, ..Policy::default() };
    let err = Authenticator::new(AuthenticatorOptions { policy, cache_capacity: 0 }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

#[test]
fn rotation_invalidates_old_tokens_and_cached_ones() {
    let [k0, k1] = keys();
    let old = k0.token("alice", NOW);
    let new = k1.token("alice", NOW);
    for a in setups(SECURE, &[]) {
        let with = |token: &str| code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)]));
        assert_eq!(with(&old), "ok");
        assert_eq!(with(&old), "ok", "second time: from the cache when there is one");
        a.set_signing_key(API_KEY, Some(k1.public.clone())).unwrap();
        assert_eq!(with(&old), "key_unknown", "its kid names a key no longer there");
        assert_eq!(with(&new), "ok");
        a.set_signing_key(API_KEY, None).unwrap();
        assert_eq!(with(&new), "signing_key_not_configured");
        // Putting the old key back makes its tokens valid again, through a fresh verify.
        a.set_signing_key(API_KEY, Some(k0.public.clone())).unwrap();
        assert_eq!(with(&old), "ok");
        assert_eq!(with(&new), "key_unknown");
    }
}

#[test]
fn rotate_signing_key_generates_and_installs_a_new_key() {
    let a = authenticator(16);
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    let old = token0("alice");
    let with = |token: &str| code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)]));
    assert_eq!(with(&old), "ok");
    let pair = a.rotate_signing_key(API_KEY, 2048).unwrap();
    assert_eq!(with(&old), "key_unknown");
    let new = pair.signing_key().unwrap().sign_user_token("alice", &SignOptions::new(NOW)).unwrap();
    assert_eq!(with(&new), "ok");
    assert_eq!(a.rotate_signing_key(API_KEY, 1024).unwrap_err().kind(), ErrorKind::KeyUnsupported);
    assert_eq!(with(&new), "ok", "a failed rotation changes nothing");
}

#[test]
fn mode_switches_take_effect_at_once() {
    let token = token0("alice");
    for a in setups(DEV, &[]) {
        let id_only = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "bob")];
        let with_token = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token.as_str())];
        assert_eq!(code(auth(&a, &id_only)), "ok");
        assert_eq!(auth(&a, &with_token).unwrap().mode, DEV);
        a.set_security_mode(API_KEY, SECURE).unwrap();
        assert_eq!(code(auth(&a, &id_only)), "user_key_missing");
        assert_eq!(auth(&a, &with_token).unwrap().mode, SECURE, "a cached token reports the current mode");
        a.set_security_mode(API_KEY, DEV).unwrap();
        assert_eq!(code(auth(&a, &id_only)), "ok");
    }
}

#[test]
fn cached_tokens_recheck_times_on_every_hit() {
    let a = setups(SECURE, &[]).pop().unwrap();
    let with_nbf = |now: i64| {
        // iat = NOW, exp = NOW + 3600.
        code(auth_at(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token0("alice"))], None, now))
    };
    assert_eq!(with_nbf(NOW), "ok");
    assert_eq!(with_nbf(NOW + 3599), "ok");
    assert_eq!(with_nbf(NOW + 3600), "token_expired", "exp == now is expired, from the cache too");
    assert_eq!(with_nbf(NOW + 100_000), "token_expired");
    assert_eq!(with_nbf(NOW - 61), "token_issued_in_future", "iat is re-checked on a hit");
    assert_eq!(with_nbf(NOW - 60), "ok");
}

#[test]
fn cache_stats_count_hits_and_misses() {
    let a = setups(SECURE, &[]).pop().unwrap();
    let before = a.cache_stats();
    let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token0("carol"))];
    for _ in 0..3 {
        assert_eq!(code(auth_at(&a, &headers, None, NOW)), "ok");
    }
    let after = a.cache_stats();
    assert_eq!((after.hits - before.hits, after.misses - before.misses), (2, 1));
}

#[test]
fn cached_tokens_keep_the_policy() {
    let policy = Policy { leeway_seconds: 30, require_exp: true, ..Policy::default() };
    let a = Authenticator::new(AuthenticatorOptions { policy, cache_capacity: 8 }).unwrap();
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    let token = token0("alice");
    let no_exp = keys()[0].token_with("alice", &SignOptions { now: NOW, expires_in: None, kid: Kid::Omit });
    let with = |token: &str, now| {
        code(auth_at(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)], None, now))
    };
    for _ in 0..2 {
        assert_eq!(with(&token, NOW + 3629), "ok", "leeway");
        assert_eq!(with(&token, NOW + 3630), "token_expired");
        assert_eq!(with(&no_exp, NOW), "claim_missing");
    }
}

#[test]
fn a_tiny_cache_still_answers_correctly() {
    let a = authenticator(1);
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    let tokens: Vec<String> = (0..5).map(|i| token0(&format!("user{i}"))).collect();
    for round in 0..3 {
        for (i, token) in tokens.iter().enumerate() {
            let user = auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)]).unwrap();
            assert_eq!(user.user_id.as_str(), format!("user{i}"), "round {round}");
        }
    }
}

#[test]
fn shared_vectors_give_the_same_answer_verified_or_cached() {
    let policy = Policy { require_exp: true, ..Policy::default() };
    let a = Authenticator::new(AuthenticatorOptions { policy, cache_capacity: 256 }).unwrap();
    // The vectors' one valid token with a kid names the shared key "key-2023-11".
    let key = common::shared_public_key().with_kid("key-2023-11").unwrap();
    a.add_project(project(SECURE, Some(&key), &[])).unwrap();
    let cases = common::jwt_cases();
    for case in &cases {
        let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", case.token.as_str())];
        let first = a.authenticate(headers, case.now);
        let second = a.authenticate(headers, case.now);
        assert_eq!(first, second, "{}", case.name);
        // In a header, whitespace around the token is not part of it (RFC 9110): such a case
        // is the case of the token without it.
        let bare = notiflows_auth::auth::field_value(case.token.as_bytes());
        if bare != case.token.as_bytes() {
            let trimmed = [(&b"x-notiflows-api-key"[..], API_KEY.as_bytes()), (b"x-notiflows-user-key", bare)];
            assert_eq!(first, a.authenticate(trimmed, case.now), "{}", case.name);
            continue;
        }
        match (case.expect.as_str(), first) {
            ("valid", Ok(user)) => {
                assert_eq!(Some(user.user_id.as_str()), case.expected_sub.as_deref(), "{}", case.name)
            }
            ("invalid", Err(_)) => {}
            (expect, got) => panic!("{}: expected {expect}, got {got:?}", case.name),
        }
    }
}

fn headers<'a>(h: notiflows_auth::CorsHeaders<'a>) -> Vec<(&'static str, &'a str)> {
    h.iter().collect()
}

#[test]
fn cors_preflight_and_response_headers() {
    let a = authenticator(0);
    a.add_project(project(SECURE, None, &["https://app.example.com", "https://*.example.org"])).unwrap();

    let allowed = cors_preflight(&a, Some(API_KEY), Some("https://app.example.com"));
    assert_eq!(allowed.allow_origin(), Some("https://app.example.com"));
    assert_eq!(
        headers(allowed),
        [
            ("Vary", "Origin"),
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Access-Control-Allow-Headers", ALLOW_HEADERS),
            ("Access-Control-Allow-Methods", ALLOW_METHODS),
            ("Access-Control-Max-Age", MAX_AGE_SECONDS),
        ]
    );
    for name in ["x-notiflows-api-key", "x-notiflows-user-key", "x-notiflows-user-id", "content-type"] {
        assert!(ALLOW_HEADERS.split(", ").any(|h| h == name));
    }
    // The request's own spelling is echoed.
    assert_eq!(
        cors_response(&a, Some(API_KEY), Some("https://A.example.org")).allow_origin(),
        Some("https://A.example.org")
    );
    assert_eq!(
        headers(cors_response(&a, Some(API_KEY), Some("https://app.example.com"))),
        [("Vary", "Origin"), ("Access-Control-Allow-Origin", "https://app.example.com")]
    );
    for refused in ["https://evil-example.com", "https://example.org", "null", "https://app.example.com/"] {
        assert_eq!(headers(cors_preflight(&a, Some(API_KEY), Some(refused))), [("Vary", "Origin")], "{refused}");
        assert_eq!(headers(cors_response(&a, Some(API_KEY), Some(refused))), [("Vary", "Origin")], "{refused}");
    }
    assert_eq!(headers(cors_response(&a, Some(API_KEY), None)), [("Vary", "Origin")]);
    // Without a known project (a preflight has no Notiflows headers) a well-formed origin is
    // echoed; the actual request is checked by authenticate.
    assert_eq!(cors_preflight(&a, None, Some("https://any.test")).allow_origin(), Some("https://any.test"));
    assert_eq!(
        cors_response(&a, Some("pk_unknown"), Some("https://any.test")).allow_origin(),
        Some("https://any.test")
    );
    // Never echo something that is not an origin (no header injection).
    assert_eq!(cors_preflight(&a, None, Some("https://a.test\r\nSet-Cookie: x=1")).allow_origin(), None);
    assert_eq!(cors_preflight(&a, None, Some("*")).allow_origin(), None);

    // An empty list allows every browser origin, `null` included.
    a.set_allowed_origins::<&str>(API_KEY, &[]).unwrap();
    assert_eq!(cors_preflight(&a, Some(API_KEY), Some("null")).allow_origin(), Some("null"));
    assert_eq!(cors_preflight(&a, Some(API_KEY), Some("https://x.test")).allow_origin(), Some("https://x.test"));
}

#[test]
fn errors_become_http_responses() {
    for kind in ErrorKind::ALL {
        let error = Error::new(*kind);
        let response = ErrorResponse::new(&error);
        assert_eq!(response.status, kind.http_status());
        let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(body["code"], kind.code());
        assert_eq!(body["message"], error.to_string());
        assert_eq!(body.as_object().unwrap().len(), 2);
    }
    let a = authenticator(0);
    a.add_project(project(SECURE, None, &["https://app.example.com"])).unwrap();
    let err = auth_at(&a, &[("x-notiflows-api-key", API_KEY)], Some("https://evil.test"), NOW).unwrap_err();
    let response = ErrorResponse::from(err);
    assert_eq!(response.status, 403);
    assert!(response.body.starts_with(r#"{"code":"origin_not_allowed","message":""#), "{}", response.body);
    // Claim names and details are escaped as JSON strings.
    let claim = Error::claim(ErrorKind::ClaimInvalid, "sub").with_detail("a \"quoted\"\n\\ detail");
    let body: serde_json::Value = serde_json::from_str(&ErrorResponse::new(&claim).body).unwrap();
    assert_eq!(body["message"], claim.to_string());
    assert_eq!(ErrorResponse::new(&Error::new(ErrorKind::ApiKeyMissing)).status, 401);
}

#[test]
fn hostile_headers_never_panic() {
    let long = "x".repeat(1 << 20);
    for a in setups(DEV, &["https://app.example.com"]) {
        let many: Vec<(&str, &str)> = (0..10_000).map(|_| ("x-other", "v")).collect();
        assert_eq!(code(auth(&a, &many)), "api_key_missing");
        for value in [long.as_str(), "\u{0}", "\r\n", "\u{FEFF}", "x-notiflows-api-key"] {
            for name in ["x-notiflows-api-key", "x-notiflows-user-key", "x-notiflows-user-id", value] {
                let _ = auth_at(&a, &[("x-notiflows-api-key", API_KEY), (name, value)], Some(value), NOW);
                let _ = auth_at(&a, &[(name, value)], Some("https://app.example.com"), NOW);
            }
        }
    }
}

#[test]
fn a_verifier_with_a_cache() {
    use notiflows_auth::Verifier;
    let verifier = Verifier::with_cache(keys()[0].public.clone(), Policy::default(), 8).unwrap();
    assert_eq!(verifier.cache_capacity(), 8);
    let token = token0("alice");
    for _ in 0..2 {
        assert_eq!(verifier.verify(token.as_bytes(), NOW).unwrap().sub.as_str(), "alice");
        assert_eq!(verifier.verify(token.as_bytes(), NOW + 3600).unwrap_err().code(), "token_expired");
    }
    // Another key's verifier has its own cache: the token does not verify there.
    let other = Verifier::with_cache(keys()[1].public.clone(), Policy::default(), 8).unwrap();
    assert_eq!(other.verify(token.as_bytes(), NOW).unwrap_err().code(), "signature_invalid");
    // A token that failed its time rules is not cached: later it still verifies in full.
    let later = keys()[0].token("bob", NOW + 1000);
    assert_eq!(verifier.verify(later.as_bytes(), NOW).unwrap_err().code(), "token_issued_in_future");
    assert_eq!(verifier.verify(later.as_bytes(), NOW + 1000).unwrap().sub.as_str(), "bob");
    // Clones share the cache; 0 is no cache.
    assert_eq!(verifier.clone().cache_capacity(), 8);
    assert_eq!(Verifier::with_cache(keys()[0].public.clone(), Policy::default(), 0).unwrap().cache_capacity(), 0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Arbitrary origins, header values and origin entries fail cleanly, never panic.
        #[test]
        fn arbitrary_input_never_panics(
            origin in ".{0,80}",
            value in proptest::collection::vec(any::<u8>(), 0..300),
            entry in ".{0,60}",
        ) {
            let a = authenticator(4);
            let _ = a.add_project(project(DEV, Some(&keys()[0].public), &[entry.as_str()]));
            a.add_project(project(DEV, Some(&keys()[0].public), &["https://*.example.com"])).unwrap();
            for name in [&b"x-notiflows-api-key"[..], b"x-notiflows-user-key", b"x-notiflows-user-id"] {
                let headers: [(&[u8], &[u8]); 2] = [(b"x-notiflows-api-key", API_KEY.as_bytes()), (name, &value)];
                let origin: (&[u8], &[u8]) = (b"origin", origin.as_bytes());
                let _ = a.authenticate(headers.into_iter().chain([origin]), NOW);
            }
            let _ = cors_preflight(&a, Some(API_KEY), Some(&origin)).iter().count();
        }

        /// Whatever a wildcard entry lets through is a proper subdomain with the same scheme
        /// and port, and an echoed origin never carries control characters.
        #[test]
        fn wildcards_only_admit_proper_subdomains(
            origin in concat!(
                "(https|https|https|http|HTTPS|ftp)://(|||\\*|\\.)[a-zA-Z0-9_-]{0,8}(||\\.[a-zA-Z0-9_-]{0,8})",
                "(\\.example\\.com|\\.example\\.com|\\.EXAMPLE\\.com|example\\.com|\\.example\\.com\\.evil\\.com)",
                "(|||:443|:8443|:)(||||/| )",
            ),
        ) {
            let a = authenticator(0);
            a.add_project(project(DEV, None, &["https://*.example.com"])).unwrap();
            let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "u")];
            // Whitespace around a header value is not part of it (RFC 9110).
            let sent = origin.trim_matches([' ', '\t']);
            if auth_at(&a, &headers, Some(&origin), NOW).is_ok() {
                let lower = sent.to_ascii_lowercase();
                let host = lower.strip_prefix("https://").unwrap();
                let host = host.strip_suffix(":443").unwrap_or(host);
                let prefix = host.strip_suffix(".example.com").unwrap();
                prop_assert!(!prefix.is_empty() && !prefix.starts_with('.') && !prefix.ends_with('.'));
                prop_assert!(!prefix.contains(['*', ':', '/', ' ']) && !prefix.contains(".."));
                prop_assert_eq!(cors_response(&a, Some(API_KEY), Some(&origin)).allow_origin(), Some(sent));
            } else {
                prop_assert_eq!(cors_response(&a, Some(API_KEY), Some(&origin)).allow_origin(), None);
            }
        }
    }
}

#[test]
fn origin_is_a_header_read_by_the_notiflows_rule_in_the_documented_order() {
    let token = token0("alice");
    for a in setups(SECURE, &["https://app.example.com"]) {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut headers = vec![("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token.as_str())];
            headers.extend_from_slice(extra);
            a.authenticate(headers, NOW)
        };
        assert_eq!(code(with(&[("Origin", "https://app.example.com")])), "ok");
        assert_eq!(code(with(&[("origin", "https://evil.example.net")])), "origin_not_allowed");
        assert_eq!(code(with(&[])), "ok", "no Origin: not a browser, not origin-checked");
        let twice = with(&[("Origin", "https://app.example.com"), ("ORIGIN", "https://app.example.com")]).unwrap_err();
        assert_eq!((twice.kind(), twice.http_status()), (ErrorKind::OriginNotAllowed, 403));
        assert!(twice.to_string().contains("sent more than once"), "{twice}");
        let bytes: [(&[u8], &[u8]); 3] = [
            (b"x-notiflows-api-key", API_KEY.as_bytes()),
            (b"x-notiflows-user-key", token.as_bytes()),
            (b"Origin", b"https://app.example.com\xff"),
        ];
        let not_utf8 = a.authenticate(bytes, NOW).unwrap_err();
        assert_eq!(not_utf8.kind(), ErrorKind::OriginNotAllowed);
        assert!(not_utf8.to_string().contains("not UTF-8"), "{not_utf8}");
        // The API key comes first: a repeated Origin does not hide a missing or unknown key.
        let origins = [("Origin", "https://a.test"), ("Origin", "https://b.test")];
        assert_eq!(code(a.authenticate(origins, NOW)), "api_key_missing");
        let unknown = [("x-notiflows-api-key", "pk_other"), origins[0], origins[1]];
        assert_eq!(code(a.authenticate(unknown, NOW)), "api_key_invalid");
        // Then the origin, before the user headers.
        let dup_user = [
            ("x-notiflows-api-key", API_KEY),
            ("Origin", "https://evil.test"),
            ("x-notiflows-user-key", "a"),
            ("x-notiflows-user-key", "b"),
        ];
        assert_eq!(code(a.authenticate(dup_user, NOW)), "origin_not_allowed");
    }
    // With an empty list a repeated Origin is still refused: no browser sends one.
    for a in setups(SECURE, &[]) {
        let headers = [("x-notiflows-api-key", API_KEY), ("Origin", "https://a.test"), ("Origin", "https://a.test")];
        assert_eq!(code(a.authenticate(headers, NOW)), "origin_not_allowed");
    }
}

#[test]
fn header_values_lose_surrounding_whitespace_only() {
    let token = token0("alice");
    let padded = format!(" \t{token}\t ");
    for a in setups(SECURE, &["https://app.example.com"]) {
        let headers = [("x-notiflows-api-key", " pk_test_project "), ("x-notiflows-user-key", padded.as_str())];
        let user = a.authenticate(headers.into_iter().chain([("Origin", "\thttps://app.example.com ")]), NOW).unwrap();
        assert_eq!(user.user_id.as_str(), "alice");
        // Inside a value nothing changes: a space in the token is still refused.
        let inner = format!("{} ", &token[..10]) + &token[10..];
        assert_ne!(code(auth(&a, &[("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &inner)])), "ok");
    }
    assert_eq!(API_KEY, "pk_test_project");
}

#[test]
fn cors_reads_origin_and_api_key_from_the_request_headers() {
    let a = authenticator(0);
    a.add_project(project(SECURE, None, &["https://app.example.com"])).unwrap();
    let allowed = [("x-notiflows-api-key", API_KEY), ("Origin", "https://app.example.com")];
    assert_eq!(a.cors_response(allowed).allow_origin(), Some("https://app.example.com"));
    let refused = [("x-notiflows-api-key", API_KEY), ("Origin", "https://evil.test")];
    assert_eq!(a.cors_response(refused).allow_origin(), None);
    // An Origin that authenticate refuses is never echoed.
    let twice = [("x-notiflows-api-key", API_KEY), ("Origin", "https://app.example.com"), ("Origin", "https://x.test")];
    assert_eq!(a.cors_response(twice).allow_origin(), None);
    // A preflight has no Notiflows headers; the API key may come from elsewhere.
    let preflight = [("Origin", "https://evil.test"), ("Access-Control-Request-Method", "POST")];
    assert_eq!(a.cors_preflight(preflight, None).allow_origin(), Some("https://evil.test"));
    assert_eq!(a.cors_preflight(preflight, Some(API_KEY)).allow_origin(), None);
    assert_eq!(a.cors_preflight(preflight, Some(API_KEY)).iter().count(), 1);
}

#[test]
fn max_lifetime_compares_the_exact_dates() {
    let policy = Policy { max_lifetime_seconds: Some(1000), ..Policy::default() };
    let key = &keys()[0];
    let verifier = notiflows_auth::Verifier::with_policy(key.public.clone(), policy).unwrap();
    let claims = |exp: &str| format!(r#"{{"sub":"u","iat":1700000000,"exp":{exp}}}"#);
    let now = 1_700_000_000;
    assert!(verifier.verify(key.sign_claims(&claims("1700001000")).as_bytes(), now).is_ok());
    for over in ["1700001000.9", "1700001000.001", "1.7000010001e9"] {
        let err = verifier.verify(key.sign_claims(&claims(over)).as_bytes(), now).unwrap_err();
        assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimInvalid, Some("exp")), "{over}");
    }
    let fractional_iat = r#"{"sub":"u","iat":1699999999.5,"exp":1700000999.5}"#;
    assert!(verifier.verify(key.sign_claims(fractional_iat).as_bytes(), now).is_ok());
    // 0 is not "no limit": it is refused; None is no limit.
    let zero = Policy { max_lifetime_seconds: Some(0), ..Policy::default() };
    assert_eq!(zero.validate().unwrap_err().kind(), ErrorKind::ConfigInvalid);
    assert_eq!(
        Authenticator::new(AuthenticatorOptions { policy: zero, cache_capacity: 0 }).unwrap_err().code(),
        "config_invalid"
    );
}

#[test]
fn signing_with_a_zero_lifetime_is_refused() {
    let key = keys()[0].signing.clone();
    let err = key.sign_user_token("u", &SignOptions { expires_in: Some(0), ..SignOptions::new(NOW) }).unwrap_err();
    assert_eq!((err.kind(), err.claim_name()), (ErrorKind::ClaimInvalid, Some("exp")));
    assert!(key.sign_user_token("u", &SignOptions { expires_in: Some(1), ..SignOptions::new(NOW) }).is_ok());
}

#[test]
fn every_provider_authenticates_alike_and_is_named() {
    let token = keys()[0].token("user-p", NOW);
    let other = keys()[1].token("user-p", NOW);
    let requests: [(&str, i64); 4] = [(&token, NOW), (&token, NOW + 7200), (&other, NOW), ("a.b.c", NOW)];
    let mut answers = Vec::new();
    for provider in Provider::ALL {
        for capacity in CACHE_CAPACITIES {
            let auth = authenticator_with(provider, capacity);
            assert_eq!(auth.provider(), provider);
            assert!(format!("{auth:?}").contains(provider.name()));
            auth.add_project(project(SecurityMode::Secure, Some(&keys()[0].public), &[])).unwrap();
            let results: Vec<_> = requests
                .iter()
                .map(|&(t, now)| {
                    auth.authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", t)], now)
                })
                .collect();
            assert_eq!(results[0].as_ref().map(|u| u.user_id.as_str()), Ok("user-p"), "{provider}");
            answers.push(results);
        }
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
}
