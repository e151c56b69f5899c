//! Reading a request's headers: the three Notiflows headers and `Origin`, each by one
//! rule (sent twice: refused, never a silent pick), and checking the Development Mode user
//! id.

use crate::error::{Error, ErrorKind};

/// The project's public API key.
pub const API_KEY_HEADER: &str = "x-notiflows-api-key";
/// The user token signed by the customer's backend (Secure Mode).
pub const USER_KEY_HEADER: &str = "x-notiflows-user-key";
/// The user's external id, unsigned (Development Mode only).
pub const USER_ID_HEADER: &str = "x-notiflows-user-id";

/// The browser's origin (RFC 6454), read with the same rule as the Notiflows headers.
pub const ORIGIN_HEADER: &str = "origin";

/// Longest Development Mode user id, in bytes of UTF-8.
pub const MAX_USER_ID_BYTES: usize = 256;

/// One request header, as a name and a value borrowed for `'h`.
///
/// Implemented for `(&str, &str)`, `(&[u8], &[u8])`, `(&HeaderName, &HeaderValue)` from the
/// `http` crate and any other pair of references to `AsRef<[u8]>` values, and for
/// references to such pairs (so `&[(&str, &str)]` and `&Vec<(String, String)>` work).
/// Values are taken as the HTTP library delivers them. Whitespace (spaces and tabs) around
/// a value is not part of it (RFC 9110 section 5.5) and is dropped by [`scan`], so a
/// parser that leaves it in and one that strips it give the same answer.
pub trait HeaderPair<'h> {
    /// The header's name (compared ASCII case-insensitively).
    fn name(&self) -> &[u8];
    /// The header's value.
    fn value(&self) -> &'h [u8];
}

impl<'h, N: AsRef<[u8]> + ?Sized, V: AsRef<[u8]> + ?Sized> HeaderPair<'h> for (&'h N, &'h V) {
    fn name(&self) -> &[u8] {
        self.0.as_ref()
    }
    fn value(&self) -> &'h [u8] {
        self.1.as_ref()
    }
}

impl<'h, N: AsRef<[u8]>, V: AsRef<[u8]>> HeaderPair<'h> for &'h (N, V) {
    fn name(&self) -> &[u8] {
        self.0.as_ref()
    }
    fn value(&self) -> &'h [u8] {
        let pair: &'h (N, V) = self;
        pair.1.as_ref()
    }
}

/// What a request said in one Notiflows header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field<'h> {
    Absent,
    Once(&'h [u8]),
    /// Sent more than once: refused, never a silent pick of one of the values.
    Repeated,
}

impl<'h> Field<'h> {
    fn add(&mut self, value: &'h [u8]) {
        *self = match self {
            Field::Absent => Field::Once(value),
            _ => Field::Repeated,
        };
    }
}

/// The headers of one request that authentication reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestHeaders<'h> {
    pub api_key: Field<'h>,
    pub user_key: Field<'h>,
    pub user_id: Field<'h>,
    pub origin: Field<'h>,
}

/// Collects the Notiflows headers and `Origin` in one pass, without allocating; other
/// headers are ignored. Values lose the whitespace around them.
pub(crate) fn scan<'h, H: HeaderPair<'h>>(request_headers: impl IntoIterator<Item = H>) -> RequestHeaders<'h> {
    let mut found = RequestHeaders {
        api_key: Field::Absent,
        user_key: Field::Absent,
        user_id: Field::Absent,
        origin: Field::Absent,
    };
    for header in request_headers {
        let name = header.name();
        let field = if name.eq_ignore_ascii_case(API_KEY_HEADER.as_bytes()) {
            &mut found.api_key
        } else if name.eq_ignore_ascii_case(USER_KEY_HEADER.as_bytes()) {
            &mut found.user_key
        } else if name.eq_ignore_ascii_case(USER_ID_HEADER.as_bytes()) {
            &mut found.user_id
        } else if name.eq_ignore_ascii_case(ORIGIN_HEADER.as_bytes()) {
            &mut found.origin
        } else {
            continue;
        };
        field.add(field_value(header.value()));
    }
    found
}

/// A header's value without the optional whitespace (spaces and tabs) around it, which
/// RFC 9110 (section 5.5) says is not part of the value.
pub fn field_value(raw: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| matches!(b, b' ' | b'\t');
    let start = raw.iter().position(|b| !is_ows(b)).unwrap_or(raw.len());
    let end = raw.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    &raw[start..end]
}

// A Notiflows header sent more than once is refused with the kind its own problems use.
pub(crate) const API_KEY_REPEATED: Error = Error::new(ErrorKind::ApiKeyInvalid)
    .with_detail("x-notiflows-api-key was sent more than once; send it exactly once");
pub(crate) const USER_KEY_REPEATED: Error = Error::new(ErrorKind::TokenMalformed)
    .with_detail("x-notiflows-user-key was sent more than once; send it exactly once");
pub(crate) const USER_ID_REPEATED: Error = Error::new(ErrorKind::UserIdInvalid)
    .with_detail("x-notiflows-user-id was sent more than once; send it exactly once");
pub(crate) const ORIGIN_REPEATED: Error =
    Error::new(ErrorKind::OriginNotAllowed).with_detail("the Origin header was sent more than once");
pub(crate) const API_KEY_TOO_LONG: Error =
    Error::new(ErrorKind::ApiKeyInvalid).with_detail("x-notiflows-api-key is longer than 256 bytes");

/// A Development Mode user id: 1 to [`MAX_USER_ID_BYTES`] bytes of UTF-8 without control
/// characters, else `user_id_invalid`.
pub(crate) fn check_user_id(value: &[u8]) -> Result<&str, Error> {
    let invalid = |detail| Error::new(ErrorKind::UserIdInvalid).with_detail(detail);
    if value.is_empty() {
        return Err(invalid("it is empty"));
    }
    if value.len() > MAX_USER_ID_BYTES {
        return Err(invalid("it is longer than 256 bytes"));
    }
    let id = core::str::from_utf8(value).map_err(|_| invalid("it is not UTF-8"))?;
    if id.chars().any(char::is_control) {
        return Err(invalid("it contains a control character"));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_repeats_are_seen() {
        let headers = [
            ("X-Notiflows-Api-Key", "pk"),
            ("content-type", "application/json"),
            ("X-NOTIFLOWS-USER-ID", "u1"),
            ("x-notiflows-user-id", "u2"),
        ];
        let found = scan(headers.iter());
        assert_eq!(found.api_key, Field::Once(b"pk"));
        assert_eq!(found.user_key, Field::Absent);
        assert_eq!(found.user_id, Field::Repeated);
        // A third copy stays repeated.
        let found = scan([("x-notiflows-user-key", "a"), ("x-notiflows-user-key", "a"), ("x-notiflows-user-key", "a")]);
        assert_eq!(found.user_key, Field::Repeated);
    }

    #[test]
    fn byte_and_owned_pairs() {
        let owned = vec![("x-notiflows-api-key".to_string(), b"pk".to_vec())];
        assert_eq!(scan(&owned).api_key, Field::Once(b"pk"));
        let bytes: [(&[u8], &[u8]); 1] = [(b"x-notiflows-user-key", b"\xff")];
        assert_eq!(scan(bytes).user_key, Field::Once(b"\xff"));
    }

    #[test]
    fn origin_is_read_like_the_notiflows_headers() {
        assert_eq!(scan([("Origin", "https://a.test")]).origin, Field::Once(b"https://a.test"));
        assert_eq!(scan([("origin", "https://a.test"), ("ORIGIN", "https://b.test")]).origin, Field::Repeated);
        assert_eq!(scan([("x-origin", "https://a.test")]).origin, Field::Absent);
    }

    #[test]
    fn surrounding_whitespace_is_not_part_of_a_value() {
        assert_eq!(field_value(b" \t pk_1 \t"), b"pk_1");
        assert_eq!(field_value(b"a b"), b"a b");
        assert_eq!(field_value(b"  "), b"");
        assert_eq!(field_value(b""), b"");
        // Only SP and HTAB are OWS: other bytes stay and are judged by the header's rule.
        assert_eq!(field_value(b"\npk\r"), b"\npk\r");
        assert_eq!(scan([("x-notiflows-api-key", " pk ")]).api_key, Field::Once(b"pk"));
    }

    #[test]
    fn user_ids() {
        assert_eq!(check_user_id(b"user-1").unwrap(), "user-1");
        assert_eq!(check_user_id("caf\u{e9} \u{1F600}".as_bytes()).unwrap(), "caf\u{e9} \u{1F600}");
        assert!(check_user_id(&[b'a'; 256]).is_ok());
        for bad in [&b""[..], &[b'a'; 257], b"a\nb", b"a\x00", b"\x7f", "a\u{85}".as_bytes(), b"\xff"] {
            assert_eq!(check_user_id(bad).unwrap_err().kind(), ErrorKind::UserIdInvalid, "{bad:?}");
        }
    }
}
