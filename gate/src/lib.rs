//! `notiflows-auth serve`: the User API gate. Gateways (NGINX `auth_request`, Caddy
//! `forward_auth`, Envoy `ext_authz`) forward each request's headers to `/v1/check`; the gate
//! answers with the user's identity or a refusal the browser can read. Every rule is the
//! core's (`notiflows-auth`): this crate converts HTTP to core calls and back.
//!
//! - [`run`]: the whole service until `SIGTERM`/`SIGINT`, reloading on `SIGHUP`.
//! - [`start`]: the same listeners in the background, for tests and embedding.

mod admin;
mod check;
pub mod config;
mod core_api;
mod demo;
mod http_util;
mod metrics;
mod ops;
pub mod pg_tls;
pub mod pg_url;
mod postgres;
mod replica;
mod server;
mod state;
pub mod store;
mod strict;

pub use check::{CONFIG_STALE, CREDENTIAL, EXPIRES_IN, MODE, PROJECT, USER_ID};
pub use config::Config;
pub use http_util::AUTH_ERROR;

use axum::routing::any;
use axum::Router;
use state::Shared;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The environment variable holding the admin API's bearer token (read by the command).
pub const ADMIN_TOKEN_ENV: &str = "NOTIFLOWS_ADMIN_TOKEN";

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub config: Config,
    /// The admin API's bearer token; without one the admin listener is not started.
    pub admin_token: Option<String>,
    /// Start with the embedded demo projects (in memory unless a store is given and empty).
    pub demo: bool,
}

/// A gate serving in the background.
pub struct Running {
    pub listen: SocketAddr,
    pub admin_listen: Option<SocketAddr>,
    /// The `curl` lines of `--demo`.
    pub demo_instructions: Option<String>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Re-reads the projects file now (what `SIGHUP` does).
    pub async fn reload(&self) {
        self.shared.reload(false).await;
    }

    /// Stops accepting, lets requests in flight finish, and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Binds the listeners and serves in the background.
pub async fn start(options: Options) -> Result<Running, String> {
    let Options { config, mut admin_token, demo } = options;
    if demo && admin_token.is_none() {
        admin_token = Some(demo::admin_token()?);
    }
    let (initial, token) = if demo {
        let (file, token) = demo::setup(unix_now()).map_err(|e| format!("demo setup: {}: {e}", e.code()))?;
        (file, Some(token))
    } else {
        (store::StoreFile::default(), None)
    };
    if config.store.is_none() && !demo {
        return Err("no projects file: pass --store FILE (or `store` in --config), or --demo".into());
    }
    let limits = config.limits.clone();
    let reload_every = config.reload_interval_ms;
    let database = config.store.as_deref().and_then(pg_url::is_url).map(str::to_string);
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    let shared = match database {
        Some(url) => {
            if demo {
                return Err("--demo keeps its projects in memory: it cannot be combined with a PostgreSQL store".into());
            }
            let db = Arc::new(postgres::Db::new(&url, config.postgres.clone())?);
            db.migrate().await.map_err(|e| format!("{}: {e}", db.shown))?;
            let replica_id = match &config.postgres.replica_id {
                Some(id) => id.clone(),
                None => random_replica_id()?,
            };
            let lease = replica::Lease::new(replica_id, &config.postgres);
            tracing::info!(store = %db.shown, replica = %lease.replica_id, "PostgreSQL store");
            let shared = Arc::new(Shared::open_postgres(config, admin_token, Arc::clone(&db), lease)?);
            tasks.push(tokio::spawn(replica::run(Arc::clone(&shared), db, stopped.clone())));
            shared
        }
        None => Arc::new(Shared::open(config, admin_token, initial)?),
    };

    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))
    };
    let public = bind(shared.config.listen).await?;
    let listen = public.local_addr().map_err(|e| e.to_string())?;
    tasks.push(tokio::spawn(server::serve(
        public,
        layered(public_router(Arc::clone(&shared)), &shared),
        limits.clone(),
        Arc::clone(&shared),
        stopped.clone(),
    )));
    let admin_listen = if shared.admin_token.is_some() {
        let listener = bind(shared.config.admin_listen).await?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let router = admin::router(Arc::clone(&shared)).merge(ops::router(Arc::clone(&shared)));
        let router = router.layer(tower_http::limit::RequestBodyLimitLayer::new(limits.max_admin_body_bytes));
        let router = with_timeout(router, &limits);
        tasks.push(tokio::spawn(server::serve(
            listener,
            layered(router, &shared),
            limits.clone(),
            Arc::clone(&shared),
            stopped.clone(),
        )));
        Some(addr)
    } else {
        tracing::warn!("admin API disabled: {ADMIN_TOKEN_ENV} is not set");
        None
    };
    if reload_every > 0 && shared.lease().is_none() {
        let shared = Arc::clone(&shared);
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(reload_every));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => shared.reload(true).await,
                    _ = stopped.changed() => break,
                }
            }
        }));
    }
    let demo_instructions =
        token.map(|token| demo::instructions(listen, admin_listen, &token, shared.admin_token.as_deref()));
    tracing::info!(
        %listen,
        admin = ?admin_listen,
        generation = shared.snapshot().generation,
        provider = %shared.config.auth.provider,
        "gate serving"
    );
    Ok(Running { listen, admin_listen, demo_instructions, shared, stop, tasks })
}

/// [`run`] on a multi-threaded runtime of its own: what `notiflows-auth serve` calls.
pub fn serve(options: Options) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?
        .block_on(run(options))
}

/// Serves until `SIGTERM` or `SIGINT`, re-reading the projects file on `SIGHUP`. Logs are
/// JSON lines on stderr (`NOTIFLOWS_LOG` sets the level, default `info`).
pub async fn run(options: Options) -> Result<(), String> {
    init_logs();
    let running = start(options).await?;
    if let Some(text) = &running.demo_instructions {
        println!("{text}");
    }
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading the projects file");
                running.reload().await;
            }
        }
    }
    tracing::info!("shutting down: finishing requests in flight");
    running.shutdown().await;
    Ok(())
}

fn public_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/check", any(check::check))
        .route("/v1/check/{*original_path}", any(check::check))
        .with_state(Arc::clone(&shared))
        .merge(ops::jwks_router(Arc::clone(&shared)))
        .merge(ops::router(shared))
}

/// The layers both listeners share: header limits and request ids, a panic boundary (a bug
/// answers 500, never takes the process down), 404 for other paths.
fn layered(router: Router, shared: &Arc<Shared>) -> Router {
    let limits = &shared.config.limits;
    let front = http_util::Front {
        max_headers: limits.max_headers,
        max_bytes: limits.max_header_bytes,
        shared: Arc::clone(shared),
    };
    router
        .fallback(http_util::not_found)
        .layer(axum::middleware::from_fn_with_state(front, http_util::front))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
}

/// The admin API also has a request timeout (408). The decision endpoint needs none: it
/// never waits on anything once its headers are read (and those have a deadline).
fn with_timeout(router: Router, limits: &config::Limits) -> Router {
    let timeout = Duration::from_millis(limits.request_timeout_ms);
    router.layer(axum::middleware::from_fn_with_state(timeout, http_util::timeout))
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NOTIFLOWS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// A replica name for the lease table when none is configured: new at each start.
fn random_replica_id() -> Result<String, String> {
    let mut bytes = [0u8; 6];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| "no random numbers for a replica id".to_string())?;
    Ok(format!("replica-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}
