//! Signing user tokens: `{"alg":"RS256","typ":"JWT","kid":...}` (the key's kid by default) over
//! `{"sub":...,"iat":...,"exp":...}`.

use crate::base64;
use crate::error::{Error, ErrorKind};
use crate::json;
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
    /// Lifetime in seconds (`exp = now + expires_in`), at least 1; `None` for a token
    /// without `exp`.
    pub expires_in: Option<u64>,
    /// The `kid` header parameter: by default the signing key's own kid.
    pub kid: Kid<'a>,
}

/// What a signed token's header says in `kid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kid<'a> {
    /// The signing key's kid ([`SigningKey::kid`], its RFC 7638 thumbprint): the default, so
    /// that a project holding several keys picks the right one without trying each.
    #[default]
    Key,
    /// No `kid`: such a token verifies against a project's active key only.
    Omit,
    /// This kid (1 to 128 bytes of visible ASCII, else `config_invalid`), for a key
    /// configured under a kid of your choosing ([`crate::PublicKey::with_kid`]).
    Custom(&'a str),
}

impl SignOptions<'static> {
    /// Issued at `now`, expiring [`DEFAULT_EXPIRES_IN_SECONDS`] later, with the key's kid.
    pub const fn new(now: i64) -> Self {
        SignOptions { now, expires_in: Some(DEFAULT_EXPIRES_IN_SECONDS), kid: Kid::Key }
    }
}

impl SigningKey {
    /// Signs a user token for the user `sub` (any non-empty UTF-8 string of at most
    /// [`crate::token::MAX_SUBJECT_BYTES`] bytes, else `claim_invalid` on `sub`).
    ///
    /// `iat` is `options.now`; `exp` is `now + expires_in`, omitted when `expires_in` is
    /// `None` (`claim_invalid` on `exp` if `expires_in` is 0, or the sum overflows a 64-bit
    /// Unix time).
    /// A token longer than the verifier's default limit
    /// ([`crate::verify::DEFAULT_MAX_TOKEN_BYTES`]) is refused with `token_too_large`.
    pub fn sign_user_token(&self, sub: &str, options: &SignOptions<'_>) -> Result<String, Error> {
        Subject::new(sub)?;
        let kid = match options.kid {
            Kid::Key => Some(self.kid()),
            Kid::Omit => None,
            Kid::Custom(kid) => {
                crate::keys::check_kid(kid)?;
                Some(kid)
            }
        };
        let exp = match options.expires_in {
            None => None,
            // exp = iat: expired the moment it is issued (`now >= exp`), never usable.
            Some(0) => {
                return Err(Error::claim(ErrorKind::ClaimInvalid, "exp").with_detail(
                    "expires_in must be at least 1 second: a token with exp = iat is expired when issued",
                ))
            }
            Some(secs) => Some(
                i64::try_from(secs).ok().and_then(|secs| options.now.checked_add(secs)).ok_or(
                    Error::claim(ErrorKind::ClaimInvalid, "exp")
                        .with_detail("now + expires_in overflows a 64-bit Unix time"),
                )?,
            ),
        };

        let mut header = String::with_capacity(64);
        header.push_str(r#"{"alg":"RS256","typ":"JWT""#);
        if let Some(kid) = kid {
            header.push_str(r#","kid":"#);
            json::write_string(&mut header, kid);
        }
        header.push('}');

        let mut claims = String::with_capacity(sub.len() + 64);
        claims.push_str(r#"{"sub":"#);
        json::write_string(&mut claims, sub);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options() {
        let o = SignOptions::new(1_700_000_000);
        assert_eq!((o.now, o.expires_in, o.kid), (1_700_000_000, Some(3600), Kid::Key));
    }
}
