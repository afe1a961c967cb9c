//! Reading an inventory file, one record at a time in constant memory: CSV with a header, or
//! JSON Lines with the same keys. Each record comes out as its values in the kind's column
//! order, with any structural problem (wrong field count, bad JSON, unknown key) noted.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::{InventoryError, RowError};

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
    reader: csv::Reader<BufReader<File>>,
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
        let reader = BufReader::with_capacity(1 << 16, file);
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
        reader: BufReader<File>,
        columns: &'static [&'static str],
    ) -> Result<Result<CsvSource, Vec<RowError>>, InventoryError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut header = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut header).map_err(csv_err)? {
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
        csv::ErrorKind::Io(e) => InventoryError::Read(e),
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
