//! Operations: health, readiness, metrics, limits on what clients send, slow clients,
//! the connection cap, request timeouts and graceful shutdown.

mod common;

use common::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let gate = gate().await;
    let health = request(gate.check(), "GET", "/healthz", &[], None).await;
    assert_eq!((health.status, health.json()["status"].as_str()), (200, Some("ok")));
    let ready = request(gate.check(), "GET", "/readyz", &[], None).await;
    assert_eq!(ready.json()["projects"], 2);
    let token = token("m");
    let user = [("x-notiflows-api-key", SECURE), ("x-notiflows-user-key", token.as_str())];
    for _ in 0..3 {
        assert_eq!(check(gate.check(), &user).await.status, 200);
    }
    check(gate.check(), &[("x-notiflows-api-key", SECURE)]).await;
    check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "d")]).await;
    check(gate.check(), &[]).await;
    request(gate.check(), "OPTIONS", "/v1/check", &[("origin", APP), ("access-control-request-method", "GET")], None)
        .await;
    let metrics = request(gate.check(), "GET", "/metrics", &[], None).await;
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = metrics.body;
    for line in [
        "notiflows_gate_decisions_total{code=\"ok\",mode=\"secure\"} 3",
        "notiflows_gate_decisions_total{code=\"user_key_missing\",mode=\"secure\"} 1",
        "notiflows_gate_decisions_total{code=\"ok\",mode=\"development\"} 1",
        "notiflows_gate_decisions_total{code=\"api_key_missing\",mode=\"unknown\"} 1",
        "notiflows_gate_decisions_total{code=\"preflight\",mode=\"none\"} 1",
        "notiflows_gate_cache_hits_total 2",
        "notiflows_gate_cache_misses_total 1",
        "notiflows_gate_decision_seconds_count 7",
        "notiflows_gate_decision_seconds_bucket{le=\"+Inf\"} 7",
        "notiflows_gate_config_generation 1",
        "notiflows_gate_projects 2",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    // The admin listener serves the same operations endpoints.
    assert_eq!(request(gate.admin(), "GET", "/healthz", &[], None).await.status, 200);
}

#[tokio::test]
async fn header_count_and_size_limits() {
    let gate = gate_with(
        |c| {
            c.limits.max_headers = 16;
            c.limits.max_header_bytes = 2048
        },
        Some(projects_json()),
    )
    .await;
    let many: Vec<(String, String)> = (0..20).map(|i| (format!("x-filler-{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let answer = check(gate.check(), &many).await;
    assert_eq!((answer.status, answer.code().as_str()), (431, "request_headers_too_large"));
    let big = "b".repeat(3000);
    let answer =
        check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", &big), ("origin", APP)]).await;
    assert_eq!((answer.status, answer.code().as_str()), (431, "request_headers_too_large"));
    assert_eq!(answer.header("x-notiflows-auth-error"), Some("request_headers_too_large"));
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP), "CORS on this refusal too");
    // Far beyond the limit, hyper refuses before parsing (no body then) and the gate stays up.
    let huge = format!("GET /v1/check HTTP/1.1\r\nhost: x\r\nx-huge: {}\r\n\r\n", "h".repeat(64 * 1024));
    let answer = send_raw(gate.check(), huge.as_bytes()).await;
    assert!(answer.as_ref().is_none_or(|a| a.status == 431), "{answer:?}");
    assert_eq!(check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "ok")]).await.status, 200);
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_others_served() {
    let gate = gate_with(|c| c.limits.header_read_timeout_ms = 300, Some(projects_json())).await;
    let mut slow = TcpStream::connect(gate.check()).await.unwrap();
    slow.write_all(b"GET /v1/check HTTP/1.1\r\nhost: x\r\nx-notiflows-api").await.unwrap();
    // Meanwhile the gate answers others.
    assert_eq!(check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "u")]).await.status, 200);
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the slow connection is closed within the header deadline");
    let text = String::from_utf8_lossy(&rest);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
}

#[tokio::test]
async fn the_connection_cap_holds_extra_clients_back() {
    let gate = gate_with(|c| c.limits.max_connections = 2, Some(projects_json())).await;
    let first = TcpStream::connect(gate.check()).await.unwrap();
    let second = TcpStream::connect(gate.check()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = tokio::spawn({
        let addr = gate.check();
        async move { check(addr, &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "u")]).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a third connection waits while two are open");
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("served once one closes").unwrap();
    assert_eq!(answer.status, 200);
    drop(second);
}

#[tokio::test]
async fn slow_requests_time_out_with_a_code() {
    // Generating a 4096-bit key takes far longer than 1 ms.
    let gate = gate_with(|c| c.limits.request_timeout_ms = 1, Some(projects_json())).await;
    let answer = admin(&gate, "POST", "/admin/v1/projects/pk_secure/signing-key", Some(r#"{"bits":4096}"#)).await;
    assert_eq!((answer.status, answer.code().as_str()), (408, "request_timeout"));
    assert_eq!(check(gate.check(), &[("x-notiflows-api-key", DEV), ("x-notiflows-user-id", "u")]).await.status, 200);
}

#[tokio::test]
async fn shutdown_finishes_open_requests_and_stops_listening() {
    let gate = gate().await;
    let addr = gate.check();
    // A request whose headers are half sent when the shutdown starts still gets its answer.
    let mut open = TcpStream::connect(addr).await.unwrap();
    open.write_all(b"GET /v1/check HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stopping = tokio::spawn(gate.running.shutdown());
    tokio::time::sleep(Duration::from_millis(100)).await;
    open.write_all(b"x-notiflows-api-key: pk_dev\r\nx-notiflows-user-id: u\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), open.read_to_end(&mut answer)).await.unwrap().unwrap();
    assert_eq!(parse(&answer).unwrap().status, 200);
    tokio::time::timeout(Duration::from_secs(11), stopping).await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "no longer listening");
}
