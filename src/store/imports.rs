//! Inventory import jobs (`inventory_imports`): started by an admin in the staff app, run in
//! the background, their progress written every few seconds with a heartbeat, and their
//! outcome kept for the page. Updates are conditional on the job's status, so a late writer
//! never turns a finished job back into a running one.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::store::entities::inventory_imports::{self, Column, Entity};

pub use inventory_imports::Model as ImportRow;

/// A job's status while its task runs.
pub const RUNNING: &str = "running";
/// The file was imported (its bad rows skipped, if that was asked for).
pub const DONE: &str = "done";
/// The file had bad rows and was refused whole.
pub const REJECTED: &str = "rejected";
/// The import stopped on an error.
pub const FAILED: &str = "failed";
/// Candor stopped while the job ran (its heartbeat went stale).
pub const INTERRUPTED: &str = "interrupted";

/// How a job ended.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// [`DONE`], [`REJECTED`] or [`FAILED`].
    pub status: &'static str,
    pub rows_total: Option<i64>,
    pub written: Option<i64>,
    pub unchanged: Option<i64>,
    pub rejected: Option<i64>,
    /// The first bad rows, as JSON.
    pub errors: Option<String>,
    pub message: Option<String>,
    pub has_rejects: bool,
}

/// Records a new job.
pub async fn insert(db: &impl ConnectionTrait, row: ImportRow) -> Result<(), DbErr> {
    inventory_imports::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// A job by id.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<ImportRow>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The newest `limit` jobs, newest first.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<ImportRow>, DbErr> {
    Entity::find()
        .order_by_desc(Column::StartedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Writes a running job's progress (rows done in its phase, rows in the file once known, bytes
/// of it checked) and heartbeat.
pub async fn record_progress(
    db: &impl ConnectionTrait,
    id: Uuid,
    phase: &str,
    (rows_done, rows_total, bytes_read): (i64, Option<i64>, i64),
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Phase, Expr::value(phase))
        .col_expr(Column::RowsDone, Expr::value(rows_done))
        .col_expr(Column::BytesRead, Expr::value(bytes_read))
        .col_expr(Column::RowsTotal, Expr::value(rows_total))
        .col_expr(Column::HeartbeatAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes how a job ended. A job already marked interrupted is corrected too: its task was
/// alive after all, and what it did is the truth.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: Uuid,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(outcome.status))
        .col_expr(Column::RowsTotal, Expr::value(outcome.rows_total))
        .col_expr(Column::Written, Expr::value(outcome.written))
        .col_expr(Column::Unchanged, Expr::value(outcome.unchanged))
        .col_expr(Column::Rejected, Expr::value(outcome.rejected))
        .col_expr(Column::Errors, Expr::value(outcome.errors))
        .col_expr(Column::Message, Expr::value(outcome.message))
        .col_expr(Column::HasRejects, Expr::value(outcome.has_rejects))
        .col_expr(Column::HeartbeatAt, Expr::value(now))
        .col_expr(Column::FinishedAt, Expr::value(Some(now)))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.is_in([RUNNING, INTERRUPTED]))
        .exec(db)
        .await?;
    Ok(())
}

/// Running jobs whose heartbeat is older than `before`.
pub async fn stale(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<Vec<ImportRow>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq(RUNNING))
        .filter(Column::HeartbeatAt.lt(before))
        .all(db)
        .await
}

/// Marks a job interrupted with `message` if it is still running with a heartbeat older than
/// `before`; returns whether it was.
pub async fn interrupt(
    db: &impl ConnectionTrait,
    id: Uuid,
    before: DateTime<Utc>,
    message: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Status, Expr::value(INTERRUPTED))
        .col_expr(Column::Message, Expr::value(message))
        .col_expr(Column::FinishedAt, Expr::value(Some(now)))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(RUNNING))
        .filter(Column::HeartbeatAt.lt(before))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Finished jobs that still keep a rejects file, finished before `before`.
pub async fn old_rejects(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<Vec<ImportRow>, DbErr> {
    Entity::find()
        .filter(Column::HasRejects.eq(true))
        .filter(Column::FinishedAt.lt(before))
        .all(db)
        .await
}

/// Records that a job's rejects file has been deleted.
pub async fn forget_rejects(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::HasRejects, Expr::value(false))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
