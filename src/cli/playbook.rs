//! `candor playbook check [FILE|DIR]`: validates playbooks (the embedded ones, a folder, or one
//! file) against the notice templates in use, and prints every problem, or a line per playbook.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::domain::playbook::{Playbook, StepKind};
use crate::notice::templates::TemplateSet;
use crate::playbook::Playbooks;

/// Work with playbooks.
#[derive(Debug, clap::Subcommand)]
pub enum PlaybookCommand {
    /// Validate playbooks; exits 1 listing every problem.
    Check {
        /// A playbook file or a folder of them (e.g. playbooks); without it, the playbooks
        /// built into the binary. A single file may start a shipped playbook.
        #[arg(value_name = "FILE|DIR")]
        path: Option<PathBuf>,
    },
}

/// Runs `candor playbook …`; `notice_templates` is `CANDOR_NOTICE_TEMPLATES`.
pub fn run(command: PlaybookCommand, notice_templates: Option<&Path>) -> anyhow::Result<ExitCode> {
    let PlaybookCommand::Check { path } = command;
    let templates = match notice_templates {
        Some(dir) => TemplateSet::load_dir(dir)
            .map_err(|e| anyhow::anyhow!("{e} (CANDOR_NOTICE_TEMPLATES)"))?,
        None => TemplateSet::embedded(),
    };
    let (loaded, source) = match &path {
        None => (
            Playbooks::embedded_for(&templates),
            "embedded playbooks".to_owned(),
        ),
        Some(dir) if dir.is_dir() => (
            Playbooks::load_dir(dir, &templates),
            dir.display().to_string(),
        ),
        Some(file) => {
            // The shipped set only names what a single file may start.
            let shipped = Playbooks::embedded().unwrap_or_default();
            (
                Playbooks::load_file(file, &templates, &shipped),
                file.display().to_string(),
            )
        }
    };
    match loaded {
        Ok(playbooks) => {
            for playbook in playbooks.all() {
                println!("{}", summary(playbook));
            }
            let count = playbooks.len();
            let noun = if count == 1 { "playbook" } else { "playbooks" };
            println!("playbooks OK ({source}): {count} {noun}");
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for problem in &errors.0 {
                eprintln!("{problem}");
            }
            let count = errors.0.len();
            let noun = if count == 1 { "problem" } else { "problems" };
            eprintln!("playbooks refused ({source}): {count} {noun}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One line: id, version, name, its steps by kind, and when it attaches.
fn summary(playbook: &Playbook) -> String {
    let count = |f: fn(&StepKind) -> bool| playbook.steps.iter().filter(|s| f(&s.kind)).count();
    let tasks = count(|k| matches!(k, StepKind::Task { .. }));
    let gates = count(|k| matches!(k, StepKind::Gate { .. }));
    let actions = count(|k| matches!(k, StepKind::Action(_)));
    format!(
        "{} v{} ({}): {} ({}, {}, {}); {}",
        playbook.id,
        playbook.version,
        playbook.name,
        plural(playbook.steps.len(), "step"),
        plural(tasks, "task"),
        plural(gates, "gate"),
        plural(actions, "action"),
        attaches(playbook)
    )
}

/// `1 step`, `2 steps`.
fn plural(count: usize, noun: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{s}")
}

/// When the playbook attaches by itself, in words.
fn attaches(playbook: &Playbook) -> String {
    let when = &playbook.applies_when;
    let join = |keys: Vec<&str>| keys.join(", ");
    let mut parts = Vec::new();
    if !when.kinds.is_empty() {
        parts.push(format!(
            "kind {}",
            join(when.kinds.iter().map(|k| k.as_str()).collect())
        ));
    }
    if let Some(severity) = when.severity_at_least {
        parts.push(format!("severity {severity} or above"));
    }
    if !when.categories_any.is_empty() {
        let keys = when.categories_any.iter().map(|c| c.as_str()).collect();
        parts.push(format!("exposing any of {}", join(keys)));
    }
    if !when.categories_all.is_empty() {
        let keys = when.categories_all.iter().map(|c| c.as_str()).collect();
        parts.push(format!("exposing all of {}", join(keys)));
    }
    if parts.is_empty() {
        "attaches only when asked for".to_owned()
    } else {
        format!("attaches to {}", parts.join(", "))
    }
}
