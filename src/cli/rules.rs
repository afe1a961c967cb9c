//! `candor rules check [--dir DIR]`: validates the jurisdiction rules pack (the embedded one,
//! or a folder) and prints every problem, or a one-line summary.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::rules::Pack;

/// Work with the jurisdiction rules pack.
#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Validate the pack; exits 1 listing every problem.
    Check {
        /// Check this folder instead of the pack built into the binary
        /// (e.g. playbooks/jurisdictions).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Runs `candor rules …`.
pub fn run(command: RulesCommand) -> anyhow::Result<ExitCode> {
    let RulesCommand::Check { dir } = command;
    let (loaded, source) = match &dir {
        Some(dir) => (Pack::load_dir(dir), dir.display().to_string()),
        None => (Pack::embedded(), "embedded pack".to_owned()),
    };
    match loaded {
        Ok(pack) => {
            println!(
                "rules pack OK ({source}): {} jurisdictions, {} duties, version {}",
                pack.jurisdictions().len(),
                pack.duty_count(),
                pack.version()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for problem in &errors.0 {
                eprintln!("{problem}");
            }
            let count = errors.0.len();
            let noun = if count == 1 { "problem" } else { "problems" };
            eprintln!("rules pack refused ({source}): {count} {noun}");
            Ok(ExitCode::FAILURE)
        }
    }
}
