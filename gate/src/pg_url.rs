//! `--store postgres://...`: telling a database URL from a file path, reading it with
//! tokio-postgres's own parser (with libpq's `sslmode` and `sslrootcert`), and showing it
//! without its password, in every message.

use std::path::{Path, PathBuf};
use tokio_postgres::config::SslMode;

/// The URL when `store` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_url(store: &Path) -> Option<&str> {
    let text = store.to_str()?;
    (text.starts_with("postgres://") || text.starts_with("postgresql://")).then_some(text)
}

/// `url` with its password replaced by `***`: what logs and messages show.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    // The authority ends at the first `/`, `?` or `#`; the user info at its last `@`.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let mut shown = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    };
    // A password may also travel as a query parameter.
    if let Some((head, query)) = shown.clone().split_once('?') {
        let parts: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        shown = format!("{head}?{}", parts.join("&"));
    }
    shown
}

/// How the connection is secured, from the URL's `sslmode` (libpq's meanings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// `disable`, and `prefer` (the default): plaintext, as libpq's `prefer` is when the
    /// client does not try TLS. Fine over loopback or a private network.
    Off,
    /// `require`: encrypted, the server's certificate not checked (libpq's meaning).
    Require,
    /// `verify-ca`: the chain is checked against `sslrootcert`, the host name is not.
    VerifyCa(PathBuf),
    /// `verify-full`: the chain against `sslrootcert`, and the host name.
    VerifyFull(PathBuf),
}

/// A parsed URL: tokio-postgres's configuration and the TLS the URL asks for.
#[derive(Debug)]
pub struct Target {
    pub config: tokio_postgres::Config,
    pub tls: Tls,
}

/// Most bytes `sslrootcert` may hold (a bundle of PEM CA certificates).
pub const MAX_ROOT_CERT_BYTES: u64 = 1 << 20;

/// Reads the URL. `sslmode` and `sslrootcert` are taken out here (tokio-postgres knows
/// neither `verify-*` nor `sslrootcert`); every other parameter goes to its parser, which
/// refuses an unknown one.
pub fn parse(url: &str) -> Result<Target, String> {
    let shown = redact(url);
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let (mut mode, mut root) = (None, None);
    let mut rest = Vec::new();
    for part in query.into_iter().flat_map(|q| q.split('&')) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let slot = match key {
            "sslmode" => &mut mode,
            "sslrootcert" => &mut root,
            _ => {
                rest.push(part);
                continue;
            }
        };
        if slot.is_some() {
            return Err(format!("{shown}: `{key}` is given twice"));
        }
        *slot =
            Some(percent_decode(value).ok_or_else(|| format!("{shown}: `{key}` is not valid percent-encoded UTF-8"))?);
    }
    let rebuilt = if rest.is_empty() { head.to_string() } else { format!("{head}?{}", rest.join("&")) };
    let mut config: tokio_postgres::Config = rebuilt.parse().map_err(|e| format!("{shown}: {e}"))?;
    if config.get_hosts().is_empty() {
        return Err(format!("{shown}: the URL names no host"));
    }
    let verified = |make: fn(PathBuf) -> Tls, mode: &str| match &root {
        Some(path) if !path.is_empty() => Ok(make(PathBuf::from(path))),
        _ => Err(format!(
            "{shown}: sslmode={mode} needs sslrootcert=PATH, a file of the PEM CA certificates that sign the \
             database's certificate (system roots are not used)"
        )),
    };
    let tls = match mode.as_deref().unwrap_or("prefer") {
        "disable" | "prefer" => Tls::Off,
        "require" => Tls::Require,
        "verify-ca" => verified(Tls::VerifyCa, "verify-ca")?,
        "verify-full" => verified(Tls::VerifyFull, "verify-full")?,
        other => {
            return Err(format!(
                "{shown}: sslmode={other} is unknown (disable, prefer, require, verify-ca or verify-full)"
            ))
        }
    };
    if root.is_some() && matches!(tls, Tls::Off | Tls::Require) {
        return Err(format!("{shown}: sslrootcert is only used with sslmode=verify-ca or verify-full"));
    }
    // tokio-postgres itself never tries TLS for `prefer`: plaintext stays plaintext.
    config.ssl_mode(if tls == Tls::Off { SslMode::Disable } else { SslMode::Require });
    Ok(Target { config, tls })
}

/// `%XX` sequences decoded (a path in a URL query); `None` when malformed or not UTF-8.
fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert!(is_url(Path::new("postgres://u@h/db")).is_some());
        assert!(is_url(Path::new("postgresql://h/db")).is_some());
        assert!(is_url(Path::new("projects.json")).is_none());
        assert!(is_url(Path::new("./postgres://x")).is_none());
    }

    #[test]
    fn the_password_never_shows() {
        assert_eq!(redact("postgres://gate:s3cret@db:5432/auth"), "postgres://gate:***@db:5432/auth");
        assert_eq!(redact("postgres://gate:p@ss@db/auth?x=1"), "postgres://gate:***@db/auth?x=1");
        assert_eq!(redact("postgres://gate@db/auth"), "postgres://gate@db/auth");
        assert_eq!(redact("postgres://db/auth?user=g&password=s3cret"), "postgres://db/auth?user=g&password=***");
        for bad in ["postgres://gate:s3cret@db/auth?sslmode=verify-full", "postgres://gate:s3cret@db/auth?bogus=1"] {
            let err = parse(bad).unwrap_err();
            assert!(!err.contains("s3cret") && err.contains("***"), "{err}");
        }
    }

    #[test]
    fn tls_modes() {
        let tls = |url: &str| parse(url).map(|t| (t.tls, t.config.get_ssl_mode()));
        assert_eq!(tls("postgres://g@127.0.0.1:5432/auth").unwrap(), (Tls::Off, SslMode::Disable));
        assert_eq!(tls("postgres://g@127.0.0.1/auth?sslmode=disable").unwrap(), (Tls::Off, SslMode::Disable));
        assert_eq!(tls("postgres://g@127.0.0.1/auth?sslmode=prefer").unwrap(), (Tls::Off, SslMode::Disable));
        assert_eq!(tls("postgres://g@127.0.0.1/auth?sslmode=require").unwrap(), (Tls::Require, SslMode::Require));
        assert_eq!(
            tls("postgres://g@db/auth?sslmode=verify-ca&sslrootcert=/etc/ca.pem").unwrap(),
            (Tls::VerifyCa("/etc/ca.pem".into()), SslMode::Require)
        );
        assert_eq!(
            tls("postgres://g@db/auth?sslrootcert=/a%20b/ca.pem&sslmode=verify-full&connect_timeout=5").unwrap(),
            (Tls::VerifyFull("/a b/ca.pem".into()), SslMode::Require)
        );
    }

    #[test]
    fn tls_mistakes_are_refused() {
        let err = |url: &str| parse(url).err().unwrap_or_else(|| panic!("{url} was accepted"));
        for mode in ["verify-ca", "verify-full"] {
            let e = err(&format!("postgres://g:s3cret@db/auth?sslmode={mode}"));
            assert!(e.contains(&format!("sslmode={mode} needs sslrootcert")) && !e.contains("s3cret"), "{e}");
            assert!(err(&format!("postgres://g@db/auth?sslmode={mode}&sslrootcert=")).contains("needs sslrootcert"));
        }
        assert!(err("postgres://g@db/auth?sslmode=allow").contains("sslmode=allow is unknown"));
        assert!(err("postgres://g@db/auth?sslmode=require&sslmode=disable").contains("`sslmode` is given twice"));
        assert!(err("postgres://g@db/auth?sslmode=require&sslrootcert=/ca.pem").contains("only used with"));
        assert!(err("postgres://g@db/auth?sslrootcert=/ca.pem").contains("only used with"));
        assert!(err("postgres://g@db/auth?sslmode=verify-full&sslrootcert=%zz").contains("percent-encoded"));
        // Other unknown parameters are still refused by tokio-postgres's parser.
        assert!(parse("postgres://g@db/auth?sslmode=require&sslcert=/x.pem").is_err());
    }
}
