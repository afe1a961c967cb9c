//! What can go wrong with a template set: reading it, compiling it, rendering it.

use std::fmt;

/// A template set could not be read or edited.
#[derive(Debug, thiserror::Error)]
pub enum TemplateSetError {
    /// A file or folder could not be read.
    #[error("{file}: cannot read: {reason}")]
    Unreadable { file: String, reason: String },
    /// A file is not UTF-8 text.
    #[error("{file}: not UTF-8 text")]
    NotText { file: String },
    /// An edit names a file the set does not have (edits only replace shipped files).
    #[error("{file}: no such template file; an edit may only replace an existing file")]
    UnknownFile { file: String },
}

/// One thing wrong with a template set, found when compiling it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateProblem {
    /// The file relative to the templates root (`initial-notice/en/text.hbs`).
    pub file: String,
    /// From 1, when known.
    pub line: Option<u32>,
    /// From 1, when known.
    pub column: Option<u32>,
    pub message: String,
}

impl TemplateProblem {
    /// A problem with a whole file (missing, unexpected).
    pub(super) fn file(file: impl Into<String>, message: impl Into<String>) -> TemplateProblem {
        TemplateProblem {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, &self.file, self.line, self.column, &self.message)
    }
}

/// Every problem of a set, as one error (for callers that only need to refuse it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblems(pub Vec<TemplateProblem>);

impl fmt::Display for TemplateProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} template problem(s)", self.0.len())?;
        for problem in &self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateProblems {}

/// A template failed to render: a missing variable in strict mode, a helper given the wrong
/// value, a partial that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderProblem {
    /// The file the error is in (a partial's file when the error is inside the partial).
    pub file: String,
    /// From 1, when known.
    pub line: Option<u32>,
    /// From 1, when known.
    pub column: Option<u32>,
    pub message: String,
}

impl fmt::Display for RenderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, &self.file, self.line, self.column, &self.message)
    }
}

impl std::error::Error for RenderProblem {}

/// `file:line:col: message`, leaving out what is not known.
fn write_located(
    f: &mut fmt::Formatter<'_>,
    file: &str,
    line: Option<u32>,
    column: Option<u32>,
    message: &str,
) -> fmt::Result {
    f.write_str(file)?;
    if let Some(line) = line {
        write!(f, ":{line}")?;
        if let Some(column) = column {
            write!(f, ":{column}")?;
        }
    }
    write!(f, ": {message}")
}
