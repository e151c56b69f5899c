//! The CORS answers a server gives browsers: the preflight (`OPTIONS`) response headers and
//! the headers added to the actual response.
//!
//! `Access-Control-Allow-Origin` echoes the request's own `Origin` when it is allowed (never
//! `*`, so one rule covers every case), and `Vary: Origin` is always sent, so shared caches
//! keep answers for different origins apart. A disallowed origin gets no allow-origin and
//! the browser blocks the call.

/// Headers a browser may send to the User API.
pub const ALLOW_HEADERS: &str = "x-notiflows-api-key, x-notiflows-user-key, x-notiflows-user-id, content-type";
/// Methods of the User API.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// How long browsers may reuse a preflight answer, in seconds (Chromium's upper limit).
pub const MAX_AGE_SECONDS: &str = "7200";

/// The most headers [`CorsHeaders::iter`] gives (a preflight for an allowed origin).
pub const MAX_CORS_HEADERS: usize = 5;

/// The CORS headers for one response. Borrows the allowed origin from the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorsHeaders<'a> {
    allow_origin: Option<&'a str>,
    preflight: bool,
}

impl<'a> CorsHeaders<'a> {
    pub(crate) fn new(allow_origin: Option<&'a str>, preflight: bool) -> Self {
        CorsHeaders { allow_origin, preflight }
    }

    /// The value of `Access-Control-Allow-Origin`, when the origin is allowed.
    pub fn allow_origin(&self) -> Option<&'a str> {
        self.allow_origin
    }

    /// Every header to add to the response, as `(name, value)`: `Vary: Origin` always; for an
    /// allowed origin, `Access-Control-Allow-Origin` and, on a preflight, the allowed headers,
    /// methods and max age. Answer a preflight with status 204.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'a str)> {
        let preflight = self.preflight && self.allow_origin.is_some();
        [
            Some(("Vary", "Origin")),
            self.allow_origin.map(|origin| ("Access-Control-Allow-Origin", origin)),
            preflight.then_some(("Access-Control-Allow-Headers", ALLOW_HEADERS)),
            preflight.then_some(("Access-Control-Allow-Methods", ALLOW_METHODS)),
            preflight.then_some(("Access-Control-Max-Age", MAX_AGE_SECONDS)),
        ]
        .into_iter()
        .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_and_actual() {
        let names = |h: CorsHeaders<'_>| h.iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(CorsHeaders::new(Some("https://a.test"), true)),
            [
                "Vary",
                "Access-Control-Allow-Origin",
                "Access-Control-Allow-Headers",
                "Access-Control-Allow-Methods",
                "Access-Control-Max-Age"
            ]
        );
        assert_eq!(names(CorsHeaders::new(Some("https://a.test"), false)), ["Vary", "Access-Control-Allow-Origin"]);
        assert_eq!(names(CorsHeaders::new(None, true)), ["Vary"]);
        assert_eq!(names(CorsHeaders::new(None, false)), ["Vary"]);
    }
}
