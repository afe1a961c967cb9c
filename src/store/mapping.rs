//! Mapping runs (`mapping_runs`) and their results (`affected_people`, `affected_records`).
//!
//! The computation itself is set-based SQL in [`compute`]; reading results back for the impact
//! summary and the list of affected people is in [`results`].

pub mod compute;
pub mod results;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, IsolationLevel, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::entities::mapping_runs;

/// Where a mapping run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker is computing it.
    Running,
    /// Computed; the incident's current mapping.
    Succeeded,
    /// Computed, then replaced by a newer run (its result rows are gone).
    Superseded,
    /// Stopped by an error; `error` says why.
    Failed,
}

impl RunStatus {
    /// The stored key.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Superseded => "superseded",
            RunStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RunStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Superseded,
            RunStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
        .ok_or_else(|| format!("unknown mapping run status `{s}`"))
    }
}

/// The phase a queued run waits in.
pub const PHASE_WAITING: &str = "waiting";
/// The phase of a run being computed (and, for a failed run, where it failed).
pub const PHASE_COMPUTING: &str = "computing";
/// The phase of a run whose people are being written (SQLite writes them in slices).
pub const PHASE_WRITING: &str = "writing";
/// The phase of a finished run.
pub const PHASE_DONE: &str = "done";

/// A mapping run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub status: RunStatus,
    pub phase: String,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub affected_people: Option<i64>,
    pub unmatched_people: Option<i64>,
    pub added_people: Option<i64>,
    pub removed_people: Option<i64>,
    /// Free of personal data.
    pub error: Option<String>,
}

/// Starts a read-only transaction whose reads all see one snapshot (PostgreSQL `REPEATABLE
/// READ`; a SQLite read transaction in WAL mode already does).
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await
    } else {
        db.begin().await
    }
}

/// Inserts a new run.
pub async fn insert_run(db: &impl ConnectionTrait, run: &RunRow) -> Result<(), DbErr> {
    mapping_runs::Entity::insert(mapping_runs::ActiveModel {
        id: Set(run.id),
        incident_id: Set(run.incident_id),
        status: Set(run.status.as_str().to_owned()),
        phase: Set(run.phase.clone()),
        requested_by: Set(run.requested_by),
        requested_at: Set(run.requested_at),
        started_at: Set(run.started_at),
        finished_at: Set(run.finished_at),
        affected_people: Set(run.affected_people),
        unmatched_people: Set(run.unmatched_people),
        added_people: Set(run.added_people),
        removed_people: Set(run.removed_people),
        error: Set(run.error.clone()),
        attempt: Set(0),
        lease_until: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One run.
pub async fn find_run(db: &impl ConnectionTrait, run_id: Uuid) -> Result<Option<RunRow>, DbErr> {
    mapping_runs::Entity::find_by_id(run_id)
        .one(db)
        .await?
        .map(to_row)
        .transpose()
}

/// The newest run of an incident in `status`.
pub async fn latest_run(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    statuses: &[RunStatus],
) -> Result<Option<RunRow>, DbErr> {
    mapping_runs::Entity::find()
        .filter(mapping_runs::Column::IncidentId.eq(incident_id))
        .filter(mapping_runs::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_desc(mapping_runs::Column::RequestedAt)
        .order_by_desc(mapping_runs::Column::Id)
        .limit(1)
        .one(db)
        .await?
        .map(to_row)
        .transpose()
}

/// Runs a worker may take now, oldest first: queued ones, and running ones whose claim has
/// lapsed (their worker stopped without finishing).
pub async fn claimable_run_ids(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let rows = mapping_runs::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(mapping_runs::Column::Status.eq(RunStatus::Queued.as_str()))
                .add(
                    sea_orm::Condition::all()
                        .add(mapping_runs::Column::Status.eq(RunStatus::Running.as_str()))
                        .add(
                            sea_orm::Condition::any()
                                .add(mapping_runs::Column::LeaseUntil.is_null())
                                .add(mapping_runs::Column::LeaseUntil.lt(now)),
                        ),
                ),
        )
        .order_by_asc(mapping_runs::Column::RequestedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// Locks an incident's row until the transaction ends (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// already serializes writers). Returns whether the incident exists.
pub async fn lock_incident(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT id FROM incidents WHERE id = $1 FOR UPDATE",
        _ => "SELECT id FROM incidents WHERE id = $1",
    };
    let stmt = Statement::from_sql_and_values(backend, sql, [incident_id.into()]);
    Ok(db.query_one_raw(stmt).await?.is_some())
}

/// A worker's hold on a run: the claim's number, which every later write checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub run_id: Uuid,
    pub attempt: i32,
}

/// Claims a queued run, or a running one whose lease has lapsed, until `lease_until`. Returns
/// `None` when the run is finished, held by another worker, or (PostgreSQL) being computed
/// right now: its row is locked by that computation, so it is skipped.
pub async fn claim(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Claim>, DbErr> {
    let backend = db.get_database_backend();
    let claimable = "status = 'queued' OR (status = 'running' \
                     AND (lease_until IS NULL OR lease_until < $2))";
    let target = match backend {
        DbBackend::Postgres => format!(
            "id IN (SELECT id FROM mapping_runs WHERE id = $1 AND ({claimable}) \
             FOR UPDATE SKIP LOCKED)"
        ),
        _ => format!("id = $1 AND ({claimable})"),
    };
    let sql = format!(
        "UPDATE mapping_runs SET status = 'running', phase = '{PHASE_COMPUTING}', \
         started_at = $2, lease_until = $3, attempt = attempt + 1, error = NULL \
         WHERE {target} RETURNING attempt"
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [run_id.into(), now.into(), lease_until.into()],
    );
    let row = db.query_one_raw(stmt).await?;
    row.map(|r| {
        Ok(Claim {
            run_id,
            attempt: r.try_get_by_index(0)?,
        })
    })
    .transpose()
}

/// Extends a claim; returns false when it was lost (the run finished, or another worker took
/// it over after the lease lapsed).
pub async fn renew(
    db: &impl ConnectionTrait,
    claim: Claim,
    lease_until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = mapping_runs::Entity::update_many()
        .col_expr(mapping_runs::Column::LeaseUntil, Expr::value(lease_until))
        .filter(mapping_runs::Column::Id.eq(claim.run_id))
        .filter(mapping_runs::Column::Status.eq(RunStatus::Running.as_str()))
        .filter(mapping_runs::Column::Attempt.eq(claim.attempt))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Inside a write transaction: whether the claim still holds. On PostgreSQL the run's row
/// stays locked until the transaction ends, so no other worker can take the run meanwhile;
/// SQLite's write lock does the same.
pub async fn holds(db: &impl ConnectionTrait, claim: Claim) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT id FROM mapping_runs WHERE id = $1 AND status = 'running' \
             AND attempt = $2 FOR UPDATE"
        }
        _ => "SELECT id FROM mapping_runs WHERE id = $1 AND status = 'running' AND attempt = $2",
    };
    let stmt =
        Statement::from_sql_and_values(backend, sql, [claim.run_id.into(), claim.attempt.into()]);
    Ok(db.query_one_raw(stmt).await?.is_some())
}

/// Sets a held run's phase.
pub async fn set_phase(db: &impl ConnectionTrait, claim: Claim, phase: &str) -> Result<(), DbErr> {
    mapping_runs::Entity::update_many()
        .col_expr(mapping_runs::Column::Phase, Expr::value(phase))
        .filter(mapping_runs::Column::Id.eq(claim.run_id))
        .filter(mapping_runs::Column::Attempt.eq(claim.attempt))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a held run failed with a reason free of personal data; returns whether the claim
/// still held.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    claim: Claim,
    now: DateTime<Utc>,
    error: &str,
) -> Result<bool, DbErr> {
    let result = mapping_runs::Entity::update_many()
        .col_expr(
            mapping_runs::Column::Status,
            Expr::value(RunStatus::Failed.as_str()),
        )
        .col_expr(mapping_runs::Column::FinishedAt, Expr::value(now))
        .col_expr(mapping_runs::Column::Error, Expr::value(error))
        .col_expr(
            mapping_runs::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(mapping_runs::Column::Id.eq(claim.run_id))
        .filter(mapping_runs::Column::Status.eq(RunStatus::Running.as_str()))
        .filter(mapping_runs::Column::Attempt.eq(claim.attempt))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

fn to_row(m: mapping_runs::Model) -> Result<RunRow, DbErr> {
    Ok(RunRow {
        id: m.id,
        incident_id: m.incident_id,
        status: m
            .status
            .parse()
            .map_err(|e| super::bad_key("mapping_runs.status", e))?,
        phase: m.phase,
        requested_by: m.requested_by,
        requested_at: m.requested_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
        affected_people: m.affected_people,
        unmatched_people: m.unmatched_people,
        added_people: m.added_people,
        removed_people: m.removed_people,
        error: m.error,
    })
}
