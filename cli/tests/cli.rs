//! The `notiflows-auth` command end to end, through the built binary.

use serde_json::Value;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_notiflows-auth"));
    cmd.env_remove("NOTIFLOWS_SIGNING_KEY");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A key pair written by `keygen --out-dir`.
fn keygen(dir: &Path) {
    let out = run(cli().args(["keygen", "--out-dir"]).arg(dir));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("shown once"));
}

fn sign(args: &[&str], key: &Path) -> String {
    let out = run(cli().arg("sign").args(args).arg("--key").arg(key));
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim_end().to_string()
}

#[test]
fn keygen_writes_private_files_0600_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    keygen(&keys);
    for (name, mode) in [("private_key.pem", 0o600), ("private_key.b64", 0o600), ("public_key.pem", 0o644)] {
        let meta = std::fs::metadata(keys.join(name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{name}");
    }
    let b64 = std::fs::read_to_string(keys.join("private_key.b64")).unwrap();
    assert!(b64.starts_with("LS0tLS1CRUdJTi") && b64.trim_end().lines().count() == 1);
    let before = std::fs::read(keys.join("private_key.pem")).unwrap();
    let again = run(cli().args(["keygen", "--out-dir"]).arg(&keys));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(std::fs::read(keys.join("private_key.pem")).unwrap(), before, "untouched without --force");
    let forced = run(cli().args(["keygen", "--force", "--out-dir"]).arg(&keys));
    assert!(forced.status.success());
    assert_ne!(std::fs::read(keys.join("private_key.pem")).unwrap(), before);
}

#[test]
fn keygen_prints_three_labelled_keys_without_a_directory() {
    let out = run(cli().args(["keygen", "--bits", "3072"]));
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("base64-encoded PEM") && text.contains("BEGIN PRIVATE KEY") && text.contains("BEGIN PUBLIC KEY")
    );
    // Sizes key generation does not make are usage errors (exit 2) naming the sizes it makes.
    for bits in ["1024", "8192", "x"] {
        let refused = run(cli().args(["keygen", "--bits", bits]));
        assert_eq!(refused.status.code(), Some(2), "{bits}");
        assert!(stderr(&refused).contains("key generation makes 2048, 3072, 4096 bit keys"), "{}", stderr(&refused));
    }
}

#[test]
fn keygen_force_replaces_a_symlink_and_never_writes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&victim, keys.join("private_key.pem")).unwrap();
    // Without --force the symlink counts as an existing file.
    let refused = run(cli().args(["keygen", "--out-dir"]).arg(&keys));
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let forced = run(cli().args(["keygen", "--force", "--out-dir"]).arg(&keys));
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "the symlink's target is untouched");
    assert_eq!(std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777, 0o644);
    let written = std::fs::symlink_metadata(keys.join("private_key.pem")).unwrap();
    assert!(written.file_type().is_file(), "the symlink was replaced by a regular file");
    assert_eq!(written.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(keys.join("private_key.pem")).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
    let leftovers: Vec<_> = std::fs::read_dir(&keys).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 3, "no temporary file left: {leftovers:?}");
}

#[test]
fn sign_refuses_a_zero_ttl() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let out = run(cli().args(["sign", "--sub", "u", "--ttl", "0", "--key"]).arg(dir.path().join("private_key.pem")));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: claim_invalid: "), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least 1 second"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn sign_then_verify_with_file_env_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let public = dir.path().join("public_key.pem");
    let token =
        sign(&["--sub", "user \"42\" é", "--now", "1700000000", "--kid", "k1"], &dir.path().join("private_key.pem"));
    let out = run(cli().args(["verify", "--now", "1700000100", "--public-key"]).arg(&public).arg(&token));
    assert!(out.status.success(), "{}", stderr(&out));
    let claims: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(claims, serde_json::json!({"sub": "user \"42\" é", "iat": 1700000000, "exp": 1700003600}));

    // The key from the environment, in its one-line base64 form; the token from stdin.
    let b64 = std::fs::read_to_string(dir.path().join("private_key.b64")).unwrap();
    let out =
        run(cli().args(["sign", "--sub", "u", "--no-exp", "--now", "5"]).env("NOTIFLOWS_SIGNING_KEY", b64.trim()));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut child = cli()
        .args(["verify", "--now", "10", "--public-key"])
        .arg(&public)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let verified = child.wait_with_output().unwrap();
    assert!(verified.status.success());
    assert_eq!(serde_json::from_slice::<Value>(&verified.stdout).unwrap(), serde_json::json!({"sub": "u", "iat": 5}));
}

#[test]
fn verify_failures_print_the_code_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let public = dir.path().join("public_key.pem");
    let token = sign(&["--sub", "u", "--now", "1000", "--ttl", "60"], &dir.path().join("private_key.pem"));
    let verify =
        |token: &str, extra: &[&str]| run(cli().arg("verify").args(extra).arg("--public-key").arg(&public).arg(token));
    let expired = verify(&token, &["--now", "1060"]);
    assert_eq!(expired.status.code(), Some(1));
    assert!(stderr(&expired).starts_with("error: token_expired: "), "{}", stderr(&expired));
    assert!(verify(&token, &["--now", "1060", "--leeway", "1"]).status.success());
    let no_exp = sign(&["--sub", "u", "--now", "1000", "--no-exp"], &dir.path().join("private_key.pem"));
    let required = verify(&no_exp, &["--now", "1000", "--require-exp"]);
    assert!(stderr(&required).starts_with("error: claim_missing: "), "{}", stderr(&required));
    let garbage = verify("not-a-token", &[]);
    assert!(stderr(&garbage).starts_with("error: token_malformed: "));
    // A token from another key pair.
    let other = tempfile::tempdir().unwrap();
    keygen(other.path());
    let foreign = sign(&["--sub", "u", "--now", "1000"], &other.path().join("private_key.pem"));
    assert!(stderr(&verify(&foreign, &["--now", "1000"])).starts_with("error: signature_invalid: "));
}

#[test]
fn sign_without_a_key_or_with_a_bad_one_fails_clearly() {
    let out = run(cli().args(["sign", "--sub", "u"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("NOTIFLOWS_SIGNING_KEY"));
    let out = run(cli().args(["sign", "--sub", "u"]).env("NOTIFLOWS_SIGNING_KEY", "LS0tLS1CRUdJTiBnYXJiYWdl"));
    assert!(stderr(&out).starts_with("error: key_invalid: "), "{}", stderr(&out));
    assert!(!stderr(&out).contains("LS0tLS1CRUdJTiBnYXJiYWdl"), "key material is never echoed");
}

#[test]
fn inspect_marks_output_as_not_verified() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let token = sign(&["--sub", "alice", "--now", "7"], &dir.path().join("private_key.pem"));
    let out = run(cli().args(["inspect", &token]));
    assert!(out.status.success());
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["verified"], false);
    assert_eq!(shown["header"]["alg"], "RS256");
    assert_eq!(shown["claims"]["sub"], "alice");
    assert!(stderr(&out).contains("NOT VERIFIED"));
    assert!(stderr(&run(cli().args(["inspect", "a.b"]))).starts_with("error: token_malformed"));
    assert!(shown["verdict"].as_str().unwrap().starts_with("well formed"), "{shown}");
}

#[test]
fn inspect_shows_every_member_and_says_verification_refuses_duplicates() {
    use base64::Engine as _;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let token = format!(
        "{}.{}.{}",
        url.encode(r#"{"alg":"none","alg":"RS256"}"#),
        url.encode(r#"{"sub":"alice","sub":"admin"}"#),
        url.encode([1u8; 256])
    );
    let out = run(cli().args(["inspect", &token]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for member in [r#""alg": "none""#, r#""alg": "RS256""#, r#""sub": "alice""#, r#""sub": "admin""#] {
        assert!(text.contains(member), "{member} in {text}");
    }
    assert!(text.contains("verification refuses this token: token_duplicate_member"), "{text}");
    assert!(stderr(&out).contains("verification refuses this token"), "{}", stderr(&out));
}

#[test]
fn demo_runs_every_step_and_exits_0() {
    let out = run(cli().args(["demo", "--now", "1700000000"]));
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("PASS").count(), 8, "{text}");
    assert!(!text.contains("FAIL"));
    for code in ["token_expired", "key_unknown", "origin_not_allowed", "user_key_missing"] {
        assert!(text.contains(code), "{code}");
    }
}

#[test]
fn authenticate_explains_refusals_with_status() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let project = dir.path().join("project.json");
    std::fs::write(
        &project,
        r#"{"api_key":"pk_1","security_mode":"secure","signing_public_key":"public_key.pem","allowed_origins":["https://*.example.com"]}"#,
    )
    .unwrap();
    let token = sign(&["--sub", "u-1", "--now", "1000"], &dir.path().join("private_key.pem"));
    let auth = |headers: &[String], origin: Option<&str>| {
        let mut cmd = cli();
        cmd.args(["authenticate", "--now", "1001", "--project"]).arg(&project);
        for h in headers {
            cmd.args(["-H", h]);
        }
        if let Some(origin) = origin {
            cmd.args(["--origin", origin]);
        }
        run(&mut cmd)
    };
    let ok = auth(
        &["X-Notiflows-Api-Key: pk_1".into(), format!("x-notiflows-user-key: {token}")],
        Some("https://a.example.com"),
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let user: Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(
        (user["user_id"].as_str(), user["mode"].as_str(), user["expires_at"].as_i64()),
        (Some("u-1"), Some("secure"), Some(4600))
    );

    let refused = auth(&["x-notiflows-api-key: pk_1".into(), "x-notiflows-user-id: u-1".into()], None);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(err.starts_with("error: user_key_missing: Security Mode is on"), "{err}");
    assert!(err.contains("HTTP 401 {\"code\":\"user_key_missing\""), "{err}");

    let origin = auth(
        &["x-notiflows-api-key: pk_1".into(), format!("x-notiflows-user-key: {token}")],
        Some("https://example.com"),
    );
    assert!(stderr(&origin).starts_with("error: origin_not_allowed: ") && stderr(&origin).contains("HTTP 403"));
    assert!(stderr(&auth(&[], None)).starts_with("error: api_key_missing: "));
    assert!(stderr(&auth(&["x-notiflows-api-key: nope".into()], None)).starts_with("error: api_key_invalid: "));

    // Origin is a header like the others: -H 'Origin: ...' is checked as --origin is.
    let user_key = format!("x-notiflows-user-key: {token}");
    let evil =
        auth(&["x-notiflows-api-key: pk_1".into(), user_key.clone(), "Origin: https://evil.example.net".into()], None);
    assert_eq!(evil.status.code(), Some(1));
    assert!(stderr(&evil).starts_with("error: origin_not_allowed: "), "{}", stderr(&evil));
    let good =
        auth(&["x-notiflows-api-key: pk_1".into(), user_key.clone(), "origin: https://a.example.com".into()], None);
    assert!(good.status.success(), "{}", stderr(&good));
    // Both --origin and an Origin header: two Origin headers, refused whatever they say.
    let both = auth(
        &["x-notiflows-api-key: pk_1".into(), user_key.clone(), "Origin: https://a.example.com".into()],
        Some("https://a.example.com"),
    );
    assert!(stderr(&both).starts_with("error: origin_not_allowed: ") && stderr(&both).contains("more than once"));
    // Values go to the library as written; it drops the whitespace around them.
    let spaced = auth(&["x-notiflows-api-key:   pk_1 \t".into(), user_key.clone()], None);
    assert!(spaced.status.success(), "{}", stderr(&spaced));
    // A malformed -H is a usage error.
    for bad in ["no colon", ": empty name", "bad name: v"] {
        let out = auth(&[bad.into()], None);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("'Name: value'"), "{}", stderr(&out));
    }

    // Malformed configuration is reported as such.
    std::fs::write(&project, r#"{"api_key":"pk_1","allowed_origins":["example.com"]}"#).unwrap();
    assert!(stderr(&auth(&[], None)).starts_with("error: config_invalid: "));
    // An unknown member (a typo) is refused, naming it and the nearest known name.
    std::fs::write(&project, r#"{"api_key":"pk_1","allowed_origin":["https://a.example.com"]}"#).unwrap();
    let typo = auth(&["x-notiflows-api-key: pk_1".into(), "Origin: https://evil.example.net".into()], None);
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        stderr(&typo).contains(r#"unknown member "allowed_origin" (did you mean `allowed_origins`?)"#),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn provider_is_chosen_by_name_on_verify_and_authenticate() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let public = dir.path().join("public_key.pem");
    let token = sign(&["--sub", "u-p", "--now", "1000"], &dir.path().join("private_key.pem"));
    let project = dir.path().join("project.json");
    std::fs::write(&project, r#"{"api_key":"pk_p","security_mode":"secure","signing_public_key":"public_key.pem"}"#)
        .unwrap();
    let verify = |provider: &str, now: &str| {
        run(cli().args(["verify", "--provider", provider, "--now", now, "--public-key"]).arg(&public).arg(&token))
    };
    let authenticate =
        |provider: &str| {
            run(cli()
                .args(["authenticate", "--provider", provider, "--now", "1001", "--project"])
                .arg(&project)
                .args(["-H", "x-notiflows-api-key: pk_p", "-H", &format!("x-notiflows-user-key: {token}")]))
        };
    // Both providers print the same claims and the same refusal.
    for now in ["1001", "999999"] {
        let (ring, aws) = (verify("ring", now), verify("aws-lc-rs", now));
        assert_eq!((ring.status.code(), stdout(&ring), stderr(&ring)), (aws.status.code(), stdout(&aws), stderr(&aws)));
    }
    assert!(verify("aws-lc-rs", "1001").status.success());
    let (ring, aws) = (authenticate("ring"), authenticate("aws-lc-rs"));
    assert!(aws.status.success(), "{}", stderr(&aws));
    assert_eq!(stdout(&ring), stdout(&aws));
    // An unknown name is the core's config_invalid, naming the known ones.
    for unknown in [verify("openssl", "1001"), authenticate("AWS-LC-RS")] {
        assert_eq!(unknown.status.code(), Some(1));
        let text = stderr(&unknown);
        assert!(text.starts_with("error: config_invalid: ") && text.contains("\"aws-lc-rs\""), "{text}");
    }
}

/// The JSON header of a compact token.
fn header_of(token: &str) -> Value {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

#[test]
fn sign_names_the_key_by_default_and_kid_flags_change_it() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("private_key.pem");
    let jwks = run(cli().args(["jwks", "--public-key"]).arg(dir.path().join("public_key.pem")));
    assert!(jwks.status.success(), "{}", stderr(&jwks));
    let set: Value = serde_json::from_str(&stdout(&jwks)).unwrap();
    let thumbprint = set["keys"][0]["kid"].as_str().unwrap().to_owned();
    assert_eq!(thumbprint.len(), 43);
    assert_eq!(header_of(&sign(&["--sub", "u", "--now", "1000"], &key))["kid"], thumbprint.as_str());
    assert_eq!(header_of(&sign(&["--sub", "u", "--kid", "k-1"], &key))["kid"], "k-1");
    assert_eq!(header_of(&sign(&["--sub", "u", "--no-kid"], &key)).get("kid"), None);
    let both = run(cli().args(["sign", "--sub", "u", "--no-kid", "--kid", "k"]).arg("--key").arg(&key));
    assert_eq!(both.status.code(), Some(2), "--kid and --no-kid conflict");
    let bad = run(cli().args(["sign", "--sub", "u", "--kid", "a b"]).arg("--key").arg(&key));
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("error: config_invalid: "), "{}", stderr(&bad));
}

#[test]
fn jwks_prints_one_jwk_per_key_file_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    keygen(&a);
    keygen(&b);
    let out = run(cli().args(["jwks", "--public-key"]).arg(a.join("public_key.pem")).arg(b.join("public_key.pem")));
    assert!(out.status.success(), "{}", stderr(&out));
    let set: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for jwk in keys {
        assert_eq!(
            (&jwk["kty"], &jwk["alg"], &jwk["use"]),
            (&Value::from("RSA"), &Value::from("RS256"), &"sig".into())
        );
        let mut names: Vec<&str> = jwk.as_object().unwrap().keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["alg", "e", "kid", "kty", "n", "use"]);
    }
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
    // The kid in the set is the one `sign` puts in the header.
    let token = sign(&["--sub", "u"], &b.join("private_key.pem"));
    assert_eq!(header_of(&token)["kid"], keys[1]["kid"]);
    // Refusals: a private key, a missing file, the same key twice, no key at all.
    let private = run(cli().args(["jwks", "--public-key"]).arg(a.join("private_key.pem")));
    assert_eq!(private.status.code(), Some(1));
    assert!(stderr(&private).starts_with("error: key_invalid: "), "{}", stderr(&private));
    let missing = run(cli().args(["jwks", "--public-key"]).arg(dir.path().join("nope.pem")));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read"), "{}", stderr(&missing));
    let twice = run(cli().args(["jwks", "--public-key"]).arg(a.join("public_key.pem")).arg(a.join("public_key.pem")));
    assert_eq!(twice.status.code(), Some(2));
    assert_eq!(run(cli().arg("jwks")).status.code(), Some(2));
}

#[test]
fn authenticate_reads_retiring_keys_revocations_and_lifetime_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    keygen(&old);
    keygen(&new);
    let project = dir.path().join("project.json");
    let write = |extra: &str| {
        let text = format!(
            r#"{{"api_key":"pk_1","signing_public_key":"new/public_key.pem",
                 "retiring_keys":[{{"key":"old/public_key.pem","until":2000}}]{extra}}}"#
        );
        std::fs::write(&project, text).unwrap();
    };
    let auth = |token: &str, now: &str| {
        run(cli().args(["authenticate", "--now", now, "--project"]).arg(&project).args([
            "-H",
            "x-notiflows-api-key: pk_1",
            "-H",
            &format!("x-notiflows-user-key: {token}"),
        ]))
    };
    let code = |out: &Output| {
        if out.status.success() {
            "ok".to_owned()
        } else {
            stderr(out).split(':').nth(1).unwrap_or("").trim().to_owned()
        }
    };
    let old_token = sign(&["--sub", "u-1", "--now", "1000"], &old.join("private_key.pem"));
    let new_token = sign(&["--sub", "u-1", "--now", "1000"], &new.join("private_key.pem"));
    write("");
    assert_eq!(code(&auth(&old_token, "1999")), "ok", "a retiring key before its deadline");
    assert_eq!(code(&auth(&old_token, "2000")), "key_unknown", "at its deadline");
    assert_eq!(code(&auth(&new_token, "2000")), "ok");
    write(r#","revoked_before":1001"#);
    assert_eq!(code(&auth(&new_token, "1500")), "token_revoked");
    write(r#","user_revocations":[{"user_id":"u-1","revoked_before":1001}]"#);
    let refused = auth(&new_token, "1500");
    assert_eq!(code(&refused), "token_revoked");
    assert!(stderr(&refused).contains("HTTP 401"), "{}", stderr(&refused));
    write(r#","max_lifetime":600"#);
    assert_eq!(code(&auth(&new_token, "1500")), "claim_invalid", "3600 s over the project's 600 s");
    write(r#","retiring_keys":[]"#);
    assert!(stderr(&auth(&new_token, "1500")).contains("repeats a member name"));
    write(r#","max_lifetim":600"#);
    let typo = auth(&new_token, "1500");
    assert!(stderr(&typo).contains("did you mean `max_lifetime`?"), "{}", stderr(&typo));
}
