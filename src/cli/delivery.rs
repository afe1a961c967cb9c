//! `candor delivery`: read bounce reports from a mailbox, and drain the outbox once (the
//! service's worker does this continuously; the command serves a one-off run or a cron job).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;

use crate::app;
use crate::delivery::{self, DeliveryError, dsn};
use crate::domain::Clock;
use crate::settings::Settings;

#[derive(Debug, Subcommand)]
pub enum DeliveryCommand {
    /// Read delivery status notifications (bounce reports): `.eml` files, or folders of them
    /// such as a maildir's `new/`. Each permanent failure marks its notice `bounced` and
    /// queues a letter when the person has a postal address. Reading a report twice changes
    /// nothing.
    Bounces {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Send every due message now and exit.
    Drain,
}

pub async fn run(
    command: DeliveryCommand,
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let db = app::open_database(settings).await?;
    match command {
        DeliveryCommand::Bounces { paths } => bounces(&db, &paths, clock.as_ref()).await,
        DeliveryCommand::Drain => {
            let secret = settings.resolve_jwt_secret()?;
            let (_, worker) = app::delivery(settings, &db, &clock, &secret)?;
            let stats = worker.run_until_idle().await?;
            println!(
                "{} messages claimed: {} sent, {} to retry, {} failed (via {})",
                stats.claimed,
                stats.sent,
                stats.retrying,
                stats.failed,
                worker.config().email.describe()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn bounces(
    db: &sea_orm::DatabaseConnection,
    paths: &[PathBuf],
    clock: &dyn Clock,
) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files).with_context(|| format!("cannot read {}", path.display()))?;
    }
    let (mut bounced, mut letters, mut skipped, mut unreadable) = (0, 0, 0, 0);
    for file in &files {
        let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let report = match dsn::parse(&raw) {
            Ok(report) => report,
            Err(e) => {
                // The file name only: the report itself names a person's address.
                eprintln!("{}: {e}", file.display());
                unreadable += 1;
                continue;
            }
        };
        if !report.permanent {
            skipped += 1;
            continue;
        }
        match delivery::record_bounce(db, &report.message_id, &report.diagnostic, clock.now()).await
        {
            Ok(outcome) => {
                bounced += u32::from(outcome.bounced);
                letters += u32::from(outcome.postal_queued);
                skipped += u32::from(!outcome.bounced);
            }
            Err(DeliveryError::UnknownMessage) => {
                eprintln!("{}: not a message Candor sent", file.display());
                skipped += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!(
        "{} reports read: {bounced} notices marked bounced ({letters} letters queued), {skipped} \
         changed nothing (delays, already bounced, or not Candor's), {unreadable} unreadable",
        files.len()
    );
    Ok(if unreadable > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The files under `path` (itself, if it is one), in name order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    out.extend(entries);
    Ok(())
}
