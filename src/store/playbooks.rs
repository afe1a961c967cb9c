//! Playbook runs (the pinned playbook, the run's state, when to look at it next) and the
//! effects a run must carry out (actions to perform, escalations to send), written with the
//! state change that calls for them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::store::entities::{playbook_effects, playbook_runs};

pub use playbook_effects::Model as EffectRow;
pub use playbook_runs::Model as RunRow;

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
