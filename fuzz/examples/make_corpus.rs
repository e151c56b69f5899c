//! Writes the seed corpus under `corpus/<target>/` from `testdata/vectors`, our test
//! fixtures and hand-written edge cases: `cargo run --example make_corpus` in `fuzz/`.
//! Seeds are named `seed-*`; files that libFuzzer adds (named by their SHA-1) are left alone.

use notiflows_auth_fuzz::b64;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> Vec<u8> {
    let path = root().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(relative: &str) -> Value {
    serde_json::from_slice(&read(relative)).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// Lenient base64url: whatever decodes, for splitting test tokens into header and payload.
fn lenient(segment: &str) -> Vec<u8> {
    let standard: String = segment
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    b64::decode_std_lenient(standard.as_bytes())
}

#[derive(Default)]
struct Seeds(BTreeMap<String, Vec<u8>>);

impl Seeds {
    fn add(&mut self, name: &str, data: impl Into<Vec<u8>>) {
        let data = data.into();
        if !self.0.values().any(|d| *d == data) {
            let name: String =
                name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(60).collect();
            self.0.insert(format!("seed-{:03}-{name}", self.0.len()), data);
        }
    }

    fn write(self, target: &str) {
        let dir = root().join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with("seed-") {
                std::fs::remove_file(path).unwrap();
            }
        }
        let count = self.0.len();
        for (name, data) in self.0 {
            std::fs::write(dir.join(name), data).unwrap();
        }
        println!("{target}: {count} seeds");
    }
}

struct Case {
    name: String,
    category: String,
    token: String,
}

fn cases() -> Vec<Case> {
    let doc = json("../testdata/vectors/jwt-cases/cases.json");
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            category: c["category"].as_str().unwrap().into(),
            token: c["token"].as_str().unwrap().into(),
        })
        .filter(|c| c.token.len() <= 4096)
        .collect()
}

fn rfc_tokens() -> Vec<(String, String)> {
    ["rfc7515_a2", "rfc7520_4_1"]
        .iter()
        .map(|name| {
            let doc = json(&format!("../testdata/vectors/rfc/{name}.json"));
            (name.to_string(), doc["compact_jws"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn token_parse(cases: &[Case]) {
    let mut seeds = Seeds::default();
    for c in cases {
        seeds.add(&c.name, c.token.as_bytes());
    }
    for (name, token) in rfc_tokens() {
        seeds.add(&name, token.as_bytes());
    }
    for (name, token) in [("empty", ""), ("dots", ".."), ("four", "a.b.c.d"), ("short", "eyJ.e30.")] {
        seeds.add(name, token);
    }
    seeds.write("token_parse");
}

fn verify(cases: &[Case]) {
    verify_seeds(cases).write("verify");
}

/// The `verify` seeds (modes 0, 2 and 3 mean the same in `providers`).
fn verify_seeds(cases: &[Case]) -> Seeds {
    let mut seeds = Seeds::default();
    // Tokens as is: every valid one and one of each other category.
    let mut categories = Vec::new();
    for c in cases {
        if c.category == "valid" || !categories.contains(&c.category) {
            categories.push(c.category.clone());
            seeds.add(&format!("token-{}", c.name), [&[0u8][..], c.token.as_bytes()].concat());
        }
    }
    // Header and payload, signed by the target: the JSON shapes of every case.
    for c in cases {
        let parts: Vec<&str> = c.token.split('.').collect();
        if parts.len() >= 2 {
            let (header, payload) = (lenient(parts[0]), lenient(parts[1]));
            seeds.add(&format!("signed-{}", c.name), [&[2u8][..], &header, &[0], &payload].concat());
        }
    }
    for payload in [
        r#"{"sub":"alice","exp":1700003600,"iat":1700000000}"#,
        r#"{"sub":"caf\u00e9 \ud83d\ude00","exp":1700003600.5,"nbf":1699999999.25}"#,
        r#"{"sub":"a","exp":1.7000036e9,"iat":1700000060}"#,
        r#"{"sub":"a","exp":9223372036854775807}"#,
        r#"{"sub":"a","exp":-9223372036854775808}"#,
        r#"{"sub":"a","exp":1700000000}"#,
        r#"{"sub":"a","nbf":1700000001,"iat":1700000061}"#,
        r#"{"sub":"","exp":"1700003600"}"#,
        r#"{"sub":"a","exp":1700003600,"iat":1699990000}"#,
        r#"{"sub":"a","x":{"y":[1,2,{"z":null}]},"exp":1700003600}"#,
    ] {
        seeds.add("payload", [&[3u8][..], payload.as_bytes()].concat());
    }
    seeds
}

/// The `verify` seeds, plus keys (mode 4: ours and Wycheproof's, including e = 3) and
/// signature tampering (mode 5).
fn providers(cases: &[Case]) {
    let mut seeds = verify_seeds(cases);
    let shared = |name: &str| read(&format!("../testdata/vectors/jwt-cases/{name}"));
    for name in ["rsa_public_spki.pem", "rsa_public_pkcs1.pem", "rsa_public_spki.der"] {
        seeds.add(&format!("key-{name}"), [&[4u8][..], &shared(name)].concat());
    }
    for file in ["rsa_signature_2048_sha256_test.json", "rsa_signature_4096_sha256_test.json"] {
        let doc = json(&format!("../testdata/vectors/wycheproof/{file}"));
        for (i, group) in doc["testGroups"].as_array().unwrap().iter().enumerate() {
            let der = hex(group["publicKeyDer"].as_str().unwrap());
            seeds.add(&format!("key-wycheproof-{}-{i}", group["keySize"]), [&[4u8][..], &der].concat());
        }
    }
    for (name, tamper) in [("as-is", vec![]), ("first-bit", vec![1]), ("last-byte", [vec![0; 255], vec![1]].concat())] {
        seeds.add(&format!("tamper-{name}"), [&[5u8][..], &tamper].concat());
    }
    seeds.write("providers");
}

fn json_seeds(cases: &[Case]) {
    let mut seeds = Seeds::default();
    for c in cases {
        for (i, part) in c.token.split('.').take(2).enumerate() {
            seeds.add(&format!("{}-{}", c.name, ["header", "payload"][i]), lenient(part));
        }
    }
    let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
    let many = |n: usize| format!("{{{}}}", (0..n).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(","));
    let handwritten = [
        r#"{}"#.to_string(),
        r#" { "a" : [ 1 , 2.5e-3 , -0 , true , false , null , "x" , { } ] } "#.into(),
        r#"{"a\u00e9":"\ud83d\ude00\n\"\/\\\b\f\r\t\u0000"}"#.into(),
        r#"{"sub":"x","s\u0075b":"y"}"#.into(),
        r#"{"a":"\ud800"}"#.into(),
        r#"{"a":"\udc00x"}"#.into(),
        r#"{"n":1e308,"m":-1.7976931348623157e308,"z":0e99999,"t":1e-400}"#.into(),
        r#"{"n":1e309}"#.into(),
        r#"{"n":123456789012345678901234567890}"#.into(),
        "{\"a\":01}".into(),
        "{\"a\":1.}".into(),
        "{\"a\":.5}".into(),
        "{\"a\":\"\x7f\"}".into(),
        "\u{feff}{}".into(),
        "{\"a\":{\"b\":1,\"b\":2}}".into(),
        deep(63),
        deep(64),
        many(128),
        many(129),
    ];
    for (i, text) in handwritten.iter().enumerate() {
        seeds.add(&format!("handwritten-{i}"), text.as_bytes());
    }
    seeds.add("invalid-utf8", b"{\"a\":\"\xff\"}".to_vec());
    seeds.write("json");
}

fn keys() {
    let mut seeds = Seeds::default();
    let shared = |name: &str| read(&format!("../testdata/vectors/jwt-cases/{name}"));
    let fixture = |name: &str| read(&format!("../core/tests/fixtures/{name}"));
    let public_pem = shared("rsa_public_spki.pem");
    let private_pem = shared("rsa_private_pkcs8.pem");
    seeds.add("spki-pem", public_pem.clone());
    seeds.add("pkcs1-public-pem", shared("rsa_public_pkcs1.pem"));
    seeds.add("spki-der", shared("rsa_public_spki.der"));
    seeds.add("public-b64-line", b64::encode_std(&public_pem));
    seeds.add("pkcs8-pem", private_pem.clone());
    seeds.add("pkcs8-der", b64::pem_body(&private_pem));
    seeds.add("private-b64-line", b64::encode_std(&private_pem));
    let text = String::from_utf8(private_pem.clone()).unwrap();
    seeds.add("pkcs8-pem-crlf", text.replace('\n', "\r\n"));
    seeds.add("pkcs8-pem-escaped", format!("  {}  ", text.trim_end().replace('\n', "\\n")));
    for name in [
        "rsa2048_private_pkcs1.pem",
        "rsa1024_private_pkcs8.pem",
        "rsa1024_public_spki.pem",
        "ec_p256_private_pkcs8.pem",
        "ec_p256_private_sec1.pem",
        "ec_p256_public_spki.pem",
    ] {
        seeds.add(name, fixture(name));
    }
    let pkcs1_private = fixture("rsa2048_private_pkcs1.pem");
    seeds.add("pkcs1-private-der", b64::pem_body(&pkcs1_private));
    seeds.add("pkcs1-private-b64-line", b64::encode_std(&pkcs1_private));
    for name in ["rfc7515_a2", "rfc7520_4_1"] {
        let doc = json(&format!("../testdata/vectors/rfc/{name}.json"));
        for field in ["public_key_pem", "public_key_pkcs1_pem", "private_key_pkcs8_pem"] {
            seeds.add(&format!("{name}-{field}"), doc[field].as_str().unwrap().as_bytes());
        }
    }
    for size in ["2048", "4096"] {
        let doc = json(&format!("../testdata/vectors/wycheproof/rsa_signature_{size}_sha256_test.json"));
        for (i, group) in doc["testGroups"].as_array().unwrap().iter().enumerate() {
            seeds.add(&format!("wycheproof-{size}-{i}-spki"), hex(group["publicKeyDer"].as_str().unwrap()));
            seeds.add(&format!("wycheproof-{size}-{i}-pkcs1"), hex(group["publicKeyAsn"].as_str().unwrap()));
        }
    }
    seeds.add("empty-pem", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
    seeds.add("b64-prefix", "LS0tLS1CRUdJTi");
    let mut truncated = public_pem;
    truncated.truncate(200);
    seeds.add("truncated-pem", truncated);
    seeds.write("keys");
}

fn authenticate(cases: &[Case]) {
    let valid = &cases.iter().find(|c| c.category == "valid").unwrap().token;
    let expired = &cases.iter().find(|c| c.name == "exp_now_minus_1").unwrap().token;
    let mut seeds = Seeds::default();
    let requests = [
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{valid}\n@origin:https://app.example.com"),
        format!("X-Notiflows-Api-Key:pk_secure\nX-NOTIFLOWS-USER-KEY:{valid}\ncontent-type:application/json"),
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{valid}\n@origin:https://a.b.example.org:443"),
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{valid}\n@origin:https://evil-example.com"),
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{valid}\n@origin:null"),
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{expired}"),
        format!("x-notiflows-api-key:pk_secure\nx-notiflows-user-key:{valid}\nx-notiflows-user-key:{valid}"),
        format!("x-notiflows-api-key:pk_dev\nx-notiflows-user-id:alice\nx-notiflows-user-key:{valid}"),
        format!("x-notiflows-api-key:pk_secure_nokey\nx-notiflows-user-key:{valid}"),
        "x-notiflows-api-key:pk_secure\nx-notiflows-user-id:alice\n@origin:http://localhost:3000".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-user-id:alice\n@origin:https://anything.test".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-user-id:caf\u{e9} \u{1F600}".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-user-id:a\tb".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-user-id:".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-user-id:a\nx-notiflows-user-id:b".into(),
        "x-notiflows-api-key:pk_dev".into(),
        "x-notiflows-api-key:pk_dev_nokey\nx-notiflows-user-id:bob\n@origin:https://x.example.org".into(),
        "x-notiflows-api-key:pk_dev_nokey\nx-notiflows-user-id:bob\n@origin:https://example.org".into(),
        "x-notiflows-api-key:pk_secure_nokey\nx-notiflows-user-id:bob".into(),
        "x-notiflows-api-key:pk_unknown\nx-notiflows-user-id:bob".into(),
        "x-notiflows-api-key:pk_dev\nx-notiflows-api-key:pk_dev\nx-notiflows-user-id:bob".into(),
        "x-notiflows-user-id:bob".into(),
        "".into(),
    ];
    for (i, request) in requests.iter().enumerate() {
        seeds.add(&format!("request-{i}"), request.as_bytes());
    }
    seeds.write("authenticate");
}

fn origins() {
    let mut seeds = Seeds::default();
    let lists: &[(&[&str], &str)] = &[
        (&["https://app.example.com", "http://localhost:3000", "http://[::1]:8080"], "HTTPS://APP.EXAMPLE.COM:443"),
        (&["https://app.example.com"], "https://app.example.com/"),
        (&["https://app.example.com"], "https://app.example.com."),
        (&["https://*.example.com"], "https://a.b.example.com"),
        (&["https://*.example.com"], "https://example.com"),
        (&["https://*.example.com"], "https://evil-example.com"),
        (&["https://*.example.com"], "https://example.com.evil.com"),
        (&["https://*.example.com"], "https://.example.com"),
        (&["http://*.example.test:8080"], "http://a.example.test:8080"),
        (&["HTTPS://App.Example.COM:443", "http://x.test:80"], "http://x.test"),
        (&["https://app.example.com"], "null"),
        (&["https://app.example.com"], ""),
        (&[], "garbage"),
        (&["app.example.com"], "https://app.example.com"),
        (&["https://*.com"], "https://a.com"),
        (&["https://a*.example.com"], "https://ab.example.com"),
        (&["https://example.com:0443"], "https://example.com"),
        (&["https://example.com:65535"], "https://example.com:65535"),
        (&["https://user@example.com"], "https://example.com"),
        (&["null"], "null"),
        (&["*"], "https://x.test"),
        (&[""], "https://x.test"),
        (&["https://[::1"], "https://[::1]"),
        (&["http://[::1]"], "http://[::1]:80"),
        (&["chrome-extension://abcdef"], "chrome-extension://ABCDEF"),
        (&["https://xn--caf-dma.example"], "https://XN--CAF-DMA.example:443"),
        (&["https://app.example.com"], "https://app.example.com:\u{661}"),
    ];
    for (i, (list, origin)) in lists.iter().enumerate() {
        let mut text = list.join("\n");
        if !list.is_empty() {
            text.push('\n');
        }
        text.push_str(origin);
        seeds.add(&format!("list-{i}"), text);
    }
    seeds.write("origins");
}

fn main() {
    assert!(Path::new(&root().join("../testdata/vectors")).exists(), "testdata/vectors is missing");
    let cases = cases();
    token_parse(&cases);
    verify(&cases);
    providers(&cases);
    json_seeds(&cases);
    keys();
    authenticate(&cases);
    origins();
}
