//! The gate's configuration (`--config FILE`, TOML or JSON), read strictly: an unknown
//! member is refused, naming the nearest known one. Every member has a default, so the
//! command line alone (`--store`, `--listen`, `--admin-listen`) is enough.

use crate::strict::{check_members, parse_document, typed};
use notiflows_auth::{AuthenticatorOptions, Policy, Provider};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The projects file; created empty when missing. Relative to the configuration file.
    /// A value starting with `postgres://` or `postgresql://` is a PostgreSQL database
    /// instead, shared by every replica (see [`Postgres`]).
    pub store: Option<PathBuf>,
    /// The decision endpoint's listener.
    pub listen: SocketAddr,
    /// The admin API's listener (keep it on loopback or a private network).
    pub admin_listen: SocketAddr,
    /// How often the projects file is checked for hand edits, in milliseconds (0: only on
    /// `SIGHUP`).
    pub reload_interval_ms: u64,
    pub limits: Limits,
    pub auth: Auth,
    pub postgres: Postgres,
}

/// The PostgreSQL store: its connections and the replica lease that bounds how long a
/// replica may decide on a configuration it can no longer confirm.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Postgres {
    /// Most connections the admin API holds at once (the replica's own connection aside).
    pub pool_size: usize,
    /// Connecting gives up after this long, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Any one database call gives up after this long (then the connection is dropped).
    pub query_timeout_ms: u64,
    /// How long a lease lasts, in milliseconds; it is renewed every third of it.
    pub lease_ms: u64,
    /// The part of the lease, in percent, a replica gives up early on its own clock, so it
    /// always stops before the database counts its lease as expired.
    pub lease_margin_percent: u64,
    /// Longest an admin call waits for every live replica to apply its change.
    pub max_wait_ms: u64,
    /// This replica's name in the lease table (default: a random one at each start).
    pub replica_id: Option<String>,
    /// Keep deciding on the last known configuration when the lease cannot be renewed.
    /// Weakens the guarantee: a change made meanwhile is not in force here.
    pub serve_stale: bool,
}
/// Limits on what clients may send and hold.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most bytes of request headers (names and values) read; more is refused with 431.
    pub max_header_bytes: usize,
    /// Most request headers; more is refused with 431.
    pub max_headers: usize,
    /// A client must send its request headers within this time, in milliseconds.
    pub header_read_timeout_ms: u64,
    /// A request must be answered within this time, in milliseconds, else 408.
    pub request_timeout_ms: u64,
    /// Most open connections per listener; further clients wait in the accept queue.
    pub max_connections: usize,
    /// Largest admin API request body, in bytes.
    pub max_admin_body_bytes: usize,
}

/// The token rules (the core's [`Policy`]) and the verified-token cache.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    pub leeway_seconds: u64,
    pub require_exp: bool,
    pub max_lifetime_seconds: Option<u64>,
    pub max_token_bytes: usize,
    pub iat_skew_seconds: u64,
    pub cache_capacity: usize,
    /// The library verifying signatures: `"ring"` (the default) or `"aws-lc-rs"`, read by
    /// the core's own parser.
    pub provider: String,
}

const CONFIG_MEMBERS: &[&str] =
    &["store", "listen", "admin_listen", "reload_interval_ms", "limits", "auth", "postgres"];
const POSTGRES_MEMBERS: &[&str] = &[
    "pool_size",
    "connect_timeout_ms",
    "query_timeout_ms",
    "lease_ms",
    "lease_margin_percent",
    "max_wait_ms",
    "replica_id",
    "serve_stale",
];
const LIMITS_MEMBERS: &[&str] = &[
    "max_header_bytes",
    "max_headers",
    "header_read_timeout_ms",
    "request_timeout_ms",
    "max_connections",
    "max_admin_body_bytes",
];
const AUTH_MEMBERS: &[&str] = &[
    "leeway_seconds",
    "require_exp",
    "max_lifetime_seconds",
    "max_token_bytes",
    "iat_skew_seconds",
    "cache_capacity",
    "provider",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            store: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            reload_interval_ms: 1000,
            limits: Limits::default(),
            auth: Auth::default(),
            postgres: Postgres::default(),
        }
    }
}

impl Default for Postgres {
    fn default() -> Self {
        Postgres {
            pool_size: 4,
            connect_timeout_ms: 3_000,
            query_timeout_ms: 1_000,
            lease_ms: 3_000,
            lease_margin_percent: 20,
            max_wait_ms: 6_000,
            replica_id: None,
            serve_stale: false,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: 16 * 1024,
            max_headers: 64,
            header_read_timeout_ms: 5_000,
            request_timeout_ms: 5_000,
            max_connections: 1024,
            max_admin_body_bytes: 64 * 1024,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        let policy = Policy::default();
        let options = AuthenticatorOptions::default();
        Auth {
            leeway_seconds: policy.leeway_seconds,
            require_exp: policy.require_exp,
            max_lifetime_seconds: policy.max_lifetime_seconds,
            max_token_bytes: policy.max_token_bytes,
            iat_skew_seconds: policy.iat_skew_seconds,
            cache_capacity: options.cache_capacity,
            provider: policy.provider.name().to_string(),
        }
    }
}

impl Auth {
    /// The core's options. `provider` was checked by [`Config::check`]; an unknown name
    /// here is the core's `config_invalid`.
    pub fn options(&self) -> Result<AuthenticatorOptions, notiflows_auth::Error> {
        Ok(AuthenticatorOptions {
            policy: Policy {
                leeway_seconds: self.leeway_seconds,
                require_exp: self.require_exp,
                max_lifetime_seconds: self.max_lifetime_seconds,
                max_token_bytes: self.max_token_bytes,
                iat_skew_seconds: self.iat_skew_seconds,
                provider: Provider::from_name(&self.provider)?,
            },
            cache_capacity: self.cache_capacity,
        })
    }
}

impl Config {
    /// Reads a configuration document: TOML unless the name ends in `.json`.
    pub fn parse(bytes: &[u8], json: bool) -> Result<Config, String> {
        let value = parse_document(bytes, !json)?;
        check_members(&value, "", CONFIG_MEMBERS)?;
        for (table, known) in [("limits", LIMITS_MEMBERS), ("auth", AUTH_MEMBERS), ("postgres", POSTGRES_MEMBERS)] {
            if let Some(inner) = value.get(table) {
                check_members(inner, table, known)?;
            }
        }
        let config: Config = typed(value, "")?;
        config.check()?;
        Ok(config)
    }

    /// Reads `path`; a relative `store` is taken relative to the file's directory.
    pub fn load(path: &Path) -> Result<Config, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if meta.len() > MAX_CONFIG_BYTES {
            return Err(format!("{shown} is larger than {MAX_CONFIG_BYTES} bytes"));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let json = path.extension().is_some_and(|e| e == "json");
        let mut config = Config::parse(&bytes, json).map_err(|e| format!("{shown}: {e}"))?;
        if let (Some(store), Some(dir)) = (config.store.as_mut(), path.parent()) {
            if store.is_relative() && crate::pg_url::is_url(store).is_none() {
                *store = dir.join(&*store);
            }
        }
        Ok(config)
    }

    /// Range checks the core does not make (the token policy is checked by the core).
    pub fn check(&self) -> Result<(), String> {
        let (l, p) = (&self.limits, &self.postgres);
        let checks = [
            (
                l.max_header_bytes >= 1024 && l.max_header_bytes <= 1024 * 1024,
                "limits.max_header_bytes must be 1024 to 1048576",
            ),
            (l.max_headers >= 8 && l.max_headers <= 1024, "limits.max_headers must be 8 to 1024"),
            (l.header_read_timeout_ms >= 1, "limits.header_read_timeout_ms must be at least 1"),
            (l.request_timeout_ms >= 1, "limits.request_timeout_ms must be at least 1"),
            (l.max_connections >= 1, "limits.max_connections must be at least 1"),
            (l.max_admin_body_bytes >= 1024, "limits.max_admin_body_bytes must be at least 1024"),
            (p.pool_size >= 1 && p.pool_size <= 64, "postgres.pool_size must be 1 to 64"),
            (p.connect_timeout_ms >= 1, "postgres.connect_timeout_ms must be at least 1"),
            (p.lease_ms >= 300 && p.lease_ms <= 600_000, "postgres.lease_ms must be 300 to 600000"),
            (
                p.query_timeout_ms >= 1 && p.query_timeout_ms <= p.lease_ms / 3,
                "postgres.query_timeout_ms must be 1 to a third of lease_ms",
            ),
            ((5..=50).contains(&p.lease_margin_percent), "postgres.lease_margin_percent must be 5 to 50"),
            (p.max_wait_ms >= p.lease_ms, "postgres.max_wait_ms must be at least lease_ms"),
            (
                p.replica_id.as_ref().map_or(true, |id| {
                    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                }),
                "postgres.replica_id must be 1 to 64 letters, digits, `-`, `_` or `.`",
            ),
        ];
        if let Some((_, message)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(message.to_string());
        }
        // The core's parser and message: `config_invalid: provider must be ...`.
        Provider::from_name(&self.auth.provider).map_err(|e| format!("auth.provider: {}: {e}", e.code()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_strict() {
        let config = Config::parse(b"listen = \"127.0.0.1:9000\"\n[limits]\nmax_headers = 32\n", false).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.limits.max_headers, 32);
        let err = Config::parse(b"[limits]\nmax_header = 32\n", false).unwrap_err();
        assert_eq!(err, "unknown member `limits.max_header` (did you mean `max_headers`?)");
        let err = Config::parse(br#"{"admin_lisen": "127.0.0.1:1"}"#, true).unwrap_err();
        assert_eq!(err, "unknown member `admin_lisen` (did you mean `admin_listen`?)");
        assert!(Config::parse(br#"{"limits": {"max_headers": 1}}"#, true).is_err());
    }

    #[test]
    fn postgres_members_are_strict_and_checked() {
        let config = Config::parse(
            b"store = \"postgres://g@127.0.0.1/auth\"\n[postgres]\nlease_ms = 1500\nquery_timeout_ms = 400\nmax_wait_ms = 3000\nreplica_id = \"r1\"\nserve_stale = true\n",
            false,
        )
        .unwrap();
        assert_eq!(config.postgres.lease_ms, 1500);
        assert_eq!(config.postgres.replica_id.as_deref(), Some("r1"));
        assert!(config.postgres.serve_stale);
        let err = Config::parse(b"[postgres]\nlease_m = 1500\n", false).unwrap_err();
        assert_eq!(err, "unknown member `postgres.lease_m` (did you mean `lease_ms`?)");
        for (bad, message) in [
            ("lease_ms = 100", "postgres.lease_ms must be 300 to 600000"),
            ("max_wait_ms = 10", "postgres.max_wait_ms must be at least lease_ms"),
            ("query_timeout_ms = 2000", "postgres.query_timeout_ms must be 1 to a third of lease_ms"),
            ("lease_margin_percent = 1", "postgres.lease_margin_percent must be 5 to 50"),
            ("pool_size = 0", "postgres.pool_size must be 1 to 64"),
            ("replica_id = \"a b\"", "postgres.replica_id must be 1 to 64 letters, digits, `-`, `_` or `.`"),
        ] {
            let err = Config::parse(format!("[postgres]\n{bad}\n").as_bytes(), false).unwrap_err();
            assert_eq!(err, message, "{bad}");
        }
    }

    #[test]
    fn a_database_url_is_not_taken_relative_to_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.toml");
        std::fs::write(&path, "store = \"postgres://g@127.0.0.1/auth\"\n").unwrap();
        assert_eq!(Config::load(&path).unwrap().store.unwrap(), PathBuf::from("postgres://g@127.0.0.1/auth"));
        std::fs::write(&path, "store = \"projects.json\"\n").unwrap();
        assert_eq!(Config::load(&path).unwrap().store.unwrap(), dir.path().join("projects.json"));
    }

    #[test]
    fn the_fleet_example_configurations_load() {
        for i in 1..=3 {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../deploy/fleet/gate-r{i}.toml"));
            let config = Config::load(&path).unwrap();
            assert_eq!(config.postgres.replica_id, Some(format!("r{i}")));
            assert!(crate::pg_url::parse(config.store.unwrap().to_str().unwrap()).is_ok());
        }
    }
}
