//! The decision endpoint through a real socket: every decision, its headers, and the shapes
//! NGINX (`X-Original-Method`), Caddy (`X-Forwarded-Method`) and Envoy (original method,
//! original path appended) send.

mod common;

use common::*;
use notiflows_auth::{generate_signing_key, SignOptions};

type Headers<'a> = Vec<(&'a str, &'a str)>;
type Shape<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

#[tokio::test]
async fn secure_mode_allowed_with_identity_headers_and_cors() {
    let gate = gate().await;
    let token = token("user-42");
    let answer =
        check(gate.check(), &[("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &token), ("origin", APP)])
            .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("x-notiflows-user-id"), Some("user-42"));
    assert_eq!(answer.header("x-notiflows-project"), Some(SECURE));
    assert_eq!(answer.header("x-notiflows-mode"), Some("secure"));
    assert_eq!(answer.header("x-notiflows-credential"), Some("user_key"));
    let left: i64 = answer.header("x-notiflows-token-expires-in").unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&left), "{left}");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(answer.header("vary"), Some("Origin"));
    assert_eq!(answer.header("x-notiflows-auth-error"), None);
    assert!(answer.header("x-request-id").is_some());
}

#[tokio::test]
async fn development_mode_allowed_by_user_id() {
    let gate = gate().await;
    let answer = check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "caf\u{e9}-1")]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-notiflows-user-id"), Some("caf\u{e9}-1"));
    assert_eq!(answer.header("x-notiflows-mode"), Some("development"));
    assert_eq!(answer.header("x-notiflows-credential"), Some("user_id"));
    assert_eq!(answer.header("x-notiflows-token-expires-in"), Some(""), "sent empty, so a spoofed one is replaced");
    assert_eq!(answer.header("access-control-allow-origin"), None, "no Origin, no CORS");
}

/// Every refusal a client can meet: status, code in body and header, WWW-Authenticate on
/// 401 only, and CORS so the page can read it (except for the origin refused itself).
#[tokio::test]
async fn every_refusal_carries_its_code_and_cors() {
    let gate = gate().await;
    let other = generate_signing_key(2048).unwrap().signing_key().unwrap();
    let expired = pair().signing_key().unwrap().sign_user_token("u", &SignOptions::new(now() - 7200)).unwrap();
    let forged = token_with(&other, "u", now());
    let forged_no_kid =
        other.sign_user_token("u", &SignOptions { kid: notiflows_auth::Kid::Omit, ..SignOptions::new(now()) }).unwrap();
    let good = token("u");
    let big = "a".repeat(9000);
    let control_sub = token("bad\u{1}id");
    let long_id = "u".repeat(300);
    let cases: Vec<(&str, Headers, u16)> = vec![
        ("api_key_missing", vec![("x-notiflows-user-id", "u")], 401),
        ("api_key_invalid", vec![("x-notiflows-api-key", "pk_nope"), ("x-notiflows-user-id", "u")], 401),
        ("api_key_invalid", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-api-key", SECURE)], 401),
        ("user_key_missing", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-id", "u")], 401),
        ("user_id_missing", vec![("x-notiflows-api-key", DEV)], 401),
        ("user_id_invalid", vec![("x-notiflows-api-key", DEV), ("x-notiflows-user-id", &long_id)], 401),
        ("token_expired", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &expired)], 401),
        ("key_unknown", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &forged)], 401),
        ("signature_invalid", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &forged_no_kid)], 401),
        ("token_malformed", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", "abc")], 401),
        (
            "token_malformed",
            vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &good), ("x-notiflows-user-key", &good)],
            401,
        ),
        ("token_too_large", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &big)], 401),
        ("claim_invalid", vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &control_sub)], 401),
    ];
    for (code, mut headers, status) in cases {
        headers.push(("origin", APP));
        let answer = check(gate.check(), &headers).await;
        assert_eq!((answer.status, answer.code().as_str()), (status, code), "{answer:?}");
        assert_eq!(answer.header("x-notiflows-auth-error"), Some(code));
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert!(answer.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(answer.header("www-authenticate"), Some("Bearer error=\"invalid_token\""), "{code}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP), "{code}: CORS on the refusal");
        assert_eq!(answer.header("x-notiflows-user-id"), None);
    }
    // Secure Mode without a key yet.
    let gate = gate_with(|_| {}, Some(r#"{"projects":[{"api_key":"pk_new"}]}"#.into())).await;
    let answer = check(gate.check(), &[("x-notiflows-api-key", "pk_new"), ("x-notiflows-user-id", "u")]).await;
    assert_eq!((answer.status, answer.code().as_str()), (401, "signing_key_not_configured"));
}

#[tokio::test]
async fn origin_refusals_are_403_without_allow_origin() {
    let gate = gate().await;
    let token = token("u");
    for origins in [vec!["https://evil.example"], vec![APP, APP], vec!["http://app.example.com"]] {
        let mut headers = vec![("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", token.as_str())];
        headers.extend(origins.iter().map(|o| ("origin", *o)));
        let answer = check(gate.check(), &headers).await;
        assert_eq!((answer.status, answer.code().as_str()), (403, "origin_not_allowed"), "{origins:?}");
        assert_eq!(answer.header("x-notiflows-auth-error"), Some("origin_not_allowed"));
        assert_eq!(answer.header("www-authenticate"), None, "403 is not a token problem");
        assert_eq!(answer.header("access-control-allow-origin"), None, "the browser must block it");
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
    let bytes = b"GET /v1/check HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-notiflows-api-key: pk_dev\r\nx-notiflows-user-id: u\r\norigin: https://caf\xff.example\r\n\r\n";
    let answer = send_raw(gate.check(), bytes).await.unwrap();
    // Not UTF-8: refused by the core whatever the list (this project allows every origin).
    assert_eq!(answer.status, 403, "a non-UTF-8 Origin: {answer:?}");
    assert_eq!(answer.code(), "origin_not_allowed");
}

#[tokio::test]
async fn preflights_in_each_gateways_shape() {
    let gate = gate().await;
    let preflight = [
        ("origin", APP),
        ("access-control-request-method", "GET"),
        ("access-control-request-headers", "x-notiflows-api-key"),
    ];
    let shapes: [Shape; 4] = [
        ("OPTIONS", "/v1/check", None), // direct, or Caddy/NGINX proxying the preflight
        ("GET", "/v1/check", Some(("x-original-method", "OPTIONS"))), // NGINX auth_request
        ("GET", "/v1/check", Some(("x-forwarded-method", "OPTIONS"))), // Caddy forward_auth
        ("OPTIONS", "/v1/check/api/inbox?page=2", None), // Envoy ext_authz, path appended
    ];
    for (method, path, extra) in shapes {
        let mut headers = preflight.to_vec();
        headers.extend(extra);
        let answer = request(gate.check(), method, path, &headers, None).await;
        assert_eq!(answer.status, 204, "{method} {path} {extra:?}: {answer:?}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
        assert!(answer.header("access-control-allow-headers").unwrap().contains("x-notiflows-user-key"));
        assert!(answer.header("access-control-allow-methods").unwrap().contains("GET"));
        assert_eq!(answer.header("access-control-max-age"), Some("7200"));
    }
    // A malformed Origin is refused without CORS.
    let answer = request(
        gate.check(),
        "OPTIONS",
        "/v1/check",
        &[("origin", "not an origin"), ("access-control-request-method", "GET")],
        None,
    )
    .await;
    assert_eq!((answer.status, answer.code().as_str()), (403, "origin_not_allowed"));
    assert_eq!(answer.header("access-control-allow-origin"), None);
    // OPTIONS without Access-Control-Request-Method is an ordinary request, authenticated.
    let answer = request(gate.check(), "OPTIONS", "/v1/check", &[("origin", APP)], None).await;
    assert_eq!(answer.code(), "api_key_missing");
}

#[tokio::test]
async fn envoy_ext_authz_shape() {
    // Envoy's HTTP ext_authz service sends the original method, path_prefix + original path,
    // and the allowed headers; it passes 200's headers upstream and any other answer
    // (status, headers, body) to the client.
    let gate = gate().await;
    let token = token("envoy-user");
    let headers = [
        ("x-notiflows-api-key", SECURE),
        ("x-notiflows-user-key", token.as_str()),
        ("origin", APP),
        ("x-envoy-internal", "true"),
        ("x-forwarded-proto", "http"),
    ];
    let answer = request(gate.check(), "POST", "/v1/check/api/preferences", &headers, None).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-notiflows-user-id"), Some("envoy-user"));
    let answer = request(gate.check(), "DELETE", "/v1/check/api/inbox/1", &headers[..1], None).await;
    assert_eq!((answer.status, answer.code().as_str()), (401, "user_key_missing"));
}

#[tokio::test]
async fn request_ids_are_taken_or_made() {
    let gate = gate().await;
    let answer = check(gate.check(), &[("x-request-id", "abc-123")]).await;
    assert_eq!(answer.header("x-request-id"), Some("abc-123"));
    let answer = check(gate.check(), &[("x-request-id", "has spaces")]).await;
    assert!(answer.header("x-request-id").unwrap().starts_with("gate-"));
}

#[tokio::test]
async fn other_paths_are_404_with_a_code() {
    let gate = gate().await;
    let answer = request(gate.check(), "GET", "/v1/checks", &[], None).await;
    assert_eq!((answer.status, answer.code().as_str()), (404, "not_found"));
    let answer = request(gate.check(), "GET", "/admin/v1/projects", &[], None).await;
    assert_eq!(answer.status, 404, "no admin API on the public listener");
}

#[tokio::test]
async fn each_project_serves_its_jwk_set() {
    let gate = gate().await;
    let answer = request(gate.check(), "GET", "/v1/projects/pk_secure/jwks.json", &[], None).await;
    assert_eq!(answer.status, 200);
    let keys = answer.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    let expected: serde_json::Value =
        serde_json::from_str(&notiflows_auth::PublicKey::parse(pair().public_key_pem.as_bytes()).unwrap().to_jwk())
            .unwrap();
    assert_eq!(keys[0], expected);
    assert_eq!((keys[0]["kty"].as_str(), keys[0]["alg"].as_str()), (Some("RSA"), Some("RS256")));
    // A rotation replaces it.
    let rotated = admin(&gate, "POST", "/admin/v1/projects/pk_secure/signing-key", None).await.json();
    let answer = request(gate.check(), "GET", "/v1/projects/pk_secure/jwks.json", &[], None).await;
    let now =
        notiflows_auth::PublicKey::parse(rotated["public_key_pem"].as_str().unwrap().as_bytes()).unwrap().to_jwk();
    assert_eq!(answer.json()["keys"][0], serde_json::from_str::<serde_json::Value>(&now).unwrap());
    let answer = request(gate.check(), "GET", "/v1/projects/pk_dev/jwks.json", &[], None).await;
    assert_eq!(answer.json(), serde_json::json!({ "keys": [] }), "no key yet");
    let answer = request(gate.check(), "GET", "/v1/projects/pk_nope/jwks.json", &[], None).await;
    assert_eq!((answer.status, answer.code().as_str()), (404, "project_not_found"));
}
