//! The database pool and the schema.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL (deployments): queries go
//! through sqlx's `Any` driver with portable SQL (`$N` placeholders, TEXT and BIGINT columns). A
//! statement formatted for its number of rows goes through [`formatted`], which numbers it the
//! way SQLite parses fastest.
//!
//! SQLite allows one writer at a time, and a deferred transaction that reads before it writes
//! can fail with "database is locked" instead of waiting. Rather than sprinkle retries, the
//! SQLite pool has exactly one connection: transactions queue in the pool, in order, and never
//! meet each other inside SQLite. WAL with `synchronous=NORMAL` keeps every committed
//! transaction across a process crash (only an operating-system crash can lose the last ones),
//! which is the failure the embedded mode is built to survive. Checkpoints (which do fsync)
//! run on that one connection, so they are made ten times rarer than SQLite's default: the
//! write-ahead log may grow to about 40 MB between them, and the writer stalls less often.
//!
//! Reads that need no transaction (what a chat turn looks up before it books: the caller, the
//! resort, the facts the rules judge) may go to [`readers`] instead: on SQLite a second pool of
//! read-only connections to the same file. In WAL mode readers neither wait for the writer nor
//! hold it up, and each sees every transaction committed before its statement began; since
//! every statement through sqlx's SQLite driver is a hand-off to its connection's own thread,
//! reads on other threads leave the one writer connection to the transactions.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = AnyPool;
pub type Connection = sqlx::AnyConnection;
pub type Transaction = sqlx::Transaction<'static, sqlx::Any>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// Which database an open connection talks to.
    pub fn of_connection(connection: &Connection) -> Self {
        if connection.backend_name() == "SQLite" { Self::Sqlite } else { Self::Postgres }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens the pool (creating a SQLite file if needed) and brings the schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<Pool, DbError> {
    let pool = connect(url).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Brings the schema up to `version` and no further: how a migration is checked against a
/// database an older release left behind.
pub async fn migrate_to(pool: &Pool, version: i64) -> Result<(), DbError> {
    MIGRATOR.run_to(version, pool).await?;
    Ok(())
}

pub async fn connect(url: &str) -> Result<Pool, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).ok_or(DbError::UnsupportedUrl)?;
    let options = AnyConnectOptions::from_str(&with_create_mode(url, backend))?;
    let pool_options = match backend {
        Backend::Sqlite => AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 10000;")
                        .await?;
                    Ok(())
                })
            }),
        Backend::Postgres => AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)),
    };
    Ok(pool_options.connect_with(options).await?)
}

/// Connections of the SQLite read pool: two, one per core of the machines it is sized for.
const SQLITE_READERS: u32 = 2;

/// A pool for reads outside transactions (see the module docs): on SQLite a pool of
/// [`SQLITE_READERS`] read-only connections to the same file, on PostgreSQL (or an in-memory
/// SQLite database, which a second pool could not see) the pool itself.
pub async fn readers(pool: &Pool) -> Result<Pool, DbError> {
    let url = pool.connect_options().database_url.to_string();
    if backend_of(pool) != Backend::Sqlite || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(pool.clone());
    }
    let options = AnyConnectOptions::from_str(&url)?;
    let readers = AnyPoolOptions::new()
        .max_connections(SQLITE_READERS)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|connection, _| {
            Box::pin(async move {
                // `query_only`: a write sent here by mistake fails instead of meeting the writer.
                connection.execute("PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;").await?;
                Ok(())
            })
        });
    Ok(readers.connect_with(options).await?)
}

/// Which database a pool talks to, for the few statements that must differ.
pub fn backend_of(pool: &Pool) -> Backend {
    Backend::of_url(pool.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
}

fn with_create_mode(url: &str, backend: Backend) -> String {
    if backend == Backend::Sqlite && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=rwc")
    } else {
        url.to_owned()
    }
}

/// The rows of a multi-row `VALUES` list: `count` copies of `row`, in which `{k}` stands for
/// the row's k-th of `columns` values, numbered on from `$first` across the rows; a `$N` written
/// as such is a value every row shares. Only placeholders go into the text; every value is bound.
/// Rows that bind each of their values in order, a shared one again in every row, make the text
/// SQLite binds fastest ([`formatted`]).
pub fn values_rows(count: usize, columns: usize, first: usize, row: &str) -> String {
    (0..count)
        .map(|index| {
            let mut text = row.to_owned();
            for column in 1..=columns {
                text = text.replace(&format!("{{{column}}}"), &format!("${}", first + index * columns + column - 1));
            }
            debug_assert!(!text.contains('{'), "a row names a value beyond its {columns} columns: {row}");
            format!("({text})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A statement whose text was formatted (its number of rows or ids varies), ready for
/// `sqlx::query`. On SQLite its `$N` are rewritten, which SQLite reads the same way: it files a
/// `$N` as a name, found among the names before it by comparing strings one by one, and sqlx
/// asks the name of every placeholder again when it binds, so a statement of several hundred
/// values cost its parse and its binding time in the square of its size. Placeholders that
/// appear in the text as `$1, $2, $3, …`, each once and in order, become plain `?` (nothing to
/// look up); any other text gets `?N` (looked up by number). PostgreSQL, which knows only
/// `$N`, gets the text as it is.
pub fn formatted(connection: &Connection, sql: String) -> sqlx::AssertSqlSafe<String> {
    formatted_for(Backend::of_connection(connection), sql)
}

/// [`formatted`] for a statement sent to a pool.
pub fn formatted_in(pool: &Pool, sql: String) -> sqlx::AssertSqlSafe<String> {
    formatted_for(backend_of(pool), sql)
}

fn formatted_for(backend: Backend, sql: String) -> sqlx::AssertSqlSafe<String> {
    match backend {
        Backend::Sqlite => sqlx::AssertSqlSafe(sqlite_numbered(&sql)),
        Backend::Postgres => sqlx::AssertSqlSafe(sql),
    }
}

/// The `$N` outside quoted text, where each starts and ends, with its number.
fn numbered_placeholders(sql: &str) -> Vec<(usize, usize, u64)> {
    let bytes = sql.as_bytes();
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'\'' || byte == b'"' => quote = Some(byte),
            None if byte == b'$' => {
                let digits = bytes[at + 1..].iter().take_while(|digit| digit.is_ascii_digit()).count();
                if digits > 0 {
                    let end = at + 1 + digits;
                    let number = sql[at + 1..end].parse().unwrap_or(u64::MAX);
                    found.push((at, end, number));
                    at = end;
                    continue;
                }
            }
            None => {}
        }
        at += 1;
    }
    found
}

/// The text with its `$N` as plain `?` when they run 1, 2, 3, … in order, else as `?N`.
fn sqlite_numbered(sql: &str) -> String {
    let placeholders = numbered_placeholders(sql);
    let in_order = placeholders.iter().zip(1..).all(|(&(_, _, number), expected)| number == expected);
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for (start, end, _) in placeholders {
        out.push_str(&sql[copied..start]);
        out.push('?');
        if !in_order {
            out.push_str(&sql[start + 1..end]);
        }
        copied = end;
    }
    out.push_str(&sql[copied..]);
    out
}

/// `count` placeholders for an `IN (…)` list, numbered on from `$first`: `$2, $3, $4`.
pub fn placeholders(count: usize, first: usize) -> String {
    (first..first + count).map(|index| format!("${index}")).collect::<Vec<_>>().join(", ")
}

/// Whether the error is a UNIQUE or PRIMARY KEY violation (on either database).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Whether retrying later could succeed: the database was unreachable, busy or in a conflict.
pub fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite BUSY/LOCKED; PostgreSQL serialization failure and deadlock.
            matches!(code.as_ref(), "5" | "6" | "517" | "40001" | "40P01")
        }
        _ => false,
    }
}

/// Reads a 0/1 flag column.
pub fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_rows_number_each_rows_values_on_from_the_first() {
        assert_eq!(super::values_rows(2, 2, 3, "$1, {1}, {2}, $2"), "($1, $3, $4, $2), ($1, $5, $6, $2)");
        assert_eq!(super::values_rows(1, 12, 1, "{1}, {11}, {12}, {12}"), "($1, $11, $12, $12)");
    }

    #[test]
    fn sqlite_numbering_rewrites_only_placeholders_outside_quotes() {
        assert_eq!(
            super::sqlite_numbered("SELECT $1, '$2', \"$3\" FROM t WHERE a = $12 AND b = '$'"),
            "SELECT ?1, '$2', \"$3\" FROM t WHERE a = ?12 AND b = '$'"
        );
    }

    #[test]
    fn sqlite_numbering_leaves_placeholders_unnamed_only_when_they_run_in_order() {
        assert_eq!(super::sqlite_numbered("VALUES ($1, $2), ($3, $4) -- '$9'"), "VALUES (?, ?), (?, ?) -- '$9'");
        assert_eq!(super::sqlite_numbered("VALUES ($1, $3), ($2, $4)"), "VALUES (?1, ?3), (?2, ?4)");
        assert_eq!(super::sqlite_numbered("VALUES ($1, $1)"), "VALUES (?1, ?1)");
        assert_eq!(super::sqlite_numbered("VALUES ($2)"), "VALUES (?2)");
    }

    #[test]
    fn placeholders_number_on_from_the_first() {
        assert_eq!(super::placeholders(3, 2), "$2, $3, $4");
        assert_eq!(super::placeholders(0, 1), "");
    }
}
