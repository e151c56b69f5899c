//! Shared test helpers: the vectors in `testdata/vectors`.
#![allow(dead_code)]

use notiflows_auth::PublicKey;
use std::path::PathBuf;

/// A file under the shared vectors directory.
pub fn vector_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/vectors").join(relative)
}

pub fn read_vector(relative: &str) -> Vec<u8> {
    let path = vector_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn read_json(relative: &str) -> serde_json::Value {
    serde_json::from_slice(&read_vector(relative)).unwrap()
}

/// The jwt-cases public key (SPKI PEM).
pub fn shared_public_key() -> PublicKey {
    PublicKey::parse(&read_vector("jwt-cases/rsa_public_spki.pem")).unwrap()
}

/// One case of `jwt-cases/cases.json`.
pub struct Case {
    pub name: String,
    pub category: String,
    pub token: String,
    pub expect: String,
    pub now: i64,
    pub expected_sub: Option<String>,
    pub expected_error_category: Option<String>,
    pub alt_error_categories: Vec<String>,
}

impl Case {
    /// The expected category followed by the alternatives.
    pub fn categories(&self) -> impl Iterator<Item = &str> {
        self.expected_error_category.iter().chain(&self.alt_error_categories).map(String::as_str)
    }
}

pub fn jwt_cases() -> Vec<Case> {
    let doc = read_json("jwt-cases/cases.json");
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: text(&c["name"]).unwrap(),
            category: text(&c["category"]).unwrap(),
            token: text(&c["token"]).unwrap(),
            expect: text(&c["expect"]).unwrap(),
            now: c["now"].as_i64().unwrap(),
            expected_sub: text(&c["expected_sub"]),
            expected_error_category: text(&c["expected_error_category"]),
            alt_error_categories: c["alt_error_categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| text(v).unwrap())
                .collect(),
        })
        .collect()
}

/// Base64url decoding for test fixtures, by an independent implementation (the library's
/// own decoder is what is under test).
pub fn b64url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).expect("base64url fixture")
}

/// The error table of README.md, in order: (code, HTTP status). A row may name several
/// codes (`a` / `b`); the C-only codes listed after the table are not part of it.
pub fn documented_codes() -> Vec<(String, u16)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme.split("## Errors").nth(1).unwrap().split("\n\n").find(|p| p.starts_with("| code")).unwrap();
    let mut codes = Vec::new();
    for row in table.lines().skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let status: u16 = cells[2].parse().unwrap();
        codes.extend(cells[1].split('/').map(|c| (c.trim().trim_matches('`').to_string(), status)));
    }
    codes
}

/// Every verify provider, with a policy that selects it: the tests run each case through all.
pub fn with_each_provider(policy: notiflows_auth::Policy) -> impl Iterator<Item = notiflows_auth::Policy> {
    notiflows_auth::Provider::ALL.into_iter().map(move |provider| notiflows_auth::Policy { provider, ..policy })
}
