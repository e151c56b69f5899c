//! The configuration in force: a snapshot (the core's authenticator built from one version
//! of the projects file) swapped in whole, so a decision sees one version from start to end.
//! Admin changes and reloads from disk both go through [`Shared::install`], one at a time.

use crate::config::Config;
use crate::core_api;
use crate::metrics::{Gauges, Metrics};
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
        })
    }

    pub fn snapshot(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.snapshot.load()
    }

    /// Applies `change` to the projects in force: validated by the core, written to disk
    /// atomically, then swapped in. When this returns `Ok`, every later decision uses it.
    pub async fn change<T, E: From<ChangeError>>(
        &self,
        change: impl FnOnce(&mut StoreFile) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut disk = self.changes.lock().await;
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
        Ok(out)
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
            stale: self.stale().is_some(),
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
    }
}
