//! Turning an [`Error`] into the HTTP answer a server sends as is.

use crate::error::Error;
use crate::json;

/// An error as an HTTP response: 401 for credentials, 403 for origins, 500 for the server's
/// own configuration; the body is `{"code":"...","message":"..."}` (`application/json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

impl ErrorResponse {
    /// The response for `error`.
    pub fn new(error: &Error) -> ErrorResponse {
        let message = error.to_string();
        let mut body = String::with_capacity(message.len() + error.code().len() + 32);
        body.push_str(r#"{"code":"#);
        json::write_string(&mut body, error.code());
        body.push_str(r#","message":"#);
        json::write_string(&mut body, &message);
        body.push('}');
        ErrorResponse { status: error.http_status(), body }
    }
}

impl From<Error> for ErrorResponse {
    fn from(error: Error) -> Self {
        ErrorResponse::new(&error)
    }
}
