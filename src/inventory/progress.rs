//! Progress reports of an import: which phase, and how many rows it has done; while checking,
//! also how many bytes of the file it has read, for a percentage. The CLI draws them on a
//! terminal; the staff app's import jobs store them; the API ignores them.

use std::fmt;
use std::sync::Arc;

/// A stage of an import, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Pass 1: validating rows.
    Checking,
    /// Pass 2: sending rows to the database.
    Loading,
    /// Applying loaded rows (PostgreSQL applies staged rows after loading them).
    Applying,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Checking => "checking",
            Phase::Loading => "loading",
            Phase::Applying => "applying",
        }
    }
}

/// Called with the phase and the rows done in it so far; must be cheap.
pub type ProgressFn = Arc<dyn Fn(Phase, u64) + Send + Sync>;

/// Called with the bytes of the file read so far by the check; must be cheap.
pub type BytesFn = Arc<dyn Fn(u64) + Send + Sync>;

/// An optional progress callback, and an optional one for the bytes read.
#[derive(Clone, Default)]
pub struct Progress(Option<ProgressFn>, Option<BytesFn>);

impl Progress {
    pub fn new(f: ProgressFn) -> Self {
        Progress(Some(f), None)
    }

    /// Also reports the bytes of the file the check has read, alongside its rows.
    pub fn with_bytes(self, f: BytesFn) -> Self {
        Progress(self.0, Some(f))
    }

    pub(crate) fn report(&self, phase: Phase, rows: u64) {
        if let Some(f) = &self.0 {
            f(phase, rows);
        }
    }

    pub(crate) fn report_bytes(&self, bytes: u64) {
        if let Some(f) = &self.1 {
            f(bytes);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}
