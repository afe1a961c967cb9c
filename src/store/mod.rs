//! The only place with SQL and sea-orm entities. Functions are free `async fn`s over
//! `&impl ConnectionTrait`, so the caller decides the transaction.

pub mod audit;
pub mod delivery;
pub mod duty_alerts;
pub mod entities;
pub mod imports;
pub mod incidents;
pub mod inventory;
pub mod login_failures;
pub mod mapping;
pub mod notices;
pub mod obligation_results;
pub mod obligations;
pub mod playbooks;
pub mod population;
pub mod revoked_sessions;
pub mod scope;
pub mod survey;
pub mod timeline;
pub mod users;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqlErr, SqliteTransactionMode, SqlxSqliteConnector, Statement, TransactionOptions,
    TransactionTrait,
};

/// Opens a pool for `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite runs in WAL mode with foreign keys on and a busy timeout, so readers never block the
/// writer and a second writer waits instead of failing.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    Database::connect(options).await
}

/// A connection for one busy writer of its own (the outbox worker), beside the service's pool.
///
/// On SQLite it is one connection opened with the pool's own options, at its first statement:
/// a writer whose statements go through one connection keeps that connection's page cache,
/// where connections of a pool taking turns each find the other has written and drop theirs.
/// A database that is not a file (in memory) cannot be opened twice, and PostgreSQL keeps its
/// cache in the server; both get the service's pool itself.
pub fn own_connection(db: &DatabaseConnection) -> DatabaseConnection {
    if db.get_database_backend() != DbBackend::Sqlite {
        return db.clone();
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    if !options.get_filename().is_file() {
        return db.clone();
    }
    // Lazy: the connection opens at the first statement, inside the runtime.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_lazy_with((*options).clone());
    SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
}

// An arbitrary constant shared by every Candor instance: the key of the advisory lock that
// makes instances starting together take turns running migrations.
const MIGRATION_LOCK_KEY: i64 = 0x0C4D_0202_6001;

/// Brings the schema up to date. On PostgreSQL, instances starting at once take turns.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK_KEY.into()],
        ))
        .await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    } else {
        Migrator::up(db, None).await
    }
}

/// Starts a transaction that will write.
///
/// On SQLite this is `BEGIN IMMEDIATE`: the write lock is taken up front, so two writers queue
/// on the busy timeout instead of one failing when it upgrades a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Whether an error is a unique-constraint violation (a duplicate natural key).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Turns a stored key that no longer parses into a database error naming the column.
pub(crate) fn bad_key(column: &str, err: impl std::fmt::Display) -> DbErr {
    DbErr::Type(format!("column `{column}`: {err}"))
}
