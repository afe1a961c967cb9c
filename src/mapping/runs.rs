//! Mapping runs: requesting one, computing it, and reading its state.
//!
//! A run is a row first (`queued`), so it survives a restart. A worker claims it (`running`)
//! for a lease it renews as it goes; a run whose worker stopped is taken over once the lease
//! lapses, and every write checks the claim, so a worker that lost it writes nothing more.
//!
//! The new rows are written under the run's id, invisible to readers, who only read the
//! incident's newest `succeeded` run. The swap is one transaction: the run marked `succeeded`
//! with its counts and the difference from the run it replaces (now `superseded`), and the
//! audit entry. The replaced run's rows are deleted after it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait,
};
use uuid::Uuid;

use super::MappingError;
use crate::audit::{self, AuditEvent};
use crate::domain::Clock;
use crate::domain::audit::Actor;
use crate::store;
use crate::store::mapping::compute::{self, RunCounts};
use crate::store::mapping::{Claim, PHASE_WAITING, PHASE_WRITING, RunRow, RunStatus};

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

/// How a worker computes runs.
#[derive(Debug, Clone)]
pub struct MappingConfig {
    /// PostgreSQL's `work_mem` for the mapping statement (e.g. `512MB`); empty keeps the
    /// server's own.
    pub work_mem: String,
    /// How long a claim holds without renewal; a run whose worker stopped is taken over after.
    pub lease: Duration,
}

impl Default for MappingConfig {
    fn default() -> Self {
        MappingConfig {
            work_mem: DEFAULT_WORK_MEM.to_owned(),
            lease: Duration::from_secs(60),
        }
    }
}

/// The default `work_mem` for the mapping statement: enough for PostgreSQL to group a few
/// million records in memory rather than sorting them on disk.
pub const DEFAULT_WORK_MEM: &str = "512MB";

// SQLite: rows copied per write transaction, so other writers wait at most a moment.
const SQLITE_SLICE: i64 = 20_000;
// Rows of a replaced run deleted per transaction.
const DELETE_SLICE: u64 = 20_000;

/// What a worker did with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Computed and made the incident's current mapping.
    Succeeded(RunCounts),
    /// Already finished, or held by another worker.
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
    config: &MappingConfig,
) -> Result<RunOutcome, DbErr> {
    let now = clock.now();
    let Some(claim) = store::mapping::claim(db, run_id, now, lease_end(clock, config)).await?
    else {
        return Ok(RunOutcome::Skipped);
    };
    // On PostgreSQL the computing transaction locks the run's row, which fences other workers
    // for as long as it lasts (and would make a renewal wait on it); SQLite's computation spans
    // many transactions, so there the lease is renewed as it goes.
    let heartbeat = (db.get_database_backend() != DbBackend::Postgres)
        .then(|| Heartbeat::start(db.clone(), claim, clock, config));
    let outcome = compute_and_swap(db, claim, clock, config).await;
    if let Some(heartbeat) = heartbeat {
        heartbeat.stop();
    }
    match outcome {
        Ok(outcome) => Ok(outcome),
        Err(err) => {
            tracing::error!(run = %run_id, error = %err, "mapping run failed");
            record_failure(db, claim, clock.now()).await?;
            Ok(RunOutcome::Failed)
        }
    }
}

fn lease_end(clock: &dyn Clock, config: &MappingConfig) -> DateTime<Utc> {
    clock.now() + chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::MAX)
}

/// Renews a claim in the background while its run is computed.
struct Heartbeat {
    task: tokio::task::JoinHandle<()>,
}

impl Heartbeat {
    fn start(
        db: DatabaseConnection,
        claim: Claim,
        clock: &dyn Clock,
        config: &MappingConfig,
    ) -> Self {
        let every = config.lease / 3;
        let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::MAX);
        // The clock is not `'static`; renewals move the lease on from the claim's own start.
        let started = clock.now();
        let began = std::time::Instant::now();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let elapsed = chrono::Duration::from_std(began.elapsed()).unwrap_or_default();
                match store::mapping::renew(&db, claim, started + elapsed + lease).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(run = %claim.run_id, error = %e, "cannot renew a mapping claim")
                    }
                }
            }
        });
        Heartbeat { task }
    }

    fn stop(self) {
        self.task.abort();
    }
}

async fn compute_and_swap(
    db: &DatabaseConnection,
    claim: Claim,
    clock: &dyn Clock,
    config: &MappingConfig,
) -> Result<RunOutcome, DbErr> {
    let run = store::mapping::find_run(db, claim.run_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("mapping run {}", claim.run_id)))?;
    // Rows an earlier, interrupted attempt left behind.
    delete_all_results(db, claim.run_id).await?;
    let plan = compute::plan(db, run.incident_id).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // One transaction: the run's row stays locked, so no other worker takes it meanwhile.
        let txn = store::begin_write(db).await?;
        if !store::mapping::holds(&txn, claim).await? {
            return Ok(RunOutcome::Skipped);
        }
        compute::compute_postgres(&txn, claim.run_id, run.incident_id, &plan, &config.work_mem)
            .await?;
        let compared = compare(&txn, &run).await?;
        let swapped = swap(&txn, &run, compared, clock).await?;
        txn.commit().await?;
        return finished(db, &run, swapped).await;
    }
    let stage = compute::SqliteStage::compute(db, claim.run_id, run.incident_id, &plan).await?;
    let written = write_slices(&stage, claim).await;
    stage.close().await;
    if !written? {
        return Ok(RunOutcome::Skipped);
    }
    // Compared under a read snapshot, so the write lock is held only for the swap.
    let snapshot = db.begin().await?;
    let compared = compare(&snapshot, &run).await?;
    snapshot.commit().await?;
    let txn = store::begin_write(db).await?;
    if !store::mapping::holds(&txn, claim).await? {
        return Ok(RunOutcome::Skipped);
    }
    let swapped = swap(&txn, &run, compared, clock).await?;
    txn.commit().await?;
    finished(db, &run, swapped).await
}

/// SQLite: copies the staged people a slice per write transaction; false when the claim was
/// lost on the way.
async fn write_slices(stage: &compute::SqliteStage, claim: Claim) -> Result<bool, DbErr> {
    let mut after = 0;
    while after < stage.rows() {
        let upto = (after + SQLITE_SLICE).min(stage.rows());
        let txn = stage.begin_write().await?;
        if !store::mapping::holds(&txn, claim).await? {
            return Ok(false);
        }
        if after == 0 {
            store::mapping::set_phase(&txn, claim, PHASE_WRITING).await?;
        }
        stage.copy(&txn, claim.run_id, after, upto).await?;
        txn.commit().await?;
        after = upto;
        // Let a writer waiting on the lock in.
        tokio::task::yield_now().await;
    }
    Ok(true)
}

/// Counts the run and compares it with the incident's current mapping, which it replaces.
async fn compare(
    db: &impl ConnectionTrait,
    run: &RunRow,
) -> Result<(RunCounts, Option<Uuid>), DbErr> {
    let (affected, unmatched) = compute::people_counts(db, run.id).await?;
    let previous = store::mapping::latest_run(db, run.incident_id, &[RunStatus::Succeeded])
        .await?
        .map(|p| p.id);
    let (added, removed) = match previous {
        Some(previous) => compute::diff(db, run.id, previous).await?,
        None => (affected, 0),
    };
    let counts = RunCounts {
        affected,
        unmatched,
        added,
        removed,
    };
    Ok((counts, previous))
}

/// Inside the final write transaction: marks the run succeeded (and the one it replaces
/// superseded) and records the audit entry. The comparison is made again should the current
/// mapping have changed since `compared` was made.
async fn swap(
    txn: &DatabaseTransaction,
    run: &RunRow,
    compared: (RunCounts, Option<Uuid>),
    clock: &dyn Clock,
) -> Result<(RunCounts, Option<Uuid>), DbErr> {
    let current = store::mapping::latest_run(txn, run.incident_id, &[RunStatus::Succeeded])
        .await?
        .map(|p| p.id);
    let (counts, previous) = if current == compared.1 {
        compared
    } else {
        compare(txn, run).await?
    };
    let finished_at = clock.now();
    compute::mark_succeeded(txn, run.id, counts, finished_at).await?;
    if let Some(previous) = previous {
        compute::supersede(txn, previous).await?;
    }
    let RunCounts {
        affected,
        unmatched,
        added,
        removed,
    } = counts;
    let summary =
        format!("{affected} people affected (+{added}, -{removed}), {unmatched} unmatched");
    audit::record(
        txn,
        finished_at,
        event(Actor::System, run, "mapping.completed", summary),
    )
    .await?;
    Ok((counts, previous))
}

/// After the swap committed: deletes the replaced run's rows and refreshes statistics.
async fn finished(
    db: &DatabaseConnection,
    run: &RunRow,
    (counts, replaced): (RunCounts, Option<Uuid>),
) -> Result<RunOutcome, DbErr> {
    if let Some(replaced) = replaced
        && let Err(e) = delete_all_results(db, replaced).await
    {
        // The sweep deletes them later; the swap itself has committed.
        tracing::warn!(run = %replaced, error = %e, "cannot delete a replaced mapping's rows yet");
    }
    if let Err(e) = compute::refresh_statistics(db).await {
        tracing::warn!(run = %run.id, error = %e, "refreshing result statistics failed");
    }
    Ok(RunOutcome::Succeeded(counts))
}

/// Deletes a run's result rows a slice per transaction.
pub async fn delete_all_results(db: &DatabaseConnection, run_id: Uuid) -> Result<u64, DbErr> {
    let mut deleted = 0;
    loop {
        let txn = store::begin_write(db).await?;
        let n = compute::delete_results(&txn, run_id, DELETE_SLICE).await?;
        txn.commit().await?;
        deleted += n;
        if n < DELETE_SLICE {
            return Ok(deleted);
        }
        tokio::task::yield_now().await;
    }
}

async fn record_failure(
    db: &DatabaseConnection,
    claim: Claim,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let message = format!(
        "the mapping stopped on a database error; the server log has the details under run {}",
        claim.run_id
    );
    let txn = store::begin_write(db).await?;
    if !store::mapping::mark_failed(&txn, claim, now, &message).await? {
        // Another worker holds the run now: nothing to record.
        return Ok(());
    }
    if let Some(run) = store::mapping::find_run(&txn, claim.run_id).await? {
        let summary = "mapping run failed".to_owned();
        audit::record(
            &txn,
            now,
            event(Actor::System, &run, "mapping.failed", summary),
        )
        .await?;
    }
    txn.commit().await?;
    if let Err(e) = delete_all_results(db, claim.run_id).await {
        tracing::warn!(run = %claim.run_id, error = %e, "cannot delete a failed mapping's rows yet");
    }
    Ok(())
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
