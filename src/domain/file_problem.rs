//! A problem with one line of a configuration file (the rules pack, playbooks), shown as
//! `file:line: field: reason`, and the collector that turns byte spans into lines so a file's
//! every problem is reported at once.

use std::fmt;
use std::ops::Range;

/// One thing wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file's name (`us-ca.toml`, `customer-data-breach.toml`).
    pub file: String,
    /// The 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The field's path (`duties.attorney_general.operator`, `steps.send-notice.due`), or
    /// `file` for the file as a whole.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}: {}", self.file, self.field, self.reason),
            None => write!(f, "{}: {}: {}", self.file, self.field, self.reason),
        }
    }
}

impl FileProblem {
    /// A problem with a whole file (or folder), at no line.
    pub fn whole(file: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem {
            file: file.into(),
            line: None,
            field: "file".to_owned(),
            reason: reason.into(),
        }
    }
}

/// Collects the problems of one file, turning byte spans into line numbers.
pub struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    pub list: Vec<FileProblem>,
}

impl<'a> Problems<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            list: Vec::new(),
        }
    }

    /// Records a problem at `span` (a byte range in the file), or at no line.
    pub fn add(
        &mut self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) {
        let line = span.map(|s| line_of(self.text, s.start));
        self.list.push(FileProblem {
            file: self.file.to_owned(),
            line,
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// The file's name.
    pub fn file(&self) -> &'a str {
        self.file
    }

    /// The file's content.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// How many problems so far.
    pub fn count(&self) -> usize {
        self.list.len()
    }
}

/// The 1-based line holding byte `offset`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Writes `{what} has N problem(s):` and each problem on its own indented line.
pub fn write_list(f: &mut fmt::Formatter<'_>, what: &str, list: &[FileProblem]) -> fmt::Result {
    let count = list.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    write!(f, "{what} {count} {noun}:")?;
    for problem in list {
        write!(f, "\n  {problem}")?;
    }
    Ok(())
}

/// A required, non-blank text field; `at` places a missing one (its table).
pub fn required_text(
    p: &mut Problems,
    field: &str,
    value: Option<&toml::Spanned<String>>,
    at: Option<Range<usize>>,
) -> Option<String> {
    match value {
        None => {
            p.add(at, field, "missing");
            None
        }
        Some(v) if v.get_ref().trim().is_empty() => {
            p.add(Some(v.span()), field, "must not be blank");
            None
        }
        Some(v) => Some(v.get_ref().trim().to_owned()),
    }
}
