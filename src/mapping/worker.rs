//! Running mappings in the background: a task per run, and, at startup, resuming the runs a
//! stopped instance left queued or running (they are computed again from scratch; a
//! half-computed run left nothing behind, since its result commits in one transaction).

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::runs::{RunOutcome, execute_run};
use crate::domain::Clock;
use crate::store;

/// Computes one run in a background task.
pub fn spawn(db: DatabaseConnection, clock: Arc<dyn Clock>, run_id: Uuid) -> JoinHandle<()> {
    tokio::spawn(async move { run(&db, clock.as_ref(), run_id).await })
}

/// Starts the worker with the service: resumes pending runs in the background.
pub fn start(db: DatabaseConnection, clock: Arc<dyn Clock>) -> JoinHandle<()> {
    tokio::spawn(async move {
        match resume_pending(&db, clock).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(runs = n, "resumed pending mapping runs"),
            Err(e) => tracing::error!(error = %e, "cannot look for pending mapping runs"),
        }
    })
}

/// Starts a task for every run left queued or running; returns how many.
pub async fn resume_pending(
    db: &DatabaseConnection,
    clock: Arc<dyn Clock>,
) -> Result<usize, DbErr> {
    let pending = store::mapping::pending_run_ids(db).await?;
    for run_id in &pending {
        spawn(db.clone(), clock.clone(), *run_id);
    }
    Ok(pending.len())
}

async fn run(db: &DatabaseConnection, clock: &dyn Clock, run_id: Uuid) {
    let started = std::time::Instant::now();
    match execute_run(db, run_id, clock).await {
        Ok(RunOutcome::Succeeded(counts)) => tracing::info!(
            run = %run_id,
            affected = counts.affected,
            unmatched = counts.unmatched,
            added = counts.added,
            removed = counts.removed,
            elapsed_ms = started.elapsed().as_millis(),
            "mapping run succeeded"
        ),
        Ok(RunOutcome::Skipped) => tracing::debug!(run = %run_id, "mapping run skipped"),
        Ok(RunOutcome::Failed) => {}
        Err(e) => {
            tracing::error!(run = %run_id, error = %e, "cannot record a mapping run's failure")
        }
    }
}
