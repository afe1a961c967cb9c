//! `candor import systems|customers|holdings FILE`: imports an inventory file, with progress
//! on a terminal, the counts on stdout, and on a refused file every bad line on stderr (the
//! first 50) and exit status 1.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::app;
use crate::domain::Clock;
use crate::domain::audit::Actor;
use crate::inventory::{
    self, Format, ImportOptions, ImportReport, InventoryError, Phase, Progress,
};
use crate::settings::Settings;

/// Which inventory file.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ImportKind {
    /// `system,description,owner,encrypted_at_rest`
    Systems,
    /// `customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel`
    Customers,
    /// `system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to`
    Holdings,
}

/// Options of `candor import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: ImportKind,
    /// A CSV file with a header, or JSON Lines (`.jsonl`, `.ndjson`) with the same keys.
    pub file: PathBuf,
    /// The file's format, when its name does not tell.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Import the good rows and write the bad ones, with their reasons, to REJECTS_FILE.
    #[arg(long, value_name = "REJECTS_FILE")]
    pub skip_invalid: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| "expected csv or jsonl".to_owned())
}

/// How many bad lines a refused file prints.
const SHOWN_ERRORS: usize = 50;

/// Runs `candor import`.
pub async fn run(
    args: ImportArgs,
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let db = app::open_database(settings).await?;
    let options = ImportOptions {
        format: args.format,
        skip_invalid: args.skip_invalid.is_some(),
        rejects_file: args.skip_invalid.clone(),
        progress: terminal_progress(),
    };
    let (path, now) = (args.file.as_path(), clock.now());
    let outcome = match args.kind {
        ImportKind::Systems => {
            inventory::import_systems(&db, Actor::Cli, path, &options, now).await
        }
        ImportKind::Customers => {
            inventory::import_customers(&db, Actor::Cli, path, &options, now).await
        }
        ImportKind::Holdings => {
            inventory::import_holdings(&db, Actor::Cli, path, &options, now).await
        }
    };
    end_progress_line();
    match outcome {
        Ok(report) => {
            print_report(&report, &args);
            Ok(ExitCode::SUCCESS)
        }
        Err(InventoryError::Rejected(rejection)) => {
            let mut err = std::io::stderr().lock();
            writeln!(err, "candor: {}", rejection.message())?;
            for e in rejection.errors.iter().take(SHOWN_ERRORS) {
                writeln!(err, "{e}")?;
            }
            let shown = rejection.errors.len().min(SHOWN_ERRORS) as u64;
            let total = rejection.rejected.max(rejection.errors.len() as u64);
            if total > shown {
                writeln!(err, "and {} more", total - shown)?;
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e).with_context(|| format!("cannot import `{}`", args.file.display())),
    }
}

fn print_report(report: &ImportReport, args: &ImportArgs) {
    let seconds = report.elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        report.rows as f64 / seconds
    } else {
        0.0
    };
    println!("{} in {seconds:.1} s ({rate:.0} rows/s)", report.summary());
    if let Some(rejects) = &args.skip_invalid {
        println!(
            "{} rejected rows written to {}",
            report.rejected,
            rejects.display()
        );
    }
}

/// Rows per second on stderr, redrawn at most five times a second, when stderr is a terminal.
fn terminal_progress() -> Progress {
    if !std::io::stderr().is_terminal() {
        return Progress::default();
    }
    let started = Instant::now();
    let last = Mutex::new((
        Phase::Checking,
        started,
        0u64,
        Instant::now() - Duration::from_secs(1),
    ));
    Progress::new(Arc::new(move |phase: Phase, rows: u64| {
        let Ok(mut last) = last.lock() else { return };
        let now = Instant::now();
        if last.0 != phase {
            *last = (phase, now, 0, last.3);
        }
        if now.duration_since(last.3) < Duration::from_millis(200) {
            return;
        }
        last.3 = now;
        let seconds = now.duration_since(last.1).as_secs_f64().max(0.001);
        let rate = (rows - last.2.min(rows)) as f64 / seconds;
        eprint!("\r{}: {rows} rows ({rate:.0} rows/s)\x1b[K", phase.as_str());
    }))
}

fn end_progress_line() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}
