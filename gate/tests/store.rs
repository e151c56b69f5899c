//! The projects file: created when missing, hand edits picked up (reload and polling), a
//! bad file keeps the last good configuration and says so, admin changes survive a restart.

mod common;

use common::*;
use std::time::Duration;

fn dev_user(api_key: &str) -> [(&str, &str); 2] {
    [("x-notiflows-api-key", api_key), ("x-notiflows-user-id", "u")]
}

async fn ready(gate: &Gate) -> serde_json::Value {
    request(gate.check(), "GET", "/readyz", &[], None).await.json()
}

async fn metric(gate: &Gate, name: &str) -> f64 {
    let text = request(gate.check(), "GET", "/metrics", &[], None).await.body;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {text}"))
}

#[tokio::test]
async fn a_missing_store_is_created_empty() {
    let gate = gate_with(|_| {}, None).await;
    let file = notiflows_auth_gate::store::StoreFile::parse(&std::fs::read(&gate.store).unwrap()).unwrap();
    assert!(file.projects.is_empty());
    assert_eq!(check(gate.check(), &dev_user(DEV)).await.code(), "api_key_invalid");
    assert_eq!(ready(&gate).await["status"], "ready");
}

#[tokio::test]
async fn hand_edits_are_reloaded_and_a_bad_file_keeps_the_last_good() {
    let gate = gate().await;
    assert_eq!(metric(&gate, "notiflows_gate_config_generation").await, 1.0);
    let edited = r#"{"projects":[{"api_key":"pk_hand","security_mode":"development"}]}"#;
    std::fs::write(&gate.store, edited).unwrap();
    gate.running.reload().await;
    assert_eq!(check(gate.check(), &dev_user("pk_hand")).await.status, 200);
    assert_eq!(check(gate.check(), &dev_user(DEV)).await.code(), "api_key_invalid");
    assert_eq!(metric(&gate, "notiflows_gate_config_generation").await, 2.0);

    for bad in [
        r#"{"projects":[{"api_key":"pk_other","security_mode":"development""#, // truncated
        r#"{"projects":[{"api_key":"pk_other","security_mod":"development"}]}"#, // unknown member
        r#"{"projects":[{"api_key":"pk_other","signing_public_key":"-----BEGIN PUBLIC KEY-----\nAA\n-----END PUBLIC KEY-----"}]}"#,
    ] {
        std::fs::write(&gate.store, bad).unwrap();
        gate.running.reload().await;
        assert_eq!(check(gate.check(), &dev_user("pk_hand")).await.status, 200, "last good kept: {bad}");
        assert_eq!(check(gate.check(), &dev_user("pk_other")).await.code(), "api_key_invalid");
        let readyz = ready(&gate).await;
        assert_eq!(readyz["status"], "stale", "{readyz}");
        assert!(
            readyz["stale_reason"].as_str().unwrap().contains("projects.json")
                || readyz["stale_reason"].as_str().unwrap().contains("key_invalid"),
            "{readyz}"
        );
        assert_eq!(metric(&gate, "notiflows_gate_config_stale").await, 1.0);
    }
    assert!(ready(&gate).await["stale_reason"].as_str().unwrap().contains("key_invalid"));
    assert_eq!(metric(&gate, "notiflows_gate_config_reload_failures_total").await, 3.0);
    assert_eq!(metric(&gate, "notiflows_gate_config_generation").await, 2.0);
    // Deleting the file is refused the same way.
    std::fs::remove_file(&gate.store).unwrap();
    gate.running.reload().await;
    assert!(ready(&gate).await["stale_reason"].as_str().unwrap().contains("missing"));
    // A good file again clears the state.
    std::fs::write(&gate.store, edited.replace("pk_hand", "pk_fixed")).unwrap();
    gate.running.reload().await;
    assert_eq!(check(gate.check(), &dev_user("pk_fixed")).await.status, 200);
    assert_eq!(ready(&gate).await["status"], "ready");
    assert_eq!(metric(&gate, "notiflows_gate_config_stale").await, 0.0);
}

#[tokio::test]
async fn the_file_is_watched_without_a_signal() {
    let gate = gate_with(|c| c.reload_interval_ms = 50, Some(projects_json())).await;
    std::fs::write(&gate.store, r#"{"projects":[{"api_key":"pk_polled","security_mode":"development"}]}"#).unwrap();
    let mut waited = 0;
    while check(gate.check(), &dev_user("pk_polled")).await.status != 200 {
        waited += 1;
        assert!(waited < 100, "not picked up within 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn admin_changes_survive_a_restart() {
    let gate = gate().await;
    let body = r#"{"api_key":"pk_kept","security_mode":"development"}"#;
    assert_eq!(admin(&gate, "POST", "/admin/v1/projects", Some(body)).await.status, 201);
    let Gate { running, dir, store } = gate;
    running.shutdown().await;
    let projects = std::fs::read_to_string(&store).unwrap();
    let again = gate_with(|_| {}, Some(projects)).await;
    assert_eq!(check(again.check(), &dev_user("pk_kept")).await.status, 200);
    assert_eq!(check(again.check(), &dev_user(DEV)).await.status, 200);
    // The atomic write leaves no temporary file behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["projects.json"]);
}

#[tokio::test]
async fn a_bad_store_at_start_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("projects.json");
    std::fs::write(&store, r#"{"projects":[{"api_key":"pk","alowed_origins":[]}]}"#).unwrap();
    let config = notiflows_auth_gate::Config {
        store: Some(store),
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let err = notiflows_auth_gate::start(notiflows_auth_gate::Options { config, admin_token: None, demo: false })
        .await
        .err()
        .unwrap();
    assert!(err.contains("did you mean `allowed_origins`"), "{err}");
}
