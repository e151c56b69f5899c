//! `Verifier::verify_cached` and `Authenticator::authenticate_cached` (issue 15 §2): the
//! decisions that need no RSA work, answered as the full calls answer them, and `None`
//! exactly when a signature must be verified.

mod auth_support;

use auth_support::{authenticator, keys, project, API_KEY, CACHE_CAPACITIES, NOW};
use notiflows_auth::{AuthenticatedUser, Error, Kid, Policy, SecurityMode, SignOptions, Verifier};

/// An answer as something comparable: the claims or user, or the error's code and message.
fn outcome<T: std::fmt::Debug>(result: &Result<T, Error>) -> String {
    match result {
        Ok(value) => format!("ok {value:?}"),
        Err(e) => format!("{} {}", e.code(), e),
    }
}

/// Tokens that reach every decision: valid, expired, refused before the signature (size,
/// segments, base64, header), refused by the signature, and refused after it (claims).
fn tokens() -> Vec<(&'static str, String)> {
    let [k0, k1] = keys();
    let mut bad_signature = k0.token("alice", NOW);
    let last = bad_signature.pop().unwrap();
    bad_signature.push(if last == 'A' { 'B' } else { 'A' });
    vec![
        ("valid", k0.token("alice", NOW)),
        ("valid without kid", k0.token_with("bob", &SignOptions { kid: Kid::Omit, ..SignOptions::new(NOW) })),
        ("expired at now", k0.token_with("carol", &SignOptions { expires_in: Some(1), ..SignOptions::new(NOW - 1) })),
        ("too large", "a".repeat(9000)),
        ("two segments", "a.b".into()),
        ("bad base64", "a.e30.c".into()),
        ("alg none", k0.sign_parts(br#"{"alg":"none"}"#, r#"{"sub":"x"}"#)),
        ("unknown kid", k0.sign_parts(br#"{"alg":"RS256","kid":"nope"}"#, r#"{"sub":"x"}"#)),
        ("other key", k1.token("dave", NOW)),
        ("bad signature", bad_signature),
        ("claims invalid", k0.sign_claims(r#"{"sub":""}"#)),
    ]
}

/// Whether the full call reaches the RSA verify for this token on a cold cache. A project's
/// key set refuses a kid it does not hold before any RSA work ("unknown kid", and "other
/// key", which carries the other key's kid); a one-key Verifier ignores kids.
fn needs_rsa(name: &str, key_set: bool) -> bool {
    match name {
        "valid" | "valid without kid" | "expired at now" | "bad signature" | "claims invalid" => true,
        "unknown kid" | "other key" => !key_set,
        _ => false,
    }
}

#[test]
fn verify_cached_agrees_with_verify() {
    let key = keys()[0].public.clone();
    for capacity in CACHE_CAPACITIES {
        let verifier = Verifier::with_cache(key.clone(), Policy::default(), capacity).unwrap();
        for (name, token) in tokens() {
            let cold = verifier.verify_cached(token.as_bytes(), NOW);
            let full = verifier.verify(token.as_bytes(), NOW);
            match cold {
                None => assert!(needs_rsa(name, false), "{name}: a refusal before the signature must be answered"),
                Some(answer) => {
                    assert!(!needs_rsa(name, false), "{name}: answered without RSA work");
                    assert_eq!(outcome(&answer), outcome(&full), "{name}");
                }
            }
            // After the full call, a verified token is a cache hit (with a cache): answered,
            // and identically, also later when it has expired.
            let warm = verifier.verify_cached(token.as_bytes(), NOW);
            if capacity > 0 && full.is_ok() {
                assert_eq!(outcome(&warm.expect(name)), outcome(&full), "{name}, cache hit");
                let later = NOW + 7200;
                let hit = verifier.verify_cached(token.as_bytes(), later).expect(name);
                assert_eq!(outcome(&hit), outcome(&verifier.verify(token.as_bytes(), later)), "{name}, expired hit");
            } else {
                assert_eq!(warm.is_none(), needs_rsa(name, false), "{name}: nothing is cached but verified tokens");
            }
        }
    }
}

fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    pairs.to_vec()
}

fn user_outcome(a: &notiflows_auth::Authenticator, pairs: &[(&str, &str)], now: i64) -> String {
    outcome::<AuthenticatedUser>(&a.authenticate(headers(pairs), now))
}

#[test]
fn authenticate_cached_agrees_with_authenticate() {
    for capacity in CACHE_CAPACITIES {
        let a = authenticator(capacity);
        a.add_project(project(SecurityMode::Secure, Some(&keys()[0].public), &["https://app.example.com"])).unwrap();
        let dev =
            notiflows_auth::ProjectConfig { api_key: "pk_dev".into(), ..project(SecurityMode::Development, None, &[]) };
        a.add_project(dev).unwrap();
        // Request-level decisions: never any RSA work, always answered.
        let requests: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("x-notiflows-api-key", "pk_nope")],
            vec![("x-notiflows-api-key", API_KEY), ("x-notiflows-api-key", API_KEY)],
            vec![("x-notiflows-api-key", API_KEY), ("origin", "https://evil.test")],
            vec![("x-notiflows-api-key", API_KEY)],
            vec![("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "eve")],
            vec![("x-notiflows-api-key", "pk_dev"), ("x-notiflows-user-id", "eve")],
            vec![("x-notiflows-api-key", "pk_dev"), ("x-notiflows-user-id", "\u{1}")],
            vec![("x-notiflows-api-key", "pk_dev")],
        ];
        for request in &requests {
            let answer = a.authenticate_cached(request.clone(), NOW).expect("a request-level decision");
            assert_eq!(outcome(&answer), user_outcome(&a, request, NOW), "{request:?}");
        }
        // Token decisions, as for the Verifier; the project's key set chooses by kid, so an
        // unknown kid is refused before any RSA work here.
        for (name, token) in tokens() {
            let request = [
                ("x-notiflows-api-key", API_KEY),
                ("x-notiflows-user-key", token.as_str()),
                ("origin", "https://app.example.com"),
            ];
            let full = user_outcome(&a, &request, NOW);
            let cold_state = authenticator(capacity);
            cold_state
                .add_project(project(SecurityMode::Secure, Some(&keys()[0].public), &["https://app.example.com"]))
                .unwrap();
            match cold_state.authenticate_cached(request, NOW) {
                None => assert!(needs_rsa(name, true), "{name}: a refusal before the signature must be answered"),
                Some(answer) => {
                    assert!(!needs_rsa(name, true), "{name}: answered without RSA work");
                    assert_eq!(outcome(&answer), full, "{name}");
                }
            }
            let warm = a.authenticate_cached(request, NOW);
            if capacity > 0 && full.starts_with("ok") {
                assert_eq!(outcome(&warm.expect(name)), full, "{name}, cache hit");
                let later = NOW + 7200;
                let hit = a.authenticate_cached(request, later).expect(name);
                assert_eq!(outcome(&hit), user_outcome(&a, &request, later), "{name}, expired hit");
            } else {
                assert_eq!(warm.is_none(), needs_rsa(name, true), "{name}");
            }
        }
        // A change after a hit: the cache never answers against the old state.
        let token = keys()[0].token("alice", NOW);
        let request = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token.as_str())];
        a.authenticate(request, NOW).unwrap();
        a.revoke_tokens_issued_before(API_KEY, NOW + 1).unwrap();
        let after = a.authenticate_cached(request, NOW);
        assert!(after.is_none() || outcome(&after.unwrap()) == user_outcome(&a, &request, NOW));
        assert_eq!(user_outcome(&a, &request, NOW).split(' ').next(), Some("token_revoked"));
        let stats = a.cache_stats();
        assert!(capacity == 0 || stats.hits > 0, "{stats:?}");
    }
}
