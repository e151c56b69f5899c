//! The configuration in force: a snapshot (the core's authenticator built from one version
//! of the projects file) swapped in whole, so a decision sees one version from start to end.
//! Admin changes and reloads from disk both go through [`Shared::install`], one at a time.

use crate::config::Config;
use crate::core_api;
use crate::metrics::{Gauges, Metrics};
use crate::postgres::{Db, Propagation};
use crate::replica::Lease;
use crate::store::{self, StoreFile};
use arc_swap::ArcSwap;
use notiflows_auth::auth::CacheStats;
use notiflows_auth::{Authenticator, SecurityMode};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

pub struct Snapshot {
    pub auth: Authenticator,
    pub file: StoreFile,
    /// Each project's mode, for labelling refusals in metrics.
    pub modes: HashMap<String, SecurityMode>,
    /// Each project's public JWK Set, as served.
    pub jwk_sets: HashMap<String, String>,
    pub generation: u64,
}

pub struct Shared {
    pub config: Config,
    pub admin_token: Option<String>,
    pub metrics: Metrics,
    snapshot: ArcSwap<Snapshot>,
    /// Serializes changes: admin calls and reloads.
    changes: tokio::sync::Mutex<Disk>,
    /// Why the projects file on disk was last refused, while the last good one is kept.
    stale: Mutex<Option<String>>,
    /// Cache counts of the snapshots already replaced.
    retired_cache: Mutex<CacheStats>,
    /// With the PostgreSQL store: the database and this replica's lease.
    fleet: Option<(Arc<Db>, Lease)>,
}

/// What the gate knows about the projects file.
struct Disk {
    path: Option<PathBuf>,
    /// The bytes last loaded or written, so a reload of the same bytes is a no-op.
    last: Vec<u8>,
    /// Modification time and length when last read: unchanged, the file is not read again.
    seen: Option<(std::time::SystemTime, u64)>,
}

fn stamp(path: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// A change that could not be made; nothing changed.
#[derive(Debug)]
pub enum ChangeError {
    /// The new projects would not load: the project's API key and the core's error.
    Invalid(String, notiflows_auth::Error),
    /// Writing the projects file failed.
    Write(std::io::Error),
    /// The PostgreSQL store could not be reached or refused the change (nothing changed).
    Store(String),
}

/// A change made: the caller's value, and with the PostgreSQL store how far it propagated.
pub struct Changed<T> {
    pub value: T,
    pub propagation: Option<Propagation>,
}

impl Shared {
    /// Loads the projects file (creating it empty when missing) or, without a path, starts
    /// from `initial`. A file that does not load is an error: the gate does not start.
    pub fn open(config: Config, admin_token: Option<String>, initial: StoreFile) -> Result<Shared, String> {
        let path = config.store.clone();
        let (file, last) = match &path {
            None => (initial, Vec::new()),
            Some(path) => match store::read(path)? {
                Some(bytes) => (StoreFile::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?, bytes),
                None => {
                    let bytes = initial.to_json();
                    store::write_atomic(path, &bytes).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                    (initial, bytes)
                }
            },
        };
        let snapshot = build(&config, file, 1).map_err(|e| describe(&e))?;
        Ok(Shared {
            config,
            admin_token,
            metrics: Metrics::default(),
            snapshot: ArcSwap::from_pointee(snapshot),
            changes: tokio::sync::Mutex::new(Disk { seen: path.as_deref().and_then(stamp), path, last }),
            stale: Mutex::new(None),
            retired_cache: Mutex::new(CacheStats::default()),
            fleet: None,
        })
    }

    /// A replica of the PostgreSQL store: empty, and refusing with `config_stale`, until
    /// its replica task has loaded everything and taken its lease.
    pub fn open_postgres(
        config: Config,
        admin_token: Option<String>,
        db: Arc<Db>,
        lease: Lease,
    ) -> Result<Shared, String> {
        let snapshot = build(&config, StoreFile::default(), 0).map_err(|e| describe(&e))?;
        Ok(Shared {
            config,
            admin_token,
            metrics: Metrics::default(),
            snapshot: ArcSwap::from_pointee(snapshot),
            changes: tokio::sync::Mutex::new(Disk { path: None, last: Vec::new(), seen: None }),
            stale: Mutex::new(None),
            retired_cache: Mutex::new(CacheStats::default()),
            fleet: Some((db, lease)),
        })
    }

    /// This replica's lease, with the PostgreSQL store.
    pub fn lease(&self) -> Option<&Lease> {
        self.fleet.as_ref().map(|(_, lease)| lease)
    }

    /// Whether decisions may be made now: always with the file store; within the lease
    /// (or with `serve_stale`, once loaded) with PostgreSQL.
    pub fn current(&self) -> bool {
        self.lease().map_or(true, Lease::current)
    }

    /// Swaps in the configuration read from the database at `version` (the replica task).
    pub fn install(&self, file: StoreFile, version: i64) -> Result<(), String> {
        let generation = u64::try_from(version).unwrap_or(0);
        match build(&self.config, file, generation) {
            Ok(next) => {
                tracing::debug!(version, projects = next.file.projects.len(), "configuration applied");
                self.swap(next);
                *self.stale.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(())
            }
            Err(e) => {
                let reason = format!("the database's projects do not load at version {version}: {}", describe(&e));
                self.refuse(reason.clone());
                Err(reason)
            }
        }
    }

    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.snapshot.load()
    }

    /// Applies `change` to the projects in force: validated by the core, written to disk
    /// atomically, then swapped in. When this returns `Ok`, every later decision uses it.
    pub async fn change<T, E: From<ChangeError>>(
        &self,
        change: impl FnOnce(&mut StoreFile) -> Result<T, E>,
    ) -> Result<Changed<T>, E> {
        let mut disk = self.changes.lock().await;
        if let Some((db, _)) = &self.fleet {
            let validate = |file: &StoreFile| build(&self.config, file.clone(), 0).map(drop).map_err(E::from);
            let unavailable = |reason: String| E::from(ChangeError::Store(reason));
            let (value, propagation) = db.apply(change, validate, unavailable).await?;
            self.metrics.admin_changes.fetch_add(1, Ordering::Relaxed);
            return Ok(Changed { value, propagation: Some(propagation) });
        }
        let mut file = self.snapshot().file.clone();
        let out = change(&mut file)?;
        let next = build(&self.config, file, self.snapshot().generation + 1)?;
        if let Some(path) = &disk.path {
            let bytes = next.file.to_json();
            let written = store::write_atomic(path, &bytes);
            written.map_err(ChangeError::Write)?;
            disk.last = bytes;
        }
        self.swap(next);
        *self.stale.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.metrics.admin_changes.fetch_add(1, Ordering::Relaxed);
        Ok(Changed { value: out, propagation: None })
    }

    /// Re-reads the projects file after a hand edit. A file that does not load keeps the
    /// configuration in force and marks it stale (log, `/readyz`, metrics).
    /// `SIGHUP` reads the file whatever its modification time; the periodic check
    /// (`changed_only`) skips a file whose modification time and length are unchanged.
    pub async fn reload(&self, changed_only: bool) {
        let mut disk = self.changes.lock().await;
        let Some(path) = disk.path.clone() else { return };
        let seen = stamp(&path);
        if changed_only && seen.is_some() && seen == disk.seen {
            return;
        }
        disk.seen = seen;
        let read = store::read(&path);
        let bytes = match read {
            Ok(Some(bytes)) if bytes == disk.last => return,
            Ok(Some(bytes)) => bytes,
            Ok(None) => return self.refuse(format!("{} is missing", path.display())),
            Err(e) => return self.refuse(e),
        };
        // Remember the bytes either way, so the same bad file is reported once.
        disk.last = bytes.clone();
        let loaded = StoreFile::parse(&bytes)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|file| build(&self.config, file, self.snapshot().generation + 1).map_err(|e| describe(&e)));
        match loaded {
            Ok(next) => {
                tracing::info!(
                    generation = next.generation,
                    projects = next.file.projects.len(),
                    "projects file reloaded"
                );
                self.swap(next);
                *self.stale.lock().unwrap_or_else(|e| e.into_inner()) = None;
            }
            Err(e) => self.refuse(e),
        }
    }

    fn refuse(&self, reason: String) {
        let generation = self.snapshot().generation;
        tracing::error!(reason = %reason, generation, "projects file refused; the last good configuration stays in force");
        self.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
        *self.stale.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
    }

    fn swap(&self, next: Snapshot) {
        let old = self.snapshot.swap(Arc::new(next));
        let stats = old.auth.cache_stats();
        let mut retired = self.retired_cache.lock().unwrap_or_else(|e| e.into_inner());
        retired.hits += stats.hits;
        retired.misses += stats.misses;
    }

    /// Why the file on disk is refused, when it is.
    pub fn stale(&self) -> Option<String> {
        self.stale.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn gauges(&self) -> Gauges {
        let snapshot = self.snapshot();
        let now = snapshot.auth.cache_stats();
        let retired = *self.retired_cache.lock().unwrap_or_else(|e| e.into_inner());
        Gauges {
            generation: snapshot.generation,
            projects: snapshot.file.projects.len(),
            // With PostgreSQL, also while the lease is unconfirmed.
            stale: self.stale().is_some() || self.lease().is_some_and(|lease| !lease.confirmed()),
            cache_hits: retired.hits + now.hits,
            cache_misses: retired.misses + now.misses,
        }
    }
}

fn build(config: &Config, file: StoreFile, generation: u64) -> Result<Snapshot, ChangeError> {
    let options = config.auth.options().map_err(|e| ChangeError::Invalid(String::new(), e))?;
    let auth = core_api::authenticator(options, &file).map_err(|(key, e)| ChangeError::Invalid(key, e))?;
    let modes = file.projects.iter().filter_map(|p| Some((p.api_key.clone(), p.security_mode.parse().ok()?))).collect();
    let jwk_sets = core_api::jwk_sets(&file);
    Ok(Snapshot { auth, file, modes, jwk_sets, generation })
}

pub fn describe(error: &ChangeError) -> String {
    match error {
        ChangeError::Invalid(key, e) if key.is_empty() => format!("{}: {e}", e.code()),
        ChangeError::Invalid(key, e) => format!("project `{key}`: {}: {e}", e.code()),
        ChangeError::Write(e) => format!("cannot write the projects file: {e}"),
        ChangeError::Store(e) => format!("the database store: {e}"),
    }
}
