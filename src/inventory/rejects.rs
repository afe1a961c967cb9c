//! The rejects file of `--skip-invalid`: every bad row with its line and reason, in the input's
//! own format. CSV: the header `line,reason,` then the original columns. JSON Lines:
//! `{"line":…,"reason":…,"original":"<the line as written>"}`. It holds the rows' personal
//! data, so on Unix it is readable by its owner only.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::InventoryError;
use super::source::Raw;

/// An open rejects file.
pub(crate) enum RejectsWriter {
    Csv(Box<csv::Writer<File>>),
    Jsonl(BufWriter<File>),
}

fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn io(err: impl Into<std::io::Error>) -> InventoryError {
    InventoryError::Rejects(err.into())
}

impl RejectsWriter {
    /// Creates the file; a CSV one starts with the input's header after `line,reason`.
    pub(crate) fn create(
        path: &Path,
        csv_header: Option<&csv::ByteRecord>,
    ) -> Result<Self, InventoryError> {
        let file = create_private(path).map_err(io)?;
        match csv_header {
            Some(header) => {
                let mut writer = csv::Writer::from_writer(file);
                let mut first = csv::ByteRecord::from(vec!["line", "reason"]);
                first.extend(header.iter());
                writer.write_byte_record(&first).map_err(io)?;
                Ok(RejectsWriter::Csv(Box::new(writer)))
            }
            None => Ok(RejectsWriter::Jsonl(BufWriter::new(file))),
        }
    }

    /// Writes one bad row.
    pub(crate) fn write(
        &mut self,
        line: u64,
        reason: &str,
        raw: Raw<'_>,
    ) -> Result<(), InventoryError> {
        match (self, raw) {
            (RejectsWriter::Csv(writer), Raw::Csv(record)) => {
                let line = line.to_string();
                let mut out = csv::ByteRecord::from(vec![line.as_str(), reason]);
                out.extend(record.iter());
                writer.write_byte_record(&out).map_err(io)
            }
            (RejectsWriter::Jsonl(writer), Raw::Jsonl(text)) => {
                let entry = serde_json::json!({
                    "line": line,
                    "reason": reason,
                    "original": String::from_utf8_lossy(text),
                });
                serde_json::to_writer(&mut *writer, &entry).map_err(io)?;
                writer.write_all(b"\n").map_err(io)
            }
            _ => Err(io(std::io::Error::other("rejects file format mismatch"))),
        }
    }

    /// Flushes the file to disk.
    pub(crate) fn finish(self) -> Result<(), InventoryError> {
        let file = match self {
            RejectsWriter::Csv(writer) => writer.into_inner().map_err(|e| io(e.into_error()))?,
            RejectsWriter::Jsonl(writer) => writer.into_inner().map_err(|e| io(e.into_error()))?,
        };
        file.sync_all().map_err(io)
    }
}
