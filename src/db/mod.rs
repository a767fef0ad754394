//! The database: one connection type for SQLite and PostgreSQL, the pool, migrations, and the
//! few helpers every query module uses (new ids, the current time, write transactions).

pub mod schema;
pub mod text_enum;

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either engine. Queries are written once against this type; code matches on
/// the variant only where the SQL of the two engines really differs.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs a diesel query on the engine's own connection: `on_engine!(conn, |c| query.first(c))`
/// builds and runs `query` for PostgreSQL or SQLite directly instead of through [`DbConn`].
/// For the hottest statements only: diesel's `MultiConnection` renders a query's whole SQL text
/// again on every execution, even one it keeps prepared (a sixth of the CPU of
/// `GET /events/{id}`), where a connection of one engine skips straight to its cached statement.
#[macro_export]
macro_rules! on_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// Which engine a `DATABASE_URL` names. The scheme decides; nothing is tried and guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    /// A file path (or `:memory:`), without any `sqlite://` prefix.
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err("DATABASE_URL names no SQLite file".into());
        }
        if path.contains("://") {
            return Err(format!(
                "DATABASE_URL has an unsupported scheme (use postgres://... or sqlite://FILE): {}",
                redact_url(url)
            ));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// A form safe to log: no password.
    pub fn display(&self) -> String {
        match self {
            Self::Postgres(url) => redact_url(url),
            Self::Sqlite(path) => format!("sqlite://{path}"),
        }
    }

    /// Opens one connection, with the real error when it fails.
    pub fn connect(&self) -> ConnectionResult<DbConn> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConn::Postgres),
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // Foreign keys are off by default in SQLite; WAL lets readers work beside a
                // writer; the busy timeout makes a writer wait for the lock instead of failing.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

fn redact_url(url: &str) -> String {
    // postgres://user:password@host/db -> postgres://user:***@host/db
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The r2d2 manager: picks the engine from the URL and reports the real connection error
/// (diesel's stock manager hides it behind a generic one).
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// Marks `conn` broken, so that the pool drops it when it comes back instead of handing it out
/// again: for a connection whose server went away.
pub fn discard(conn: &mut DbConn) {
    match conn {
        DbConn::Postgres(pg) => {
            AnsiTransactionManager::transaction_manager_status_mut(pg).set_in_error()
        }
        DbConn::Sqlite(lite) => {
            AnsiTransactionManager::transaction_manager_status_mut(lite).set_in_error()
        }
    }
}

/// Whether the database can serve this instance: it answers and, on SQLite, it can take a write
/// (a read-only file or a full disk fail here). A write is begun and rolled back, so nothing
/// is kept. The error names the cause ([`crate::error::StorageFault`]).
pub fn check_ready(conn: &mut DbConn) -> Result<(), crate::error::AppError> {
    conn.batch_execute("SELECT 1")?;
    if let DbConn::Sqlite(lite) = conn {
        lite.batch_execute("BEGIN IMMEDIATE")?;
        let probe = lite.batch_execute("CREATE TABLE bursa_ready_probe (x INTEGER)");
        let rolled_back = lite.batch_execute("ROLLBACK");
        probe?;
        rolled_back?;
    }
    Ok(())
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        self.url.connect()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection left inside a broken transaction must not go back to the pool.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Builds the pool. Connections are checked lazily, so the service starts (and `/readyz` says
/// 503) even while PostgreSQL is still coming up.
pub fn build_pool(url: &DatabaseUrl, size: u32, timeout: Duration) -> DbPool {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager { url: url.clone() })
}

/// Applies the pending migrations of the connection's engine. On PostgreSQL an advisory lock
/// keeps several instances starting at once from migrating concurrently.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConn::Postgres(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(72677383)")
                .map_err(|e| e.to_string())?;
            let result = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>())
                .map_err(|e| e.to_string());
            let unlock = pg.batch_execute("SELECT pg_advisory_unlock(72677383)");
            let applied = result?;
            unlock.map_err(|e| e.to_string())?;
            applied
        }
        DbConn::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(|m| m.to_string()).collect())
            .map_err(|e| e.to_string())?,
    };
    crate::metrics::tally::after_migrations(conn, &applied).map_err(|e| e.to_string())?;
    Ok(applied)
}

/// Runs `f` in a transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`, taking the
/// write lock up front: a deferred transaction that reads and then writes can fail with
/// `SQLITE_BUSY` under concurrency instead of waiting its turn.
pub fn write_transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let DbConn::Sqlite(lite) = conn else {
        return conn.transaction(f);
    };
    // Nested: a savepoint in the outer transaction, which holds the write lock already.
    if AnsiTransactionManager::transaction_manager_status_mut(lite)
        .transaction_depth()?
        .is_some()
    {
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            let DbConn::Sqlite(lite) = conn else {
                unreachable!("the engine of a connection does not change")
            };
            match AnsiTransactionManager::commit_transaction(lite) {
                Ok(()) => Ok(value),
                Err(commit_error) => {
                    let _ = AnsiTransactionManager::rollback_transaction(lite);
                    Err(commit_error.into())
                }
            }
        }
        Err(error) => {
            if let DbConn::Sqlite(lite) = conn {
                // The error that made us roll back is the one worth reporting.
                let _ = AnsiTransactionManager::rollback_transaction(lite);
            }
            Err(error)
        }
    }
}

/// Runs `f` in a read-only transaction that sees one snapshot of the database, so that the
/// several queries of a report agree with each other even while writes go on: PostgreSQL's
/// `REPEATABLE READ READ ONLY`; on SQLite (WAL) a deferred transaction, whose first read fixes
/// the snapshot. Inside a transaction already, `f` simply runs in it.
pub fn read_snapshot<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    fn manage(
        conn: &mut DbConn,
        step: impl Fn(&mut dyn AnsiConnection) -> QueryResult<()>,
    ) -> QueryResult<()> {
        match conn {
            DbConn::Postgres(pg) => step(pg),
            DbConn::Sqlite(lite) => step(lite),
        }
    }
    let (depth, begin) = match conn {
        DbConn::Postgres(pg) => (
            AnsiTransactionManager::transaction_manager_status_mut(pg).transaction_depth()?,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
        DbConn::Sqlite(lite) => (
            AnsiTransactionManager::transaction_manager_status_mut(lite).transaction_depth()?,
            "BEGIN DEFERRED",
        ),
    };
    if depth.is_some() {
        return f(conn);
    }
    manage(conn, |c| c.begin(begin))?;
    match f(conn) {
        Ok(value) => match manage(conn, |c| c.commit()) {
            Ok(()) => Ok(value),
            Err(commit_error) => {
                let _ = manage(conn, |c| c.rollback());
                Err(commit_error.into())
            }
        },
        Err(error) => {
            let _ = manage(conn, |c| c.rollback());
            Err(error)
        }
    }
}

/// The transaction steps of [`read_snapshot`], for either engine's connection.
trait AnsiConnection {
    fn begin(&mut self, sql: &str) -> QueryResult<()>;
    fn commit(&mut self) -> QueryResult<()>;
    fn rollback(&mut self) -> QueryResult<()>;
}

impl<C> AnsiConnection for C
where
    C: Connection<TransactionManager = AnsiTransactionManager>,
{
    fn begin(&mut self, sql: &str) -> QueryResult<()> {
        AnsiTransactionManager::begin_transaction_sql(self, sql)
    }
    fn commit(&mut self) -> QueryResult<()> {
        AnsiTransactionManager::commit_transaction(self)
    }
    fn rollback(&mut self) -> QueryResult<()> {
        AnsiTransactionManager::rollback_transaction(self)
    }
}

/// A new primary key: UUIDv7, time-ordered, so that new rows land at the end of the index.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current UTC time at the microsecond precision both engines store.
pub fn now() -> NaiveDateTime {
    truncate_to_micros(Utc::now().naive_utc())
}

pub fn truncate_to_micros(t: NaiveDateTime) -> NaiveDateTime {
    let nanos = t.nanosecond();
    t.with_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// Whether a diesel error is the violation of a unique constraint.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Serializes a stored UTC time as RFC 3339 with `Z`, for `#[serde(serialize_with)]`.
pub fn serialize_utc<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.and_utc(), s)
}

/// [`serialize_utc`] for an optional time (`null` when absent).
pub fn serialize_utc_opt<S: serde::Serializer>(
    t: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&t.map(|t| t.and_utc()), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_engine() {
        assert!(DatabaseUrl::parse("postgres://u@h/db")
            .unwrap()
            .is_postgres());
        assert!(DatabaseUrl::parse("postgresql://u@h/db")
            .unwrap()
            .is_postgres());
        assert_eq!(
            DatabaseUrl::parse("sqlite://./bursa.db").unwrap(),
            DatabaseUrl::Sqlite("./bursa.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("data/b.db").unwrap(),
            DatabaseUrl::Sqlite("data/b.db".into())
        );
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }

    #[test]
    fn passwords_never_reach_the_logs() {
        let url = DatabaseUrl::parse("postgres://bursa:s3cret@db:5432/bursa").unwrap();
        assert_eq!(url.display(), "postgres://bursa:***@db:5432/bursa");
    }
}
