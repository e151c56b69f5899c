//! A gate on loopback ports in a temporary directory, a raw HTTP/1.1 client (so tests can
//! send what real clients and gateways send, malformed or slow included), and keys.
#![allow(dead_code)]

use notiflows_auth::{generate_signing_key, GeneratedKeyPair, SignOptions, SigningKey};
use notiflows_auth_gate::{start, Config, Options, Running};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const SECURE: &str = "pk_secure";
pub const DEV: &str = "pk_dev";
pub const APP: &str = "https://app.example.com";

pub struct Gate {
    pub running: Running,
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

impl Gate {
    pub fn check(&self) -> SocketAddr {
        self.running.listen
    }
    pub fn admin(&self) -> SocketAddr {
        self.running.admin_listen.expect("admin listener")
    }
}

/// One key pair for the whole test binary (generation takes a while).
pub fn pair() -> &'static GeneratedKeyPair {
    static PAIR: OnceLock<GeneratedKeyPair> = OnceLock::new();
    PAIR.get_or_init(|| generate_signing_key(2048).unwrap())
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

pub fn token_with(key: &SigningKey, sub: &str, issued: i64) -> String {
    key.sign_user_token(sub, &SignOptions::new(issued)).unwrap()
}

pub fn token(sub: &str) -> String {
    token_with(&pair().signing_key().unwrap(), sub, now())
}

/// The projects file the tests start from: a Secure Mode project with `pair()`'s key and
/// one allowed origin, and a Development Mode project allowing every origin.
pub fn projects_json() -> String {
    serde_json::json!({
        "version": 1,
        "projects": [
            {"api_key": SECURE, "security_mode": "secure", "allowed_origins": [APP], "signing_public_key": pair().public_key_pem},
            {"api_key": DEV, "security_mode": "development", "allowed_origins": []},
        ]
    })
    .to_string()
}

pub async fn gate() -> Gate {
    gate_with(|_| {}, Some(projects_json())).await
}

/// A gate whose projects file holds `projects` (none: the file is created), with `tweak`
/// applied to the configuration.
pub async fn gate_with(tweak: impl FnOnce(&mut Config), projects: Option<String>) -> Gate {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("projects.json");
    if let Some(projects) = projects {
        std::fs::write(&store, projects).unwrap();
    }
    let mut config = Config {
        store: Some(store.clone()),
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        reload_interval_ms: 0,
        ..Config::default()
    };
    tweak(&mut config);
    let running = start(Options { config, admin_token: Some(ADMIN_TOKEN.into()), demo: false }).await.unwrap();
    Gate { running, dir, store }
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

/// Sends one request (`Connection: close`) and reads the whole answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        raw.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    raw.push_str(body.unwrap_or_default());
    send_raw(addr, raw.as_bytes()).await.expect("an answer")
}

pub async fn check(addr: SocketAddr, headers: &[(&str, &str)]) -> Answer {
    request(addr, "GET", "/v1/check", headers, None).await
}

pub async fn admin(gate: &Gate, method: &str, path: &str, body: Option<&str>) -> Answer {
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    request(gate.admin(), method, path, &[("authorization", &bearer)], body).await
}

/// Writes `raw` and parses what comes back; `None` when the server closes without answering.
pub async fn send_raw(addr: SocketAddr, raw: &[u8]) -> Option<Answer> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes)).await;
    read.expect("answered in time").ok()?;
    parse(&bytes)
}

pub fn parse(bytes: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines.filter_map(|l| l.split_once(": ")).map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Some(Answer { status, headers, body: body.to_string() })
}
