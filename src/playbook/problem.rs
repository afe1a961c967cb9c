//! What is wrong with a set of playbook files: every problem, each as `file:line: field: reason`.

use std::fmt;

pub use crate::domain::file_problem::FileProblem as Problem;
pub(super) use crate::domain::file_problem::Problems;
use crate::domain::file_problem::write_list;

/// Every problem found in a set of playbooks; the set is refused when there is at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlaybookErrors(pub Vec<Problem>);

impl fmt::Display for PlaybookErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, "the playbooks have", &self.0)
    }
}
