//! Mapping runs: requesting one, computing it, and reading its state.
//!
//! A run is a row first (`queued`), so it survives a restart. A worker claims it (`running`),
//! then computes the result and swaps it in within one transaction: the new rows, the run
//! marked `succeeded` with its counts and the difference from the run it replaces (now
//! `superseded`, its rows deleted), and the audit entry all commit together or not at all.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::MappingError;
use crate::audit::{self, AuditEvent};
use crate::domain::Clock;
use crate::domain::audit::Actor;
use crate::store;
use crate::store::mapping::compute::{self, RunCounts};
use crate::store::mapping::{PHASE_WAITING, RunRow, RunStatus};

/// Queues a mapping of an incident; the caller starts it (see [`super::worker::spawn`]).
/// Refused while another run of the incident is queued or running.
pub async fn request_mapping(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<RunRow, MappingError> {
    let txn = store::begin_write(db).await?;
    // The incident's row lock makes two simultaneous requests take turns, so only one queues.
    if !store::mapping::lock_incident(&txn, incident_id).await? {
        return Err(MappingError::IncidentNotFound);
    }
    let active = [RunStatus::Queued, RunStatus::Running];
    if let Some(run) = store::mapping::latest_run(&txn, incident_id, &active).await? {
        return Err(MappingError::InProgress {
            run_id: run.id,
            status: run.status.as_str(),
        });
    }
    let run = queued(incident_id, actor, now);
    store::mapping::insert_run(&txn, &run).await?;
    audit::record(
        &txn,
        now,
        event(
            actor,
            &run,
            "mapping.requested",
            "mapping run queued".into(),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(run)
}

fn queued(incident_id: Uuid, actor: Actor, now: DateTime<Utc>) -> RunRow {
    RunRow {
        id: Uuid::now_v7(),
        incident_id,
        status: RunStatus::Queued,
        phase: PHASE_WAITING.to_owned(),
        requested_by: actor.user_id(),
        requested_at: now,
        started_at: None,
        finished_at: None,
        affected_people: None,
        unmatched_people: None,
        added_people: None,
        removed_people: None,
        error: None,
    }
}

/// One run of an incident.
pub async fn get_run(
    db: &DatabaseConnection,
    incident_id: Uuid,
    run_id: Uuid,
) -> Result<RunRow, MappingError> {
    match store::mapping::find_run(db, run_id).await? {
        Some(run) if run.incident_id == incident_id => Ok(run),
        _ if store::incidents::find(db, incident_id).await?.is_none() => {
            Err(MappingError::IncidentNotFound)
        }
        _ => Err(MappingError::RunNotFound),
    }
}

/// What a worker did with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Computed and made the incident's current mapping.
    Succeeded(RunCounts),
    /// Already finished, or being computed by another instance.
    Skipped,
    /// Stopped by an error, recorded on the run.
    Failed,
}

/// Claims and computes a run. Errors are recorded on the run (without personal data) and
/// logged with its id; only a failure to record the failure itself is returned.
pub async fn execute_run(
    db: &DatabaseConnection,
    run_id: Uuid,
    clock: &dyn Clock,
) -> Result<RunOutcome, DbErr> {
    if !store::mapping::claim(db, run_id, clock.now()).await? {
        return Ok(RunOutcome::Skipped);
    }
    match compute_and_swap(db, run_id, clock).await {
        Ok(outcome) => Ok(outcome),
        Err(err) => {
            tracing::error!(run = %run_id, error = %err, "mapping run failed");
            record_failure(db, run_id, clock.now()).await?;
            Ok(RunOutcome::Failed)
        }
    }
}

async fn compute_and_swap(
    db: &DatabaseConnection,
    run_id: Uuid,
    clock: &dyn Clock,
) -> Result<RunOutcome, DbErr> {
    let txn = store::begin_write(db).await?;
    // Held until commit: another instance resuming this run skips it meanwhile.
    if !store::mapping::lock_running(&txn, run_id).await? {
        return Ok(RunOutcome::Skipped);
    }
    let run = store::mapping::find_run(&txn, run_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("mapping run {run_id}")))?;
    compute::compute(&txn, run_id, run.incident_id).await?;
    let (affected, unmatched) = compute::people_counts(&txn, run_id).await?;
    let previous =
        store::mapping::latest_run(&txn, run.incident_id, &[RunStatus::Succeeded]).await?;
    let (added, removed) = match &previous {
        Some(previous) => compute::diff(&txn, run_id, previous.id).await?,
        None => (affected, 0),
    };
    let counts = RunCounts {
        affected,
        unmatched,
        added,
        removed,
    };
    let finished_at = clock.now();
    compute::mark_succeeded(&txn, run_id, counts, finished_at).await?;
    if let Some(previous) = previous {
        compute::supersede(&txn, previous.id).await?;
    }
    let summary =
        format!("{affected} people affected (+{added}, -{removed}), {unmatched} unmatched");
    audit::record(
        &txn,
        finished_at,
        event(Actor::System, &run, "mapping.completed", summary),
    )
    .await?;
    txn.commit().await?;
    if let Err(e) = compute::refresh_statistics(db).await {
        tracing::warn!(run = %run_id, error = %e, "refreshing result statistics failed");
    }
    Ok(RunOutcome::Succeeded(counts))
}

async fn record_failure(
    db: &DatabaseConnection,
    run_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let message = format!(
        "the mapping stopped on a database error; the server log has the details under run {run_id}"
    );
    let txn = store::begin_write(db).await?;
    if !store::mapping::mark_failed(&txn, run_id, now, &message).await? {
        // Finished meanwhile (another instance computed it): nothing to record.
        return Ok(());
    }
    if let Some(run) = store::mapping::find_run(&txn, run_id).await? {
        let summary = "mapping run failed".to_owned();
        audit::record(
            &txn,
            now,
            event(Actor::System, &run, "mapping.failed", summary),
        )
        .await?;
    }
    txn.commit().await
}

fn event(actor: Actor, run: &RunRow, action: &'static str, summary: String) -> AuditEvent {
    AuditEvent {
        actor,
        action,
        object_type: "mapping_run",
        object_id: run.id.to_string(),
        incident_id: Some(run.incident_id),
        summary,
    }
}
