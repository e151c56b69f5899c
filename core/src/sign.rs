//! Signing user tokens (to be completed: see the keys helper).

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
