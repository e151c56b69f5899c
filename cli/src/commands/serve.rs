//! `serve`: the User API gate (crate `notiflows-auth-gate`); this only reads the arguments.

use crate::Failure;
use notiflows_auth_gate::{Config, Options, ADMIN_TOKEN_ENV};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The projects file (created empty when missing); admin changes are written to it.
    /// A postgres:// or postgresql:// URL is a PostgreSQL database shared by many replicas.
    #[arg(long)]
    store: Option<PathBuf>,
    /// This replica's name in the PostgreSQL lease table (default: random at each start).
    #[arg(long)]
    replica_id: Option<String>,
    /// Address of the decision endpoint /v1/check (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Address of the admin API (default 127.0.0.1:8081); needs NOTIFLOWS_ADMIN_TOKEN.
    #[arg(long)]
    admin_listen: Option<SocketAddr>,
    /// Configuration file, TOML (or JSON when named *.json); flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start with embedded demo projects and print the curl lines to try them.
    #[arg(long)]
    demo: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut config = match &args.config {
        Some(path) => Config::load(path).map_err(Failure::Other)?,
        None => Config::default(),
    };
    config.store = args.store.or(config.store);
    config.listen = args.listen.unwrap_or(config.listen);
    config.admin_listen = args.admin_listen.unwrap_or(config.admin_listen);
    config.postgres.replica_id = args.replica_id.or(config.postgres.replica_id);
    config.check().map_err(Failure::Other)?;
    let admin_token = std::env::var(ADMIN_TOKEN_ENV).ok().filter(|t| !t.is_empty());
    notiflows_auth_gate::serve(Options { config, admin_token, demo: args.demo }).map_err(Failure::Other)
}
