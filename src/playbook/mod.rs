//! Playbook files (`playbooks/<id>.toml`): reading and validating them into the definitions of
//! [`crate::domain::playbook`], and the validated set Candor runs with — the copy built into
//! the binary, or a folder — with which playbooks attach to an incident by themselves.
//!
//! The format is described in `playbooks/README.md`. Every problem of every file is reported
//! at once, as `file:line: field: reason`. [`run`] attaches playbooks to incidents and runs
//! them.

mod embedded;
mod problem;
mod raw;
pub mod run;
mod set;
mod syntax;
mod validate;

#[cfg(test)]
mod tests;

pub use problem::{PlaybookErrors, Problem};
pub use set::{Playbooks, applies};
