//! `[auth] provider`: both of the core's verify providers accept the same token through the
//! gate, the one in force is visible in `/readyz`, and an unknown name is refused by name.

mod common;

use common::*;
use notiflows_auth_gate::Config;

#[tokio::test]
async fn both_providers_accept_the_same_token() {
    let token = token("user-7");
    for provider in ["ring", "aws-lc-rs"] {
        let gate = gate_with(|c| c.auth.provider = provider.into(), Some(projects_json())).await;
        let answer = check(gate.check(), &[("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &token)]).await;
        assert_eq!(answer.status, 200, "{provider}: {answer:?}");
        assert_eq!(answer.header("x-notiflows-user-id"), Some("user-7"));
        let forged =
            token_with(&notiflows_auth::generate_signing_key(2048).unwrap().signing_key().unwrap(), "u", now());
        let refused = check(gate.check(), &[("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", &forged)]).await;
        assert_eq!(refused.status, 401, "{provider}");
        let ready = request(gate.check(), "GET", "/readyz", &[], None).await;
        assert_eq!(ready.json()["provider"], provider);
    }
}

#[test]
fn the_configuration_reads_the_provider_and_refuses_an_unknown_one() {
    assert_eq!(Config::default().auth.provider, "ring");
    let config = Config::parse(b"[auth]\nprovider = \"aws-lc-rs\"\n", false).unwrap();
    assert_eq!(config.auth.provider, "aws-lc-rs");
    let err = Config::parse(b"[auth]\nprovider = \"openssl\"\n", false).unwrap_err();
    assert!(err.starts_with("auth.provider: config_invalid: "), "{err}");
    assert!(err.contains(r#"provider must be "ring" (the default) or "aws-lc-rs""#), "{err}");
}

#[tokio::test]
async fn the_gate_does_not_start_with_an_unknown_provider() {
    let mut config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..Config::default() };
    config.auth.provider = "boringssl".into();
    let err = notiflows_auth_gate::start(notiflows_auth_gate::Options { config, admin_token: None, demo: true })
        .await
        .err()
        .expect("refused");
    assert!(err.contains("config_invalid") && err.contains("aws-lc-rs"), "{err}");
}
