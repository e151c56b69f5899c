//! The parity runner for Rust: every case of the corpus through the core's public API.
//!
//! Usage: `cargo run -q -p notiflows-auth --example parity -- CORPUS_JSON > rust.jsonl`
//! (see parity/README.md for the corpus and the line format).

use notiflows_auth::{
    Authenticator, AuthenticatorOptions, Credential, Error, ErrorKind, LifetimeOverrides, Policy, ProjectConfig,
    PublicKey, RetiringKey, SecurityMode, UserRevocation, Verifier,
};
use serde_json::{json, Map, Value};
use std::path::Path;

/// One result line: every field present (null when it does not apply), keys sorted (the
/// `serde_json` map is a `BTreeMap`).
fn result(case: &Value, fields: Value) -> Value {
    let mut record: Map<String, Value> =
        ["claim", "code", "credential", "family", "message", "mode", "status", "sub", "user_id"]
            .into_iter()
            .map(|k| (k.to_owned(), Value::Null))
            .collect();
    record.insert("case".into(), case["name"].clone());
    record.insert("outcome".into(), "ok".into());
    record.extend(fields.as_object().expect("an object").clone());
    Value::Object(record)
}

fn failure(case: &Value, e: Error) -> Value {
    result(
        case,
        json!({
            "outcome": "error", "code": e.code(), "status": e.http_status(), "claim": e.claim_name(),
            "message": e.to_string(), "family": e.kind().family().name(),
        }),
    )
}

fn policy(options: &Value) -> Policy {
    let mut policy = Policy::default();
    let number = |v: &Value| v.as_u64().expect("a non-negative integer");
    for (name, v) in options.as_object().expect("options") {
        match name.as_str() {
            "leeway" => policy.leeway_seconds = number(v),
            "require_exp" => policy.require_exp = v.as_bool().expect("a bool"),
            "max_token_bytes" => policy.max_token_bytes = usize::try_from(number(v)).expect("a size"),
            "max_lifetime" => policy.max_lifetime_seconds = v.as_u64(),
            "iat_skew" => policy.iat_skew_seconds = number(v),
            "cache_size" => {}
            other => panic!("unknown option {other}"),
        }
    }
    policy
}

fn authenticator(options: &Value) -> Result<Authenticator, Error> {
    let cache_capacity = options.get("cache_size").map_or(AuthenticatorOptions::default().cache_capacity, |v| {
        usize::try_from(v.as_u64().expect("a size")).expect("a size")
    });
    Authenticator::new(AuthenticatorOptions { policy: policy(options), cache_capacity })
}

fn project(key: &PublicKey, project: &Value) -> Result<ProjectConfig, Error> {
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    let named = |kid: &Value| match kid.as_str() {
        Some(kid) => key.clone().with_kid(kid),
        None => Ok(key.clone()),
    };
    let active = match project["signing_key"].as_bool().expect("a bool") {
        true => Some(named(&project["signing_key_kid"])?),
        false => None,
    };
    let list = |name: &str| project.get(name).and_then(Value::as_array).cloned().unwrap_or_default();
    let retiring_keys = list("retiring_keys")
        .iter()
        .map(|r| Ok(RetiringKey { key: named(&r["kid"])?, until: r["until"].as_i64().expect("until") }))
        .collect::<Result<_, Error>>()?;
    let user_revocations = list("user_revocations")
        .iter()
        .map(|u| UserRevocation {
            user_id: text(&u["user_id"]),
            revoked_before: u["revoked_before"].as_i64().expect("a cut-off"),
        })
        .collect();
    let lifetime = &project["lifetime"];
    Ok(ProjectConfig {
        api_key: text(&project["api_key"]),
        security_mode: project["security_mode"].as_str().expect("a mode").parse::<SecurityMode>()?,
        signing_public_key: active,
        allowed_origins: project["allowed_origins"].as_array().expect("origins").iter().map(text).collect(),
        retiring_keys,
        revoked_before: project["revoked_before"].as_i64(),
        user_revocations,
        lifetime: LifetimeOverrides {
            require_exp: lifetime["require_exp"].as_bool(),
            max_lifetime_seconds: lifetime["max_lifetime"].as_u64(),
            leeway_seconds: lifetime["leeway"].as_u64(),
            iat_skew_seconds: lifetime["iat_skew"].as_u64(),
        },
    })
}

fn header_value(corpus: &Value, v: &Value) -> Vec<u8> {
    if let Some(text) = v.as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(hex) = v["hex"].as_str() {
        return (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect();
    }
    let token = corpus["tokens"][v["token"].as_str().expect("a token name")].as_str().expect("a token");
    format!("{token}{}", v["append"].as_str().unwrap_or("")).into_bytes()
}

fn run(corpus: &Value, key: &PublicKey, case: &Value) -> Result<Value, Error> {
    let now = || case["now"].as_i64().expect("now");
    match case["kind"].as_str().expect("a kind") {
        "verify" => {
            let token = corpus["tokens"][case["token"].as_str().expect("a token name")].as_str().expect("a token");
            let claims =
                Verifier::with_policy(key.clone(), policy(&case["options"]))?.verify(token.as_bytes(), now())?;
            Ok(result(case, json!({ "sub": claims.sub.as_str() })))
        }
        "request" => {
            let auth = authenticator(&case["options"])?;
            for p in corpus["projects"].as_array().expect("projects") {
                auth.add_project(project(key, p)?)?;
            }
            let headers: Vec<(Vec<u8>, Vec<u8>)> = case["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|h| (h[0].as_str().expect("a name").as_bytes().to_vec(), header_value(corpus, &h[1])))
                .collect();
            let mut user = None;
            for _ in 0..case["repeat"].as_u64().unwrap_or(1) {
                user = Some(auth.authenticate(&headers, now())?);
            }
            let user = user.expect("at least one run");
            let credential = match user.credential {
                Credential::UserKey => "user_key",
                Credential::UserId => "user_id",
            };
            Ok(result(
                case,
                json!({ "user_id": user.user_id.as_str(), "mode": user.mode.as_str(), "credential": credential }),
            ))
        }
        _ => {
            Verifier::with_policy(key.clone(), policy(&case["options"]))?;
            authenticator(&case["options"])?.add_project(project(key, &case["project"])?)?;
            Ok(result(case, json!({})))
        }
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: parity CORPUS_JSON");
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("the corpus")).expect("JSON");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
    let pem = std::fs::read(root.join(corpus["public_key"].as_str().expect("a key path"))).expect("the key");
    let key = PublicKey::parse(&pem).expect("the corpus key");
    let mut out = String::new();
    for kind in ErrorKind::ALL {
        let line = json!({ "case": format!("error/{}", kind.code()), "family": [kind.family().name()],
                           "status": kind.http_status() });
        out.push_str(&format!("{line}\n"));
    }
    for case in corpus["cases"].as_array().expect("cases") {
        let line = run(&corpus, &key, case).unwrap_or_else(|e| failure(case, e));
        out.push_str(&format!("{line}\n"));
    }
    print!("{out}");
}
