//! What is wrong with a rules pack: every problem, each as `file:line: field: reason`.

use std::fmt;

pub use crate::domain::file_problem::FileProblem as Problem;
pub(super) use crate::domain::file_problem::Problems;
use crate::domain::file_problem::write_list;

/// Every problem found in a pack; the pack is refused when there is at least one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackErrors(pub Vec<Problem>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, "the rules pack has", &self.0)
    }
}
