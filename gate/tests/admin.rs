//! The admin API: authorization, every endpoint, strict bodies, changes in force when the
//! call returns and on disk, key generation (private key once, never stored or logged).

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Every log line of this test binary, to check that no secret reaches the log.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Arc::clone(&buffer);
        tracing_subscriber::fmt().json().with_writer(move || Capture(Arc::clone(&writer))).init();
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);
impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn admin_calls_need_the_bearer_token() {
    let gate = gate().await;
    for auth in [None, Some("Bearer wrong"), Some("Bearer test-admin-token-012345678"), Some(ADMIN_TOKEN)] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let answer = request(gate.admin(), "GET", "/admin/v1/projects", &headers, None).await;
        assert_eq!((answer.status, answer.code().as_str()), (401, "admin_unauthorized"), "{auth:?}");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(admin(&gate, "GET", "/admin/v1/projects", None).await.status, 200);
    let lower = format!("bearer {ADMIN_TOKEN}");
    let answer = request(gate.admin(), "GET", "/admin/v1/projects", &[("authorization", &lower)], None).await;
    assert_eq!(answer.status, 200, "the scheme name is case-insensitive");
}

#[tokio::test]
async fn projects_lifecycle_in_force_and_on_disk() {
    let gate = gate_with(|_| {}, None).await;
    assert_eq!(admin(&gate, "GET", "/admin/v1/projects", None).await.json()["projects"], serde_json::json!([]));
    let body = r#"{"api_key":"pk_new","security_mode":"development","allowed_origins":["https://a.example"]}"#;
    let created = admin(&gate, "POST", "/admin/v1/projects", Some(body)).await;
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.json()["security_mode"], "development");
    // In force at once.
    let user = [("x-notiflows-api-key", "pk_new"), ("x-notiflows-user-id", "u1"), ("origin", "https://a.example")];
    assert_eq!(check(gate.check(), &user).await.status, 200);
    assert_eq!(admin(&gate, "POST", "/admin/v1/projects", Some(body)).await.code(), "project_exists");

    let patched =
        admin(&gate, "PATCH", "/admin/v1/projects/pk_new", Some(r#"{"allowed_origins":["https://b.example"]}"#)).await;
    assert_eq!(patched.json()["allowed_origins"], serde_json::json!(["https://b.example"]));
    assert_eq!(check(gate.check(), &user).await.code(), "origin_not_allowed");
    let patched = admin(&gate, "PATCH", "/admin/v1/projects/pk_new", Some(r#"{"security_mode":"secure"}"#)).await;
    assert_eq!(patched.status, 200);
    let user = [("x-notiflows-api-key", "pk_new"), ("x-notiflows-user-id", "u1")];
    assert_eq!(check(gate.check(), &user).await.code(), "signing_key_not_configured");
    let shown = admin(&gate, "GET", "/admin/v1/projects/pk_new", None).await;
    assert_eq!(shown.json()["security_mode"], "secure");
    // On disk, in the store's format.
    let stored = notiflows_auth_gate::store::StoreFile::parse(&std::fs::read(&gate.store).unwrap()).unwrap();
    assert_eq!(stored.projects[0].allowed_origins, ["https://b.example"]);

    assert_eq!(admin(&gate, "DELETE", "/admin/v1/projects/pk_new", None).await.status, 204);
    assert_eq!(check(gate.check(), &user).await.code(), "api_key_invalid");
    for (method, path) in [
        ("GET", "/admin/v1/projects/pk_new"),
        ("DELETE", "/admin/v1/projects/pk_new"),
        ("POST", "/admin/v1/projects/pk_new/signing-key"),
    ] {
        let answer = admin(&gate, method, path, None).await;
        assert_eq!((answer.status, answer.code().as_str()), (404, "project_not_found"), "{method} {path}");
    }
}

#[tokio::test]
async fn bodies_are_strict_and_checked_by_the_core() {
    let gate = gate().await;
    let cases = [
        (
            "POST",
            "/admin/v1/projects",
            r#"{"api_key":"pk_x","allowed_origin":[]}"#,
            "config_invalid",
            "did you mean `allowed_origins`",
        ),
        ("POST", "/admin/v1/projects", r#"{"api_key":"pk x"}"#, "config_invalid", "api_key"),
        (
            "POST",
            "/admin/v1/projects",
            r#"{"api_key":"pk_x","security_mode":"Secure"}"#,
            "config_invalid",
            "security_mode",
        ),
        ("POST", "/admin/v1/projects", r#"{"api_key":"pk_x","allowed_origins":["*"]}"#, "config_invalid", "*"),
        ("POST", "/admin/v1/projects", r#"{"api_key":"#, "config_invalid", "EOF"),
        (
            "PATCH",
            "/admin/v1/projects/pk_secure",
            r#"{"securty_mode":"secure"}"#,
            "config_invalid",
            "did you mean `security_mode`",
        ),
        (
            "PUT",
            "/admin/v1/projects/pk_secure/signing-key",
            r#"{"public_key":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}"#,
            "key_invalid",
            "",
        ),
        ("POST", "/admin/v1/projects/pk_secure/signing-key", r#"{"bits":1024}"#, "key_unsupported", ""),
    ];
    for (method, path, body, code, says) in cases {
        let answer = admin(&gate, method, path, Some(body)).await;
        assert_eq!((answer.status, answer.code().as_str()), (400, code), "{body}: {answer:?}");
        assert!(answer.json()["message"].as_str().unwrap().contains(says), "{answer:?}");
    }
    // Nothing changed.
    assert_eq!(admin(&gate, "GET", "/admin/v1/projects", None).await.json()["projects"].as_array().unwrap().len(), 2);
    let answer = check(gate.check(), &[("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &token("u"))]).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn generated_key_is_shown_once_and_rotates() {
    let logs = logs();
    let gate = gate().await;
    let old = token("user-1");
    let addr = gate.check();
    let ask =
        |t: String| async move { check(addr, &[("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &t)]).await };
    assert_eq!(ask(old.clone()).await.status, 200);
    let answer = admin(&gate, "POST", "/admin/v1/projects/pk_secure/signing-key", None).await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let keys = answer.json();
    let pem = keys["private_key_pem"].as_str().unwrap();
    let b64 = keys["private_key_base64"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(!b64.contains('\n'));
    // Both formats load, and sign tokens the gate now accepts; the old key's tokens fail.
    let from_b64 = notiflows_auth::SigningKey::parse(b64.as_bytes()).unwrap();
    let from_pem = notiflows_auth::SigningKey::parse(pem.as_bytes()).unwrap();
    assert_eq!(ask(token_with(&from_b64, "user-2", now())).await.header("x-notiflows-user-id"), Some("user-2"));
    assert_eq!(ask(token_with(&from_pem, "user-3", now())).await.status, 200);
    assert_eq!(ask(old).await.code(), "key_unknown", "its kid names the replaced key");
    // Only the public key is stored; neither private form is logged.
    let stored = std::fs::read_to_string(&gate.store).unwrap();
    assert!(stored.contains(keys["public_key_pem"].as_str().unwrap().lines().nth(1).unwrap()));
    assert!(!stored.contains("PRIVATE"));
    let shown = admin(&gate, "GET", "/admin/v1/projects/pk_secure", None).await;
    assert_eq!(shown.json()["signing_public_key"], keys["public_key_pem"]);
    let log = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(log.contains("signing key generated"), "the action is logged");
    let private_line = pem.lines().nth(1).unwrap();
    for secret in [private_line, &b64[..40], ADMIN_TOKEN] {
        assert!(!log.contains(secret), "a secret in the log");
    }
}

#[tokio::test]
async fn bring_your_own_public_key() {
    let gate = gate_with(|_| {}, Some(r#"{"projects":[{"api_key":"pk_byo"}]}"#.into())).await;
    // The base64 form of the PEM is accepted too; the store keeps PEM.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(pair().public_key_pem.as_bytes());
    let body = serde_json::json!({ "public_key": b64 }).to_string();
    let answer = admin(&gate, "PUT", "/admin/v1/projects/pk_byo/signing-key", Some(&body)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json()["signing_public_key"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    let answer =
        check(gate.check(), &[("x-notiflows-api-key", "pk_byo"), ("x-notiflows-user-key", &token("byo"))]).await;
    assert_eq!(answer.header("x-notiflows-user-id"), Some("byo"));
}

#[tokio::test]
async fn oversized_admin_bodies_are_refused() {
    let gate = gate().await;
    let body = format!(r#"{{"api_key":"pk_big","allowed_origins":["{}"]}}"#, "a".repeat(70 * 1024));
    let answer = admin(&gate, "POST", "/admin/v1/projects", Some(&body)).await;
    assert_eq!(answer.status, 413);
    assert_eq!(admin(&gate, "GET", "/admin/v1/projects/pk_big", None).await.status, 404);
}
