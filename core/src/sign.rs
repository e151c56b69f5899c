//! Signing user tokens: `{"alg":"RS256","typ":"JWT"}` (plus an optional `kid`) over
//! `{"sub":...,"iat":...,"exp":...}`.

use crate::base64;
use crate::error::{Error, ErrorKind};
use crate::keys::SigningKey;
use crate::token::Subject;
use crate::verify::DEFAULT_MAX_TOKEN_BYTES;
use core::fmt::Write as _;

/// Lifetime of a token when the caller does not choose one: one hour.
pub const DEFAULT_EXPIRES_IN_SECONDS: u64 = 3600;

/// Options for a signed user token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignOptions<'a> {
    /// The current time, Unix seconds: becomes `iat`.
    pub now: i64,
    /// Lifetime in seconds (`exp = now + expires_in`); `None` for a token without `exp`.
    pub expires_in: Option<u64>,
    /// Optional `kid` header parameter.
    pub kid: Option<&'a str>,
}

impl SignOptions<'static> {
    /// Issued at `now`, expiring [`DEFAULT_EXPIRES_IN_SECONDS`] later, without `kid`.
    pub const fn new(now: i64) -> Self {
        SignOptions { now, expires_in: Some(DEFAULT_EXPIRES_IN_SECONDS), kid: None }
    }
}

impl SigningKey {
    /// Signs a user token for the user `sub` (any non-empty UTF-8 string of at most
    /// [`crate::token::MAX_SUBJECT_BYTES`] bytes, else `claim_invalid` on `sub`).
    ///
    /// `iat` is `options.now`; `exp` is `now + expires_in`, omitted when `expires_in` is
    /// `None` (`claim_invalid` on `exp` if the sum overflows a 64-bit Unix time).
    /// A token longer than the verifier's default limit
    /// ([`crate::verify::DEFAULT_MAX_TOKEN_BYTES`]) is refused with `token_too_large`.
    pub fn sign_user_token(&self, sub: &str, options: &SignOptions<'_>) -> Result<String, Error> {
        Subject::new(sub)?;
        let exp = match options.expires_in {
            None => None,
            Some(secs) => Some(
                i64::try_from(secs).ok().and_then(|secs| options.now.checked_add(secs)).ok_or(
                    Error::claim(ErrorKind::ClaimInvalid, "exp")
                        .with_detail("now + expires_in overflows a 64-bit Unix time"),
                )?,
            ),
        };

        let mut header = String::with_capacity(64);
        header.push_str(r#"{"alg":"RS256","typ":"JWT""#);
        if let Some(kid) = options.kid {
            header.push_str(r#","kid":"#);
            push_json_string(&mut header, kid);
        }
        header.push('}');

        let mut claims = String::with_capacity(sub.len() + 64);
        claims.push_str(r#"{"sub":"#);
        push_json_string(&mut claims, sub);
        // Writing to a String cannot fail.
        let _ = write!(claims, r#","iat":{}"#, options.now);
        if let Some(exp) = exp {
            let _ = write!(claims, r#","exp":{exp}"#);
        }
        claims.push('}');

        let mut token = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 700);
        base64::encode_url(header.as_bytes(), &mut token);
        token.push('.');
        base64::encode_url(claims.as_bytes(), &mut token);
        // Refuse to make a token that a verifier with the default size limit would refuse:
        // only a subject or kid full of escaped control characters, or a huge kid, gets there.
        let signature_chars = self.public_key().signature_len().div_ceil(3) * 4;
        if token.len() + 1 + signature_chars > DEFAULT_MAX_TOKEN_BYTES {
            return Err(Error::new(ErrorKind::TokenTooLarge)
                .with_detail("the signed token would exceed the default verifier limit of 8 KiB"));
        }
        let signature = self.sign_rs256(token.as_bytes())?;
        token.push('.');
        base64::encode_url(&signature, &mut token);
        Ok(token)
    }
}

/// Appends `s` as a JSON string literal (RFC 8259 section 7): `"` and `\` escaped, control
/// characters as short escapes or `\u00XX`, everything else (non-ASCII included) as is.
/// The one JSON string writer in the crate.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut plain_from = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII, so `i` and `i + 1` are char boundaries.
        out.push_str(&s[plain_from..i]);
        plain_from = i + 1;
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, Value};

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        push_json_string(&mut out, s);
        out
    }

    #[test]
    fn escapes_what_json_requires() {
        assert_eq!(escaped("plain"), r#""plain""#);
        assert_eq!(escaped("a\"b\\c/d"), r#""a\"b\\c/d""#);
        assert_eq!(escaped("\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}"), "\"\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}\"");
        assert_eq!(escaped("caf\u{e9} \u{1F600}"), "\"caf\u{e9} \u{1F600}\"");
        assert_eq!(escaped(""), r#""""#);
    }

    #[test]
    fn our_parser_reads_back_every_escaped_character() {
        let all: String = (0u32..0x3000).chain([0xfffd, 0x1F600, 0x10FFFF]).filter_map(char::from_u32).collect();
        let doc = format!("{{\"k\":{}}}", escaped(&all));
        let mut seen = None;
        json::parse_object(doc.as_bytes(), |_, value| {
            if let Value::String(s) = value {
                seen = Some(s.bytes().collect::<Vec<u8>>());
            }
        })
        .unwrap();
        assert_eq!(seen.as_deref(), Some(all.as_bytes()));
    }

    #[test]
    fn default_options() {
        let o = SignOptions::new(1_700_000_000);
        assert_eq!((o.now, o.expires_in, o.kid), (1_700_000_000, Some(3600), None));
    }
}
