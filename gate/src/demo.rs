//! `serve --demo`: an embedded demo setup, and the `curl` lines to try it.

use crate::store::{StoreFile, StoredProject};
use notiflows_auth::{generate_signing_key, Error, SignOptions, DEFAULT_GENERATED_KEY_BITS};
use std::fmt::Write;
use std::net::SocketAddr;

pub const SECURE: &str = "pk_demo_secure";
pub const DEVELOPMENT: &str = "pk_demo_development";
pub const ORIGIN: &str = "http://localhost:3000";

/// The demo projects, and a user token for the Secure Mode one (signed with a key made in
/// memory; its private half is dropped here).
pub fn setup(now: i64) -> Result<(StoreFile, String), Error> {
    let pair = generate_signing_key(DEFAULT_GENERATED_KEY_BITS)?;
    let token = pair.signing_key()?.sign_user_token("user-42", &SignOptions::new(now))?;
    let project = |api_key: &str, mode: &str, key: Option<String>| StoredProject {
        api_key: api_key.into(),
        security_mode: mode.into(),
        allowed_origins: vec![ORIGIN.into(), "http://127.0.0.1:3000".into()],
        signing_public_key: key,
    };
    let file = StoreFile {
        version: 1,
        projects: vec![
            project(SECURE, "secure", Some(pair.public_key_pem.clone())),
            project(DEVELOPMENT, "development", None),
        ],
    };
    Ok((file, token))
}

/// What to type to see each kind of answer.
pub fn instructions(listen: SocketAddr, admin: Option<SocketAddr>, token: &str, admin_token: Option<&str>) -> String {
    let check = format!("http://{listen}/v1/check");
    let mut out = String::new();
    let _ = writeln!(out, "notiflows-auth serve --demo: projects {SECURE} (Secure Mode) and {DEVELOPMENT} (Development Mode), origin {ORIGIN}");
    let _ = writeln!(
        out,
        "\n# Secure Mode, a user token signed for user-42 (valid one hour): 200 with x-notiflows-user-id"
    );
    let _ = writeln!(out, "curl -i {check} -H 'x-notiflows-api-key: {SECURE}' -H 'x-notiflows-user-key: {token}'");
    let _ = writeln!(out, "\n# Development Mode, an unsigned user id: 200");
    let _ = writeln!(out, "curl -i {check} -H 'x-notiflows-api-key: {DEVELOPMENT}' -H 'x-notiflows-user-id: alice'");
    let _ = writeln!(out, "\n# Secure Mode refuses a bare user id: 401 user_key_missing");
    let _ = writeln!(out, "curl -i {check} -H 'x-notiflows-api-key: {SECURE}' -H 'x-notiflows-user-id: alice'");
    let _ = writeln!(out, "\n# A browser origin that is not allowed: 403 origin_not_allowed");
    let _ = writeln!(out, "curl -i {check} -H 'x-notiflows-api-key: {DEVELOPMENT}' -H 'x-notiflows-user-id: alice' -H 'Origin: https://evil.example'");
    let _ = writeln!(out, "\n# A CORS preflight from the allowed origin: 204 with the CORS headers");
    let _ = writeln!(out, "curl -i -X OPTIONS {check} -H 'Origin: {ORIGIN}' -H 'Access-Control-Request-Method: GET'");
    if let Some(admin) = admin {
        let token = admin_token.unwrap_or("$NOTIFLOWS_ADMIN_TOKEN");
        let _ = writeln!(out, "\n# The admin API (admin token {token}): list the projects");
        let _ = writeln!(out, "curl -s http://{admin}/admin/v1/projects -H 'Authorization: Bearer {token}'");
    }
    let _ = writeln!(out, "\nMetrics: http://{listen}/metrics   Readiness: http://{listen}/readyz");
    out
}

/// A random admin token for a demo started without one (printed with the instructions).
pub fn admin_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| "no system randomness for the demo admin token".to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
