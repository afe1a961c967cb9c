//! Running mappings in the background: a task per run, started when a run is requested, and a
//! sweep that takes up the runs nobody is working on — queued runs whose task never started,
//! and running runs whose worker stopped (its lease lapsed) — and deletes the rows of runs
//! that are over. A run taken up again is computed from scratch.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::runs::{MappingConfig, RunOutcome, delete_all_results, execute_run};
use crate::domain::Clock;
use crate::store;

/// How often the sweep looks for runs to take up.
const SWEEP_EVERY: Duration = Duration::from_secs(15);

/// Starts and tracks mapping tasks. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    config: Arc<MappingConfig>,
    // Runs with a task in this process, so the sweep does not start a second one.
    in_flight: Arc<Mutex<HashSet<Uuid>>>,
}

impl Worker {
    /// A worker computing runs on `db`.
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, config: MappingConfig) -> Self {
        Worker {
            db,
            clock,
            config: Arc::new(config),
            in_flight: Arc::default(),
        }
    }

    /// Computes one run in a background task (unless this process already is).
    pub fn spawn(&self, run_id: Uuid) {
        if !self.in_flight.lock().expect("in-flight set").insert(run_id) {
            return;
        }
        let worker = self.clone();
        tokio::spawn(async move {
            worker.run(run_id).await;
            worker
                .in_flight
                .lock()
                .expect("in-flight set")
                .remove(&run_id);
        });
    }

    /// Starts the sweep: at once, then every few seconds while the service runs.
    pub fn start_sweep(&self) -> tokio::task::JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = worker.sweep().await {
                    tracing::error!(error = %e, "the mapping sweep failed; it tries again shortly");
                }
            }
        })
    }

    /// One pass of the sweep; returns how many runs it started.
    pub async fn sweep(&self) -> Result<usize, DbErr> {
        let claimable = store::mapping::claimable_run_ids(&self.db, self.clock.now()).await?;
        let mut started = 0;
        for run_id in claimable {
            if !self
                .in_flight
                .lock()
                .expect("in-flight set")
                .contains(&run_id)
            {
                self.spawn(run_id);
                started += 1;
            }
        }
        if started > 0 {
            tracing::info!(runs = started, "took up pending mapping runs");
        }
        for run_id in store::mapping::compute::runs_with_stale_results(&self.db).await? {
            let deleted = delete_all_results(&self.db, run_id).await?;
            tracing::debug!(run = %run_id, rows = deleted, "deleted a finished run's rows");
        }
        Ok(started)
    }

    /// Computes a run in this task, logging the outcome.
    pub async fn run(&self, run_id: Uuid) -> Option<RunOutcome> {
        let started = std::time::Instant::now();
        match execute_run(&self.db, run_id, self.clock.as_ref(), &self.config).await {
            Ok(outcome) => {
                match outcome {
                    RunOutcome::Succeeded(counts) => tracing::info!(
                        run = %run_id,
                        affected = counts.affected,
                        unmatched = counts.unmatched,
                        added = counts.added,
                        removed = counts.removed,
                        elapsed_ms = started.elapsed().as_millis(),
                        "mapping run succeeded"
                    ),
                    RunOutcome::Skipped => tracing::debug!(run = %run_id, "mapping run skipped"),
                    RunOutcome::Failed => {}
                }
                Some(outcome)
            }
            Err(e) => {
                tracing::error!(run = %run_id, error = %e, "cannot record a mapping run's failure");
                None
            }
        }
    }
}
