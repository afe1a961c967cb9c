//! What is wrong with a rules pack: every problem, each as `file:line: field: reason`.

use std::fmt;
use std::ops::Range;

/// One thing wrong with one file of the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name inside the pack folder (`us-ca.toml`).
    pub file: String,
    /// The 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The field's path (`duties.attorney_general.operator`), or `file` for the file as a whole.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}: {}", self.file, self.field, self.reason),
            None => write!(f, "{}: {}: {}", self.file, self.field, self.reason),
        }
    }
}

/// Every problem found in a pack; the pack is refused when there is at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackErrors(pub Vec<Problem>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "the rules pack has {count} {noun}:")?;
        for problem in &self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// Collects the problems of one file, turning byte spans into line numbers.
pub(super) struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    pub(super) list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            list: Vec::new(),
        }
    }

    /// Records a problem at `span` (a byte range in the file), or at no line.
    pub(super) fn add(
        &mut self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) {
        let line = span.map(|s| line_of(self.text, s.start));
        self.list.push(Problem {
            file: self.file.to_owned(),
            line,
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// The file's name.
    pub(super) fn file(&self) -> &'a str {
        self.file
    }

    /// The file's content.
    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// How many problems so far.
    pub(super) fn count(&self) -> usize {
        self.list.len()
    }
}

/// The 1-based line holding byte `offset`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
