//! JWK Sets (RFC 7517): writing a project's public keys for gateways that verify signatures
//! themselves, and a strict reader for importing a set as a project's keys.

use super::der::RsaNumbers;
use super::{check_kid, PublicKey, MAX_PROJECT_KEYS};
use crate::base64;
use crate::error::{Error, ErrorKind};
use crate::json::{self, Value};

/// Largest JWK Set text read, in bytes: 8 keys of 8192 bits fit in about 12 KiB.
pub const MAX_JWK_SET_BYTES: usize = 64 * 1024;

/// Private key members (RFC 7518 section 6.3.2, and `k` of symmetric keys).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/// Registered members we refuse, each named in its own message (details are static).
const NAMED_REFUSALS: [(&str, &str); 9] = [
    ("x5c", "a JWK has the member `x5c`: certificates are not read, give kty, n, e (kid, alg, use, key_ops)"),
    ("x5t", "a JWK has the member `x5t`: certificates are not read, give kty, n, e (kid, alg, use, key_ops)"),
    ("x5t#S256", "a JWK has the member `x5t#S256`: certificates are not read, give kty, n, e (kid, alg, use, key_ops)"),
    ("x5u", "a JWK has the member `x5u`: keys are never fetched, give kty, n, e (kid, alg, use, key_ops)"),
    ("crv", "a JWK has the member `crv`: only RSA keys are supported"),
    ("x", "a JWK has the member `x`: only RSA keys are supported"),
    ("y", "a JWK has the member `y`: only RSA keys are supported"),
    ("ext", "a JWK has the member `ext`: the members allowed are kty, n, e, kid, alg, use, key_ops"),
    ("jku", "a JWK has the member `jku`: keys are never fetched"),
];

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::ConfigInvalid).with_detail(detail)
}

/// `{"keys":[...]}`: each key as [`PublicKey::to_jwk`] writes it, in the order given (a
/// project's active key first).
pub fn jwk_set(keys: &[PublicKey]) -> String {
    let jwks: Vec<String> = keys.iter().map(PublicKey::to_jwk).collect();
    format!(r#"{{"keys":[{}]}}"#, jwks.join(","))
}

/// Reads a JWK Set strictly: at most [`MAX_JWK_SET_BYTES`] (checked first), one strict JSON
/// object whose only member is `keys`, a list of at most 8 RSA public keys with unique
/// `kid`s. Each JWK has `kty` `"RSA"`, `n` and `e` (canonical base64url, no leading zero
/// bytes), and optionally `kid` (else the thumbprint), `alg` (`"RS256"`), `use` (`"sig"`)
/// and `key_ops` (a list including `"verify"`); any other member is refused, a private
/// one (`d`, `p`, ...) saying a private key was given. Keys follow
/// [`PublicKey::parse`]'s rules (2048 to 8192 bits: `key_unsupported`, ...).
pub fn parse_jwk_set(input: &[u8]) -> Result<Vec<PublicKey>, Error> {
    if input.len() > MAX_JWK_SET_BYTES {
        return Err(invalid("a JWK Set is at most 64 KiB"));
    }
    let (mut keys, mut other) = (None, false);
    json::parse_object(input, |name, value| {
        if name.eq_bytes(b"keys") {
            keys = Some(value);
        } else {
            other = true;
        }
    })
    .map_err(|_| invalid("a JWK Set must be one strict JSON object (UTF-8, no repeated member)"))?;
    if other {
        return Err(invalid("a JWK Set has one member, `keys`"));
    }
    let Some(Value::Array(array)) = keys else {
        return Err(invalid("a JWK Set needs `keys`, a list of JWKs"));
    };
    let jwks = json::object_array(array).ok_or(invalid("every element of `keys` must be a JWK (a JSON object)"))?;
    if jwks.len() > MAX_PROJECT_KEYS {
        return Err(invalid("a JWK Set holds at most 8 keys"));
    }
    let mut out: Vec<PublicKey> = Vec::with_capacity(jwks.len());
    for jwk in jwks {
        let key = parse_jwk(jwk)?;
        if out.iter().any(|k| k.kid() == key.kid()) {
            return Err(invalid("two keys of the JWK Set have the same kid"));
        }
        out.push(key);
    }
    Ok(out)
}

/// One JWK's members, as read.
#[derive(Default)]
struct Members {
    kty: Option<String>,
    n: Option<String>,
    e: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
}

fn parse_jwk(text: &[u8]) -> Result<PublicKey, Error> {
    let mut m = Members::default();
    let mut refusal: Option<Error> = None;
    json::parse_object(text, |name, value| {
        if refusal.is_some() {
            return;
        }
        let name = json::owned_string(name).unwrap_or_default();
        let string = match value {
            Value::String(s) => json::owned_string(s),
            _ => None,
        };
        let slot = match name.as_str() {
            "kty" => &mut m.kty,
            "n" => &mut m.n,
            "e" => &mut m.e,
            "kid" => &mut m.kid,
            "alg" => &mut m.alg,
            "use" => &mut m.use_,
            "key_ops" => {
                match value {
                    Value::Array(raw) => m.key_ops = json::string_array(raw),
                    _ => m.key_ops = None,
                }
                if m.key_ops.is_none() {
                    refusal = Some(invalid("a JWK's `key_ops` must be a list of strings"));
                }
                return;
            }
            other => {
                refusal = Some(refuse_member(other));
                return;
            }
        };
        match string {
            Some(s) => *slot = Some(s),
            None => refusal = Some(invalid("a JWK's kty, n, e, kid, alg and use must be strings")),
        }
    })
    .map_err(|_| invalid("a JWK must be a strict JSON object (no repeated member)"))?;
    if let Some(e) = refusal {
        return Err(e);
    }
    if m.kty.as_deref() != Some("RSA") {
        return Err(invalid("a JWK's `kty` must be \"RSA\""));
    }
    if m.alg.as_deref().is_some_and(|a| a != "RS256") {
        return Err(invalid("a JWK's `alg`, when present, must be \"RS256\""));
    }
    if m.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err(invalid("a JWK's `use`, when present, must be \"sig\""));
    }
    if m.key_ops.as_ref().is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
        return Err(invalid("a JWK's `key_ops`, when present, must include \"verify\""));
    }
    let (n, e) = match (m.n, m.e) {
        (Some(n), Some(e)) => (n, e),
        _ => return Err(invalid("a JWK needs `n` and `e`")),
    };
    let mut modulus = [0u8; super::MAX_RSA_MODULUS_BITS / 8];
    let n_len = base64::decode_url(n.as_bytes(), &mut modulus).map_err(|e| match e {
        base64::Base64Error::TooLong => {
            Error::new(ErrorKind::KeyUnsupported).with_detail("the RSA modulus must be 2048 to 8192 bits long")
        }
        base64::Base64Error::Invalid => key_invalid("a JWK's `n` is not canonical unpadded base64url"),
    })?;
    let mut exponent = [0u8; 8];
    let e_len = base64::decode_url(e.as_bytes(), &mut exponent).map_err(|e| match e {
        base64::Base64Error::TooLong => {
            Error::new(ErrorKind::KeyUnsupported).with_detail("the RSA public exponent is larger than 2^33 - 1")
        }
        base64::Base64Error::Invalid => key_invalid("a JWK's `e` is not canonical unpadded base64url"),
    })?;
    let (n, e) = (&modulus[..n_len], &exponent[..e_len]);
    if !matches!(n.first(), Some(&b) if b != 0) || !matches!(e.first(), Some(&b) if b != 0) {
        return Err(key_invalid("a JWK's `n` and `e` must be non-empty, without leading zero bytes"));
    }
    let key = PublicKey::from_numbers(RsaNumbers { n, e })?;
    match m.kid {
        Some(kid) => {
            check_kid(&kid)?;
            key.with_kid(&kid)
        }
        None => Ok(key),
    }
}

fn key_invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::KeyInvalid).with_detail(detail)
}

fn refuse_member(name: &str) -> Error {
    if PRIVATE_MEMBERS.contains(&name) {
        return invalid(
            "a JWK holds a private key member (d, p, q, dp, dq, qi, oth or k): a private key was given; \
             give public keys only",
        );
    }
    match NAMED_REFUSALS.iter().find(|(n, _)| *n == name) {
        Some((_, detail)) => invalid(detail),
        None => invalid("a JWK has an unknown member: the members allowed are kty, n, e, kid, alg, use, key_ops"),
    }
}
