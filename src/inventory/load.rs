//! Pass 2: read the file again and load every good row, in batches, through the store's
//! loader, inside one transaction. Parsing runs on a blocking thread and hands batches to the
//! writer through a small bounded channel, so reading and writing overlap and memory stays
//! constant. Bad rows go to the rejects file, if one was asked for.
//!
//! On PostgreSQL, where loading writes only inside the import's transaction, [`check_and_load`] does
//! pass 1 and pass 2 in one read of a clean file.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use super::check::{Checked, check_with, open, validate};
use super::rejects::RejectsWriter;
use super::rows::RowKind;
use super::source::{Format, Record};
use super::{InventoryError, Phase, Progress};
use crate::store::inventory::{Applied, Loader};

/// Rows per batch handed to the store.
const BATCH: usize = 1000;

/// Batches in flight between the reader and the writer.
const IN_FLIGHT: usize = 4;

/// Where pass 2 reads and what it already knows.
pub(crate) struct Plan<K> {
    pub kind: Arc<K>,
    pub path: PathBuf,
    pub format: Format,
    pub checked: Arc<Checked>,
    pub rejects_file: Option<PathBuf>,
}

/// Loads the file's good rows and applies them; the transaction is left open for the audit
/// entry. Returns it with the number of rows loaded.
pub(crate) async fn load<K: RowKind>(
    db: &DatabaseConnection,
    plan: Plan<K>,
    progress: &Progress,
    now: DateTime<Utc>,
) -> Result<(Applied, u64), InventoryError> {
    let (tx, mut rx) = mpsc::channel::<Vec<K::Row>>(IN_FLIGHT);
    let reader = tokio::task::spawn_blocking(move || read(&plan, &tx));
    let mut loader = Loader::<K::Row>::open(db, now).await?;
    let mut loaded = 0u64;
    while let Some(batch) = rx.recv().await {
        loaded += batch.len() as u64;
        loader.load(batch).await?;
        progress.report(Phase::Loading, loaded);
    }
    let accepted = reader
        .await
        .map_err(|e| InventoryError::Task(e.to_string()))??;
    if accepted != loaded {
        return Err(InventoryError::Changed);
    }
    let applied = loader
        .apply(|n| progress.report(Phase::Applying, n))
        .await?;
    Ok((applied, accepted))
}

/// What the single read of [`check_and_load`] came to.
pub(crate) enum OnePass {
    /// The file was clean: its rows are applied inside the still open transaction.
    Applied {
        applied: Box<Applied>,
        loaded: u64,
        checked: Checked,
    },
    /// Not every row was loaded (some are bad, or a key's digest repeated): nothing was
    /// applied, and this is what the check found, for a refusal or for a second pass that
    /// loads the good rows.
    Refused(Checked),
}

/// PostgreSQL: checks the file and loads its rows in the same read. Loading writes inside the
/// import's own transaction, so a clean file (the usual case) is read once and applied; a file
/// with a bad row is still checked to its end, for the full report, and what was loaded is
/// rolled back.
pub(crate) async fn check_and_load<K: RowKind>(
    db: &DatabaseConnection,
    kind: Arc<K>,
    path: PathBuf,
    format: Format,
    progress: &Progress,
    now: DateTime<Utc>,
) -> Result<OnePass, InventoryError> {
    let (tx, mut rx) = mpsc::channel::<Vec<K::Row>>(IN_FLIGHT);
    let reporting = progress.clone();
    let checker = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut open = true;
        let checked = check_with(kind.as_ref(), &path, format, &reporting, |row| {
            if open {
                batch.push(row);
                if batch.len() == BATCH {
                    // A closed channel: the writer stopped on an error of its own.
                    open = tx
                        .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_ok();
                }
            }
        })?;
        if open && !batch.is_empty() && checked.rejected.len() == 0 {
            let _ = tx.blocking_send(batch);
        }
        Ok::<_, InventoryError>(checked)
    });
    let mut loader = Loader::<K::Row>::open(db, now).await?;
    let mut loaded = 0u64;
    while let Some(batch) = rx.recv().await {
        loaded += batch.len() as u64;
        loader.load(batch).await?;
    }
    let checked = checker
        .await
        .map_err(|e| InventoryError::Task(e.to_string()))??;
    if checked.rejected.len() > 0 || loaded != checked.rows {
        // Bad rows, or a repeated digest that stopped the loading (a duplicate key is bad;
        // a mere digest collision is not, and the second pass loads every good row).
        loader.discard().await;
        return Ok(OnePass::Refused(checked));
    }
    let applied = loader
        .apply(|n| progress.report(Phase::Applying, n))
        .await?;
    Ok(OnePass::Applied {
        applied: Box::new(applied),
        loaded,
        checked,
    })
}

/// The reading side: sends batches of good rows, writes the rejects; returns the rows sent.
fn read<K: RowKind>(plan: &Plan<K>, tx: &mpsc::Sender<Vec<K::Row>>) -> Result<u64, InventoryError> {
    let checked = &plan.checked;
    let mut source = open::<K>(&plan.path, plan.format).map_err(|_| InventoryError::Changed)?;
    let mut rejects = match &plan.rejects_file {
        Some(path) => Some(RejectsWriter::create(path, source.csv_header())?),
        None => None,
    };
    let mut record = Record::default();
    let mut batch = Vec::with_capacity(BATCH);
    let (mut rows, mut sent) = (0u64, 0u64);
    while source.next(&mut record)? {
        rows += 1;
        if checked.rejected.contains(record.line) {
            if let Some(out) = rejects.as_mut() {
                let reason = reason(plan.kind.as_ref(), &record, checked);
                out.write(record.line, &reason, source.raw())?;
            }
            continue;
        }
        // Pass 1 accepted this line: failing now means the file changed in between.
        batch.push(validate(plan.kind.as_ref(), &record).map_err(|_| InventoryError::Changed)?);
        if batch.len() == BATCH {
            sent += BATCH as u64;
            if tx
                .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .is_err()
            {
                // The writer stopped on an error of its own, which it reports.
                return Ok(sent);
            }
        }
    }
    if rows != checked.rows {
        return Err(InventoryError::Changed);
    }
    sent += batch.len() as u64;
    if !batch.is_empty() && tx.blocking_send(batch).is_err() {
        return Ok(sent);
    }
    if let Some(out) = rejects {
        out.finish()?;
    }
    Ok(sent)
}

/// Why a line pass 1 rejected is bad.
fn reason<K: RowKind>(kind: &K, record: &Record, checked: &Checked) -> String {
    if let Some(first) = checked.duplicates.get(&record.line) {
        return K::duplicate(&record.fields, *first);
    }
    validate(kind, record)
        .err()
        .unwrap_or_else(|| "invalid row".into())
}
