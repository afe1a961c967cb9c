//! The notice linter: rendering, law, readability, tone, links and contact details.

pub mod links;
pub mod locate;
pub mod readability;
mod run;
pub mod tone;
pub use run::{LintCase, LintInput, LintReport, ReportedFinding, lint};
