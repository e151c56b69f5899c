//! Allowed origins: parsed and normalised once when a project is configured, matched on
//! every browser request without allocating.
//!
//! An origin is `scheme://host[:port]` (RFC 6454): no path, query, fragment or user info.
//! Scheme and host compare ASCII case-insensitively; the default ports of `http` (80) and
//! `https` (443) are dropped, so `https://a.example:443` and `https://A.example` are equal.
//!
//! What a list means:
//! - An empty (or missing) list allows every origin: the project is not restricted to
//!   particular browser pages.
//! - A request without an `Origin` header is not origin-checked, whatever the list: it does
//!   not come from a browser page (servers and mobile apps send none), and `Origin` only
//!   protects browser users, so the API key and user credentials decide alone.
//! - An `Origin` header sent twice, longer than 512 bytes or not UTF-8 is refused
//!   (`origin_not_allowed`) whatever the list, as no browser sends one.

use crate::error::{Error, ErrorKind};

/// Longer request origins are refused without being looked at (a host is at most 253 bytes).
pub const MAX_ORIGIN_BYTES: usize = 512;
const MAX_HOST_BYTES: usize = 253;
const MAX_LABEL_BYTES: usize = 63;

/// A project's allowed origins. Empty allows every origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AllowedOrigins {
    patterns: Box<[Pattern]>,
}

/// One normalised entry: scheme and host lowercase, default port dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    scheme: Box<str>,
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// Exactly this host.
    Exact(Box<str>),
    /// `*.suffix`: one or more labels before `suffix`, never `suffix` itself.
    SubdomainsOf(Box<str>),
}

/// A parsed origin, borrowing its text (case not yet folded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Origin<'a> {
    scheme: &'a str,
    host: &'a str,
    /// `None` for no port or the scheme's default port.
    port: Option<u16>,
}

impl AllowedOrigins {
    /// Parses every entry; the first malformed one fails with `config_invalid` and a detail
    /// naming the rule it breaks.
    pub(crate) fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, Error> {
        let patterns = entries
            .iter()
            .map(|entry| Pattern::parse(entry.as_ref()))
            .collect::<Result<Box<[Pattern]>, &'static str>>()
            .map_err(|detail| Error::new(ErrorKind::ConfigInvalid).with_detail(detail))?;
        Ok(AllowedOrigins { patterns })
    }

    /// Whether a request with this `Origin` header may proceed. No header (not a browser)
    /// and an empty list always pass; otherwise the origin must be well formed and match an
    /// entry, so `null` and malformed origins never pass a non-empty list.
    pub(crate) fn allows(&self, origin: Option<&str>) -> bool {
        let Some(origin) = origin else { return true };
        if self.patterns.is_empty() {
            return true;
        }
        match Origin::parse(origin) {
            Some(origin) => self.patterns.iter().any(|p| p.matches(&origin)),
            None => false,
        }
    }
}

/// A request's `Origin` header value as text: its length is checked first, then its
/// encoding; either failing is `origin_not_allowed`, with a detail saying why.
pub(crate) fn read_header(value: &[u8]) -> Result<&str, Error> {
    let refused = |detail| Error::new(ErrorKind::OriginNotAllowed).with_detail(detail);
    if value.len() > MAX_ORIGIN_BYTES {
        return Err(refused("the Origin header is longer than 512 bytes"));
    }
    core::str::from_utf8(value).map_err(|_| refused("the Origin header is not UTF-8"))
}

/// Whether `origin` is safe to echo in `Access-Control-Allow-Origin`: `null` or a well-formed
/// origin (which holds no whitespace or control characters).
pub(crate) fn is_echoable(origin: &str) -> bool {
    origin == "null" || Origin::parse(origin).is_some()
}

impl Pattern {
    fn parse(entry: &str) -> Result<Pattern, &'static str> {
        if entry.is_empty() {
            return Err("an allowed origin is empty");
        }
        if entry == "*" {
            return Err("`*` is not an allowed origin: leave the list empty to allow every origin");
        }
        if entry.eq_ignore_ascii_case("null") {
            return Err(
                "`null` cannot be an allowed origin: sandboxed and file pages send it, and any site can create one",
            );
        }
        let (scheme, host, port) = split(entry)?;
        const STAR: &str = "`*` is only allowed as the whole first label of the host (https://*.example.com)";
        let host = match host.strip_prefix("*.") {
            Some(suffix) if suffix.contains('*') => return Err(STAR),
            Some(suffix) => {
                check_host(suffix)?;
                if !suffix.contains('.') {
                    return Err(
                        "a wildcard origin needs a domain of at least two labels after `*.` (https://*.example.com)",
                    );
                }
                HostPattern::SubdomainsOf(suffix.to_ascii_lowercase().into())
            }
            None if host.contains('*') => return Err(STAR),
            None => {
                check_host(host)?;
                HostPattern::Exact(host.to_ascii_lowercase().into())
            }
        };
        Ok(Pattern { scheme: scheme.to_ascii_lowercase().into(), host, port })
    }

    fn matches(&self, origin: &Origin<'_>) -> bool {
        self.port == origin.port
            && self.scheme.eq_ignore_ascii_case(origin.scheme)
            && match &self.host {
                HostPattern::Exact(host) => host.eq_ignore_ascii_case(origin.host),
                HostPattern::SubdomainsOf(suffix) => is_subdomain_of(origin.host.as_bytes(), suffix.as_bytes()),
            }
    }
}

/// `host` is `<one or more labels>.suffix`. Hosts reaching here are well formed, so a
/// non-empty prefix ending in a dot is made of whole labels.
fn is_subdomain_of(host: &[u8], suffix: &[u8]) -> bool {
    let Some(prefix_len) = host.len().checked_sub(suffix.len() + 1) else { return false };
    prefix_len > 0 && host[prefix_len] == b'.' && host[prefix_len + 1..].eq_ignore_ascii_case(suffix)
}

impl<'a> Origin<'a> {
    /// A well-formed request origin, or `None` (including for `null`).
    fn parse(text: &'a str) -> Option<Origin<'a>> {
        if text.len() > MAX_ORIGIN_BYTES {
            return None;
        }
        let (scheme, host, port) = split(text).ok()?;
        check_host(host).ok()?;
        Some(Origin { scheme, host, port })
    }
}

/// Splits `scheme://host[:port]`, checking the scheme and the port (normalised) but not the
/// host's characters, which the caller checks (patterns allow a leading `*.`).
fn split(text: &str) -> Result<(&str, &str, Option<u16>), &'static str> {
    const NO_SCHEME: &str = "an origin must be scheme://host[:port], e.g. https://app.example.com";
    let (scheme, rest) = text.split_once("://").ok_or(NO_SCHEME)?;
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return Err(NO_SCHEME);
    }
    if rest.contains(['/', '?', '#']) {
        return Err("an origin has no path, query or fragment (not even a trailing `/`)");
    }
    if rest.contains('@') {
        return Err("an origin has no user info (`user@`)");
    }
    // A bracketed IPv6 host holds colons; the port follows the bracket.
    let (host, port) = match rest.strip_prefix('[') {
        Some(inner) => {
            let end = inner.find(']').ok_or("an IPv6 host must be enclosed in `[` and `]`")?;
            let (host, after) = rest.split_at(end + 2);
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or("unexpected text after the IPv6 host")?)),
            }
        }
        None => match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let port = match port {
        None => None,
        Some(port) => normalise_port(scheme, parse_port(port)?),
    };
    Ok((scheme, host, port))
}

/// A port as browsers write it: 1 to 65535, decimal, no leading zero.
fn parse_port(text: &str) -> Result<u16, &'static str> {
    const BAD_PORT: &str = "a port must be a number from 1 to 65535 without leading zeros";
    let digits_ok = (1..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    if !digits_ok {
        return Err(BAD_PORT);
    }
    text.parse::<u16>().map_err(|_| BAD_PORT)
}

fn normalise_port(scheme: &str, port: u16) -> Option<u16> {
    let default =
        (scheme.eq_ignore_ascii_case("http") && port == 80) || (scheme.eq_ignore_ascii_case("https") && port == 443);
    (!default).then_some(port)
}

/// A DNS name (dot-separated labels of letters, digits, `-` and `_`; no empty label, so no
/// leading or trailing dot), or a bracketed IPv6 address. Browsers send IDNs as punycode.
fn check_host(host: &str) -> Result<(), &'static str> {
    const BAD_HOST: &str =
        "a host must be a DNS name (letters, digits, `-`, `_` and dots; IDNs as punycode) or a bracketed IPv6 address";
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(BAD_HOST)?;
        let ok = inner.contains(':') && inner.bytes().all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
        return if ok { Ok(()) } else { Err(BAD_HOST) };
    }
    if host.is_empty() || host.len() > MAX_HOST_BYTES {
        return Err(BAD_HOST);
    }
    let label_ok = |label: &str| {
        (1..=MAX_LABEL_BYTES).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    if host.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(BAD_HOST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowedOrigins {
        AllowedOrigins::parse(entries).unwrap()
    }

    fn detail(entry: &str) -> &'static str {
        let err = AllowedOrigins::parse(&[entry]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{entry}");
        err.detail().unwrap()
    }

    #[test]
    fn patterns_are_normalised() {
        let a = list(&["HTTPS://App.Example.COM:443", "http://localhost:3000", "http://x.test:80"]);
        let b = list(&["https://app.example.com", "http://localhost:3000", "http://x.test"]);
        assert_eq!(a, b);
    }

    #[test]
    fn malformed_patterns_are_refused_with_the_rule_broken() {
        assert!(detail("example.com").contains("scheme://host"));
        assert!(detail("//example.com").contains("scheme://host"));
        assert!(detail("1http://example.com").contains("scheme://host"));
        assert!(detail("https://example.com/").contains("path"));
        assert!(detail("https://example.com/app").contains("path"));
        assert!(detail("https://example.com?x").contains("path"));
        assert!(detail("https://user@example.com").contains("user info"));
        assert!(detail("https://*.").contains("DNS name"));
        assert!(detail("https://*").contains("first label"));
        assert!(detail("https://*.com").contains("two labels"));
        assert!(detail("https://app.*.example.com").contains("first label"));
        assert!(detail("https://a*.example.com").contains("first label"));
        assert!(detail("https://*.*.example.com").contains("first label"));
        assert!(detail("https://example.com:").contains("port"));
        assert!(detail("https://example.com:0").contains("port"));
        assert!(detail("https://example.com:65536").contains("port"));
        assert!(detail("https://example.com:0443").contains("port"));
        assert!(detail("https://example.com:x").contains("port"));
        assert!(detail("https://example..com").contains("DNS name"));
        assert!(detail("https://example.com.").contains("DNS name"));
        assert!(detail("https://exa mple.com").contains("DNS name"));
        assert!(detail("https://").contains("DNS name"));
        assert!(detail("https://[::1").contains("IPv6"));
        assert!(detail("https://[::1]x").contains("IPv6"));
        assert!(detail(" https://example.com").contains("scheme://host"));
        assert!(detail("null").contains("null"));
        assert!(detail("*").contains("empty"));
        assert!(detail("").contains("empty"));
    }

    #[test]
    fn exact_matches_after_normalisation() {
        let origins = list(&["https://app.example.com", "http://localhost:3000", "http://[::1]:8080"]);
        for ok in [
            "https://app.example.com",
            "HTTPS://APP.EXAMPLE.COM",
            "https://app.example.com:443",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(origins.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "http://app.example.com",
            "https://app.example.com:8443",
            "https://app.example.com/",
            "https://app.example.com/path",
            "https://app.example.com.",
            "https://example.com",
            "https://evil.app.example.com",
            "http://localhost",
            "http://localhost:3001",
            "null",
            "",
            " https://app.example.com",
            "https://app.example.com ",
        ] {
            assert!(!origins.allows(Some(bad)), "{bad}");
        }
        assert!(origins.allows(None), "no Origin header: not a browser, not checked");
    }

    #[test]
    fn wildcards_match_one_or_more_labels_never_the_bare_domain() {
        let origins = list(&["https://*.example.com"]);
        for ok in ["https://a.example.com", "https://a.b.example.com", "https://A.Example.Com:443"] {
            assert!(origins.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "https://example.com",
            "https://.example.com",
            "https://evil-example.com",
            "https://evilexample.com",
            "https://example.com.evil.com",
            "https://a.example.com.evil.com",
            "http://a.example.com",
            "https://a.example.com:8443",
            "https://a.example.co",
            "https://[::1]",
        ] {
            assert!(!origins.allows(Some(bad)), "{bad}");
        }
        let with_port = list(&["http://*.example.test:8080"]);
        assert!(with_port.allows(Some("http://a.example.test:8080")));
        assert!(!with_port.allows(Some("http://a.example.test")));
    }

    #[test]
    fn empty_list_allows_everything() {
        let origins = list(&[]);
        for any in ["https://x.test", "null", "garbage"] {
            assert!(origins.allows(Some(any)));
        }
    }

    #[test]
    fn huge_or_odd_request_origins_are_refused_without_panicking() {
        let origins = list(&["https://*.example.com"]);
        let long = format!("https://{}.example.com", "a.".repeat(400));
        assert!(!origins.allows(Some(&long)));
        for odd in ["https://[", "https://[]", "://", "https://\u{e9}.example.com", "https://a.example.com:\u{661}"] {
            assert!(!origins.allows(Some(odd)), "{odd}");
        }
    }

    #[test]
    fn headers_are_bounded_then_decoded() {
        assert_eq!(read_header(b"https://a.test"), Ok("https://a.test"));
        for bad in [&b"https://\xff.test"[..], &[b'a'; MAX_ORIGIN_BYTES + 1]] {
            assert_eq!(read_header(bad).unwrap_err().kind(), ErrorKind::OriginNotAllowed);
        }
        // The length is checked before the bytes are looked at.
        let mut long_and_invalid = vec![0xff; MAX_ORIGIN_BYTES + 1];
        long_and_invalid[0] = b'h';
        assert_eq!(
            read_header(&long_and_invalid).unwrap_err().detail(),
            Some("the Origin header is longer than 512 bytes")
        );
    }

    #[test]
    fn echoable() {
        assert!(is_echoable("null"));
        assert!(is_echoable("https://a.test:8443"));
        assert!(!is_echoable("https://a.test\r\nSet-Cookie: x"));
        assert!(!is_echoable("NULL "));
    }
}
