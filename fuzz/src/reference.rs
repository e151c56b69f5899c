//! The reference user-token check, written from README's security model (not from `core`):
//! strict base64url from [`crate::b64`], JSON from [`crate::strict_json`], RS256 by ring
//! over the shared JWK's numbers. It reports the first rule broken, in the documented
//! order: size, segments, header, signature, then claims.

use crate::b64;
use crate::fixtures;
use crate::strict_json::{self, Member};
use serde_json::Value;

/// Where a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Size, segments, base64url of header and payload, the header's JSON, `alg`, `crit`.
    Decode,
    /// The signature segment: its base64url, its length, its verification.
    Signature,
    /// The payload's JSON and the claims, seen only for a verified signature.
    Claims,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub stage: Stage,
    pub code: &'static str,
    /// Another code a verifier may report instead, where the documented order leaves
    /// a choice: README puts the header before the signature but does not place the
    /// payload's base64url, so a payload that does not decode may be reported before a
    /// header problem.
    pub alternative: Option<&'static str>,
}

fn reject<T>(stage: Stage, code: &'static str) -> Result<T, Rejection> {
    Err(Rejection { stage, code, alternative: None })
}

/// A NumericDate as written: an integer exactly, anything else as a double.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Date {
    Int(i64),
    Float(f64),
}

impl Date {
    /// Whether this date is at or before `t` (`t >= date`).
    fn at_or_before(self, t: i128) -> bool {
        match self {
            Date::Int(d) => t >= i128::from(d),
            Date::Float(d) => t as f64 >= d,
        }
    }

    /// Whether this date is after `t` (`date > t`).
    fn after(self, t: i128) -> bool {
        match self {
            Date::Int(d) => i128::from(d) > t,
            Date::Float(d) => d > t as f64,
        }
    }

    /// Whole seconds, rounded down.
    pub fn floor(self) -> i64 {
        match self {
            Date::Int(d) => d,
            Date::Float(d) => d.floor() as i64,
        }
    }

    /// Whether `ours` is this date: the same whole second and, to the nanosecond, the same
    /// fraction.
    pub fn matches(self, ours: notiflows_auth::NumericDate) -> bool {
        match self {
            Date::Int(d) => ours.seconds() == d && ours.subsec_nanos() == 0,
            Date::Float(d) => {
                let fraction_ns = (d - d.floor()) * 1e9;
                ours.seconds() == d.floor() as i64 && (fraction_ns - f64::from(ours.subsec_nanos())).abs() <= 1.0
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefClaims {
    pub sub: String,
    pub exp: Option<Date>,
    pub nbf: Option<Date>,
    pub iat: Option<Date>,
}

/// What the reference checks besides the fixed rules.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub max_token_bytes: usize,
    /// Verify the signature with the shared key (else it is only decoded).
    pub verify_signature: bool,
    /// Apply the time rules at this clock.
    pub now: Option<i64>,
    pub leeway: u64,
    pub require_exp: bool,
    pub max_lifetime: Option<u64>,
    pub iat_skew: u64,
}

impl Options {
    /// `decode_unverified`: no signature, no clock, the largest size limit.
    pub const UNVERIFIED: Options = Options {
        max_token_bytes: 16 * 1024,
        verify_signature: false,
        now: None,
        leeway: 0,
        require_exp: false,
        max_lifetime: None,
        iat_skew: 60,
    };

    /// A default-policy verifier at `now`.
    pub const fn verifier(now: i64) -> Options {
        Options { max_token_bytes: 8 * 1024, verify_signature: true, now: Some(now), ..Options::UNVERIFIED }
    }
}

/// Largest RS256 signature (8192-bit keys).
const MAX_SIGNATURE_BYTES: usize = 1024;

pub fn check(token: &[u8], options: &Options) -> Result<RefClaims, Rejection> {
    use Stage::*;
    if token.len() > options.max_token_bytes {
        return reject(Decode, "token_too_large");
    }
    let segments: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    let [header, payload, signature] = segments[..] else { return reject(Decode, "token_malformed") };
    if header.is_empty() || payload.is_empty() {
        return reject(Decode, "token_malformed");
    }
    let decoded_payload = b64::decode_url_canonical(payload);
    check_header(header).map_err(|code| Rejection {
        stage: Decode,
        code,
        alternative: decoded_payload.is_none().then_some("token_base64"),
    })?;
    let payload = decoded_payload.map_or(reject(Decode, "token_base64"), Ok)?;

    // A segment too long for any RS256 signature may be refused as simply invalid before
    // its encoding is looked at: either code, then.
    let too_long = signature.len() * 3 / 4 > MAX_SIGNATURE_BYTES;
    let signature_bytes = b64::decode_url_canonical(signature).ok_or(Rejection {
        stage: Signature,
        code: "token_base64",
        alternative: too_long.then_some("signature_invalid"),
    })?;
    if signature_bytes.len() > MAX_SIGNATURE_BYTES {
        return reject(Signature, "signature_invalid");
    }
    if options.verify_signature {
        let signing_input = &token[..token.len() - signature.len() - 1];
        if !fixtures::get().reference_verify(signing_input, &signature_bytes) {
            return reject(Signature, "signature_invalid");
        }
    }

    let claims = strict_json::parse_object(&payload).map_err(|e| Rejection {
        stage: Claims,
        code: e.code(),
        alternative: None,
    })?;
    let claims = read_claims(&claims)?;
    if let Some(now) = options.now {
        check_times(&claims, now, options)?;
    }
    Ok(claims)
}

/// The header segment's rules, in order: base64url, JSON, `alg`, `crit`.
fn check_header(segment: &[u8]) -> Result<(), &'static str> {
    let header = b64::decode_url_canonical(segment).ok_or("token_base64")?;
    let header = strict_json::parse_object(&header).map_err(|e| e.code())?;
    if !header.iter().any(|m| m.name == "alg" && m.value == Value::String("RS256".into())) {
        return Err("alg_not_allowed");
    }
    if header.iter().any(|m| m.name == "crit") {
        return Err("crit_unsupported");
    }
    Ok(())
}

fn read_claims(members: &[Member]) -> Result<RefClaims, Rejection> {
    let get = |name: &str| members.iter().find(|m| m.name == name);
    let invalid = Rejection { stage: Stage::Claims, code: "claim_invalid", alternative: None };
    let sub = match get("sub") {
        None => return reject(Stage::Claims, "claim_missing"),
        Some(Member { value: Value::String(s), .. }) if !s.is_empty() && s.len() <= 2048 => s.clone(),
        Some(_) => return Err(invalid),
    };
    let date = |name: &str| -> Result<Option<Date>, Rejection> {
        let Some(member) = get(name) else { return Ok(None) };
        let Value::Number(n) = &member.value else { return Err(invalid) };
        if !member.raw.contains(['.', 'e', 'E']) {
            return member.raw.parse::<i64>().map(|d| Some(Date::Int(d))).map_err(|_| invalid);
        }
        let v = n.as_f64().expect("serde_json numbers are finite");
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        if (-TWO_POW_63..TWO_POW_63).contains(&v) {
            Ok(Some(Date::Float(v)))
        } else {
            Err(invalid)
        }
    };
    Ok(RefClaims { sub, exp: date("exp")?, nbf: date("nbf")?, iat: date("iat")? })
}

fn check_times(claims: &RefClaims, now: i64, options: &Options) -> Result<(), Rejection> {
    let (now, leeway) = (i128::from(now), i128::from(options.leeway));
    match claims.exp {
        // now >= exp + leeway
        Some(exp) if exp.at_or_before(now - leeway) => return reject(Stage::Claims, "token_expired"),
        None if options.require_exp => return reject(Stage::Claims, "claim_missing"),
        _ => {}
    }
    // now + leeway < nbf
    if claims.nbf.is_some_and(|nbf| nbf.after(now + leeway)) {
        return reject(Stage::Claims, "token_not_yet_valid");
    }
    if claims.iat.is_some_and(|iat| iat.after(now + i128::from(options.iat_skew))) {
        return reject(Stage::Claims, "token_issued_in_future");
    }
    if let Some(max) = options.max_lifetime {
        let (Some(exp), Some(iat)) = (claims.exp, claims.iat) else { return reject(Stage::Claims, "claim_missing") };
        if i128::from(exp.floor()) - i128::from(iat.floor()) > i128::from(max) {
            return reject(Stage::Claims, "claim_invalid");
        }
    }
    Ok(())
}

/// Compares a result of ours with the reference's: the same verdict; for accepted tokens
/// the same claims; for refused ones the same code. Returns the reference's verdict.
pub fn assert_agrees(
    ours: &Result<notiflows_auth::Claims, notiflows_auth::Error>,
    reference: &Result<RefClaims, Rejection>,
    token: &[u8],
) {
    let context = String::from_utf8_lossy(token);
    match (ours, reference) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(ours.sub.as_str(), theirs.sub, "sub of {context}");
            for (name, a, b) in
                [("exp", ours.exp, theirs.exp), ("nbf", ours.nbf, theirs.nbf), ("iat", ours.iat, theirs.iat)]
            {
                match (a, b) {
                    (None, None) => {}
                    (Some(a), Some(b)) => assert!(b.matches(a), "{name}: ours {a:?}, reference {b:?} for {context}"),
                    _ => panic!("{name}: ours {a:?}, reference {b:?} for {context}"),
                }
            }
        }
        (Ok(ours), Err(theirs)) => panic!("accepted {ours:?} but the reference refuses it ({theirs:?}): {context}"),
        (Err(ours), Ok(_)) => panic!("refused ({}: {ours}) but the reference accepts it: {context}", ours.code()),
        (Err(ours), Err(theirs)) => {
            crate::codes::assert_error(ours, crate::codes::documented(), &context);
            let code = ours.code();
            assert!(
                code == theirs.code || Some(code) == theirs.alternative,
                "refused with {code} ({ours}); reference: {theirs:?} for {context}"
            );
        }
    }
}
