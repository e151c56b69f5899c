//! The reference reading of origins and allowed-origin entries, from the rules in README and
//! issue 3: `scheme://host[:port]` with no path, query, fragment or user info; a DNS name
//! (labels of letters, digits, `-`, `_`) or a bracketed IPv6 address; a port of 1 to 65535
//! without leading zeros. Scheme and host compare case-insensitively and a default port
//! equals no port; `*.suffix` matches one or more labels before `suffix`, never `suffix`.
//!
//! Unlike `core`, which drops default ports, this fills them in: both must agree.

/// A request origin or an entry, normalised: lowercase, the port explicit where the scheme
/// has a default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canonical {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Exact(Canonical),
    /// `host` holds the suffix after `*.`.
    Wildcard(Canonical),
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn dns_name(host: &str) -> bool {
    (1..=253).contains(&host.len())
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len()) && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn ipv6_literal(host: &str) -> bool {
    let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else { return false };
    inner.contains(':') && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

fn port(text: &str) -> Option<u16> {
    let ok = (1..=5).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit()) && !text.starts_with('0');
    ok.then(|| text.parse().ok()).flatten()
}

/// Scheme, host text (unchecked) and port, normalised.
fn split(text: &str) -> Option<(String, &str, Option<u16>)> {
    let (scheme, rest) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok || rest.contains(['/', '?', '#', '@']) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let (host, port_text) = if rest.starts_with('[') {
        let close = rest.find(']')?;
        let (host, after) = rest.split_at(close + 1);
        if after.is_empty() {
            (host, None)
        } else {
            (host, Some(after.strip_prefix(':')?))
        }
    } else {
        match rest.split_once(':') {
            Some((host, p)) => (host, Some(p)),
            None => (rest, None),
        }
    };
    let port = match port_text {
        Some(p) => Some(port(p)?),
        None => default_port(&scheme),
    };
    Some((scheme, host, port))
}

/// A request origin, or `None` when it is malformed (`null` included).
pub fn parse_origin(text: &str) -> Option<Canonical> {
    if text.len() > 512 {
        return None;
    }
    let (scheme, host, port) = split(text)?;
    (dns_name(host) || ipv6_literal(host)).then(|| Canonical { scheme, host: host.to_ascii_lowercase(), port })
}

/// An allowed-origin entry, or `None` when configuration must refuse it.
pub fn parse_entry(text: &str) -> Option<Entry> {
    if text.is_empty() || text == "*" || text.eq_ignore_ascii_case("null") {
        return None;
    }
    let (scheme, host, port) = split(text)?;
    if let Some(suffix) = host.strip_prefix("*.") {
        let ok = !suffix.contains('*') && (dns_name(suffix) || ipv6_literal(suffix)) && suffix.contains('.');
        return ok.then(|| Entry::Wildcard(Canonical { scheme, host: suffix.to_ascii_lowercase(), port }));
    }
    (dns_name(host) || ipv6_literal(host))
        .then(|| Entry::Exact(Canonical { scheme, host: host.to_ascii_lowercase(), port }))
}

impl Entry {
    pub fn matches(&self, origin: &Canonical) -> bool {
        match self {
            Entry::Exact(e) => e == origin,
            Entry::Wildcard(e) => {
                e.scheme == origin.scheme
                    && e.port == origin.port
                    && origin.host.len() > e.host.len() + 1
                    && origin.host.ends_with(&format!(".{}", e.host))
            }
        }
    }

    /// An origin this entry must allow, written with the default port spelled out where
    /// there is one and in upper case.
    pub fn sample(&self) -> String {
        let (c, host) = match self {
            Entry::Exact(c) => (c, c.host.clone()),
            Entry::Wildcard(c) => (c, format!("fuzz.{}", c.host)),
        };
        let port = c.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{}{}", c.scheme, host, port).to_ascii_uppercase()
    }
}

/// Whether a request with this `Origin` passes the list: no header or an empty list always
/// does; otherwise the origin must be well formed and match an entry.
pub fn allows(entries: &[Entry], origin: Option<&str>) -> bool {
    let Some(origin) = origin else { return true };
    entries.is_empty() || parse_origin(origin).is_some_and(|o| entries.iter().any(|e| e.matches(&o)))
}

/// Whether `origin` may be echoed in `Access-Control-Allow-Origin`.
pub fn echoable(origin: &str) -> bool {
    origin == "null" || parse_origin(origin).is_some()
}
