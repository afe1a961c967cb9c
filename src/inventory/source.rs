//! Reading an inventory file, one record at a time in constant memory: CSV with a header, or
//! JSON Lines with the same keys. Each record comes out as its values in the kind's column
//! order, with any structural problem (wrong field count, bad JSON, unknown key) noted.
//!
//! No line may be longer than [`MAX_LINE_BYTES`]: the reader counts the bytes since the last
//! line break as it reads and stops at the first line over the cap, so a file that is one
//! 50 MB line is refused after reading 64 KiB of it, never held in memory. A file starting
//! with a UTF-16 byte-order mark is refused on line 1; a UTF-8 one is skipped.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::{InventoryError, Rejection, RowError};

/// The longest line an inventory file may have, in bytes (64 KiB): far more than any valid
/// row needs (every column is bounded to a few hundred characters).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The buffered, line-capped input every source reads.
pub(crate) type Input = BufReader<LineCap<Box<dyn Read + Send>>>;

/// A reader that fails at the first line longer than [`MAX_LINE_BYTES`].
pub(crate) struct LineCap<R> {
    inner: R,
    /// The physical line being read (1-based).
    line: u64,
    /// Bytes read since the last line break.
    run: usize,
}

/// The error [`LineCap`] reads fail with.
#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is longer than {MAX_LINE_BYTES} bytes",
            self.line
        )
    }
}

impl std::error::Error for LineTooLong {}

impl<R: Read> LineCap<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineCap {
            inner,
            line: 1,
            run: 0,
        }
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > MAX_LINE_BYTES {
                    return Err(std::io::Error::other(LineTooLong { line: self.line }));
                }
            }
        }
        Ok(n)
    }
}

/// The refusal for a line over the cap, if `err` is one.
pub(crate) fn line_too_long(err: &std::io::Error) -> Option<Rejection> {
    let long = err.get_ref()?.downcast_ref::<LineTooLong>()?;
    let reason = format!(
        "longer than {MAX_LINE_BYTES} bytes (the most a line may have); the file was not read \
         past it"
    );
    Some(Rejection {
        rows: 0,
        rejected: 1,
        errors: vec![RowError::new(long.line, reason)],
    })
}

/// An I/O error of the reader: a refusal if it is a line over the cap.
pub(crate) fn read_error(err: std::io::Error) -> InventoryError {
    match line_too_long(&err) {
        Some(rejection) => InventoryError::Rejected(rejection),
        None => InventoryError::Read(err),
    }
}

/// The format of an inventory file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line, with the CSV header's names as keys.
    Jsonl,
}

impl Format {
    /// The format named `csv` or `jsonl` (also `ndjson`).
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }

    /// The format a file name implies: `.csv`, `.jsonl` or `.ndjson`.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
    }
}

/// One record of the file.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// The line the record starts on (the CSV header is line 1).
    pub line: u64,
    /// The values as written (untrimmed), in the kind's column order.
    pub fields: Vec<String>,
    /// What is wrong with the record's shape, if anything.
    pub problems: Vec<String>,
}

/// The original text of the current record, for the rejects file.
pub(crate) enum Raw<'a> {
    Csv(&'a csv::ByteRecord),
    Jsonl(&'a [u8]),
}

/// An open inventory file.
pub(crate) enum Source {
    Csv(CsvSource),
    Jsonl(super::jsonl::JsonlSource),
}

/// A CSV file whose header has been checked.
pub(crate) struct CsvSource {
    reader: csv::Reader<Input>,
    header: csv::ByteRecord,
    /// For each header position, the column it fills.
    map: Vec<usize>,
    raw: csv::ByteRecord,
    columns: &'static [&'static str],
}

impl Source {
    /// Opens `path`. A CSV header that does not name exactly `columns` (in any order) is
    /// returned as problems on line 1.
    pub(crate) fn open(
        path: &Path,
        format: Format,
        columns: &'static [&'static str],
    ) -> Result<Result<Source, Vec<RowError>>, InventoryError> {
        let file = File::open(path).map_err(InventoryError::Read)?;
        Source::from_reader(Box::new(file), format, columns)
    }

    /// Like [`Source::open`], over any reader (the fuzz targets read from memory).
    pub(crate) fn from_reader(
        reader: Box<dyn Read + Send>,
        format: Format,
        columns: &'static [&'static str],
    ) -> Result<Result<Source, Vec<RowError>>, InventoryError> {
        let mut reader = BufReader::with_capacity(1 << 16, LineCap::new(reader));
        let start = reader.fill_buf().map_err(read_error)?;
        if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
            let problem = "the file is UTF-16 (it starts with a UTF-16 byte-order mark); \
                           save it as UTF-8";
            return Ok(Err(vec![RowError::new(1, problem)]));
        }
        match format {
            Format::Jsonl => Ok(Ok(Source::Jsonl(super::jsonl::JsonlSource::new(
                reader, columns,
            )))),
            Format::Csv => CsvSource::open(reader, columns).map(|r| r.map(Source::Csv)),
        }
    }

    /// Reads the next record into `record`; false at the end of the file.
    pub(crate) fn next(&mut self, record: &mut Record) -> Result<bool, InventoryError> {
        match self {
            Source::Csv(csv) => csv.next(record),
            Source::Jsonl(jsonl) => jsonl.next(record),
        }
    }

    /// The original text of the record last read.
    pub(crate) fn raw(&self) -> Raw<'_> {
        match self {
            Source::Csv(csv) => Raw::Csv(&csv.raw),
            Source::Jsonl(jsonl) => Raw::Jsonl(jsonl.raw()),
        }
    }

    /// The bytes of the file read so far (for progress reports).
    pub(crate) fn bytes_read(&self) -> u64 {
        match self {
            Source::Csv(csv) => csv.reader.position().byte(),
            Source::Jsonl(jsonl) => jsonl.bytes_read(),
        }
    }

    /// The CSV header as written.
    pub(crate) fn csv_header(&self) -> Option<&csv::ByteRecord> {
        match self {
            Source::Csv(csv) => Some(&csv.header),
            Source::Jsonl(_) => None,
        }
    }
}

impl CsvSource {
    fn open(
        reader: Input,
        columns: &'static [&'static str],
    ) -> Result<Result<CsvSource, Vec<RowError>>, InventoryError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut header = csv::ByteRecord::new();
        let read = match reader.read_byte_record(&mut header).map_err(csv_err) {
            Err(InventoryError::Rejected(long)) => return Ok(Err(long.errors)),
            other => other?,
        };
        if !read {
            let problem = format!(
                "the file is empty; the header must be {}",
                columns.join(",")
            );
            return Ok(Err(vec![RowError::new(1, problem)]));
        }
        match header_map(&header, columns) {
            Ok(map) => Ok(Ok(CsvSource {
                reader,
                header,
                map,
                raw: csv::ByteRecord::new(),
                columns,
            })),
            Err(problems) => Ok(Err(problems
                .into_iter()
                .map(|p| RowError::new(1, p))
                .collect())),
        }
    }

    fn next(&mut self, record: &mut Record) -> Result<bool, InventoryError> {
        if !self
            .reader
            .read_byte_record(&mut self.raw)
            .map_err(csv_err)?
        {
            return Ok(false);
        }
        record.line = self.raw.position().map_or(0, |p| p.line());
        record.problems.clear();
        record.fields.clear();
        record.fields.resize(self.columns.len(), String::new());
        if self.raw.len() != self.map.len() {
            record.problems.push(format!(
                "expected {} fields, found {}",
                self.map.len(),
                self.raw.len()
            ));
            return Ok(true);
        }
        for (value, &column) in self.raw.iter().zip(&self.map) {
            match std::str::from_utf8(value) {
                Ok(text) => record.fields[column].push_str(text),
                Err(_) => record
                    .problems
                    .push(format!("{}: not valid UTF-8", self.columns[column])),
            }
        }
        Ok(true)
    }
}

fn csv_err(err: csv::Error) -> InventoryError {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => read_error(e),
        other => InventoryError::Read(std::io::Error::other(format!("{other:?}"))),
    }
}

/// Maps header positions to columns, or names every unknown, repeated and missing column.
fn header_map(header: &csv::ByteRecord, columns: &[&str]) -> Result<Vec<usize>, Vec<String>> {
    let mut problems = Vec::new();
    let mut map = Vec::with_capacity(header.len());
    let mut seen = vec![false; columns.len()];
    for (i, raw) in header.iter().enumerate() {
        let raw = if i == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let name = String::from_utf8_lossy(raw).trim().to_ascii_lowercase();
        match columns.iter().position(|c| *c == name) {
            Some(column) if seen[column] => problems.push(format!("column `{name}` appears twice")),
            Some(column) => {
                seen[column] = true;
                map.push(column);
            }
            None => problems.push(format!("unknown column `{name}`")),
        }
    }
    for (column, present) in columns.iter().zip(&seen) {
        if !present {
            problems.push(format!("missing column `{column}`"));
        }
    }
    if problems.is_empty() {
        Ok(map)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["system", "description", "owner", "encrypted_at_rest"];

    fn header(text: &str) -> csv::ByteRecord {
        csv::ByteRecord::from(text.split(',').collect::<Vec<_>>())
    }

    #[test]
    fn the_bytes_read_reach_the_file_s_size_at_its_end() {
        let text = "system,description,owner,encrypted_at_rest\ncrm,CRM,sales,false\n\n";
        let json = "{\"system\":\"crm\"}\n\n{\"system\":\"web\"}\n";
        for (format, content) in [(Format::Csv, text), (Format::Jsonl, json)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("file");
            std::fs::write(&path, content).unwrap();
            let mut source = Source::open(&path, format, COLUMNS).unwrap().unwrap();
            let mut record = Record::default();
            assert!(source.next(&mut record).unwrap());
            assert!(source.bytes_read() < content.len() as u64, "{format:?}");
            while source.next(&mut record).unwrap() {}
            assert_eq!(source.bytes_read(), content.len() as u64, "{format:?}");
        }
    }

    #[test]
    fn header_columns_may_come_in_any_order_and_case() {
        let map = header_map(
            &header("\u{feff}Owner,system, description ,encrypted_at_rest"),
            COLUMNS,
        )
        .unwrap();
        assert_eq!(map, vec![2, 0, 1, 3]);
    }

    #[test]
    fn header_names_unknown_repeated_and_missing_columns() {
        let problems = header_map(&header("system,colour,system"), COLUMNS).unwrap_err();
        assert_eq!(
            problems,
            vec![
                "unknown column `colour`",
                "column `system` appears twice",
                "missing column `description`",
                "missing column `owner`",
                "missing column `encrypted_at_rest`",
            ]
        );
    }

    #[test]
    fn formats_are_known_by_name_and_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("a/b.csv")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("b.ndjson")),
            Some(Format::Jsonl)
        );
        assert_eq!(Format::parse("JSONL"), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("b.txt")), None);
    }
}
