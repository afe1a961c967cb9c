//! Inventory rows: systems, people and holdings, written by batched upserts on their natural
//! keys. A stored row whose values already match is left alone (its `updated_at` too), so
//! re-importing a file writes nothing.
//!
//! SQLite takes multi-row `INSERT … ON CONFLICT … DO UPDATE … WHERE` statements in `BEGIN
//! IMMEDIATE` transactions, committed every quarter of a second or so: SQLite has one writer
//! at a time, and a large import must not keep the rest of the service from writing for a
//! minute. The rows were all checked before the first is written, and the upsert is
//! idempotent, so an import interrupted half-way is completed by running it again.
//! PostgreSQL takes the rows with `COPY`, inside one transaction: straight into the table
//! when their key is new, else into a staging table applied set-based at the end (see
//! [`copy`]). Readers go on meanwhile; other imports of the same table wait.

mod copy;
mod tables;

use std::collections::HashSet;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    QueryOrder, QuerySelect, Statement, Value,
};

pub use tables::{HOLDINGS, InventoryRow, PEOPLE, SYSTEMS, TableSpec};

use super::entities::systems;
use crate::domain::inventory::System;

// SQLite allows 32,766 bound parameters per statement (PostgreSQL 65,535); the widest row
// (people) binds 19, so a batch of 1,000 rows is one statement on either.
const MAX_PARAMS: usize = 30_000;

// SQLite's page cache while importing (64 MiB, about a quarter faster on millions of rows
// with the holdings indexes), and its default, restored afterwards on the pooled connection.
const SQLITE_IMPORT_CACHE_KIB: u32 = 65_536;
const SQLITE_DEFAULT_CACHE_KIB: u32 = 2_000;

// SQLite: how long an import holds the write lock before committing, and how long it then
// stands back so that a writer waiting on the lock (its busy handler polls) gets it.
const SQLITE_HOLD: Duration = Duration::from_millis(250);
const SQLITE_PAUSE: Duration = Duration::from_millis(20);

/// Loads rows of one kind, then applies them in one transaction.
pub struct Loader<R> {
    now: DateTime<Utc>,
    inner: Inner,
    loaded: u64,
    written: u64,
    _rows: PhantomData<fn(R)>,
}

enum Inner {
    Direct {
        db: DatabaseConnection,
        // Always `Some` between calls; empty only while one slice commits and the next begins.
        txn: Option<DatabaseTransaction>,
        since: Instant,
    },
    Staged(copy::Stage),
}

/// Loaded rows applied inside a transaction that is still open, so the caller can add its
/// audit entry before [`Applied::commit`]. Dropped without commit, it rolls back.
pub struct Applied {
    open: Open,
    /// Rows inserted or changed; the others were stored already, as they are.
    pub written: u64,
}

enum Open {
    Transaction(DatabaseTransaction),
    Session(Box<copy::Stage>),
}

/// Where the rest of an applied import's transaction runs.
pub enum ImportTransaction<'a> {
    /// SQLite: the last slice's transaction.
    Transaction(&'a DatabaseTransaction),
    /// PostgreSQL: the import's own session, inside its transaction.
    Session(&'a DatabaseConnection),
}

impl<R: InventoryRow> Loader<R> {
    /// Starts a load.
    pub async fn open(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Self, DbErr> {
        let inner = match db.get_database_backend() {
            DbBackend::Postgres => Inner::Staged(copy::Stage::open(db, R::table(), now).await?),
            _ => Inner::Direct {
                db: db.clone(),
                txn: Some(begin_import_slice(db).await?),
                since: Instant::now(),
            },
        };
        Ok(Loader {
            now,
            inner,
            loaded: 0,
            written: 0,
            _rows: PhantomData,
        })
    }

    /// Adds a batch of rows: upserted at once on SQLite, staged on PostgreSQL.
    pub async fn load(&mut self, rows: Vec<R>) -> Result<(), DbErr> {
        self.loaded += rows.len() as u64;
        let values: Vec<Vec<Value>> = rows.into_iter().map(R::into_values).collect();
        match &mut self.inner {
            Inner::Direct { db, txn, since } => {
                let open = txn.as_ref().ok_or_else(slice_lost)?;
                self.written += upsert(open, R::table(), values, self.now).await?;
                if since.elapsed() >= SQLITE_HOLD {
                    let done = txn.take().ok_or_else(slice_lost)?;
                    // The pooled connection goes back with its usual page cache.
                    done.execute_unprepared(&format!(
                        "PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"
                    ))
                    .await?;
                    done.commit().await?;
                    // Stand back so that a writer waiting on the lock gets it.
                    tokio::time::sleep(SQLITE_PAUSE).await;
                    *txn = Some(begin_import_slice(db).await?);
                    *since = Instant::now();
                }
            }
            Inner::Staged(stage) => stage.load(values).await?,
        }
        Ok(())
    }

    /// Applies everything loaded, calling `progress` with the number of rows applied so far.
    pub async fn apply(self, mut progress: impl FnMut(u64)) -> Result<Applied, DbErr> {
        match self.inner {
            Inner::Direct { txn, .. } => {
                let txn = txn.ok_or_else(slice_lost)?;
                txn.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"))
                    .await?;
                progress(self.loaded);
                Ok(Applied {
                    open: Open::Transaction(txn),
                    written: self.written,
                })
            }
            Inner::Staged(mut stage) => match stage.apply(self.now).await {
                Ok((changed, inserted)) => {
                    progress(stage.loaded());
                    Ok(Applied {
                        open: Open::Session(Box::new(stage)),
                        written: changed + inserted,
                    })
                }
                Err(e) => {
                    stage.close().await;
                    Err(e)
                }
            },
        }
    }
}

impl<R> Loader<R> {
    /// Gives up a load: nothing it loaded is applied. On PostgreSQL the staging session ends
    /// (and its table with it); on SQLite the open slice rolls back (earlier slices of a
    /// direct load are already committed: callers discard only staged loads).
    pub async fn discard(self) {
        match self.inner {
            Inner::Direct { txn, .. } => drop(txn),
            Inner::Staged(stage) => stage.close().await,
        }
    }
}

impl Applied {
    /// Where the rest of the import's transaction runs.
    pub fn transaction(&self) -> ImportTransaction<'_> {
        match &self.open {
            Open::Transaction(txn) => ImportTransaction::Transaction(txn),
            Open::Session(stage) => ImportTransaction::Session(stage.session()),
        }
    }

    /// Commits the change.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.open {
            Open::Transaction(txn) => txn.commit().await,
            Open::Session(stage) => stage.commit().await,
        }
    }
}

/// SQLite: a write transaction for the next slice of an import, with a larger page cache for
/// its index inserts (reset in `apply`).
async fn begin_import_slice(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = super::begin_write(db).await?;
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
        .await?;
    Ok(txn)
}

fn slice_lost() -> DbErr {
    DbErr::Custom("an earlier slice of this import failed to commit".into())
}

/// Upserts rows (each in [`TableSpec::columns`] order) in statements that stay under the
/// bind-parameter limits; returns how many rows were inserted or changed.
pub async fn upsert(
    db: &impl ConnectionTrait,
    spec: &TableSpec,
    rows: Vec<Vec<Value>>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let per_statement = (MAX_PARAMS / (spec.columns.len() + 2)).max(1);
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut values: Vec<Value> = Vec::new();
        let mut count = 0;
        for row in rows.by_ref().take(per_statement) {
            values.extend(row);
            values.extend([now.into(), now.into()]);
            count += 1;
        }
        let sql = tables::upsert_values_sql(spec, backend, count);
        let result = db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        written += result.rows_affected();
    }
    Ok(written)
}

/// The names of every known system.
pub async fn system_names(db: &impl ConnectionTrait) -> Result<HashSet<String>, DbErr> {
    let names: Vec<String> = systems::Entity::find()
        .select_only()
        .column(systems::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(names.into_iter().collect())
}

/// A stored system with its bookkeeping times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSystem {
    pub system: System,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every system, by name.
pub async fn list_systems(db: &impl ConnectionTrait) -> Result<Vec<StoredSystem>, DbErr> {
    let rows = systems::Entity::find()
        .order_by_asc(systems::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| StoredSystem {
            system: System {
                name: m.name,
                description: m.description,
                owner: m.owner,
                encrypted_at_rest: m.encrypted_at_rest,
            },
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
        .collect())
}
