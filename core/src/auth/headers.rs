//! Reading the three Notiflows headers from a request, and checking the Development Mode
//! user id.

use crate::error::{Error, ErrorKind};

/// The project's public API key.
pub const API_KEY_HEADER: &str = "x-notiflows-api-key";
/// The user token signed by the customer's backend (Secure Mode).
pub const USER_KEY_HEADER: &str = "x-notiflows-user-key";
/// The user's external id, unsigned (Development Mode only).
pub const USER_ID_HEADER: &str = "x-notiflows-user-id";

/// Longest Development Mode user id, in bytes of UTF-8.
pub const MAX_USER_ID_BYTES: usize = 256;

/// One request header, as a name and a value borrowed for `'h`.
///
/// Implemented for `(&str, &str)`, `(&[u8], &[u8])`, `(&HeaderName, &HeaderValue)` from the
/// `http` crate and any other pair of references to `AsRef<[u8]>` values, and for
/// references to such pairs (so `&[(&str, &str)]` and `&Vec<(String, String)>` work).
/// Values are taken as the HTTP library delivers them, without surrounding whitespace.
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

/// The Notiflows headers of one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Credentials<'h> {
    pub api_key: Field<'h>,
    pub user_key: Field<'h>,
    pub user_id: Field<'h>,
}

/// Collects the three Notiflows headers in one pass, without allocating; other headers are
/// ignored.
pub(crate) fn scan<'h, H: HeaderPair<'h>>(headers: impl IntoIterator<Item = H>) -> Credentials<'h> {
    let mut found = Credentials { api_key: Field::Absent, user_key: Field::Absent, user_id: Field::Absent };
    for header in headers {
        let name = header.name();
        let field = if name.eq_ignore_ascii_case(API_KEY_HEADER.as_bytes()) {
            &mut found.api_key
        } else if name.eq_ignore_ascii_case(USER_KEY_HEADER.as_bytes()) {
            &mut found.user_key
        } else if name.eq_ignore_ascii_case(USER_ID_HEADER.as_bytes()) {
            &mut found.user_id
        } else {
            continue;
        };
        field.add(header.value());
    }
    found
}

// A Notiflows header sent more than once is refused with the kind its own problems use.
pub(crate) const API_KEY_REPEATED: Error = Error::new(ErrorKind::ApiKeyInvalid)
    .with_detail("x-notiflows-api-key was sent more than once; send it exactly once");
pub(crate) const USER_KEY_REPEATED: Error = Error::new(ErrorKind::TokenMalformed)
    .with_detail("x-notiflows-user-key was sent more than once; send it exactly once");
pub(crate) const USER_ID_REPEATED: Error = Error::new(ErrorKind::UserIdInvalid)
    .with_detail("x-notiflows-user-id was sent more than once; send it exactly once");

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
    fn user_ids() {
        assert_eq!(check_user_id(b"user-1").unwrap(), "user-1");
        assert_eq!(check_user_id("caf\u{e9} \u{1F600}".as_bytes()).unwrap(), "caf\u{e9} \u{1F600}");
        assert!(check_user_id(&[b'a'; 256]).is_ok());
        for bad in [&b""[..], &[b'a'; 257], b"a\nb", b"a\x00", b"\x7f", "a\u{85}".as_bytes(), b"\xff"] {
            assert_eq!(check_user_id(bad).unwrap_err().kind(), ErrorKind::UserIdInvalid, "{bad:?}");
        }
    }
}
