//! The PostgreSQL store: migrations, a small bounded pool for admin changes, loading the
//! projects, and an admin change as one transaction followed by the wait for every replica
//! holding a live lease to apply it (see `replica.rs` for the other side).

use crate::config;
use crate::pg_url;
use crate::store::{StoreFile, StoredProject};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::Client;
use tokio_postgres::Socket;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A connection's driver (TLS or not: with `sslmode=disable` the stream stays plaintext).
pub type Connection = tokio_postgres::Connection<Socket, <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream>;

/// The channel every change is announced on (the payload, an API key, is never trusted).
pub const CHANNEL: &str = "notiflows_auth_changes";
/// Held while migrating, so replicas starting together migrate once, in order.
const MIGRATION_LOCK: i64 = 0x6e6f_7469_666c_6f77;
/// Between two looks at the lease table while an admin call waits.
const POLL: Duration = Duration::from_millis(20);

/// The migrations, in the order they are applied (their names are recorded).
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("001_schema", include_str!("../migrations/001_schema.sql")),
    ("002_lease_index", include_str!("../migrations/002_lease_index.sql")),
];

pub struct Db {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    /// The URL without its password, for messages.
    pub shown: String,
    pub settings: config::Postgres,
    idle: Mutex<Vec<Client>>,
    permits: Arc<Semaphore>,
}

/// How far an admin change got: the version it wrote, the replicas that confirmed it, and
/// those that did not within their lease or the maximum wait.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Propagation {
    pub version: i64,
    pub applied: usize,
    pub waited_ms: u64,
    pub timed_out: Vec<String>,
}

/// A pooled connection, returned to the pool when dropped after a successful use.
struct Pooled<'d> {
    client: Option<Client>,
    db: &'d Db,
    healthy: bool,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if self.healthy && !client.is_closed() {
                self.db.idle.lock().unwrap_or_else(|e| e.into_inner()).push(client);
            }
        }
    }
}

impl Pooled<'_> {
    fn client(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

/// A database call bounded by `limit`; an error or a timeout is a message.
pub async fn timed<T>(
    limit: Duration,
    what: &str,
    call: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{what}: {}", describe(&e))),
        Err(_) => Err(format!("{what}: no answer within {} ms", limit.as_millis())),
    }
}

/// The server's message when there is one (tokio-postgres's `Display` says only "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => {
            // The cause (a TLS handshake's reason, say) is in the source chain, not `Display`.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            text
        }
    }
}

/// One project row (API key, JSON document) into a project, read as strictly as the file.
fn project_of(api_key: &str, document: &str) -> Result<StoredProject, String> {
    let project = StoreFile::parse_project(document.as_bytes()).map_err(|e| format!("project `{api_key}`: {e}"))?;
    if project.api_key != api_key {
        return Err(format!("project `{api_key}`: its document holds the API key `{}`", project.api_key));
    }
    Ok(project)
}

impl Db {
    pub fn new(url: &str, settings: config::Postgres) -> Result<Db, String> {
        let pg_url::Target { mut config, tls } = pg_url::parse(url)?;
        let shown = pg_url::redact(url);
        let tls = crate::pg_tls::connector(&tls).map_err(|e| format!("{shown}: {e}"))?;
        config.connect_timeout(Duration::from_millis(settings.connect_timeout_ms));
        config.application_name("notiflows-auth-gate");
        let permits = Arc::new(Semaphore::new(settings.pool_size));
        Ok(Db { config, tls, shown, settings, idle: Mutex::new(Vec::new()), permits })
    }

    pub fn query_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.query_timeout_ms)
    }

    /// A new connection and its driver (which the caller must poll, or spawn).
    pub async fn connect(&self) -> Result<(Client, Connection), String> {
        let limit = Duration::from_millis(self.settings.connect_timeout_ms);
        timed(limit, &format!("cannot connect to {}", self.shown), self.config.connect(self.tls.clone())).await
    }

    async fn lease(&self) -> Result<Pooled<'_>, String> {
        let wait = Duration::from_millis(self.settings.connect_timeout_ms);
        let permit = tokio::time::timeout(wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| format!("every one of the {} database connections is busy", self.settings.pool_size))?
            .expect("the semaphore is never closed");
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let client = match idle.filter(|c| !c.is_closed()) {
            Some(client) => client,
            None => {
                let (client, connection) = self.connect().await?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
            }
        };
        Ok(Pooled { client: Some(client), db: self, healthy: false, _permit: permit })
    }

    /// Applies the migrations not yet recorded, in order, under an advisory lock.
    pub async fn migrate(&self) -> Result<(), String> {
        let mut pooled = self.lease().await?;
        let limit = Duration::from_millis(self.settings.connect_timeout_ms.max(self.settings.query_timeout_ms) * 4);
        let client = pooled.client();
        timed(limit, "migration lock", client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])).await?;
        let result = async {
            let create = "CREATE TABLE IF NOT EXISTS schema_migrations \
                          (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";
            timed(limit, "schema_migrations", client.batch_execute(create)).await?;
            let rows =
                timed(limit, "schema_migrations", client.query("SELECT name FROM schema_migrations", &[])).await?;
            let done: BTreeSet<String> = rows.iter().map(|r| r.get(0)).collect();
            for (name, sql) in MIGRATIONS.iter().filter(|(name, _)| !done.contains(*name)) {
                let tx = timed(limit, name, client.transaction()).await?;
                timed(limit, name, tx.batch_execute(sql)).await?;
                timed(limit, name, tx.execute("INSERT INTO schema_migrations (name) VALUES ($1)", &[name])).await?;
                timed(limit, name, tx.commit()).await?;
                tracing::info!(migration = name, "database migration applied");
            }
            Ok::<_, String>(())
        }
        .await;
        let unlock =
            timed(limit, "migration lock", client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]));
        unlock.await?;
        result?;
        pooled.healthy = true;
        Ok(())
    }

    /// One admin change: under the version row's lock, the projects are read, changed by
    /// `change`, checked by `validate` (the core builds them), the changed rows written,
    /// the version bumped and the change announced, all in one transaction. Then waits for
    /// the replicas.
    pub async fn apply<T, E>(
        &self,
        change: impl FnOnce(&mut StoreFile) -> Result<T, E>,
        validate: impl FnOnce(&StoreFile) -> Result<(), E>,
        unavailable: impl Fn(String) -> E,
    ) -> Result<(T, Propagation), E> {
        let limit = self.query_timeout();
        let mut pooled = self.lease().await.map_err(&unavailable)?;
        let client = pooled.client();
        let tx = timed(limit, "begin", client.transaction()).await.map_err(&unavailable)?;
        let row = timed(
            limit,
            "read version",
            tx.query_one("SELECT version FROM config_version WHERE id = 1 FOR UPDATE", &[]),
        );
        let version: i64 = row.await.map_err(&unavailable)?.get(0);
        let rows = timed(
            limit,
            "read projects",
            tx.query("SELECT api_key, document::text FROM projects ORDER BY api_key", &[]),
        );
        let mut before = BTreeMap::new();
        for row in rows.await.map_err(&unavailable)? {
            let (key, document): (String, String) = (row.get(0), row.get(1));
            before.insert(key.clone(), project_of(&key, &document).map_err(&unavailable)?);
        }
        let mut file = StoreFile { projects: before.values().cloned().collect(), ..StoreFile::default() };
        let out = change(&mut file)?;
        validate(&file)?;
        let next = version + 1;
        let mut announced = Vec::new();
        for project in &file.projects {
            if before.remove(&project.api_key).as_ref() != Some(project) {
                let document = serde_json::to_string(project).expect("a project always serializes");
                let upsert = "INSERT INTO projects (api_key, document, version) VALUES ($1, $2::text::jsonb, $3) \
                              ON CONFLICT (api_key) DO UPDATE SET document = excluded.document, version = excluded.version";
                timed(limit, "write project", tx.execute(upsert, &[&project.api_key, &document, &next]))
                    .await
                    .map_err(&unavailable)?;
                announced.push(project.api_key.clone());
            }
        }
        // What is left in `before` was removed.
        for key in before.keys() {
            timed(limit, "delete project", tx.execute("DELETE FROM projects WHERE api_key = $1", &[key]))
                .await
                .map_err(&unavailable)?;
            announced.push(key.clone());
        }
        timed(limit, "bump version", tx.execute("UPDATE config_version SET version = $1 WHERE id = 1", &[&next]))
            .await
            .map_err(&unavailable)?;
        for key in &announced {
            timed(limit, "notify", tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, key]))
                .await
                .map_err(&unavailable)?;
        }
        timed(limit, "commit", tx.commit()).await.map_err(&unavailable)?;
        pooled.healthy = true;
        drop(pooled);
        Ok((out, self.wait_for_replicas(next).await))
    }

    /// Waits until every replica whose lease was live at the commit has applied `version`,
    /// or its lease has expired (database clock), at most `max_wait_ms`.
    pub async fn wait_for_replicas(&self, version: i64) -> Propagation {
        let started = Instant::now();
        let max_wait = Duration::from_millis(self.settings.max_wait_ms);
        let mut committed_at: Option<f64> = None;
        let mut last: Option<Vec<(String, bool, bool)>> = None;
        loop {
            match self.leases(&mut committed_at, version).await {
                Ok(rows) => {
                    let settled = rows.iter().all(|(_, done, live)| *done || !live);
                    last = Some(rows);
                    if settled {
                        break;
                    }
                }
                Err(e) => tracing::warn!(error = %e, version, "cannot read the replica leases; retrying"),
            }
            if started.elapsed() >= max_wait {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        let waited_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (applied, timed_out) = match last {
            Some(rows) => {
                let applied = rows.iter().filter(|(_, done, _)| *done).count();
                (applied, rows.into_iter().filter(|(_, done, _)| !done).map(|(id, _, _)| id).collect())
            }
            None => (0, vec!["(the lease table could not be read)".to_string()]),
        };
        if !timed_out.is_empty() {
            tracing::warn!(version, ?timed_out, waited_ms, "change not confirmed by every replica");
        }
        Propagation { version, applied, waited_ms, timed_out }
    }

    /// The leases live at the commit: (replica, applied `version`, still live).
    async fn leases(&self, committed_at: &mut Option<f64>, version: i64) -> Result<Vec<(String, bool, bool)>, String> {
        let limit = self.query_timeout();
        let mut pooled = self.lease().await?;
        let client = pooled.client();
        let since = match *committed_at {
            Some(at) => at,
            None => {
                let row =
                    timed(limit, "clock", client.query_one("SELECT extract(epoch FROM now())::float8", &[])).await?;
                *committed_at.insert(row.get(0))
            }
        };
        let sql = "SELECT replica_id, applied_version >= $2, expires_at > now() FROM replica_leases \
                   WHERE expires_at > to_timestamp($1) ORDER BY replica_id";
        let rows = timed(limit, "read leases", client.query(sql, &[&since, &version])).await?;
        pooled.healthy = true;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }
}

/// Reads the configuration: everything, or (`since` a version) only the rows written after
/// it plus the list of keys (to see deletions), in one consistent snapshot.
pub async fn load(
    client: &mut Client,
    limit: Duration,
    base: Option<(&StoreFile, i64)>,
) -> Result<(StoreFile, i64), String> {
    let tx = timed(
        limit,
        "begin",
        client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start(),
    )
    .await?;
    let version: i64 =
        timed(limit, "read version", tx.query_one("SELECT version FROM config_version WHERE id = 1", &[]))
            .await?
            .get(0);
    let file = match base {
        Some((file, applied)) if applied == version => file.clone(),
        Some((file, applied)) => {
            let sql = "SELECT api_key, document::text FROM projects WHERE version > $1";
            let changed = timed(limit, "read changes", tx.query(sql, &[&applied])).await?;
            let keys = timed(limit, "read keys", tx.query("SELECT api_key FROM projects", &[])).await?;
            let keys: BTreeSet<String> = keys.iter().map(|r| r.get(0)).collect();
            let mut projects: BTreeMap<String, StoredProject> = file
                .projects
                .iter()
                .filter(|p| keys.contains(&p.api_key))
                .map(|p| (p.api_key.clone(), p.clone()))
                .collect();
            for row in changed {
                let (key, document): (String, String) = (row.get(0), row.get(1));
                projects.insert(key.clone(), project_of(&key, &document)?);
            }
            StoreFile { projects: projects.into_values().collect(), ..StoreFile::default() }
        }
        None => {
            let sql = "SELECT api_key, document::text FROM projects ORDER BY api_key";
            let rows = timed(limit, "read projects", tx.query(sql, &[])).await?;
            let projects = rows.iter().map(|r| project_of(r.get(0), r.get(1))).collect::<Result<_, _>>()?;
            StoreFile { projects, ..StoreFile::default() }
        }
    };
    timed(limit, "end", tx.commit()).await?;
    Ok((file, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_in_order_and_named_by_their_files() {
        let names: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted, "numbered, in order, no duplicates");
        let files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".sql").to_string())
            .collect();
        let mut files = files;
        files.sort();
        assert_eq!(names, files, "every migration file is embedded");
    }
}
