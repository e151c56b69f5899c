//! `--store postgres://...`: telling a database URL from a file path, reading it with
//! tokio-postgres's own parser, and showing it without its password, in every message.

use std::path::Path;
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

/// Reads the URL. TLS is not built into this gate: `sslmode=require`, `verify-ca` and
/// `verify-full` are refused rather than silently sent in clear; `prefer` (the default)
/// and `disable` connect without TLS.
pub fn parse(url: &str) -> Result<tokio_postgres::Config, String> {
    let shown = redact(url);
    for mode in ["verify-ca", "verify-full", "require"] {
        if url.contains(&format!("sslmode={mode}")) {
            return Err(format!(
                "{shown}: sslmode={mode} is not supported: this gate has no TLS client for PostgreSQL; \
                 reach the database over loopback, a private network or a TLS tunnel, with sslmode=disable"
            ));
        }
    }
    let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{shown}: {e}"))?;
    if config.get_ssl_mode() == SslMode::Require {
        return Err(format!("{shown}: TLS is not supported (see sslmode)"));
    }
    if config.get_hosts().is_empty() {
        return Err(format!("{shown}: the URL names no host"));
    }
    Ok(config)
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
        assert!(parse("postgres://g@127.0.0.1:5432/auth").is_ok());
        assert!(parse("postgres://g@127.0.0.1:5432/auth?sslmode=disable").is_ok());
        let err = parse("postgres://g@127.0.0.1/auth?sslmode=require").unwrap_err();
        assert!(err.contains("sslmode=require is not supported"), "{err}");
    }
}
