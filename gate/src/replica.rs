//! A replica of the PostgreSQL store: one dedicated connection that `LISTEN`s for changes,
//! re-reads what changed from the database (never from the notification), swaps it in, and
//! records the version it applied in its lease row, renewed every third of the lease.
//!
//! The guarantee's local half: the replica decides only until `sent + lease - margin`, where
//! `sent` is when it sent its last renewal, measured on its monotonic clock. The database
//! counts the same lease from when it executed the renewal (later), so the replica always
//! stops first, and an admin call that waited for the lease to expire finds it refusing.

use crate::postgres::{self, Db, CHANNEL};
use crate::state::Shared;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio_postgres::{AsyncMessage, Client};

/// Renewals that find the configuration moved on, before giving up for this round.
const MAX_CATCH_UP: usize = 5;

/// What the decision path reads on every request: is this replica's configuration current?
pub struct Lease {
    pub replica_id: String,
    base: Instant,
    /// Nanoseconds after `base` until which decisions are allowed (0: never).
    deadline: AtomicU64,
    /// The configuration version in force here (-1 before the first load).
    applied: AtomicI64,
    loaded: AtomicBool,
    serve_stale: bool,
    lease: Duration,
    margin: Duration,
}

impl Lease {
    pub fn new(replica_id: String, settings: &crate::config::Postgres) -> Lease {
        let lease = Duration::from_millis(settings.lease_ms);
        Lease {
            replica_id,
            base: Instant::now(),
            deadline: AtomicU64::new(0),
            applied: AtomicI64::new(-1),
            loaded: AtomicBool::new(false),
            serve_stale: settings.serve_stale,
            lease,
            margin: lease * u32::try_from(settings.lease_margin_percent).unwrap_or(50) / 100,
        }
    }

    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Within the lease (or, with `serve_stale`, anything loaded at all).
    pub fn current(&self) -> bool {
        self.nanos(Instant::now()) < self.deadline.load(Ordering::Acquire)
            || (self.serve_stale && self.loaded.load(Ordering::Acquire))
    }

    /// Within the lease, `serve_stale` aside.
    pub fn confirmed(&self) -> bool {
        self.nanos(Instant::now()) < self.deadline.load(Ordering::Acquire)
    }

    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::Acquire)
    }

    fn renewed(&self, sent: Instant) {
        let until = self.nanos(sent + self.lease - self.margin);
        self.deadline.fetch_max(until, Ordering::AcqRel);
    }
}

/// Runs until `stop`: connects, follows changes, renews; reconnects after any failure.
pub async fn run(shared: Arc<Shared>, db: Arc<Db>, mut stop: watch::Receiver<bool>) {
    let lease = shared.lease().expect("a PostgreSQL gate has a lease");
    let max_backoff = lease.lease / 3;
    let mut backoff = Duration::from_millis(50);
    loop {
        match session(&shared, &db, lease, &mut stop).await {
            Ok(client) => {
                // Stopping: give the lease back so admin calls stop waiting for this replica.
                let sql = "DELETE FROM replica_leases WHERE replica_id = $1";
                let _ = postgres::timed(db.query_timeout(), "lease", client.execute(sql, &[&lease.replica_id])).await;
                return;
            }
            Err(e) => {
                shared.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, replica = %lease.replica_id, "database connection lost; reconnecting");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(max_backoff);
    }
}

/// Aborts the connection's driver when the session ends.
struct Driver(tokio::task::JoinHandle<String>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One connection's life: `LISTEN` first (so no change slips in between), load everything,
/// renew; then follow notifications and renew until the connection fails or `stop`.
async fn session(shared: &Shared, db: &Db, lease: &Lease, stop: &mut watch::Receiver<bool>) -> Result<Client, String> {
    let (mut client, mut connection) = db.connect().await?;
    let notified = Arc::new(Notify::new());
    let wake = Arc::clone(&notified);
    let mut driver = Driver(tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => wake.notify_one(),
                Some(Ok(_)) => {}
                Some(Err(e)) => return e.to_string(),
                None => return "the database closed the connection".to_string(),
            }
        }
    }));
    let limit = db.query_timeout();
    postgres::timed(limit, "listen", client.batch_execute(&format!("LISTEN {CHANNEL}"))).await?;
    sync(shared, lease, &mut client, limit, true).await?;
    renew(shared, lease, &mut client, limit).await?;
    tracing::info!(replica = %lease.replica_id, version = lease.applied(), "replica in sync with the database");
    let mut tick = tokio::time::interval(lease.lease / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = notified.notified() => {
                sync(shared, lease, &mut client, limit, false).await?;
                renew(shared, lease, &mut client, limit).await?;
            }
            _ = tick.tick() => renew(shared, lease, &mut client, limit).await?,
            ended = &mut driver.0 => return Err(ended.unwrap_or_else(|e| e.to_string())),
            _ = stop.changed() => return Ok(client),
        }
    }
}

/// Reads the configuration (everything, or what changed since the version applied) and
/// swaps it in when it is newer.
async fn sync(shared: &Shared, lease: &Lease, client: &mut Client, limit: Duration, full: bool) -> Result<(), String> {
    let applied = lease.applied();
    let current = shared.snapshot();
    let base = (!full && applied >= 0).then_some((&current.file, applied));
    let (file, version) = postgres::load(client, limit, base).await?;
    drop(current);
    if version == applied && !full {
        return Ok(());
    }
    shared.install(file, version)?;
    lease.applied.store(version, Ordering::Release);
    lease.loaded.store(true, Ordering::Release);
    Ok(())
}

/// Writes the version applied and a new expiry (database clock), then reads the global
/// version in a later statement: one that moved on means a missed notification, so the
/// replica catches up before its own deadline is extended.
async fn renew(shared: &Shared, lease: &Lease, client: &mut Client, limit: Duration) -> Result<(), String> {
    let seconds = lease.lease.as_secs_f64();
    for _ in 0..MAX_CATCH_UP {
        let sent = Instant::now();
        let applied = lease.applied();
        let upsert = "INSERT INTO replica_leases (replica_id, applied_version, expires_at, renewed_at) \
                      VALUES ($1, $2, now() + make_interval(secs => $3), now()) ON CONFLICT (replica_id) DO UPDATE \
                      SET applied_version = excluded.applied_version, expires_at = excluded.expires_at, \
                      renewed_at = excluded.renewed_at";
        postgres::timed(limit, "renew lease", client.execute(upsert, &[&lease.replica_id, &applied, &seconds])).await?;
        let row = client.query_one("SELECT version FROM config_version WHERE id = 1", &[]);
        let version: i64 = postgres::timed(limit, "read version", row).await?.get(0);
        if version <= applied {
            lease.renewed(sent);
            return Ok(());
        }
        tracing::info!(replica = %lease.replica_id, applied, version, "behind the database; reloading");
        sync(shared, lease, client, limit, true).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(serve_stale: bool) -> crate::config::Postgres {
        crate::config::Postgres { lease_ms: 3_000, lease_margin_percent: 20, serve_stale, ..Default::default() }
    }

    #[test]
    fn the_deadline_counts_from_the_renewal_sent_minus_the_margin() {
        let lease = Lease::new("r".into(), &settings(false));
        assert!(!lease.current(), "nothing is decided before the first renewal");
        assert_eq!(lease.margin, Duration::from_millis(600));
        // A renewal sent 2.5 s ago: 3 s lease minus 0.6 s margin ended 0.1 s ago.
        lease.renewed(Instant::now().checked_sub(Duration::from_millis(2_500)).expect("the clock is past 2.5 s"));
        assert!(!lease.current() && !lease.confirmed());
        lease.renewed(Instant::now());
        assert!(lease.current() && lease.confirmed());
        // An older renewal's answer arriving late never shortens the deadline.
        lease.renewed(Instant::now().checked_sub(Duration::from_secs(2)).expect("the clock is past 2 s"));
        assert!(lease.current());
    }

    #[test]
    fn serve_stale_keeps_deciding_once_loaded_but_says_unconfirmed() {
        let lease = Lease::new("r".into(), &settings(true));
        assert!(!lease.current(), "never before the first full load");
        lease.loaded.store(true, Ordering::Release);
        assert!(lease.current() && !lease.confirmed());
    }
}
