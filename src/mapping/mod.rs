//! The mapping capability: an incident's declared scope and forensic record lists, the
//! background mapping runs that compute who is affected, and reading their result as an impact
//! summary and a list of people, each with a one-line "why".
//!
//! Personal data (names, emails, the keys of unmatched people) stays in the database and in
//! the answers to the staff who may read it; logs, errors and audit entries carry ids and
//! counts only.

mod affected;
mod forensic;
mod impact;
mod runs;
mod scope;
mod why;
pub mod worker;

pub use affected::{AffectedPage, AffectedPerson, CsvExport, affected_csv, affected_page};
pub use forensic::{ForensicSummary, parse_forensic_list, replace_forensic_list};
pub use impact::{Impact, impact};
pub use runs::{
    DEFAULT_WORK_MEM, MappingConfig, RunOutcome, delete_all_results, execute_run, get_run,
    request_mapping,
};
pub use scope::{Scope, ScopeSystemInput, scope, set_scope};
pub use why::{Places, why_sentence};
pub use worker::Worker;

use sea_orm::DbErr;
use uuid::Uuid;

pub use crate::domain::Problem;

/// Errors of the mapping capability.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("no such mapping run")]
    RunNotFound,
    #[error("this incident has not been mapped yet; start a mapping first")]
    NotMapped,
    #[error("the request has invalid fields")]
    Invalid(Vec<Problem>),
    /// A file with bad lines; nothing was written.
    #[error("the file has {} bad lines", .0.len())]
    BadFile(Vec<Problem>),
    #[error("mapping run {run_id} of this incident is still {status}; wait for it to finish")]
    InProgress { run_id: Uuid, status: &'static str },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}
