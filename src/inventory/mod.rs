//! The inventory capability: import systems, customers and holdings from CSV or JSON Lines
//! files of any size, idempotently, and list systems.
//!
//! An import reads its file twice in constant memory. Pass 1 ([`check`]) validates every row
//! and writes nothing; if any row is bad the file is refused whole, with every bad line
//! counted and the first [`MAX_ERRORS`] reported as `line N: reason` — unless the caller asked
//! to skip invalid rows. Pass 2 ([`load`]) upserts the good rows in batches inside one
//! transaction, which also holds the import's audit entry (counts only, never row data).
//! On PostgreSQL the two passes are one read while the file is clean: the rows are loaded
//! inside the import's transaction as they are checked, and rolled back after a bad row (the
//! check goes on to report them all).

pub(crate) mod check;
mod dedup;
mod jsonl;
mod load;
mod progress;
mod rejects;
pub(crate) mod rows;
pub(crate) mod source;

pub use check::MAX_ERRORS;
pub use progress::{BytesFn, Phase, Progress, ProgressFn};
pub use source::Format;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend, DbErr};

use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::store;
use crate::store::inventory::{ImportTransaction, StoredSystem};
use rows::{Customers, Holdings, RowKind, Systems};

/// Errors of the inventory capability.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{}", .0.message())]
    Rejected(Rejection),
    #[error("cannot tell the file's format from its name; name the format (csv or jsonl)")]
    UnknownFormat,
    #[error("the file changed while it was being imported; nothing was imported")]
    Changed,
    #[error("cannot read the file: {0}")]
    Read(std::io::Error),
    #[error("cannot write the rejects file: {0}")]
    Rejects(std::io::Error),
    #[error("the import task failed: {0}")]
    Task(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// One bad row: its line in the file and why it is bad (naming the column, never quoting
/// personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl RowError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> Self {
        RowError {
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Why a file was refused whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Data rows in the file.
    pub rows: u64,
    /// Bad rows, all counted.
    pub rejected: u64,
    /// The first [`MAX_ERRORS`] bad rows (or the header's problems), by line.
    pub errors: Vec<RowError>,
}

impl Rejection {
    /// A sentence for people.
    pub fn message(&self) -> String {
        if self.rows == 0 && self.rejected == 0 {
            "the header is not valid; nothing was imported".into()
        } else {
            format!(
                "{} of {} rows are invalid; nothing was imported",
                self.rejected, self.rows
            )
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The file's format; `None`: from its extension.
    pub format: Option<Format>,
    /// Import the good rows of a file with bad ones (instead of refusing it whole).
    pub skip_invalid: bool,
    /// With `skip_invalid`: where to write the bad rows.
    pub rejects_file: Option<PathBuf>,
    pub progress: Progress,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// `systems`, `customers` or `holdings`.
    pub kind: &'static str,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows inserted or changed.
    pub written: u64,
    /// Good rows already stored as they are.
    pub unchanged: u64,
    /// Bad rows skipped.
    pub rejected: u64,
    /// The first [`MAX_ERRORS`] skipped rows, by line.
    pub rejects: Vec<RowError>,
    pub elapsed: Duration,
}

impl ImportReport {
    /// `holdings: 3000 rows, 2990 written, 0 unchanged, 10 rejected` (the audit summary).
    pub fn summary(&self) -> String {
        format!(
            "{}: {} rows, {} written, {} unchanged, {} rejected",
            self.kind, self.rows, self.written, self.unchanged, self.rejected
        )
    }
}

/// Imports `system,description,owner,encrypted_at_rest`, upserting by system name.
pub async fn import_systems(
    db: &DatabaseConnection,
    actor: Actor,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, InventoryError> {
    import(db, actor, Systems, path, options, now).await
}

/// Imports customers, upserting by `customer_ref`.
pub async fn import_customers(
    db: &DatabaseConnection,
    actor: Actor,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, InventoryError> {
    import(db, actor, Customers, path, options, now).await
}

/// Imports holdings, upserting by `(system, record_ref)`; every system must be known.
pub async fn import_holdings(
    db: &DatabaseConnection,
    actor: Actor,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, InventoryError> {
    let known = store::inventory::system_names(db).await?;
    import(db, actor, Holdings { known }, path, options, now).await
}

/// Every system, by name.
pub async fn list_systems(db: &DatabaseConnection) -> Result<Vec<StoredSystem>, InventoryError> {
    Ok(store::inventory::list_systems(db).await?)
}

async fn import<K: RowKind>(
    db: &DatabaseConnection,
    actor: Actor,
    kind: K,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, InventoryError> {
    let started = Instant::now();
    let format = options
        .format
        .or_else(|| Format::from_path(path))
        .ok_or(InventoryError::UnknownFormat)?;
    let kind = Arc::new(kind);
    let checked = if db.get_database_backend() == DbBackend::Postgres {
        let single = load::check_and_load(
            db,
            kind.clone(),
            path.to_owned(),
            format,
            &options.progress,
            now,
        )
        .await?;
        match single {
            load::OnePass::Applied {
                applied,
                loaded,
                checked,
            } => {
                let report = report::<K>(&checked, &applied, loaded);
                commit(*applied, actor, &report, now).await?;
                return Ok(ImportReport {
                    elapsed: started.elapsed(),
                    ..report
                });
            }
            load::OnePass::Refused(checked) => checked,
        }
    } else {
        check_file(kind.clone(), path, format, &options.progress).await?
    };
    if checked.rejected.len() > 0 && !options.skip_invalid {
        return Err(InventoryError::Rejected(checked.rejection()));
    }
    let checked = Arc::new(checked);
    let plan = load::Plan {
        kind,
        path: path.to_owned(),
        format,
        checked: checked.clone(),
        rejects_file: options.rejects_file.clone(),
    };
    let (applied, accepted) = load::load(db, plan, &options.progress, now).await?;
    let report = report::<K>(&checked, &applied, accepted);
    commit(applied, actor, &report, now).await?;
    Ok(ImportReport {
        elapsed: started.elapsed(),
        ..report
    })
}

/// The report of an applied import (its time is set by the caller).
fn report<K: RowKind>(
    checked: &check::Checked,
    applied: &store::inventory::Applied,
    accepted: u64,
) -> ImportReport {
    ImportReport {
        kind: K::NAME,
        rows: checked.rows,
        written: applied.written,
        unchanged: accepted.saturating_sub(applied.written),
        rejected: checked.rejected.len(),
        rejects: checked.errors.clone(),
        elapsed: Duration::ZERO,
    }
}

/// Records the import in the audit log, in the import's own transaction, and commits both.
async fn commit(
    applied: store::inventory::Applied,
    actor: Actor,
    report: &ImportReport,
    now: DateTime<Utc>,
) -> Result<(), InventoryError> {
    let event = AuditEvent {
        actor,
        action: "inventory.imported",
        object_type: "inventory",
        object_id: report.kind.to_owned(),
        incident_id: None,
        summary: report.summary(),
    };
    match applied.transaction() {
        ImportTransaction::Transaction(txn) => audit::record(txn, now, event).await?,
        ImportTransaction::Session(session) => audit::record(session, now, event).await?,
    };
    applied.commit().await?;
    Ok(())
}

/// Pass 1, on a blocking thread: it is all parsing.
async fn check_file<K: RowKind>(
    kind: Arc<K>,
    path: &Path,
    format: Format,
    progress: &Progress,
) -> Result<check::Checked, InventoryError> {
    let (path, progress) = (path.to_owned(), progress.clone());
    tokio::task::spawn_blocking(move || check::check(kind.as_ref(), &path, format, &progress))
        .await
        .map_err(|e| InventoryError::Task(e.to_string()))?
}
