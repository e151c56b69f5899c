//! `demo`: the product's main job on an embedded setup, with nothing to prepare. Every step
//! states what must happen; the command exits 0 only if each one did.

use crate::commands::authenticate::user_json;
use crate::{input, Failure};
use notiflows_auth::auth::{
    ProjectConfig, SecurityMode, API_KEY_HEADER, ORIGIN_HEADER, USER_ID_HEADER, USER_KEY_HEADER,
};
use notiflows_auth::{
    generate_signing_key, AuthenticatedUser, Authenticator, AuthenticatorOptions, Error, ErrorKind, SignOptions,
};

#[derive(clap::Args)]
pub struct Args {
    /// Current time, Unix seconds (default: now).
    #[arg(long, allow_negative_numbers = true)]
    now: Option<i64>,
}

const SECURE: &str = "pk_demo_secure";
const DEV: &str = "pk_demo_development";
const APP: &str = "https://app.example.com";

pub fn run(args: Args) -> Result<(), Failure> {
    let now = input::now(args.now);
    println!("Generating a 2048-bit signing key pair in memory (the private key goes to your backend, once).");
    let pair = generate_signing_key(2048)?;
    let backend_key = pair.signing_key()?;
    let auth = Authenticator::new(AuthenticatorOptions::default())?;
    auth.add_project(ProjectConfig {
        api_key: SECURE.into(),
        security_mode: SecurityMode::Secure,
        signing_public_key: Some(backend_key.public_key().clone()),
        allowed_origins: vec![APP.into(), "https://*.example.com".into()],
        ..ProjectConfig::default()
    })?;
    auth.add_project(ProjectConfig {
        api_key: DEV.into(),
        security_mode: SecurityMode::Development,
        ..ProjectConfig::default()
    })?;
    println!("Projects: {SECURE} (Secure Mode, origins {APP} and https://*.example.com), {DEV} (Development Mode).\n");

    let token = backend_key.sign_user_token("user-42", &SignOptions::new(now))?;
    let expired = backend_key.sign_user_token("user-42", &SignOptions { now: now - 7200, ..SignOptions::new(now) })?;
    let mut failures = 0;
    let mut step = |title: &str, result: Result<AuthenticatedUser, Error>, expected: Result<&str, ErrorKind>| {
        let outcome = match &result {
            Ok(user) => format!("ok {}", user_json(user)),
            Err(e) => format!("{} ({}, HTTP {})", e.code(), e, e.http_status()),
        };
        let as_expected = match (&result, expected) {
            (Ok(user), Ok(id)) => user.user_id.as_str() == id,
            (Err(e), Err(kind)) => e.kind() == kind,
            _ => false,
        };
        failures += usize::from(!as_expected);
        let want = match expected {
            Ok(id) => format!("authenticated as {id}"),
            Err(kind) => format!("refused with {}", kind.code()),
        };
        println!(
            "{} {title}\n    expected: {want}\n    got:      {outcome}",
            if as_expected { "PASS" } else { "FAIL" }
        );
    };

    step(
        "Secure Mode: a token signed by the backend, from an allowed origin",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_KEY_HEADER, token.as_str()), (ORIGIN_HEADER, APP)], now),
        Ok("user-42"),
    );
    step(
        "The same token again (answered from the verified-token cache)",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_KEY_HEADER, token.as_str()), (ORIGIN_HEADER, APP)], now),
        Ok("user-42"),
    );
    step(
        "Development Mode: the user id header, unsigned",
        auth.authenticate([(API_KEY_HEADER, DEV), (USER_ID_HEADER, "user-7")], now),
        Ok("user-7"),
    );
    step(
        "A token that expired an hour ago",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_KEY_HEADER, expired.as_str()), (ORIGIN_HEADER, APP)], now),
        Err(ErrorKind::TokenExpired),
    );
    step(
        "A browser origin that is not allowed (checked before the token)",
        auth.authenticate(
            [
                (API_KEY_HEADER, SECURE),
                (USER_KEY_HEADER, token.as_str()),
                (ORIGIN_HEADER, "https://example.com.evil.net"),
            ],
            now,
        ),
        Err(ErrorKind::OriginNotAllowed),
    );
    step(
        "A Development Mode header sent to a Secure Mode project",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_ID_HEADER, "user-42"), (ORIGIN_HEADER, APP)], now),
        Err(ErrorKind::UserKeyMissing),
    );
    let rotated = auth.rotate_signing_key(SECURE, 2048)?;
    step(
        "After regenerating the project's key, a token signed before the rotation (its kid names the old key)",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_KEY_HEADER, token.as_str()), (ORIGIN_HEADER, APP)], now),
        Err(ErrorKind::KeyUnknown),
    );
    let fresh = rotated.signing_key()?.sign_user_token("user-42", &SignOptions::new(now))?;
    step(
        "A token signed with the new key",
        auth.authenticate([(API_KEY_HEADER, SECURE), (USER_KEY_HEADER, fresh.as_str()), (ORIGIN_HEADER, APP)], now),
        Ok("user-42"),
    );
    if failures == 0 {
        println!("\nEvery step behaved as described.");
        Ok(())
    } else {
        Err(Failure::Other(format!("{failures} step(s) did not behave as described")))
    }
}
