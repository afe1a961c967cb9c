//! Running an import job in the background: the import in its own task, its progress and
//! heartbeat written every few seconds, its outcome recorded; and, when jobs are read, marking
//! the ones a stopped Candor left behind as interrupted and deleting old rejects files.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{DbBackend, DbErr};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Kind;
use super::files::{format_name, rejects_path, remove, upload_path};
use crate::app::AppState;
use crate::domain::audit::Actor;
use crate::inventory::{
    self, Format, ImportOptions, ImportReport, InventoryError, Phase, Progress, RowError,
};
use crate::store::imports::{self as jobs, Outcome};

/// How often a running job writes its progress and heartbeat.
const BEAT: Duration = Duration::from_secs(2);

/// A running job whose heartbeat is older than this was left behind by a stopped Candor.
/// Generous beside [`BEAT`]: a busy database may hold a write back for some seconds.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(90);

/// The bad rows a job keeps for its page (all are counted).
const KEPT_ERRORS: usize = 500;

/// How long the rows a "skip bad rows" import left out are kept for download: they hold
/// personal data.
const KEEP_REJECTS: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A job to run.
pub(super) struct Task {
    pub(super) id: Uuid,
    pub(super) kind: Kind,
    pub(super) format: Format,
    pub(super) skip_invalid: bool,
    pub(super) actor: Actor,
    pub(super) upload: PathBuf,
}

/// The progress the import reports, kept where the heartbeat reads it.
#[derive(Default)]
struct Live {
    phase: AtomicU8,
    rows: AtomicU64,
    /// Rows checked so far; once the check is over, the rows in the file.
    checked: AtomicU64,
    /// Bytes of the file checked so far.
    bytes: AtomicU64,
}

impl Live {
    fn progress(self: &Arc<Self>) -> Progress {
        let live = self.clone();
        Progress::new(Arc::new(move |phase: Phase, rows: u64| {
            let code = match phase {
                Phase::Checking => {
                    live.checked.store(rows, Ordering::Relaxed);
                    0
                }
                Phase::Loading => 1,
                Phase::Applying => 2,
            };
            live.phase.store(code, Ordering::Relaxed);
            live.rows.store(rows, Ordering::Relaxed);
        }))
        .with_bytes({
            let live = self.clone();
            Arc::new(move |bytes: u64| live.bytes.store(bytes, Ordering::Relaxed))
        })
    }

    fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            0 => Phase::Checking,
            1 => Phase::Loading,
            _ => Phase::Applying,
        }
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Runs the import, writing its progress every [`BEAT`], then its outcome; removes the upload.
pub(super) async fn run(state: AppState, task: Task) {
    let live = Arc::new(Live::default());
    let format = format_name(task.format);
    let rejects = rejects_path(&state, task.id, format);
    let options = ImportOptions {
        format: Some(task.format),
        skip_invalid: task.skip_invalid,
        rejects_file: task.skip_invalid.then(|| rejects.clone()),
        progress: live.progress(),
    };
    let (db, now, upload) = (state.db.clone(), state.clock.now(), task.upload.clone());
    let (kind, actor) = (task.kind, task.actor);
    // Its own task, so that a panic in the import ends the job as failed, not running.
    let mut import = tokio::spawn(async move {
        match kind {
            Kind::Systems => inventory::import_systems(&db, actor, &upload, &options, now).await,
            Kind::Customers => {
                inventory::import_customers(&db, actor, &upload, &options, now).await
            }
            Kind::Holdings => inventory::import_holdings(&db, actor, &upload, &options, now).await,
        }
    });
    let mut beat = tokio::time::interval(BEAT);
    beat.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut import => break result,
            _ = beat.tick() => heartbeat(&state, task.id, &live).await,
        }
    };
    let backend = state.db.get_database_backend();
    let outcome = match result {
        Ok(result) => outcome(result, backend, &live),
        Err(_) => {
            let message = format!(
                "The import stopped unexpectedly. {}",
                what_was_written(backend, live.phase(), live.rows.load(Ordering::Relaxed))
            );
            failure(message)
        }
    };
    tracing::info!(job = %task.id, status = outcome.status, "inventory import ended");
    // The files go first: a job shown as ended has none left but its rejects.
    remove(&task.upload).await;
    if !outcome.has_rejects {
        remove(&rejects).await;
    }
    if let Err(e) = jobs::finish(&state.db, task.id, outcome, state.clock.now()).await {
        tracing::error!(job = %task.id, error = %e, "an inventory import's outcome was not stored");
    }
}

async fn heartbeat(state: &AppState, id: Uuid, live: &Live) {
    let phase = live.phase();
    let total = (phase != Phase::Checking).then(|| count(live.checked.load(Ordering::Relaxed)));
    let rows = count(live.rows.load(Ordering::Relaxed));
    let bytes = count(live.bytes.load(Ordering::Relaxed));
    let now = state.clock.now();
    let done = (rows, total, bytes);
    if let Err(e) = jobs::record_progress(&state.db, id, phase.as_str(), done, now).await {
        tracing::warn!(job = %id, error = %e, "an inventory import's progress was not stored");
    }
}

/// The job's outcome for the import's result.
fn outcome(
    result: Result<ImportReport, InventoryError>,
    backend: DbBackend,
    live: &Live,
) -> Outcome {
    match result {
        Ok(report) => Outcome {
            status: jobs::DONE,
            rows_total: Some(count(report.rows)),
            written: Some(count(report.written)),
            unchanged: Some(count(report.unchanged)),
            rejected: Some(count(report.rejected)),
            errors: Some(errors_json(&report.rejects)),
            message: None,
            has_rejects: report.rejected > 0,
        },
        Err(InventoryError::Rejected(rejection)) => Outcome {
            status: jobs::REJECTED,
            rows_total: Some(count(rejection.rows)),
            rejected: Some(count(rejection.rejected)),
            errors: Some(errors_json(&rejection.errors)),
            ..Outcome::default()
        },
        Err(e) => {
            let phase = live.phase();
            let rows = live.rows.load(Ordering::Relaxed);
            // A database's message may quote the values of a row, and a panic's its own: neither
            // is shown or logged.
            let why = match &e {
                InventoryError::Db(_) => {
                    tracing::error!(cause = "database", "an inventory import failed");
                    "The database refused the import.".to_owned()
                }
                InventoryError::Task(_) => {
                    tracing::error!(cause = "task", "an inventory import failed");
                    "The import stopped unexpectedly.".to_owned()
                }
                other => format!("The import failed: {other}."),
            };
            failure(format!("{why} {}", what_was_written(backend, phase, rows)))
        }
    }
}

fn failure(message: String) -> Outcome {
    Outcome {
        status: jobs::FAILED,
        message: Some(message),
        ..Outcome::default()
    }
}

/// The first [`KEPT_ERRORS`] bad rows as JSON (their reasons name columns, never values).
fn errors_json(errors: &[RowError]) -> String {
    let kept: Vec<Value> = errors
        .iter()
        .take(KEPT_ERRORS)
        .map(|e| json!({ "line": e.line, "reason": e.reason }))
        .collect();
    Value::Array(kept).to_string()
}

/// What an import that stopped in `phase`, after `rows` rows of it, left in the database.
fn what_was_written(backend: DbBackend, phase: Phase, rows: u64) -> String {
    let written = match (phase, backend) {
        (Phase::Checking, _) => {
            "Nothing was written: the file was still being checked, which writes nothing."
                .to_owned()
        }
        (_, DbBackend::Postgres) => "The rows are written in one transaction, so either all of \
             them were written or none."
            .to_owned(),
        _ => format!(
            "Some rows may have been written (at most {rows}): SQLite stores a large import in \
             short steps so that the rest of Candor can go on writing."
        ),
    };
    format!(
        "{written} Importing the same file again is safe: rows already stored are left as they are."
    )
}

/// Marks running jobs whose heartbeat is stale as interrupted, and removes their files.
pub(super) async fn settle_stale(state: &AppState) -> Result<(), DbErr> {
    let now = state.clock.now();
    let before = now - STALE_AFTER;
    let backend = state.db.get_database_backend();
    for row in jobs::stale(&state.db, before).await? {
        let phase = match row.phase.as_str() {
            "loading" => Phase::Loading,
            "applying" => Phase::Applying,
            _ => Phase::Checking,
        };
        let rows = u64::try_from(row.rows_done).unwrap_or(0);
        let message = format!(
            "Candor stopped while this import was {} (it was last heard from at {}). {}",
            phase.as_str(),
            row.heartbeat_at.format("%Y-%m-%d %H:%M UTC"),
            what_was_written(backend, phase, rows)
        );
        if jobs::interrupt(&state.db, row.id, before, &message, now).await? {
            tracing::warn!(job = %row.id, phase = phase.as_str(), "an inventory import was interrupted");
            remove(&upload_path(state, row.id)).await;
            remove(&rejects_path(state, row.id, &row.format)).await;
        }
    }
    Ok(())
}

/// Deletes the rejects files kept longer than [`KEEP_REJECTS`].
pub(super) async fn expire_rejects(state: &AppState) -> Result<(), DbErr> {
    let before = state.clock.now() - KEEP_REJECTS;
    for row in jobs::old_rejects(&state.db, before).await? {
        remove(&rejects_path(state, row.id, &row.format)).await;
        jobs::forget_rejects(&state.db, row.id).await?;
        tracing::info!(job = %row.id, "an inventory import's rejects file was deleted");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interruption_says_truthfully_what_was_written() {
        let checking = what_was_written(DbBackend::Sqlite, Phase::Checking, 10);
        assert!(checking.starts_with("Nothing was written"), "{checking}");
        let postgres = what_was_written(DbBackend::Postgres, Phase::Loading, 5000);
        assert!(
            postgres.contains("all of them were written or none"),
            "{postgres}"
        );
        let sqlite = what_was_written(DbBackend::Sqlite, Phase::Loading, 5000);
        assert!(sqlite.contains("at most 5000"), "{sqlite}");
    }
}
