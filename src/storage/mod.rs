//! Storage: the only place that speaks SQL. One connection type, [`DbConn`],
//! over SQLite and PostgreSQL, chosen by the URL's scheme. Queries run on it
//! directly: diesel builds each one once for either backend. Writes that must
//! be atomic run in [`write_tx()`]. A query diesel can build only for a concrete
//! backend (an upsert, `FOR UPDATE`, SQL that differs) matches on the backend
//! with [`with_conn!`], and says why where it does.

pub mod audit;
pub mod backup;
pub mod calendar;
pub mod closes;
pub mod dashboard;
pub mod files;
pub mod holidays;
pub mod id_set;
pub mod import;
pub mod inbox;
pub mod meetings;
pub mod models;
pub mod outbox;
pub mod progress;
pub mod reminders;
pub mod report;
pub mod report_links;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod stages;
pub mod tasks;
pub mod throttle;
pub mod units;
pub mod users;
pub mod visibility;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

use crate::config::DatabaseUrl;
use crate::domain::Invalid;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs the body with the concrete connection of either backend, for the
/// queries diesel builds only for one backend. The closure form,
/// `with_conn!(conn, |c| …)`, is the one rustfmt formats.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::storage::DbConn::Sqlite($c) => $body,
            $crate::storage::DbConn::Pg($c) => $body,
        }
    };
    ($conn:expr, $c:ident => $body:expr) => {
        $crate::storage::with_conn!($conn, |$c| $body)
    };
}

/// A write transaction like [`write_tx()`], with the body given the concrete
/// connection, for the code that still runs its queries per backend
/// (`report.rs`, tests, benches).
#[macro_export]
macro_rules! write_tx {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::storage::DbConn::Sqlite(conn) => conn.immediate_transaction(|$c| $body),
            $crate::storage::DbConn::Pg(conn) => diesel::Connection::transaction(conn, |$c| $body),
        }
    };
}

/// Implements a trait of query helpers for both concrete connections, so that
/// the helpers can be called inside [`with_conn!`] bodies (`report.rs`).
#[macro_export]
macro_rules! impl_for_backends {
    ($trait:ident { $($item:item)* }) => {
        impl $trait for diesel::SqliteConnection { $($item)* }
        impl $trait for diesel::PgConnection { $($item)* }
    };
}

pub use crate::{impl_for_backends, with_conn, write_tx};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// Held while migrating, so that several instances starting together migrate once.
const MIGRATION_LOCK_ID: i64 = 0x646f6e646f63;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// The user's unit has no part in what they asked to change.
    #[error("not allowed")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    /// The row was changed by someone else since it was read.
    #[error("stale version {given}; the current version is {current}")]
    StaleVersion { given: i32, current: i32 },
    /// A unique value is taken, or the action does not fit the row's state.
    #[error("conflict on {field}: {key}")]
    Conflict { field: String, key: &'static str },
    #[error("cannot connect to the database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("backup failed: {0}")]
    Backup(String),
    /// A stored file could not be written or read.
    #[error("file storage: {0}")]
    File(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
}

impl StorageError {
    /// The database gives no connection (down, unreachable, dropped), as
    /// opposed to a query that failed: the answer is "try again shortly".
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StorageError::Pool(_)
                | StorageError::Connect { .. }
                // The server went away under a connection the pool had just checked.
                | StorageError::Db(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection,
                    _,
                ))
        )
    }

    pub fn conflict(field: &str, key: &'static str) -> StorageError {
        StorageError::Conflict {
            field: field.to_string(),
            key,
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Keys per `IN (…)` list of a read in chunks: far under both backends'
/// limits on bound values.
pub const IN_CHUNK: usize = 500;

/// What `read` returns for each chunk of at most `size` of `keys` (one
/// `IN (…)` list a query), gathered in the chunks' order.
pub fn in_chunks<K, T, C, E>(
    keys: &[K],
    size: usize,
    mut read: impl FnMut(&[K]) -> Result<Vec<T>, E>,
) -> Result<C, E>
where
    C: Default + Extend<T>,
{
    let mut out = C::default();
    for chunk in keys.chunks(size) {
        out.extend(read(chunk)?);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens connections of the backend the URL names (never guessing: SQLite
/// would take almost any string as a file name).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

/// Initialises OpenSSL (which libpq's TLS uses) without its exit-time cleanup.
///
/// The pool opens connections on worker threads, and one may still be inside libpq's
/// TLS handshake when the process exits; OpenSSL's `atexit` handler would then free
/// what that thread is using and crash the process (SIGSEGV after `main` returned).
/// Only the first initialisation decides whether the handler is registered, so this
/// must run before libpq touches OpenSSL: every connection path calls it, and it is
/// cheap after the first call.
pub fn init_tls() {
    openssl_sys::init();
}

impl Manager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers work while one writer writes; the busy timeout makes
                // writers wait for each other instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 15000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(_) => {
                init_tls();
                PgConnection::establish(&self.url.connection_string())
                    .map(DbConn::Pg)
                    .map_err(r2d2::Error::ConnectionError)
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.open()
    }

    /// Checked at each checkout without a round trip: a query per checkout
    /// was a quarter of the statements a page sent PostgreSQL under load.
    /// A server that closed the connection (a restart, a terminated backend)
    /// has left the end of the stream on its socket, which reading what is
    /// waiting there finds (`PQconsumeInput`, through the notifications
    /// diesel exposes); nothing is ever waiting otherwise, since nothing
    /// listens. A SQLite connection is a file and does not break.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        match conn {
            DbConn::Sqlite(_) => Ok(()),
            DbConn::Pg(pg) => match pg.notifications_iter().next() {
                Some(Err(e)) => Err(r2d2::Error::QueryError(e)),
                _ => Ok(()),
            },
        }
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        self.is_valid(conn).is_err()
    }
}

pub type Conn = PooledConnection<Manager>;

/// The connection pool, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
}

impl Db {
    /// Connects once first so that a wrong URL is reported with its real cause
    /// right away instead of after the pool's timeout.
    pub fn connect(url: &DatabaseUrl) -> Result<Db> {
        if let DatabaseUrl::Sqlite(path) = url {
            // Created private before SQLite opens it: it holds the secret key and every record.
            if path != ":memory:" && !path.starts_with("file:") {
                crate::private_files::ensure_file(std::path::Path::new(path)).map_err(|e| {
                    StorageError::Connect {
                        url: url.redacted(),
                        reason: e.to_string(),
                    }
                })?;
            }
        }
        let manager = Manager { url: url.clone() };
        manager.open().map_err(|e| StorageError::Connect {
            url: url.redacted(),
            // libpq explains over several lines; the start reports one.
            reason: e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        })?;
        let backend = match url {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        };
        let pool = Pool::builder()
            .max_size(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 12,
            })
            // No connections opened in the background: one being opened while the
            // process exits crashes libpq's TLS cleanup.
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StorageError::Connect {
                url: url.redacted(),
                reason: e.to_string(),
            })?;
        Ok(Db { pool, backend })
    }

    pub fn conn(&self) -> Result<Conn> {
        Ok(self.pool.get()?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    pub fn migrate(&self) -> Result<()> {
        let mut conn = self.conn()?;
        let failed =
            |e: Box<dyn std::error::Error + Send + Sync>| StorageError::Migration(e.to_string());
        match &mut *conn {
            DbConn::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map_err(failed)?;
            }
            DbConn::Pg(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(failed);
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))?;
                result?;
            }
        }
        Ok(())
    }

    /// Whether every embedded migration of this backend has run: for `/readyz`
    /// (an instance started before an upgrade's migrations must not take traffic).
    pub fn migrations_applied(&self) -> Result<bool> {
        let mut conn = self.conn()?;
        let failed =
            |e: Box<dyn std::error::Error + Send + Sync>| StorageError::Migration(e.to_string());
        let pending = match &mut *conn {
            DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS).map_err(failed)?,
            DbConn::Pg(c) => c
                .has_pending_migration(POSTGRES_MIGRATIONS)
                .map_err(failed)?,
        };
        Ok(!pending)
    }

    /// Whether the database answers: for `/healthz`.
    pub fn ping(&self) -> Result<()> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }
}

/// Runs `body` in a write transaction: committed when it returns `Ok`, rolled
/// back when it returns `Err`. SQLite takes the write lock up front
/// (`BEGIN IMMEDIATE`), so that concurrent writers wait for each other (the busy
/// timeout) instead of failing when a reader's lock cannot be upgraded. Inside
/// another transaction, PostgreSQL makes a savepoint and SQLite refuses
/// (`AlreadyInTransaction`), as diesel's own transactions do.
pub fn write_tx<T, E, F>(conn: &mut DbConn, body: F) -> std::result::Result<T, E>
where
    F: FnOnce(&mut DbConn) -> std::result::Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match body(conn) {
        Ok(value) => {
            <DbConn as TransactionManager<DbConn>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn) {
            // A broken transaction manager hides nothing more useful than the body's error.
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// The current time as stored: UTC without an offset.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
