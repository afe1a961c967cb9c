//! JSON Lines input: one object per line whose keys are the CSV header's names. Values may be
//! text, numbers, `true`/`false` or `null` (empty); `categories` may also be an array of keys.
//! Blank lines are skipped. Problems never quote a value, only a key.

use std::io::BufRead;

use serde_json::Value;

use super::InventoryError;
use super::source::{Input, Record, read_error};

/// A JSON Lines file being read.
pub(crate) struct JsonlSource {
    reader: Input,
    line: Vec<u8>,
    number: u64,
    bytes: u64,
    columns: &'static [&'static str],
}

impl JsonlSource {
    /// Reads `reader`, skipping a UTF-8 byte-order mark at its start.
    pub(crate) fn new(mut reader: Input, columns: &'static [&'static str]) -> Self {
        let bom = reader
            .fill_buf()
            .is_ok_and(|start| start.starts_with(b"\xEF\xBB\xBF"));
        if bom {
            reader.consume(3);
        }
        JsonlSource {
            reader,
            line: Vec::with_capacity(1024),
            number: 0,
            bytes: if bom { 3 } else { 0 },
            columns,
        }
    }

    /// The last line read, without its line break.
    pub(crate) fn raw(&self) -> &[u8] {
        self.line.trim_ascii_end()
    }

    /// The bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes
    }

    pub(crate) fn next(&mut self, record: &mut Record) -> Result<bool, InventoryError> {
        loop {
            self.line.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(read_error)?;
            if read == 0 {
                return Ok(false);
            }
            self.bytes += read as u64;
            self.number += 1;
            if !self.line.trim_ascii().is_empty() {
                break;
            }
        }
        record.line = self.number;
        parse_line(self.line.trim_ascii(), self.columns, record);
        Ok(true)
    }
}

/// Fills `record` from one line of JSON.
pub(crate) fn parse_line(line: &[u8], columns: &[&str], record: &mut Record) {
    record.problems.clear();
    record.fields.clear();
    record.fields.resize(columns.len(), String::new());
    if let Err(e) = std::str::from_utf8(line) {
        record.problems.push(format!(
            "not valid UTF-8 (byte {}); save the file as UTF-8",
            e.valid_up_to() + 1
        ));
        return;
    }
    let object = match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            record.problems.push("not a JSON object".into());
            return;
        }
        Err(e) => {
            // serde_json's syntax messages name what was expected, never the text found.
            record
                .problems
                .push(format!("not valid JSON (column {})", e.column()));
            return;
        }
    };
    for (key, value) in object {
        let Some(column) = columns.iter().position(|c| *c == key) else {
            record.problems.push(format!("unknown key `{key}`"));
            continue;
        };
        match text(value) {
            Some(text) => record.fields[column] = text,
            None => record
                .problems
                .push(format!("{key}: must be text, a number, true/false or null")),
        }
    }
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let keys: Option<Vec<String>> = items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect();
            keys.map(|k| k.join(";"))
        }
        Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["system", "categories", "encrypted_at_rest"];

    fn parse(line: &str) -> Record {
        let mut record = Record::default();
        parse_line(line.as_bytes(), COLUMNS, &mut record);
        record
    }

    #[test]
    fn keys_fill_their_columns_and_missing_keys_are_empty() {
        let r = parse(r#"{"categories": ["name", "email"], "encrypted_at_rest": true}"#);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.fields, vec!["", "name;email", "true"]);
    }

    #[test]
    fn problems_name_keys_but_never_quote_values() {
        let r = parse(r#"{"system": {"x": 1}, "colour": "secret@example.com"}"#);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(
            r.problems
                .contains(&"system: must be text, a number, true/false or null".into())
        );
        assert!(r.problems.contains(&"unknown key `colour`".into()));
        let r = parse(r#""secret@example.com""#);
        assert_eq!(r.problems, vec!["not a JSON object"]);
        let r = parse(r#"{"system": "secret@example.com""#);
        assert!(
            r.problems[0].starts_with("not valid JSON"),
            "{:?}",
            r.problems
        );
        assert!(!r.problems[0].contains("secret"));
    }
}
