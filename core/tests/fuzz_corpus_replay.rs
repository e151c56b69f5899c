//! Replays the fuzz corpus (`fuzz/corpus/TARGET/`) and every past fuzz crash
//! (`fuzz/regressions/TARGET/`) through the public API, on stable: nothing panics, every
//! refusal carries a documented code of the right family, and the cheap invariants of each
//! target hold. The full invariants, against the serde_json and ring references, run in the
//! fuzz workspace (`cargo test` in `fuzz/`, and `scripts/fuzz`).

mod common;

use notiflows_auth::__fuzz::json_object_members;
use notiflows_auth::verify::{decode_parts_unverified, decode_unverified, MAX_TOKEN_BYTES_LIMIT};
use notiflows_auth::{
    Authenticator, AuthenticatorOptions, Error, ErrorKind, ErrorResponse, ProjectConfig, PublicKey, SecurityMode,
    SigningKey,
};
use std::path::{Path, PathBuf};

/// The fuzz targets' clock (the jwt-cases `now`).
const NOW: i64 = 1_700_000_000;

const TOKEN_DECODING: &[&str] =
    &["token_too_large", "token_malformed", "token_base64", "token_json", "token_duplicate_member"];
const HEADER: &[&str] = &["alg_not_allowed", "crit_unsupported"];
const CLAIMS: &[&str] =
    &["claim_missing", "claim_invalid", "token_expired", "token_not_yet_valid", "token_issued_in_future"];

fn assert_code(error: &Error, families: &[&[&str]], input: &Path) {
    let code = error.code();
    // `ErrorKind` is pinned to README's table by `tests/error_codes.rs`.
    assert!(ErrorKind::from_code(code).is_some(), "{}: undocumented code {code}", input.display());
    assert!(families.iter().any(|f| f.contains(&code)), "{}: unexpected code {code}", input.display());
    assert_eq!(ErrorKind::from_code(code), Some(error.kind()));
}

/// Every input of `target`: its corpus and its past crashes.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut found = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else { continue };
        for path in entries.map(|e| e.unwrap().path()) {
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if path.is_file() && !hidden {
                let data = std::fs::read(&path).unwrap();
                found.push((path, data));
            }
        }
    }
    assert!(!found.is_empty(), "no corpus for {target} under {}", fuzz.display());
    found.sort();
    found
}

fn b64url(data: &[u8]) -> String {
    const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(URL[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[test]
fn token_parse_corpus() {
    for (path, token) in inputs("token_parse") {
        let parsed = decode_unverified(&token, MAX_TOKEN_BYTES_LIMIT);
        if let Err(e) = &parsed {
            assert_code(e, &[TOKEN_DECODING, HEADER, &["signature_invalid"], CLAIMS], &path);
        }
        match decode_parts_unverified(&token) {
            Ok(_) => {}
            Err(e) => {
                assert_code(&e, &[&["token_too_large", "token_malformed", "token_base64"]], &path);
                assert!(parsed.is_err(), "{}: parsed but did not split", path.display());
            }
        }
    }
}

#[test]
fn verify_corpus() {
    let verifier = notiflows_auth::Verifier::new(common::shared_public_key());
    for (path, data) in inputs("verify") {
        let Some((&mode, rest)) = data.split_first() else { continue };
        match mode % 4 {
            // Header and payload the fuzz target signs; here they go unsigned, so the
            // signature must fail (after the header's checks), never a claim.
            2 | 3 => {
                let (header, payload) = if mode % 4 == 3 {
                    (&br#"{"alg":"RS256","typ":"JWT"}"#[..], rest)
                } else {
                    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                    (&rest[..split], rest.get(split + 1..).unwrap_or_default())
                };
                let token = format!("{}.{}.{}", b64url(header), b64url(payload), b64url(&[7; 256]));
                let e = verifier.verify(token.as_bytes(), NOW).expect_err("an unsigned token verified");
                assert_code(&e, &[TOKEN_DECODING, HEADER, &["signature_invalid"]], &path);
            }
            _ => match verifier.verify(rest, NOW) {
                Ok(claims) => {
                    assert!(!claims.sub.as_str().is_empty());
                    assert_eq!(decode_unverified(rest, MAX_TOKEN_BYTES_LIMIT), Ok(claims), "{}", path.display());
                }
                Err(e) => assert_code(&e, &[TOKEN_DECODING, HEADER, &["signature_invalid"], CLAIMS], &path),
            },
        }
    }
}

#[test]
fn keys_corpus() {
    for (path, data) in inputs("keys") {
        let public = PublicKey::parse(&data);
        let private = SigningKey::parse(&data);
        for e in [public.as_ref().err(), private.as_ref().err()].into_iter().flatten() {
            assert_code(e, &[&["key_invalid", "key_unsupported"]], &path);
        }
        assert!(!(public.is_ok() && private.is_ok()), "{}: both a public and a private key", path.display());
        for key in public.iter().chain(private.as_ref().map(SigningKey::public_key)) {
            assert_eq!(PublicKey::parse(key.to_spki_pem().as_bytes()).as_ref(), Ok(key), "{}", path.display());
        }
    }
}

#[test]
fn json_corpus() {
    for (path, data) in inputs("json") {
        match json_object_members(&data) {
            // serde_json accepts whatever we accept.
            Ok(members) => {
                let value: serde_json::Value = serde_json::from_slice(&data).expect("serde_json refused it");
                assert_eq!(value.as_object().map(|o| o.len()), Some(members.len()), "{}", path.display());
            }
            Err(e) => assert_code(&e, &[&["token_json", "token_duplicate_member"]], &path),
        }
    }
}

/// The projects of the `authenticate` target, with the shared key.
fn authenticator() -> Authenticator {
    let auth = Authenticator::new(AuthenticatorOptions { cache_capacity: 4, ..Default::default() }).unwrap();
    let with_list = ["https://app.example.com", "http://localhost:3000", "https://*.example.org"];
    for (api_key, mode, keyed, list) in [
        ("pk_secure", SecurityMode::Secure, true, &with_list[..]),
        ("pk_dev", SecurityMode::Development, true, &[][..]),
        ("pk_secure_nokey", SecurityMode::Secure, false, &[][..]),
        ("pk_dev_nokey", SecurityMode::Development, false, &with_list[..]),
    ] {
        auth.add_project(ProjectConfig {
            api_key: api_key.into(),
            security_mode: mode,
            signing_public_key: keyed.then(common::shared_public_key),
            allowed_origins: list.iter().map(|o| o.to_string()).collect(),
            ..ProjectConfig::default()
        })
        .unwrap();
    }
    auth
}

#[test]
fn authenticate_corpus() {
    let auth = authenticator();
    for (path, data) in inputs("authenticate") {
        let mut headers: Vec<(&[u8], &[u8])> = Vec::new();
        let mut origin = None;
        for line in data.split(|&b| b == b'\n') {
            if let Some(value) = line.strip_prefix(b"@origin:") {
                // The fuzz target's separate origin is an `Origin` header now.
                origin = Some(value);
            } else {
                let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
                headers.push((&line[..colon], line.get(colon + 1..).unwrap_or_default()));
            }
        }
        headers.extend(origin.map(|o| (&b"origin"[..], o)));
        let first = auth.authenticate(&headers, NOW);
        let again = auth.authenticate(&headers, NOW);
        assert_eq!(first.as_ref().map_err(Error::code), again.as_ref().map_err(Error::code), "{}", path.display());
        match first {
            Ok(user) => assert!(!user.user_id.as_str().is_empty()),
            Err(e) => {
                let every: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
                assert_code(&e, &[&every], &path);
                let body: serde_json::Value = serde_json::from_str(&ErrorResponse::new(&e).body).unwrap();
                assert_eq!(body["code"], e.code());
            }
        }
    }
}

#[test]
fn origins_corpus() {
    for (path, data) in inputs("origins") {
        let text = String::from_utf8_lossy(&data);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let origin = lines.pop().unwrap_or_default();
        let auth = Authenticator::new(AuthenticatorOptions::default()).unwrap();
        let added = auth.add_project(ProjectConfig {
            api_key: "pk".into(),
            security_mode: SecurityMode::Development,
            allowed_origins: lines.iter().map(|l| l.to_string()).collect(),
            ..Default::default()
        });
        if let Err(e) = added {
            assert_code(&e, &[&["config_invalid"]], &path);
            continue;
        }
        let headers = [("x-notiflows-api-key", "pk"), ("x-notiflows-user-id", "u"), ("origin", origin)];
        let allowed = match auth.authenticate(headers, NOW) {
            Ok(_) => true,
            Err(e) => {
                assert_code(&e, &[&["origin_not_allowed"]], &path);
                false
            }
        };
        let echoed = auth.cors_preflight([("origin", origin)], Some("pk")).allow_origin();
        let sent = notiflows_auth::auth::field_value(origin.as_bytes());
        let echoed_sent = echoed.map(str::as_bytes) == Some(sent);
        assert!(echoed.is_none() || (allowed && echoed_sent), "{}: echoed {echoed:?}", path.display());
    }
}
