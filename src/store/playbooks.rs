//! Playbook runs (the pinned playbook, the run's state, when to look at it next) and the
//! effects a run must carry out (actions to perform, escalations to send), written with the
//! state change that calls for them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::store::entities::{playbook_effects, playbook_runs, playbook_tasks};

pub use playbook_effects::Model as EffectRow;
pub use playbook_runs::Model as RunRow;
pub use playbook_tasks::Model as TaskRow;

/// Writes a new run.
pub async fn insert_run(db: &impl ConnectionTrait, row: RunRow) -> Result<(), DbErr> {
    playbook_runs::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// An incident's runs, oldest first.
pub async fn runs_of(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Vec<RunRow>, DbErr> {
    playbook_runs::Entity::find()
        .filter(playbook_runs::Column::IncidentId.eq(incident_id))
        .order_by_asc(playbook_runs::Column::StartedAt)
        .order_by_asc(playbook_runs::Column::PlaybookId)
        .all(db)
        .await
}

/// A run by id.
pub async fn run(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<RunRow>, DbErr> {
    playbook_runs::Entity::find_by_id(id).one(db).await
}

/// Writes a run's new state, status and wake-up time if it is still at `row_version`;
/// returns whether it was (another writer got there first otherwise).
pub async fn update_run(
    db: &impl ConnectionTrait,
    row: &RunRow,
    expected_row_version: i32,
) -> Result<bool, DbErr> {
    let result = playbook_runs::Entity::update_many()
        .col_expr(playbook_runs::Column::State, row.state.clone().into())
        .col_expr(playbook_runs::Column::Status, row.status.clone().into())
        .col_expr(playbook_runs::Column::WakeAt, row.wake_at.into())
        .col_expr(playbook_runs::Column::FinishedAt, row.finished_at.into())
        .col_expr(playbook_runs::Column::RowVersion, row.row_version.into())
        .filter(playbook_runs::Column::Id.eq(row.id))
        .filter(playbook_runs::Column::RowVersion.eq(expected_row_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Running runs whose wake-up time has come, oldest first.
pub async fn due_runs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<RunRow>, DbErr> {
    playbook_runs::Entity::find()
        .filter(playbook_runs::Column::Status.eq("running"))
        .filter(playbook_runs::Column::WakeAt.lte(now))
        .order_by_asc(playbook_runs::Column::WakeAt)
        .limit(limit)
        .all(db)
        .await
}

/// An effect to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEffect {
    pub run_id: Uuid,
    pub incident_id: Uuid,
    pub step_id: String,
    /// `perform` or `escalate`.
    pub kind: &'static str,
    /// The action and its attempt (`send_notice#1`), or the threshold (`owner`).
    pub detail: String,
    /// JSON: what carrying it out needs.
    pub payload: String,
}

/// Writes effects; one already written (same run, step, kind and detail) is skipped.
pub async fn insert_effects(
    db: &impl ConnectionTrait,
    effects: &[NewEffect],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for e in effects {
        let model = playbook_effects::ActiveModel {
            run_id: sea_orm::Set(e.run_id),
            incident_id: sea_orm::Set(e.incident_id),
            step_id: sea_orm::Set(e.step_id.clone()),
            kind: sea_orm::Set(e.kind.to_owned()),
            detail: sea_orm::Set(e.detail.clone()),
            payload: sea_orm::Set(e.payload.clone()),
            status: sea_orm::Set("pending".to_owned()),
            attempts: sea_orm::Set(0),
            last_error: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            done_at: sea_orm::Set(None),
            not_before: sea_orm::Set(None),
            claimed_until: sea_orm::Set(None),
            outcome: sea_orm::Set(None),
            ..Default::default()
        };
        playbook_effects::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([
                    playbook_effects::Column::RunId,
                    playbook_effects::Column::StepId,
                    playbook_effects::Column::Kind,
                    playbook_effects::Column::Detail,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A run's effects, oldest first.
pub async fn effects_of(db: &impl ConnectionTrait, run_id: Uuid) -> Result<Vec<EffectRow>, DbErr> {
    playbook_effects::Entity::find()
        .filter(playbook_effects::Column::RunId.eq(run_id))
        .order_by_asc(playbook_effects::Column::Id)
        .all(db)
        .await
}

/// Effects still to carry out whose time has come and that no worker holds, oldest first.
pub async fn due_effects(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<EffectRow>, DbErr> {
    use sea_orm::Condition;
    playbook_effects::Entity::find()
        .filter(playbook_effects::Column::Status.eq(EFFECT_PENDING))
        .filter(
            Condition::any()
                .add(playbook_effects::Column::NotBefore.is_null())
                .add(playbook_effects::Column::NotBefore.lte(now)),
        )
        .filter(
            Condition::any()
                .add(playbook_effects::Column::ClaimedUntil.is_null())
                .add(playbook_effects::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(playbook_effects::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// How many effects are still to carry out.
pub async fn pending_effects(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    use sea_orm::PaginatorTrait;
    let n = playbook_effects::Entity::find()
        .filter(playbook_effects::Column::Status.eq(EFFECT_PENDING))
        .count(db)
        .await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// A pending effect, still pending.
pub const EFFECT_PENDING: &str = "pending";
/// An effect carried out.
pub const EFFECT_DONE: &str = "done";
/// An effect that failed for good (its step's own retry, if any, is a new effect).
pub const EFFECT_FAILED: &str = "failed";

/// Takes a pending effect for `until` (counting the attempt); false when it is done or
/// another worker holds it.
pub async fn claim_effect(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::Condition;
    use sea_orm::sea_query::{Expr, ExprTrait};
    let result = playbook_effects::Entity::update_many()
        .col_expr(playbook_effects::Column::ClaimedUntil, until.into())
        .col_expr(
            playbook_effects::Column::Attempts,
            Expr::col(playbook_effects::Column::Attempts).add(1),
        )
        .filter(playbook_effects::Column::Id.eq(id))
        .filter(playbook_effects::Column::Status.eq(EFFECT_PENDING))
        .filter(
            Condition::any()
                .add(playbook_effects::Column::ClaimedUntil.is_null())
                .add(playbook_effects::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records an effect's end: `done` with what it did, or `failed` with why.
pub async fn settle_effect(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    outcome: Option<String>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    playbook_effects::Entity::update_many()
        .col_expr(playbook_effects::Column::Status, status.into())
        .col_expr(playbook_effects::Column::Outcome, outcome.into())
        .col_expr(playbook_effects::Column::LastError, error.into())
        .col_expr(playbook_effects::Column::DoneAt, Some(now).into())
        .col_expr(
            playbook_effects::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(playbook_effects::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Leaves an effect pending until `not_before` (waiting on a mapping, or after a failure
/// worth retrying), releasing the claim; `outcome` says what it waits for, `error` what
/// went wrong.
pub async fn postpone_effect(
    db: &impl ConnectionTrait,
    id: i64,
    not_before: DateTime<Utc>,
    outcome: Option<String>,
    error: Option<String>,
) -> Result<(), DbErr> {
    playbook_effects::Entity::update_many()
        .col_expr(playbook_effects::Column::NotBefore, Some(not_before).into())
        .col_expr(playbook_effects::Column::Outcome, outcome.into())
        .col_expr(playbook_effects::Column::LastError, error.into())
        .col_expr(
            playbook_effects::Column::ClaimedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(playbook_effects::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// An incident's effects, oldest first.
pub async fn effects_of_incident(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<EffectRow>, DbErr> {
    playbook_effects::Entity::find()
        .filter(playbook_effects::Column::IncidentId.eq(incident_id))
        .order_by_asc(playbook_effects::Column::Id)
        .all(db)
        .await
}

/// A task still open.
pub const TASK_OPEN: &str = "open";
/// A task a person closed.
pub const TASK_DONE: &str = "done";

/// Opens tasks; one already opened (same run, step and key) is left as it is. Returns how
/// many were new.
pub async fn insert_tasks(db: &impl ConnectionTrait, tasks: &[TaskRow]) -> Result<usize, DbErr> {
    let mut added = 0;
    for task in tasks {
        let inserted =
            playbook_tasks::Entity::insert(playbook_tasks::ActiveModel::from(task.clone()))
                .on_conflict(
                    OnConflict::columns([
                        playbook_tasks::Column::RunId,
                        playbook_tasks::Column::StepId,
                        playbook_tasks::Column::Key,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        added += usize::try_from(inserted).unwrap_or(0);
    }
    Ok(added)
}

/// An incident's tasks, in the order they were opened.
pub async fn tasks_of(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Vec<TaskRow>, DbErr> {
    playbook_tasks::Entity::find()
        .filter(playbook_tasks::Column::IncidentId.eq(incident_id))
        .order_by_asc(playbook_tasks::Column::CreatedAt)
        .order_by_asc(playbook_tasks::Column::StepId)
        .order_by_asc(playbook_tasks::Column::Key)
        .all(db)
        .await
}

/// A task by id.
pub async fn task(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<TaskRow>, DbErr> {
    playbook_tasks::Entity::find_by_id(id).one(db).await
}

/// Closes an open task; false when it was already closed.
pub async fn close_task(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = playbook_tasks::Entity::update_many()
        .col_expr(playbook_tasks::Column::Status, TASK_DONE.into())
        .col_expr(playbook_tasks::Column::DoneBy, Some(by).into())
        .col_expr(playbook_tasks::Column::DoneAt, Some(now).into())
        .col_expr(playbook_tasks::Column::Note, note.into())
        .filter(playbook_tasks::Column::Id.eq(id))
        .filter(playbook_tasks::Column::Status.eq(TASK_OPEN))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
