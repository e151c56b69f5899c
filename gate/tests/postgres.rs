//! The PostgreSQL store without a server (the server-backed tests are scripts/suites/56-fleet):
//! an unreachable database stops the start with a message that never shows the password,
//! and TLS modes the gate cannot honour are refused before connecting.

use notiflows_auth_gate::{start, Config, Options};

fn config(store: &str) -> Config {
    let mut config = Config {
        store: Some(store.into()),
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    config.postgres.connect_timeout_ms = 500;
    config
}

async fn refusal(store: &str) -> String {
    start(Options { config: config(store), admin_token: None, demo: false }).await.err().expect("refused")
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_without_the_password() {
    // Port 1 on loopback: nothing listens there.
    let err = refusal("postgres://gate:s3cret-pw@127.0.0.1:1/auth").await;
    assert!(err.contains("postgres://gate:***@127.0.0.1:1/auth"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}

#[tokio::test]
async fn tls_modes_without_a_tls_client_are_refused() {
    for mode in ["require", "verify-full"] {
        let err = refusal(&format!("postgresql://gate:s3cret-pw@127.0.0.1:1/auth?sslmode={mode}")).await;
        assert!(err.contains(&format!("sslmode={mode} is not supported")), "{err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }
}

#[tokio::test]
async fn demo_projects_cannot_go_to_a_database() {
    let err = start(Options { config: config("postgres://g@127.0.0.1:1/auth"), admin_token: None, demo: true })
        .await
        .err()
        .expect("refused");
    assert!(err.contains("--demo"), "{err}");
}
