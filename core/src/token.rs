//! The compact user token: splitting it, reading its header and its claims.
//!
//! Nothing here checks a signature or a clock; [`crate::Verifier`] puts the steps in order.

use crate::base64::{self, Base64Error};
use crate::error::{Error, ErrorKind};
use crate::json::{self, Value};
use core::fmt;

/// Longest `sub` accepted, in bytes of UTF-8, when signing and when verifying.
pub const MAX_SUBJECT_BYTES: usize = 2048;

/// The user's external id (`sub`), held inline so that verification allocates nothing.
/// 2 KiB: `Clone`, not `Copy`, so every copy is written out in the code.
#[derive(Clone)]
pub struct Subject {
    len: u16,
    bytes: [u8; MAX_SUBJECT_BYTES],
}

impl Subject {
    const EMPTY: Subject = Subject { len: 0, bytes: [0; MAX_SUBJECT_BYTES] };

    /// Copies a user id; refuses an empty or over-long one with `claim_invalid` (`sub`).
    pub fn new(sub: &str) -> Result<Self, Error> {
        check_subject(sub)?;
        let mut subject = Subject::EMPTY;
        subject.set(sub);
        Ok(subject)
    }

    /// Copies `sub` in, truncating at capacity (callers check the length first).
    fn set(&mut self, sub: &str) {
        let len = sub.len().min(MAX_SUBJECT_BYTES);
        self.bytes[..len].copy_from_slice(&sub.as_bytes()[..len]);
        // `len` <= 2048 fits u16.
        self.len = u16::try_from(len).unwrap_or(0);
    }

    /// The user id.
    pub fn as_str(&self) -> &str {
        // Built only from a `&str`, so this never falls back.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

fn sub_invalid(detail: &'static str) -> Error {
    Error::claim(ErrorKind::ClaimInvalid, "sub").with_detail(detail)
}

impl PartialEq for Subject {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Subject {}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RFC 7519 NumericDate: seconds since the Unix epoch, possibly with a fraction.
///
/// Integers are read exactly over the whole `i64` range; other numbers as doubles, which
/// must lie within that range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NumericDate {
    seconds: i64,
    nanos: u32,
}

impl NumericDate {
    /// A whole number of seconds.
    pub const fn from_seconds(seconds: i64) -> Self {
        NumericDate { seconds, nanos: 0 }
    }

    /// Whole seconds, rounded down.
    pub const fn seconds(self) -> i64 {
        self.seconds
    }

    /// The fraction of a second, in nanoseconds (0 for integers).
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// The value as a double (exact for integers up to 2^53).
    pub fn as_f64(self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }

    /// The first whole second at or after this date: `now >= date` for an integer `now`
    /// exactly when `now >= ceil_seconds`.
    pub(crate) fn ceil_seconds(self) -> i128 {
        i128::from(self.seconds) + i128::from(self.nanos > 0)
    }

    /// Reads a JSON number's text (already grammar-checked and finite).
    fn parse(text: &str, claim: &'static str) -> Result<Self, Error> {
        let invalid = |detail| Error::claim(ErrorKind::ClaimInvalid, claim).with_detail(detail);
        const RANGE: &str = "NumericDate outside the range of a 64-bit Unix time";
        if !text.contains(['.', 'e', 'E']) {
            return text.parse::<i64>().map(Self::from_seconds).map_err(|_| invalid(RANGE));
        }
        let v: f64 = text.parse().map_err(|_| invalid("not a number"))?;
        // -2^63 <= v < 2^63: the doubles whose floor fits an i64.
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        if !(-TWO_POW_63..TWO_POW_63).contains(&v) {
            return Err(invalid(RANGE));
        }
        let floor = v.floor();
        // Rounded up, so that any fraction, however small, keeps the date after `floor`.
        let nanos = ((v - floor) * 1e9).ceil() as u32;
        Ok(NumericDate { seconds: floor as i64, nanos: nanos.min(999_999_999) })
    }
}

/// The claims of a verified user token, borrowed from the verifier's buffer: what
/// [`crate::Verifier::verify_with`] hands its callback without copying anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimsRef<'a> {
    /// The user's external id.
    pub sub: &'a str,
    /// Expiry, when present.
    pub exp: Option<NumericDate>,
    /// Not-before, when present.
    pub nbf: Option<NumericDate>,
    /// Issued-at, when present.
    pub iat: Option<NumericDate>,
}

impl ClaimsRef<'_> {
    /// An owned copy (the subject is held inline: no allocation).
    pub fn to_claims(&self) -> Claims {
        // Filled in place: the 2 KiB subject buffer is not moved around.
        let mut claims = Claims { sub: Subject::EMPTY, exp: self.exp, nbf: self.nbf, iat: self.iat };
        // `sub` passed `check_subject` when these claims were read, so it fits.
        claims.sub.set(self.sub);
        claims
    }
}

/// The claims of a verified user token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// The user's external id.
    pub sub: Subject,
    /// Expiry, when present.
    pub exp: Option<NumericDate>,
    /// Not-before, when present.
    pub nbf: Option<NumericDate>,
    /// Issued-at, when present.
    pub iat: Option<NumericDate>,
}

/// The three segments of a compact token.
pub(crate) struct Segments<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    /// `header '.' payload`: the bytes the signature covers.
    pub signing_input: &'a [u8],
}

/// Splits a compact token into exactly three segments, header and payload non-empty: the
/// one place that rule is checked (a fourth segment is found here, before any decoding).
pub(crate) fn split(compact: &[u8]) -> Result<Segments<'_>, Error> {
    let wrong_count = || Error::new(ErrorKind::TokenMalformed).with_detail("expected exactly three segments");
    let first = compact.iter().position(|&b| b == b'.').ok_or_else(wrong_count)?;
    let second = first + 1 + compact[first + 1..].iter().position(|&b| b == b'.').ok_or_else(wrong_count)?;
    // `contains` on bytes is memchr (a word at a time): the long signature costs little.
    if compact[second + 1..].contains(&b'.') {
        return Err(wrong_count());
    }
    let (header, payload) = (&compact[..first], &compact[first + 1..second]);
    if header.is_empty() || payload.is_empty() {
        return Err(
            Error::new(ErrorKind::TokenMalformed).with_detail("the header and payload segments must not be empty")
        );
    }
    Ok(Segments { header, payload, signature: &compact[second + 1..], signing_input: &compact[..second] })
}

/// Decodes one base64url segment into the front of `out`.
pub(crate) fn decode_segment(segment: &[u8], out: &mut [u8], name: &'static str) -> Result<usize, Error> {
    base64::decode_url(segment, out).map_err(|e| match e {
        Base64Error::Invalid => Error::new(ErrorKind::TokenBase64).with_detail(name),
        Base64Error::TooLong => Error::new(ErrorKind::TokenTooLarge).with_detail(name),
    })
}

/// The decoded size of a base64url segment, or `token_base64` if no such length exists.
pub(crate) fn decoded_len(segment: &[u8], name: &'static str) -> Result<usize, Error> {
    base64::decoded_len(segment.len()).ok_or(Error::new(ErrorKind::TokenBase64).with_detail(name))
}

/// What a token's header says in `kid`, read without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderKid<'a> {
    /// No `kid`.
    Absent,
    /// A kid of 1 to [`crate::keys::MAX_KID_BYTES`] bytes of visible ASCII (unescaped).
    Named(&'a [u8]),
    /// A `kid` no configured key can have: not a string, too long, or other bytes. It names
    /// no key (`key_unknown` where keys are chosen by kid).
    Unusable,
}

/// Checks a decoded header: a JSON object whose `alg` is exactly `"RS256"`, without `crit`,
/// and returns its `kid` (unescaped in place, its length bounded before anything else is
/// done with it). Every other parameter (`typ`, `jwk`, `jku`, `x5u`, `x5c`, ...) is
/// ignored: keys come only from configuration, and a kid only chooses among them.
pub(crate) fn check_header(header: &mut [u8]) -> Result<HeaderKid<'_>, Error> {
    use crate::keys::MAX_KID_BYTES;
    let (mut alg_ok, mut crit) = (false, false);
    // (range, escaped), or None for a kid that is not a string.
    let mut kid: Option<Option<(core::ops::Range<usize>, bool)>> = None;
    json::parse_object(header, |name, value| {
        if name.eq_bytes(b"alg") {
            alg_ok = matches!(value, Value::String(s) if s.eq_bytes(b"RS256"));
        } else if name.eq_bytes(b"crit") {
            crit = true;
        } else if name.eq_bytes(b"kid") {
            kid = Some(match value {
                Value::String(s) => Some((s.range(), s.as_plain().is_none())),
                _ => None,
            });
        }
    })?;
    if !alg_ok {
        return Err(Error::new(ErrorKind::AlgNotAllowed));
    }
    if crit {
        return Err(Error::new(ErrorKind::CritUnsupported));
    }
    let (range, escaped) = match kid {
        None => return Ok(HeaderKid::Absent),
        Some(None) => return Ok(HeaderKid::Unusable),
        Some(Some(found)) => found,
    };
    // Length first: an escape is at most 6 bytes for one byte of kid ("\u0041" is "A").
    if range.len() > MAX_KID_BYTES * 6 {
        return Ok(HeaderKid::Unusable);
    }
    let raw = &mut header[range];
    let len = if escaped { json::unescape_in_place(raw) } else { raw.len() };
    let kid = &raw[..len];
    Ok(if crate::keys::is_valid_kid(kid) { HeaderKid::Named(kid) } else { HeaderKid::Unusable })
}

/// Reads the claims from a decoded payload: `sub` required; `exp`, `nbf`, `iat` optional
/// NumericDates. Unknown claims are validated as JSON and otherwise ignored. An escaped
/// `sub` is unescaped in place, so the claims borrow the payload and nothing is copied.
pub(crate) fn read_claims(payload: &mut [u8]) -> Result<ClaimsRef<'_>, Error> {
    let mut sub = None;
    let mut dates = [None; 3];
    const DATES: [&str; 3] = ["exp", "nbf", "iat"];
    json::parse_object(payload, |name, value| {
        if name.eq_bytes(b"sub") {
            sub = Some(value);
        } else if let Some(i) = DATES.iter().position(|d| name.eq_bytes(d.as_bytes())) {
            dates[i] = Some(value);
        }
    })?;
    let sub = match sub {
        None => return Err(Error::claim(ErrorKind::ClaimMissing, "sub")),
        Some(Value::String(s)) => (s.range(), s.as_plain().is_none()),
        Some(_) => return Err(sub_invalid("must be a non-empty string")),
    };
    let mut read = [None; 3];
    for ((slot, value), claim) in read.iter_mut().zip(dates).zip(DATES) {
        *slot = match value {
            None => None,
            Some(Value::Number(text)) => Some(NumericDate::parse(text, claim)?),
            Some(_) => {
                return Err(
                    Error::claim(ErrorKind::ClaimInvalid, claim).with_detail("must be a NumericDate (a JSON number)")
                )
            }
        };
    }
    let [exp, nbf, iat] = read;
    let (range, escaped) = sub;
    let raw = &mut payload[range];
    let len = if escaped { json::unescape_in_place(raw) } else { raw.len() };
    // Validated JSON string content is UTF-8, and so is its unescaping.
    let sub = core::str::from_utf8(&raw[..len]).map_err(|_| sub_invalid("must be UTF-8"))?;
    check_subject(sub)?;
    Ok(ClaimsRef { sub, exp, nbf, iat })
}

/// The rules every `sub` follows, signed or verified: non-empty, at most
/// [`MAX_SUBJECT_BYTES`].
pub(crate) fn check_subject(sub: &str) -> Result<(), Error> {
    match sub.len() {
        0 => Err(sub_invalid("must be a non-empty string")),
        n if n > MAX_SUBJECT_BYTES => Err(sub_invalid("longer than 2048 bytes")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_dates() {
        let p = |t| NumericDate::parse(t, "exp");
        assert_eq!(p("9223372036854775807").unwrap().seconds(), i64::MAX);
        assert_eq!(p("-9223372036854775808").unwrap().seconds(), i64::MIN);
        assert_eq!(p("18446744073709551616").unwrap_err().kind(), ErrorKind::ClaimInvalid);
        assert_eq!(p("9.3e18").unwrap_err().kind(), ErrorKind::ClaimInvalid);
        let half = p("1700003600.5").unwrap();
        assert_eq!((half.seconds(), half.subsec_nanos()), (1_700_003_600, 500_000_000));
        assert_eq!(half.ceil_seconds(), 1_700_003_601);
        assert_eq!(p("1.7000036e9").unwrap(), NumericDate::from_seconds(1_700_003_600));
        assert_eq!(p("-0.5").unwrap().seconds(), -1);
        // A fraction below a nanosecond still counts: `now = 1000` is before this date.
        assert_eq!(p("1000.0000000001").unwrap().ceil_seconds(), 1001);
        assert_eq!(p("1000.9999999999").unwrap().subsec_nanos(), 999_999_999);
    }

    #[test]
    fn splits_into_exactly_three_segments() {
        assert!(split(b"a.b.c").is_ok());
        assert_eq!(split(b"a.b.").unwrap().signature, b"");
        assert_eq!(split(b"ab.cd.ef").unwrap().signing_input, b"ab.cd");
        for bad in [&b"a.b"[..], b".b.c", b"a..c", b"", b"abc", b"a.b.c.d", b"a.b.c.", b"a.b..", b"...."] {
            assert_eq!(split(bad).err().map(|e| e.kind()), Some(ErrorKind::TokenMalformed));
        }
    }

    #[test]
    fn header_rules() {
        let check = |h: &[u8]| check_header(&mut h.to_vec()).map(|kid| format!("{kid:?}"));
        assert_eq!(
            check(br#"{"alg":"RS256","typ":"JWT","kid":"k"}"#).unwrap(),
            format!("{:?}", HeaderKid::Named(b"k"))
        );
        assert!(check(br#"{"alg":"RS\u0032\u0035\u0036"}"#).is_ok());
        for bad in [&br#"{"alg":"none"}"#[..], br#"{"alg":"rs256"}"#, br#"{"typ":"JWT"}"#, br#"{"alg":["RS256"]}"#] {
            assert_eq!(check(bad).unwrap_err().kind(), ErrorKind::AlgNotAllowed);
        }
        assert_eq!(check(br#"{"alg":"RS256","crit":[]}"#).unwrap_err().kind(), ErrorKind::CritUnsupported);
    }

    #[test]
    fn header_kids() {
        let kid = |h: &str| {
            let mut buf = h.as_bytes().to_vec();
            match check_header(&mut buf).unwrap() {
                HeaderKid::Named(k) => Ok(String::from_utf8(k.to_vec()).unwrap()),
                other => Err(format!("{other:?}")),
            }
        };
        assert_eq!(kid(r#"{"alg":"RS256"}"#), Err("Absent".into()));
        assert_eq!(kid(r#"{"alg":"RS256","kid":"a\u0042\"\\"}"#), Ok("aB\"\\".into()));
        assert_eq!(kid(&format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(128))), Ok("k".repeat(128)));
        for bad in [
            r#"{"alg":"RS256","kid":7}"#.to_owned(),
            r#"{"alg":"RS256","kid":""}"#.into(),
            r#"{"alg":"RS256","kid":"a b"}"#.into(),
            r#"{"alg":"RS256","kid":"caf\u00e9"}"#.into(),
            "{\"alg\":\"RS256\",\"kid\":\"\u{e9}\"}".into(),
            format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(129)),
            format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "\\u0041".repeat(129)),
            format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(10_000)),
        ] {
            assert_eq!(kid(&bad), Err("Unusable".into()), "{bad}");
        }
    }

    #[test]
    fn claims_rules() {
        let mut payload = br#"{"sub":"caf\u00e9 \ud83d\ude00","exp":2,"iat":1.5}"#.to_vec();
        let c = read_claims(&mut payload).unwrap();
        assert_eq!(c.sub, "caf\u{e9} \u{1F600}");
        assert_eq!(c.exp, Some(NumericDate::from_seconds(2)));
        assert_eq!(c.nbf, None);
        let err = |p: &str| read_claims(&mut p.as_bytes().to_vec()).unwrap_err();
        assert_eq!(err(r#"{"exp":1}"#).kind(), ErrorKind::ClaimMissing);
        assert_eq!(err(r#"{"sub":""}"#).kind(), ErrorKind::ClaimInvalid);
        assert_eq!(err(r#"{"sub":7}"#).claim_name(), Some("sub"));
        assert_eq!(err(r#"{"sub":"a","nbf":"1"}"#).claim_name(), Some("nbf"));
        assert_eq!(err(r#"{"sub":"a","iat":null}"#).claim_name(), Some("iat"));
        let long = format!(r#"{{"sub":"{}"}}"#, "x".repeat(MAX_SUBJECT_BYTES + 1));
        assert_eq!(err(&long).kind(), ErrorKind::ClaimInvalid);
    }
}
