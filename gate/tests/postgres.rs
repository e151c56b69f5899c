//! The PostgreSQL store without a server (the server-backed tests are scripts/suites/56-fleet):
//! an unreachable database stops the start with a message that never shows the password,
//! and TLS settings that cannot work (a verify mode without its CA file) are refused before
//! connecting.

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
async fn tls_settings_are_checked_before_connecting() {
    let url = "postgresql://gate:s3cret-pw@127.0.0.1:1/auth";
    for mode in ["verify-ca", "verify-full"] {
        let err = refusal(&format!("{url}?sslmode={mode}")).await;
        assert!(err.contains(&format!("sslmode={mode} needs sslrootcert")), "{err}");
        assert!(!err.contains("s3cret-pw") && err.contains("gate:***@"), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("ca.pem");
    let err = refusal(&format!("{url}?sslmode=verify-full&sslrootcert={}", missing.display())).await;
    assert!(err.contains("sslrootcert") && err.contains("ca.pem") && !err.contains("s3cret-pw"), "{err}");
    // `require` gets as far as connecting (nothing listens on port 1).
    let err = refusal(&format!("{url}?sslmode=require")).await;
    assert!(err.contains("cannot connect to postgresql://gate:***@127.0.0.1:1/auth?sslmode=require"), "{err}");
}

#[tokio::test]
async fn demo_projects_cannot_go_to_a_database() {
    let err = start(Options { config: config("postgres://g@127.0.0.1:1/auth"), admin_token: None, demo: true })
        .await
        .err()
        .expect("refused");
    assert!(err.contains("--demo"), "{err}");
}
