//! The one error taxonomy of notiflows-auth.
//!
//! Every failure is an [`Error`]: a small `Copy` value holding an [`ErrorKind`] and, where it
//! helps, the name of the claim concerned and a static detail. The table in
//! [`error_table!`] is the only place where kinds, their numeric codes (used by the C ABI,
//! never renumbered), their stable string codes, HTTP statuses, families and messages are
//! written; the C ABI enumerates it, and the Node, Ruby and Python bindings build their code
//! lists and exception classes from it when they load.

use core::ffi::CStr;
use core::fmt;

/// The group a code belongs to: each binding raises one exception class per family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorFamily {
    /// The user token was refused (`token_*`, `alg_*`, `crit_*`, `signature_*`, `claim_*`,
    /// `key_unknown`).
    Token,
    /// A key could not be loaded, is unsupported, or no signing key is configured.
    SigningKey,
    /// A request's Notiflows headers or `Origin` were refused.
    RequestAuth,
    /// A configuration value is malformed or out of range.
    Config,
}

impl ErrorFamily {
    /// The family's stable name, identical in every binding: `"token"`, `"signing_key"`,
    /// `"request_auth"`, `"config"`.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorFamily::Token => "token",
            ErrorFamily::SigningKey => "signing_key",
            ErrorFamily::RequestAuth => "request_auth",
            ErrorFamily::Config => "config",
        }
    }
}

/// `code` with its NUL, checked at compile time.
const fn c_str(with_nul: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(with_nul.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("an error code holds a NUL"),
    }
}

/// Generates [`ErrorKind`] and its lookup methods from one table, so that the enum, the
/// numeric codes, the string codes, statuses, families and messages can never drift apart.
macro_rules! error_table {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $code:literal, $status:literal, $family:ident, $msg:literal; )*) => {
        /// What went wrong. Numeric values are part of the C ABI and never change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(u32)]
        pub enum ErrorKind {
            $( $(#[$doc])* $variant = $num, )*
        }

        impl ErrorKind {
            /// Every kind, in numeric order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// The stable string code, identical in every binding (`"token_expired"`, ...).
            pub const fn code(self) -> &'static str {
                match self { $(ErrorKind::$variant => $code,)* }
            }

            /// The string code as a C string, for the C ABI.
            pub const fn c_code(self) -> &'static CStr {
                match self { $(ErrorKind::$variant => const { c_str(concat!($code, "\0")) },)* }
            }

            /// The stable numeric code used by the C ABI.
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The HTTP status a server should answer with: 401 for credentials, 403 for
            /// origins, 500 for the server's own configuration.
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorKind::$variant => $status,)* }
            }

            /// The family, which picks the exception class in every binding.
            pub const fn family(self) -> ErrorFamily {
                match self { $(ErrorKind::$variant => ErrorFamily::$family,)* }
            }

            /// A clear, human sentence describing the kind.
            pub const fn message(self) -> &'static str {
                match self { $(ErrorKind::$variant => $msg,)* }
            }

            /// The kind whose string code is `code`.
            pub fn from_code(code: &str) -> Option<ErrorKind> {
                match code { $($code => Some(ErrorKind::$variant),)* _ => None }
            }

            /// The kind whose numeric code is `number`.
            pub const fn from_number(number: u32) -> Option<ErrorKind> {
                match number { $($num => Some(ErrorKind::$variant),)* _ => None }
            }
        }
    };
}

error_table! {
    /// Not a compact JWS: wrong number of segments, or an empty header or payload.
    TokenMalformed = 1, "token_malformed", 401, Token,
        "the user token is not a compact JWT (three non-empty base64url segments separated by '.')";
    /// A segment is not canonical unpadded base64url.
    TokenBase64 = 2, "token_base64", 401, Token,
        "a user token segment is not canonical unpadded base64url";
    /// Header or payload is not a strict UTF-8 JSON object.
    TokenJson = 3, "token_json", 401, Token,
        "the user token header or payload is not a valid UTF-8 JSON object";
    /// A JSON object in the header or payload repeats a member name.
    TokenDuplicateMember = 4, "token_duplicate_member", 401, Token,
        "the user token header or payload repeats a JSON member name";
    /// The token is longer than the verifier's size limit.
    TokenTooLarge = 5, "token_too_large", 401, Token,
        "the user token is larger than the configured maximum size";
    /// `alg` is missing, not a string, or not exactly `RS256`.
    AlgNotAllowed = 6, "alg_not_allowed", 401, Token,
        "the user token's alg header must be exactly RS256";
    /// The header has a `crit` parameter; no extension is understood.
    CritUnsupported = 7, "crit_unsupported", 401, Token,
        "the user token has a crit header parameter, and no extension is supported";
    /// The RS256 signature does not verify with the configured key. Says nothing about why.
    SignatureInvalid = 8, "signature_invalid", 401, Token,
        "the user token signature is invalid";
    /// A required claim is absent.
    ClaimMissing = 9, "claim_missing", 401, Token,
        "a required claim is missing from the user token";
    /// A claim has the wrong type or value.
    ClaimInvalid = 10, "claim_invalid", 401, Token,
        "a claim in the user token has an invalid type or value";
    /// `now >= exp + leeway`.
    TokenExpired = 11, "token_expired", 401, Token,
        "the user token has expired";
    /// `now + leeway < nbf`.
    TokenNotYetValid = 12, "token_not_yet_valid", 401, Token,
        "the user token is not valid yet (nbf is in the future)";
    /// `iat` is later than now plus the allowed clock skew.
    TokenIssuedInFuture = 13, "token_issued_in_future", 401, Token,
        "the user token was issued in the future (iat is later than now plus the allowed clock skew)";
    /// Key material could not be parsed.
    KeyInvalid = 14, "key_invalid", 500, SigningKey,
        "the key could not be parsed";
    /// A well-formed key of a kind or size that is not supported.
    KeyUnsupported = 15, "key_unsupported", 500, SigningKey,
        "the key is not supported";
    /// Secure Mode is on but the project has no signing key yet.
    SigningKeyNotConfigured = 16, "signing_key_not_configured", 401, SigningKey,
        "no signing key is configured";
    /// The `x-notiflows-api-key` header is absent.
    ApiKeyMissing = 17, "api_key_missing", 401, RequestAuth,
        "the x-notiflows-api-key header is missing";
    /// The API key names no known project.
    ApiKeyInvalid = 18, "api_key_invalid", 401, RequestAuth,
        "the x-notiflows-api-key header does not name a known project";
    /// Secure Mode requires `x-notiflows-user-key`.
    UserKeyMissing = 19, "user_key_missing", 401, RequestAuth,
        "Security Mode is on: send x-notiflows-user-key, a user token signed by your backend with the project's signing key (x-notiflows-user-id alone is refused)";
    /// Development Mode requires `x-notiflows-user-id`.
    UserIdMissing = 20, "user_id_missing", 401, RequestAuth,
        "the x-notiflows-user-id header is missing";
    /// The user id header is empty, too long or holds control characters.
    UserIdInvalid = 21, "user_id_invalid", 401, RequestAuth,
        "the x-notiflows-user-id header must be 1 to 256 bytes of UTF-8 without control characters";
    /// The browser origin is not on the project's allowed list.
    OriginNotAllowed = 22, "origin_not_allowed", 403, RequestAuth,
        "the request's Origin is not in the project's allowed origins";
    /// A configuration value (policy limit, project, origin pattern) is malformed or out of range.
    ConfigInvalid = 23, "config_invalid", 500, Config,
        "a configuration value is malformed or out of range";
    /// The token's `kid` names no key of the project (or a key past its retiring deadline).
    KeyUnknown = 24, "key_unknown", 401, Token,
        "the user token's kid names no signing key of the project";
    /// The token was issued before a revocation cut-off (or has no `iat` while one applies).
    TokenRevoked = 25, "token_revoked", 401, Token,
        "the user token was revoked (issued before the project's or the user's cut-off)";
}

/// A failure: a kind plus, where relevant, the claim's name and a static detail.
///
/// Small and `Copy`; building or returning one never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    claim: Option<&'static str>,
    detail: Option<&'static str>,
}

impl Error {
    /// An error of `kind` with no further detail.
    pub const fn new(kind: ErrorKind) -> Self {
        Error { kind, claim: None, detail: None }
    }

    /// An error about the claim (or header parameter) named `claim`.
    pub const fn claim(kind: ErrorKind, claim: &'static str) -> Self {
        Error { kind, claim: Some(claim), detail: None }
    }

    /// The same error with a static detail appended to its message.
    pub const fn with_detail(self, detail: &'static str) -> Self {
        Error { detail: Some(detail), ..self }
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable string code (`"token_expired"`, ...).
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The HTTP status a server should answer with.
    pub const fn http_status(&self) -> u16 {
        self.kind.http_status()
    }

    /// The claim concerned, for claim errors.
    pub const fn claim_name(&self) -> Option<&'static str> {
        self.claim
    }

    /// The static detail, if any.
    pub const fn detail(&self) -> Option<&'static str> {
        self.detail
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl fmt::Display for Error {
    /// The human message: the kind's sentence, the claim's name and the detail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())?;
        if let Some(claim) = self.claim {
            write!(f, " (claim `{claim}`)")?;
        }
        if let Some(detail) = self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_numbers_and_lookups_round_trip() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.number() as usize, i + 1, "numbers are dense and ordered");
            assert_eq!(ErrorKind::from_code(kind.code()), Some(*kind));
            assert_eq!(ErrorKind::from_number(kind.number()), Some(*kind));
            assert!(!kind.message().is_empty());
            assert_eq!(kind.c_code().to_bytes(), kind.code().as_bytes());
        }
        assert_eq!(ErrorKind::from_code("nope"), None);
        assert_eq!(ErrorKind::from_number(0), None);
    }

    #[test]
    fn display_names_claim_and_detail() {
        let e = Error::claim(ErrorKind::ClaimInvalid, "sub").with_detail("must be a non-empty string");
        assert_eq!(e.code(), "claim_invalid");
        let text = e.to_string();
        assert!(text.contains("`sub`") && text.ends_with("must be a non-empty string"), "{text}");
    }

    #[test]
    fn statuses() {
        assert_eq!(ErrorKind::OriginNotAllowed.http_status(), 403);
        assert_eq!(ErrorKind::TokenExpired.http_status(), 401);
        assert_eq!(ErrorKind::KeyInvalid.http_status(), 500);
    }

    #[test]
    fn families_group_codes_by_prefix() {
        for kind in ErrorKind::ALL {
            let code = kind.code();
            let expected = match code {
                "key_invalid" | "key_unsupported" | "signing_key_not_configured" => ErrorFamily::SigningKey,
                "config_invalid" => ErrorFamily::Config,
                _ if ["api_key_", "user_key_", "user_id_", "origin_"].iter().any(|p| code.starts_with(p)) => {
                    ErrorFamily::RequestAuth
                }
                _ => ErrorFamily::Token,
            };
            assert_eq!(kind.family(), expected, "{code}");
        }
    }
}
