//! Key sets (issue 12) through the public API: selection by `kid`, rotation with an overlap,
//! removal, revocation cut-offs, per-project lifetime rules, the cache across each change,
//! JWK Sets and the project document.

mod auth_support;

use auth_support::{project, Keys, API_KEY, CACHE_CAPACITIES, NOW};
use notiflows_auth::config::{project_from_json, project_to_json, read_project};
use notiflows_auth::{
    jwk_set, parse_jwk_set, Authenticator, AuthenticatorOptions, ErrorKind, KeySet, Kid, LifetimeOverrides, Policy,
    ProjectConfig, PublicKey, RetiringKey, SecurityMode, SignOptions, UserRevocation, MAX_OVERLAP_SECONDS,
};
use serde_json::{json, Value};
use std::sync::OnceLock;

const SECURE: SecurityMode = SecurityMode::Secure;

/// Nine key pairs generated once per test binary (one more than a project may hold).
fn keys() -> &'static [Keys] {
    static KEYS: OnceLock<Vec<Keys>> = OnceLock::new();
    KEYS.get_or_init(|| (0..9).map(|_| Keys::generate()).collect())
}

fn authenticator(cache_capacity: usize) -> Authenticator {
    Authenticator::new(AuthenticatorOptions { policy: Policy::default(), cache_capacity }).unwrap()
}

/// One authenticator per cache setting, each with the project holding `keys()[0]`.
fn setups() -> Vec<Authenticator> {
    CACHE_CAPACITIES
        .iter()
        .map(|&c| {
            let a = authenticator(c);
            a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
            a
        })
        .collect()
}

/// The code of authenticating `token` at `now` ("ok" on success).
fn code(a: &Authenticator, token: &str, now: i64) -> String {
    match a.authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token)], now) {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

fn with_kid(key: &Keys, sub: &str, kid: Kid<'_>) -> String {
    key.token_with(sub, &SignOptions { kid, ..SignOptions::new(NOW) })
}

#[test]
fn a_kid_selects_among_the_projects_keys_only() {
    let [k0, k1] = [&keys()[0], &keys()[1]];
    let odd_header = |kid: &str| {
        let header = format!(r#"{{"alg":"RS256","typ":"JWT","kid":{kid}}}"#);
        k0.sign_parts(header.as_bytes(), &format!(r#"{{"sub":"alice","iat":{NOW}}}"#))
    };
    for a in setups() {
        assert_eq!(code(&a, &k0.token("alice", NOW), NOW), "ok", "the key's own kid");
        assert_eq!(code(&a, &with_kid(k0, "alice", Kid::Omit), NOW), "ok", "no kid: the active key");
        assert_eq!(code(&a, &with_kid(k0, "alice", Kid::Custom("nope")), NOW), "key_unknown");
        // Another key's token, with its kid or without: never a second RSA verify.
        assert_eq!(code(&a, &k1.token("alice", NOW), NOW), "key_unknown");
        assert_eq!(code(&a, &with_kid(k1, "alice", Kid::Omit), NOW), "signature_invalid");
        // Odd kids name no key: other bytes, not a string, 10 KB long.
        for kid in [
            r#""caf\u00e9""#.to_owned(),
            r#""a b""#.into(),
            r#""""#.into(),
            "7".into(),
            r#"{"k":1}"#.into(),
            r#"null"#.into(),
            format!(r#""{}""#, "k".repeat(129)),
        ] {
            assert_eq!(code(&a, &odd_header(&kid), NOW), "key_unknown", "{kid:.40}");
        }
        // 10 KB of kid: over the default token size (refused for that first); under the
        // largest size limit, refused as naming no key, its length checked first.
        let huge = odd_header(&format!(r#""{}""#, "k".repeat(10_000)));
        assert_eq!(code(&a, &huge, NOW), "token_too_large");
        let big = Authenticator::new(AuthenticatorOptions {
            policy: Policy { max_token_bytes: 16 * 1024, ..Policy::default() },
            cache_capacity: 0,
        })
        .unwrap();
        big.add_project(project(SECURE, Some(&k0.public), &[])).unwrap();
        assert_eq!(code(&big, &huge, NOW), "key_unknown");
        // An escaped kid is compared unescaped.
        let kid = k0.public.kid();
        let escaped = format!("\\u{:04x}{}", kid.as_bytes()[0], &kid[1..]);
        assert_eq!(code(&a, &odd_header(&format!("\"{escaped}\"")), NOW), "ok");
    }
}

#[test]
fn a_custom_kid_is_configured_and_signed_explicitly() {
    let k0 = &keys()[0];
    let named = k0.public.clone().with_kid("key-2026-12").unwrap();
    assert_eq!(named.kid(), "key-2026-12");
    assert_eq!(named.thumbprint(), k0.public.kid());
    for bad in ["", "a b", "caf\u{e9}", "\n", &"k".repeat(129)] {
        assert_eq!(k0.public.clone().with_kid(bad).unwrap_err().kind(), ErrorKind::ConfigInvalid, "{bad:?}");
    }
    assert!(k0.public.clone().with_kid(&"k".repeat(128)).is_ok());
    let a = authenticator(64);
    a.add_project(project(SECURE, Some(&named), &[])).unwrap();
    assert_eq!(code(&a, &with_kid(k0, "alice", Kid::Custom("key-2026-12")), NOW), "ok");
    assert_eq!(code(&a, &k0.token("alice", NOW), NOW), "key_unknown", "the thumbprint is not its kid now");
}

#[test]
fn rotation_with_overlap_keeps_the_previous_key_until_its_deadline_to_the_second() {
    let [k0, k1, k2] = [&keys()[0], &keys()[1], &keys()[2]];
    let old = k0.token("alice", NOW);
    let old_no_kid = with_kid(k0, "alice", Kid::Omit);
    let new = k1.token("alice", NOW);
    const OVERLAP: u64 = 600;
    let until = NOW + 600;
    for a in setups() {
        assert_eq!(code(&a, &old, NOW), "ok");
        a.set_signing_key_with_overlap(API_KEY, k1.public.clone(), NOW, OVERLAP).unwrap();
        assert_eq!(code(&a, &new, NOW), "ok");
        assert_eq!(code(&a, &old, NOW), "ok", "the retiring key still verifies");
        assert_eq!(code(&a, &old, until - 1), "ok", "until - 1");
        assert_eq!(code(&a, &old, until), "key_unknown", "until: gone, even from the cache");
        assert_eq!(code(&a, &old, until - 1), "ok", "the clock passed in decides");
        assert_eq!(code(&a, &old_no_kid, NOW), "signature_invalid", "no kid: the active key only");
        let config = a.project_config(API_KEY).unwrap();
        assert_eq!(config.signing_public_key.as_ref().map(PublicKey::kid), Some(k1.public.kid()));
        assert_eq!(config.retiring_keys, [RetiringKey { key: k0.public.clone(), until }]);
        // A second rotation after the deadline drops the expired key.
        a.set_signing_key_with_overlap(API_KEY, k2.public.clone(), until, OVERLAP).unwrap();
        let kids: Vec<String> =
            a.project_config(API_KEY).unwrap().retiring_keys.iter().map(|r| r.key.kid().into()).collect();
        assert_eq!(kids, [k1.public.kid()]);
        assert_eq!(code(&a, &old, NOW), "key_unknown");
        assert_eq!(code(&a, &new, until + 1), "ok");
        // Rotate now removes every other key at once.
        a.set_signing_key(API_KEY, Some(k0.public.clone())).unwrap();
        assert_eq!(code(&a, &new, NOW), "key_unknown");
        assert!(a.project_config(API_KEY).unwrap().retiring_keys.is_empty());
    }
}

#[test]
fn overlap_and_key_count_are_capped() {
    let a = authenticator(0);
    a.add_project(project(SECURE, Some(&keys()[0].public), &[])).unwrap();
    for overlap in [0, MAX_OVERLAP_SECONDS + 1, u64::MAX] {
        let err = a.set_signing_key_with_overlap(API_KEY, keys()[1].public.clone(), NOW, overlap).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{overlap}");
        let err = a.rotate_signing_key_with_overlap(API_KEY, 2048, NOW, overlap).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{overlap}");
    }
    let err = a.set_signing_key_with_overlap(API_KEY, keys()[1].public.clone(), i64::MAX - 10, 11).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "a deadline past the end of time");
    // Seven rotations within the overlap: 8 keys. The eighth is one too many.
    for (i, key) in keys()[1..8].iter().enumerate() {
        a.set_signing_key_with_overlap(API_KEY, key.public.clone(), NOW + i as i64, MAX_OVERLAP_SECONDS).unwrap();
    }
    let config = a.project_config(API_KEY).unwrap();
    assert_eq!(config.retiring_keys.len(), 7);
    let err = a.set_signing_key_with_overlap(API_KEY, keys()[8].public.clone(), NOW + 8, 60).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert_eq!(a.project_config(API_KEY).unwrap(), config, "a refused change changes nothing");
    // Every one of the 8 keys verifies its own tokens, by kid.
    for key in &keys()[..8] {
        assert_eq!(code(&a, &key.token("alice", NOW + 10), NOW + 10), "ok");
    }
    // The same caps when a project is added whole.
    let nine = ProjectConfig {
        retiring_keys: keys()[1..].iter().map(|k| RetiringKey { key: k.public.clone(), until: NOW }).collect(),
        ..project(SECURE, Some(&keys()[0].public), &[])
    };
    assert_eq!(a.add_project(nine).unwrap_err().kind(), ErrorKind::ConfigInvalid);
    let duplicate = ProjectConfig {
        retiring_keys: vec![RetiringKey { key: keys()[0].public.clone(), until: NOW }],
        ..project(SECURE, Some(&keys()[0].public), &[])
    };
    assert_eq!(a.add_project(duplicate).unwrap_err().kind(), ErrorKind::ConfigInvalid);
}

#[test]
fn removing_a_key_refuses_its_tokens_at_once() {
    let [k0, k1] = [&keys()[0], &keys()[1]];
    for a in setups() {
        a.set_signing_key_with_overlap(API_KEY, k1.public.clone(), NOW, 3600).unwrap();
        assert_eq!(code(&a, &k0.token("alice", NOW), NOW), "ok");
        assert!(a.remove_signing_key(API_KEY, k0.public.kid()).unwrap());
        assert!(!a.remove_signing_key(API_KEY, k0.public.kid()).unwrap());
        assert_eq!(code(&a, &k0.token("alice", NOW), NOW), "key_unknown");
        assert!(a.remove_signing_key(API_KEY, k1.public.kid()).unwrap());
        assert_eq!(code(&a, &k1.token("alice", NOW), NOW), "signing_key_not_configured");
        assert_eq!(a.remove_signing_key("pk_nope", "k").unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    }
    // No active key but a retiring one: a token without kid has no key to check against.
    let a = authenticator(0);
    a.add_project(project(SECURE, Some(&k0.public), &[])).unwrap();
    a.set_signing_key_with_overlap(API_KEY, k1.public.clone(), NOW, 3600).unwrap();
    a.remove_signing_key(API_KEY, k1.public.kid()).unwrap();
    assert_eq!(code(&a, &with_kid(k0, "alice", Kid::Omit), NOW), "key_unknown");
    assert_eq!(code(&a, &k0.token("alice", NOW), NOW), "ok");
}

#[test]
fn revocation_cut_offs_for_the_project_and_for_one_user() {
    let k0 = &keys()[0];
    let at = |sub: &str, iat: i64| k0.token(sub, iat);
    let no_iat = k0.sign_parts(
        format!(r#"{{"alg":"RS256","kid":"{}"}}"#, k0.public.kid()).as_bytes(),
        &format!(r#"{{"sub":"alice","exp":{}}}"#, NOW + 7200),
    );
    let fraction = k0.sign_parts(
        format!(r#"{{"alg":"RS256","kid":"{}"}}"#, k0.public.kid()).as_bytes(),
        &format!(r#"{{"sub":"alice","iat":{}.5}}"#, NOW - 1),
    );
    for a in setups() {
        for t in [at("alice", NOW - 10), at("bob", NOW - 10), no_iat.clone(), fraction.clone()] {
            assert_eq!(code(&a, &t, NOW), "ok", "cached before the cut-off");
        }
        a.revoke_user_tokens_issued_before(API_KEY, "alice", NOW).unwrap();
        assert_eq!(code(&a, &at("alice", NOW - 10), NOW), "token_revoked", "a cached token too");
        assert_eq!(code(&a, &fraction, NOW), "token_revoked", "iat NOW - 0.5 < NOW");
        assert_eq!(code(&a, &no_iat, NOW), "token_revoked", "no iat: it cannot prove it is newer");
        assert_eq!(code(&a, &at("alice", NOW), NOW), "ok", "iat == cut-off is not before it");
        assert_eq!(code(&a, &at("bob", NOW - 10), NOW), "ok", "another user");
        // Cut-offs only move forward.
        a.revoke_user_tokens_issued_before(API_KEY, "alice", NOW - 100).unwrap();
        assert_eq!(code(&a, &at("alice", NOW - 10), NOW), "token_revoked");
        a.revoke_tokens_issued_before(API_KEY, NOW + 5).unwrap();
        assert_eq!(code(&a, &at("bob", NOW - 10), NOW + 10), "token_revoked");
        assert_eq!(code(&a, &at("bob", NOW + 5), NOW + 10), "ok");
        let config = a.project_config(API_KEY).unwrap();
        assert_eq!(config.revoked_before, Some(NOW + 5));
        assert_eq!(config.user_revocations, [UserRevocation { user_id: "alice".into(), revoked_before: NOW }]);
        for bad in ["", &"u".repeat(2049)] {
            let err = a.revoke_user_tokens_issued_before(API_KEY, bad, NOW).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
        }
        assert_eq!(a.revoke_tokens_issued_before("pk_nope", NOW).unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    }
}

#[test]
fn user_revocations_are_bounded_and_pruned() {
    let a = authenticator(0);
    let users: Vec<UserRevocation> =
        (0..10_000).map(|i| UserRevocation { user_id: format!("user{i}"), revoked_before: NOW }).collect();
    let config = ProjectConfig {
        user_revocations: users.clone(),
        lifetime: LifetimeOverrides { max_lifetime_seconds: Some(3600), ..LifetimeOverrides::default() },
        ..project(SECURE, Some(&keys()[0].public), &[])
    };
    a.add_project(config.clone()).unwrap();
    // The whole list travels in a project document (lifetime members included).
    let text = project_to_json(&a.project_config(API_KEY).unwrap());
    assert!(text.len() > 64 * 1024);
    assert_eq!(project_from_json(text.as_bytes()).unwrap(), a.project_config(API_KEY).unwrap());
    let err = a.revoke_user_tokens_issued_before(API_KEY, "one-more", NOW).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    a.revoke_user_tokens_issued_before(API_KEY, "user1", NOW + 1).unwrap();
    let mut over = config.clone();
    over.user_revocations.push(UserRevocation { user_id: "one-more".into(), revoked_before: NOW });
    assert_eq!(a.add_project(over).unwrap_err().kind(), ErrorKind::ConfigInvalid);
    // Before max_lifetime has passed nothing can be dropped; after it, every entry.
    assert_eq!(a.prune_revocations(API_KEY, NOW + 3599).unwrap(), 0);
    assert_eq!(a.prune_revocations(API_KEY, NOW + 3600).unwrap(), 9_999);
    assert_eq!(a.project_config(API_KEY).unwrap().user_revocations.len(), 1);
    // Without a maximum lifetime, a token issued before any cut-off may still be valid: kept.
    let b = authenticator(0);
    b.add_project(ProjectConfig { lifetime: LifetimeOverrides::default(), ..config }).unwrap();
    assert_eq!(b.prune_revocations(API_KEY, i64::MAX).unwrap(), 0);
    // A user's cut-off at or below the project's is redundant.
    b.revoke_tokens_issued_before(API_KEY, NOW).unwrap();
    assert_eq!(b.prune_revocations(API_KEY, NOW).unwrap(), 10_000);
}

#[test]
fn lifetime_rules_per_project_override_the_authenticators() {
    let k0 = &keys()[0];
    let week = k0.token_with("alice", &SignOptions { expires_in: Some(7 * 86_400), ..SignOptions::new(NOW) });
    let forever = k0.token_with("alice", &SignOptions { expires_in: None, ..SignOptions::new(NOW) });
    for cache in CACHE_CAPACITIES {
        let a = authenticator(cache);
        let strict = LifetimeOverrides {
            require_exp: Some(true),
            max_lifetime_seconds: Some(86_400),
            leeway_seconds: Some(30),
            iat_skew_seconds: Some(0),
        };
        a.add_project(ProjectConfig { lifetime: strict, ..project(SECURE, Some(&k0.public), &[]) }).unwrap();
        a.add_project(ProjectConfig { api_key: "pk_lax".into(), ..project(SECURE, Some(&k0.public), &[]) }).unwrap();
        let lax =
            |t: &str| a.authenticate([("x-notiflows-api-key", "pk_lax"), ("x-notiflows-user-key", t)], NOW).map(|_| ());
        assert_eq!(code(&a, &week, NOW), "claim_invalid", "over the project's max lifetime");
        assert_eq!(code(&a, &forever, NOW), "claim_missing", "the project requires exp");
        assert!(lax(&week).is_ok() && lax(&forever).is_ok(), "the authenticator's defaults elsewhere");
        let day = k0.token_with("alice", &SignOptions { expires_in: Some(86_400), ..SignOptions::new(NOW) });
        assert_eq!(code(&a, &day, NOW + 86_400 + 29), "ok", "leeway 30");
        assert_eq!(code(&a, &day, NOW + 86_400 + 30), "token_expired");
        assert_eq!(code(&a, &k0.token("alice", NOW + 1), NOW), "token_issued_in_future", "iat skew 0");
        assert_eq!(a.project_config(API_KEY).unwrap().lifetime, strict);
        let zero = LifetimeOverrides { max_lifetime_seconds: Some(0), ..LifetimeOverrides::default() };
        let err = a.add_project(ProjectConfig { lifetime: zero, ..project(SECURE, None, &[]) }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "validated by Policy::validate");
    }
}

#[test]
fn every_change_makes_cached_answers_unreachable() {
    let [k0, k1] = [&keys()[0], &keys()[1]];
    let a = authenticator(64);
    a.add_project(project(SECURE, Some(&k0.public), &[])).unwrap();
    let token = k0.token("alice", NOW);
    let hits = |a: &Authenticator| a.cache_stats().hits;
    assert_eq!(code(&a, &token, NOW), "ok");
    type Change = Box<dyn Fn(&Authenticator)>;
    let changes: Vec<(&str, Change)> = vec![
        ("revoke", Box::new(|a| a.revoke_tokens_issued_before(API_KEY, NOW - 100).unwrap())),
        ("revoke user", Box::new(|a| a.revoke_user_tokens_issued_before(API_KEY, "bob", NOW).unwrap())),
        ("overlap", Box::new(move |a| a.set_signing_key_with_overlap(API_KEY, k1.public.clone(), NOW, 60).unwrap())),
        ("prune", Box::new(|a| assert_eq!(a.prune_revocations(API_KEY, NOW).unwrap(), 0))),
    ];
    for (name, change) in changes {
        assert_eq!(code(&a, &token, NOW), "ok");
        let before = hits(&a);
        assert_eq!(code(&a, &token, NOW), "ok");
        assert_eq!(hits(&a), before + 1, "{name}: answered from the cache");
        change(&a);
        let before = hits(&a);
        assert_eq!(code(&a, &token, NOW), "ok");
        assert_eq!(hits(&a), before, "{name}: verified again after the change");
    }
    assert!(a.remove_signing_key(API_KEY, k0.public.kid()).unwrap());
    assert_eq!(code(&a, &token, NOW), "key_unknown");
}

#[test]
fn a_key_set_works_alone() {
    let [k0, k1, k2] = [&keys()[0], &keys()[1], &keys()[2]];
    let set = KeySet::new(
        Some(k0.public.clone()),
        vec![RetiringKey { key: k1.public.clone(), until: NOW + 10 }],
        Policy::default(),
    )
    .unwrap();
    assert_eq!(set.verify(k0.token("a", NOW).as_bytes(), NOW).unwrap().sub.as_str(), "a");
    assert_eq!(set.verify(k1.token("b", NOW).as_bytes(), NOW + 9).unwrap().sub.as_str(), "b");
    assert_eq!(set.verify(k1.token("b", NOW).as_bytes(), NOW + 10).unwrap_err().kind(), ErrorKind::KeyUnknown);
    assert_eq!(set.verify(k2.token("c", NOW).as_bytes(), NOW).unwrap_err().kind(), ErrorKind::KeyUnknown);
    assert_eq!(set.keys().len(), 2);
}

#[test]
fn jwks_round_trip_with_the_same_keys_and_kids() {
    let [k0, k1] = [&keys()[0], &keys()[1]];
    let a = authenticator(0);
    a.add_project(project(SECURE, Some(&k0.public), &[])).unwrap();
    let named = k1.public.clone().with_kid("key-\"2\"").unwrap();
    a.set_signing_key_with_overlap(API_KEY, named.clone(), NOW, 60).unwrap();
    let text = a.jwks(API_KEY).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["keys"][0]["kid"], json!("key-\"2\""), "the active key first");
    assert_eq!(doc["keys"][1]["kid"], json!(k0.public.kid()));
    for jwk in doc["keys"].as_array().unwrap() {
        assert_eq!((&jwk["kty"], &jwk["alg"], &jwk["use"]), (&json!("RSA"), &json!("RS256"), &json!("sig")));
    }
    let read = parse_jwk_set(text.as_bytes()).unwrap();
    assert_eq!(read, [named.clone(), k0.public.clone()]);
    assert_eq!(jwk_set(&read), text);
    assert_eq!(a.jwks("pk_nope").unwrap_err().kind(), ErrorKind::ApiKeyInvalid);
    // What a gateway gets at a time: the retiring key until its deadline, not at it.
    assert_eq!(parse_jwk_set(a.jwks_at(API_KEY, NOW + 59).unwrap().as_bytes()).unwrap().len(), 2);
    let at_deadline = parse_jwk_set(a.jwks_at(API_KEY, NOW + 60).unwrap().as_bytes()).unwrap();
    assert_eq!(at_deadline.iter().map(PublicKey::kid).collect::<Vec<_>>(), ["key-\"2\""]);
    // A JWK without kid gets the thumbprint.
    let jwk: Value = serde_json::from_str(&k0.public.to_jwk()).unwrap();
    let bare = json!({ "keys": [{ "kty": "RSA", "n": jwk["n"], "e": jwk["e"] }] });
    assert_eq!(parse_jwk_set(bare.to_string().as_bytes()).unwrap()[0].kid(), k0.public.kid());
}

#[test]
fn the_jwk_set_reader_is_strict() {
    let k0 = &keys()[0];
    let jwk: Value = serde_json::from_str(&k0.public.to_jwk()).unwrap();
    let set = |members: Value| {
        let mut key = jwk.clone();
        for (k, v) in members.as_object().unwrap() {
            if v.is_null() {
                key.as_object_mut().unwrap().remove(k);
            } else {
                key[k] = v.clone();
            }
        }
        json!({ "keys": [key] }).to_string()
    };
    let refused = |text: &str| parse_jwk_set(text.as_bytes()).unwrap_err();
    let says = |text: &str, kind: ErrorKind, words: &str| {
        let err = refused(text);
        assert_eq!(err.kind(), kind, "{text:.80}");
        assert!(err.to_string().contains(words), "{err} for {text:.80}");
    };
    says(&set(json!({ "d": "AQAB" })), ErrorKind::ConfigInvalid, "a private key was given");
    says(&set(json!({ "p": "AQAB" })), ErrorKind::ConfigInvalid, "a private key was given");
    says(&set(json!({ "x5c": ["MIIB"] })), ErrorKind::ConfigInvalid, "`x5c`");
    says(&set(json!({ "foo": 1 })), ErrorKind::ConfigInvalid, "kty, n, e, kid, alg, use, key_ops");
    says(&set(json!({ "kty": "EC" })), ErrorKind::ConfigInvalid, "`kty`");
    says(&set(json!({ "kty": null })), ErrorKind::ConfigInvalid, "`kty`");
    says(&set(json!({ "alg": "RS512" })), ErrorKind::ConfigInvalid, "`alg`");
    says(&set(json!({ "use": "enc" })), ErrorKind::ConfigInvalid, "`use`");
    says(&set(json!({ "key_ops": ["sign"] })), ErrorKind::ConfigInvalid, "verify");
    says(&set(json!({ "key_ops": "verify" })), ErrorKind::ConfigInvalid, "key_ops");
    says(&set(json!({ "kid": "a b" })), ErrorKind::ConfigInvalid, "kid");
    says(&set(json!({ "n": null })), ErrorKind::ConfigInvalid, "`n` and `e`");
    says(&set(json!({ "n": "AQAB" })), ErrorKind::KeyUnsupported, "2048 to 8192 bits");
    says(&set(json!({ "n": "AA" })), ErrorKind::KeyInvalid, "leading zero");
    says(&set(json!({ "e": "AQAB=" })), ErrorKind::KeyInvalid, "base64url");
    says(&set(json!({ "n": format!("AA{}", jwk["n"].as_str().unwrap()) })), ErrorKind::KeyInvalid, "leading zero");
    assert!(parse_jwk_set(set(json!({ "key_ops": ["verify"], "alg": "RS256", "use": "sig" })).as_bytes()).is_ok());
    says(r#"{"keys":[],"extra":1}"#, ErrorKind::ConfigInvalid, "one member");
    says(r#"{"keys":{}}"#, ErrorKind::ConfigInvalid, "list of JWKs");
    says(r#"{"keys":[1]}"#, ErrorKind::ConfigInvalid, "JSON object");
    says(r#"{"keys":[],"keys":[]}"#, ErrorKind::ConfigInvalid, "strict JSON");
    says(&format!(r#"{{"keys":[{jwk},{jwk}]}}"#), ErrorKind::ConfigInvalid, "same kid");
    let nine: Vec<Value> = (0..9)
        .map(|i| {
            let mut k = jwk.clone();
            k["kid"] = json!(format!("k{i}"));
            k
        })
        .collect();
    says(&json!({ "keys": nine }).to_string(), ErrorKind::ConfigInvalid, "at most 8");
    // Size first: 64 KiB of spaces is refused for its size, not its content.
    says(&" ".repeat(64 * 1024 + 1), ErrorKind::ConfigInvalid, "64 KiB");
    assert_eq!(parse_jwk_set(br#"{"keys":[]}"#).unwrap(), []);
}

#[test]
fn the_project_document_round_trips_what_is_in_force() {
    let [k0, k1] = [&keys()[0], &keys()[1]];
    let a = authenticator(0);
    a.add_project(project(SECURE, Some(&k0.public.clone().with_kid("old").unwrap()), &["https://a.test"])).unwrap();
    a.set_signing_key_with_overlap(API_KEY, k1.public.clone(), NOW, 60).unwrap();
    a.revoke_tokens_issued_before(API_KEY, NOW - 5).unwrap();
    a.revoke_user_tokens_issued_before(API_KEY, "alice \"q\"", NOW).unwrap();
    let config = a.project_config(API_KEY).unwrap();
    let config = ProjectConfig {
        lifetime: LifetimeOverrides { require_exp: Some(true), leeway_seconds: Some(5), ..Default::default() },
        ..config
    };
    let text = project_to_json(&config);
    assert_eq!(project_from_json(text.as_bytes()).unwrap(), config);
    assert!(text.contains(r#""kid":"old""#), "{text}");
    // The strict reader refuses unknown members inside entries, naming the nearest one.
    let err =
        read_project(br#"{"api_key":"pk","user_revocations":[{"user_ids":"a","revoked_before":1}]}"#).unwrap_err();
    assert!(err.detail().contains("did you mean `user_id`?"), "{err}");
    let err = read_project(br#"{"api_key":"pk","revoked_before":1.5}"#).unwrap_err();
    assert!(err.detail().contains("`revoked_before` must be an integer"), "{err}");
    let err = read_project(br#"{"api_key":"pk","require_exp":"yes"}"#).unwrap_err();
    assert!(err.detail().contains("`require_exp` must be true or false"), "{err}");
    let err = project_from_json(br#"{"api_key":"pk","signing_public_key":"key.pem"}"#).unwrap_err();
    assert!(err.detail().contains("not as paths"), "{err}");
}
