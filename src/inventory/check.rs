//! Pass 1: read the whole file, validate every row, and find repeated keys, writing nothing.
//! Every bad line is counted and marked; the first [`MAX_ERRORS`] reasons are kept in line
//! order. Memory stays constant in the rows' content: a bit per line and 8 bytes per key.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::RandomState;
use std::path::Path;

use super::dedup::{DigestSet, KeyDigests, LineSet};
use super::rows::{Fields, RowKind, key_hash, key_text};
use super::source::{Format, Record, Source};
use super::{InventoryError, Phase, Progress, Rejection, RowError};

/// The most row errors kept (all are counted).
pub const MAX_ERRORS: usize = 1000;

const PROGRESS_EVERY: u64 = 50_000;

/// What pass 1 found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Data rows in the file.
    pub rows: u64,
    /// The first [`MAX_ERRORS`] bad rows, by line.
    pub errors: Vec<RowError>,
    /// Every bad line.
    pub rejected: LineSet,
    /// For each line repeating an earlier key, the line where the key was first seen.
    pub duplicates: HashMap<u64, u64>,
}

impl Checked {
    fn reject(&mut self, line: u64, reason: String) {
        self.rejected.insert(line);
        self.errors.push(RowError::new(line, reason));
        if self.errors.len() >= 2 * MAX_ERRORS {
            self.trim_errors();
        }
    }

    fn trim_errors(&mut self) {
        self.errors.sort_by_key(|e| e.line);
        self.errors.truncate(MAX_ERRORS);
    }

    /// The rejection to return when the file is refused whole.
    pub(crate) fn rejection(&self) -> Rejection {
        Rejection {
            rows: self.rows,
            rejected: self.rejected.len(),
            errors: self.errors.clone(),
        }
    }
}

/// Validates one record into its row, or the reasons it is bad.
pub(crate) fn validate<K: RowKind>(kind: &K, record: &Record) -> Result<K::Row, String> {
    if !record.problems.is_empty() {
        return Err(record.problems.join("; "));
    }
    let mut fields = Fields::new(&record.fields, K::COLUMNS);
    match kind.parse(&mut fields) {
        Some(row) => Ok(row),
        None => Err(fields
            .into_problems()
            .unwrap_or_else(|| "invalid row".into())),
    }
}

/// Opens the file; a bad header refuses it whole, whatever `skip_invalid` says.
pub(crate) fn open<K: RowKind>(path: &Path, format: Format) -> Result<Source, InventoryError> {
    Source::open(path, format, K::COLUMNS)?.map_err(|errors| {
        InventoryError::Rejected(Rejection {
            rows: 0,
            rejected: 0,
            errors,
        })
    })
}

/// Pass 1 over the file at `path`.
pub(crate) fn check<K: RowKind>(
    kind: &K,
    path: &Path,
    format: Format,
    progress: &Progress,
) -> Result<Checked, InventoryError> {
    check_with(kind, path, format, progress, |_| {})
}

/// Pass 1, handing each valid row to `sink` until the first row that is bad or whose key's
/// digest was seen before (it may repeat a key), so a caller can load a clean file in the
/// same read. Rows after that one are only checked: the caller knows it got them all when it
/// got [`Checked::rows`] rows, and must otherwise discard what it loaded.
pub(crate) fn check_with<K: RowKind>(
    kind: &K,
    path: &Path,
    format: Format,
    progress: &Progress,
    mut sink: impl FnMut(K::Row),
) -> Result<Checked, InventoryError> {
    let mut source = open::<K>(path, format)?;
    let mut checked = Checked::default();
    let mut digests = KeyDigests::default();
    let state = RandomState::new();
    let mut record = Record::default();
    let mut feeding = true;
    while next_checked(&mut source, &mut record, &mut checked)? {
        checked.rows += 1;
        match validate(kind, &record) {
            Ok(row) => {
                // A repeated digest may be a duplicate key, which is only known at the end.
                feeding &= digests.observe(key_hash(&record.fields, K::KEY, &state));
                if feeding {
                    sink(row);
                }
            }
            Err(reason) => {
                feeding = false;
                checked.reject(record.line, reason);
            }
        }
        if checked.rows % PROGRESS_EVERY == 0 {
            progress.report_bytes(source.bytes_read());
            progress.report(Phase::Checking, checked.rows);
        }
    }
    progress.report_bytes(source.bytes_read());
    progress.report(Phase::Checking, checked.rows);
    drop(source);
    let repeated = digests.into_repeated();
    if !repeated.is_empty() {
        find_duplicates::<K>(path, format, (&repeated, &state), &mut checked)?;
    }
    checked.trim_errors();
    Ok(checked)
}

/// Reads the next record; a line over the length cap refuses the file there, with the bad
/// rows found before it and that line (whatever `skip_invalid` says: the rest is unread).
fn next_checked(
    source: &mut Source,
    record: &mut Record,
    checked: &mut Checked,
) -> Result<bool, InventoryError> {
    match source.next(record) {
        Err(InventoryError::Rejected(long)) => {
            checked.rows += 1;
            for error in long.errors {
                checked.reject(error.line, error.reason);
            }
            checked.trim_errors();
            Err(InventoryError::Rejected(checked.rejection()))
        }
        other => other,
    }
}

/// Compares the actual keys of the valid rows whose digest was seen more than once, and
/// rejects every row repeating a key of an earlier one.
fn find_duplicates<K: RowKind>(
    path: &Path,
    format: Format,
    (repeated, state): (&DigestSet, &RandomState),
    checked: &mut Checked,
) -> Result<(), InventoryError> {
    let mut source = open::<K>(path, format).map_err(|_| InventoryError::Changed)?;
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut record = Record::default();
    while source.next(&mut record)? {
        if checked.rejected.contains(record.line)
            || !repeated.contains(&key_hash(&record.fields, K::KEY, state))
        {
            continue;
        }
        match first_seen.entry(key_text(&record.fields, K::KEY)) {
            Entry::Occupied(first) => {
                let first = *first.get();
                checked.duplicates.insert(record.line, first);
                checked.reject(record.line, K::duplicate(&record.fields, first));
            }
            Entry::Vacant(slot) => {
                slot.insert(record.line);
            }
        }
    }
    Ok(())
}
