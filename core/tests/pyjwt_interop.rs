//! Interop with PyJWT, both directions: tokens we sign verify in `jwt.decode`, and tokens
//! PyJWT signs with the same private key verify in ours.
//!
//! Needs a Python with PyJWT and cryptography: the interpreter named by
//! `NOTIFLOWS_TEST_PYTHON` (default `python3`). `scripts/suites/10-rust` makes one.
//! The clock here is the real one, so that PyJWT checks `exp` and `iat` as in production.

use notiflows_auth::{generate_signing_key, SignOptions, SigningKey, Verifier};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// Reads one JSON request on stdin, answers one JSON object on stdout.
const HELPER: &str = r#"
import json, sys
import jwt
req = json.load(sys.stdin)
if req["mode"] == "jwks":
    # Our JWK Set read by PyJWT's PyJWKSet; each token verified with the key its kid names.
    keys = jwt.PyJWKSet.from_json(req["jwks"])
    verified = []
    for token in req["tokens"]:
        kid = jwt.get_unverified_header(token)["kid"]
        verified.append(jwt.decode(token, keys[kid].key, algorithms=["RS256"])["sub"])
    print(json.dumps({"kids": [k.key_id for k in keys.keys], "verified": verified}))
elif req["mode"] == "decode":
    claims = jwt.decode(req["token"], req["public_pem"], algorithms=["RS256"],
                        options={"require": ["sub", "iat"]})
    print(json.dumps({"header": jwt.get_unverified_header(req["token"]), "claims": claims}))
else:
    headers = {"kid": req["kid"]} if req.get("kid") is not None else None
    # Claims arrive as JSON text so that their member order is kept.
    claims = json.loads(req["claims_json"])
    print(json.dumps({"token": jwt.encode(claims, req["private_pem"], algorithm="RS256", headers=headers)}))
"#;

fn python(request: &Value) -> Value {
    let interpreter = std::env::var("NOTIFLOWS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&interpreter)
        .args(["-c", HELPER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {interpreter}: {e}"));
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{interpreter} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

const SUBJECTS: [&str; 5] =
    ["user-1", "caf\u{e9} \"quoted\" \\ back", "tab\tnew\nline\u{1}", "\u{1F600}", "a/b@example.com"];

#[test]
#[ignore = "needs Python with PyJWT and cryptography (NOTIFLOWS_TEST_PYTHON); CI runs it"]
fn our_tokens_verify_in_pyjwt() {
    let pair = generate_signing_key(2048).unwrap();
    let key = pair.signing_key().unwrap();
    let now = now();
    for (i, sub) in SUBJECTS.into_iter().enumerate() {
        let kid = (i % 2 == 1).then_some("key-\"2\"");
        let kid_option = kid.map_or(notiflows_auth::Kid::Omit, notiflows_auth::Kid::Custom);
        let token = key.sign_user_token(sub, &SignOptions { now, expires_in: Some(600), kid: kid_option }).unwrap();
        let got = python(&json!({ "mode": "decode", "token": token, "public_pem": pair.public_key_pem }));
        assert_eq!(got["claims"], json!({ "sub": sub, "iat": now, "exp": now + 600 }), "{sub:?}");
        let mut header = json!({ "alg": "RS256", "typ": "JWT" });
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        assert_eq!(got["header"], header);
    }
}

#[test]
#[ignore = "needs Python with PyJWT and cryptography (NOTIFLOWS_TEST_PYTHON); CI runs it"]
fn pyjwt_tokens_verify_in_ours() {
    let pair = generate_signing_key(2048).unwrap();
    let key = SigningKey::parse(pair.private_key_base64.as_bytes()).unwrap();
    let verifier = Verifier::new(key.public_key().clone());
    let now = now();
    for sub in SUBJECTS {
        let claims = json!({ "sub": sub, "iat": now, "exp": now + 600 });
        let got = python(
            &json!({ "mode": "encode", "claims_json": claims.to_string(), "private_pem": pair.private_key_pem, "kid": "k1" }),
        );
        let token = got["token"].as_str().unwrap();
        let verified = verifier.verify(token.as_bytes(), now).unwrap_or_else(|e| panic!("{sub:?}: {e}"));
        assert_eq!(verified.sub.as_str(), sub);
        assert_eq!(verified.iat.map(|d| d.seconds()), Some(now));
        assert_eq!(verified.exp.map(|d| d.seconds()), Some(now + 600));
    }
    // For ASCII claims PyJWT writes the same bytes we do, and PKCS#1 v1.5 is deterministic:
    // the two tokens must be identical.
    let claims = format!(r#"{{"sub":"user-1","iat":{now},"exp":{}}}"#, now + 3600);
    let theirs = python(&json!({ "mode": "encode", "claims_json": claims, "private_pem": pair.private_key_pem }));
    // (PyJWT sorts header members, so compare without our default kid.)
    let options = SignOptions { kid: notiflows_auth::Kid::Omit, ..SignOptions::new(now) };
    let ours = key.sign_user_token("user-1", &options).unwrap();
    assert_eq!(theirs["token"].as_str(), Some(ours.as_str()));
}

#[test]
#[ignore = "needs Python with PyJWT and cryptography (NOTIFLOWS_TEST_PYTHON); CI runs it"]
fn our_jwks_is_read_by_pyjwt_and_verifies_our_tokens_by_kid() {
    use notiflows_auth::{Authenticator, AuthenticatorOptions, ProjectConfig};
    let (a, b) = (generate_signing_key(2048).unwrap(), generate_signing_key(2048).unwrap());
    let (ka, kb) = (a.signing_key().unwrap(), b.signing_key().unwrap());
    let auth = Authenticator::new(AuthenticatorOptions::default()).unwrap();
    let config =
        ProjectConfig { api_key: "pk".into(), signing_public_key: Some(ka.public_key().clone()), ..Default::default() };
    auth.add_project(config).unwrap();
    let now = now();
    auth.set_signing_key_with_overlap("pk", kb.public_key().clone(), now, 600).unwrap();
    let tokens: Vec<String> = [(&ka, "old-key-user"), (&kb, "new-key-user")]
        .iter()
        .map(|(k, sub)| k.sign_user_token(sub, &SignOptions::new(now)).unwrap())
        .collect();
    let got = python(&json!({ "mode": "jwks", "jwks": auth.jwks("pk").unwrap(), "tokens": tokens }));
    assert_eq!(got["kids"], json!([kb.kid(), ka.kid()]), "the active key first");
    assert_eq!(got["verified"], json!(["old-key-user", "new-key-user"]));
}
