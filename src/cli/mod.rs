//! The `candor` command line: serve, migrate, manage users, verify the audit chain, run the
//! demo.

mod delivery;
mod demo;
mod import;
mod notice;
mod playbook;
mod rules;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::app::{self, App};
use crate::audit::{self, Verification};
use crate::auth::{self, NewUserInput};
use crate::domain::audit::Actor;
use crate::domain::{Clock, Role, SystemClock};
use crate::settings::Settings;
use crate::store;

/// Candor: tell every affected person — clearly, kindly, on time — and prove it.
#[derive(Debug, Parser)]
#[command(name = "candor", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (settings from candor.toml and CANDOR_* variables).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Start a fresh demonstration instance with sample users and an incident, then serve it.
    Demo(demo::DemoArgs),
    /// Import an inventory file (CSV or JSON Lines): systems, customers or holdings.
    Import(import::ImportArgs),
    /// Work with the jurisdiction rules pack.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Work with notice templates.
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    /// Work with playbooks.
    #[command(subcommand)]
    Playbook(playbook::PlaybookCommand),
    /// Delivery by hand: read bounce reports from a mailbox, or drain the outbox once.
    #[command(subcommand)]
    Delivery(delivery::DeliveryCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// A role to grant (admin, responder, cx_lead); repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every hash in the chain; exits 1 naming the first entry that does not match.
    Verify,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// Runs a parsed command line.
pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<ExitCode> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve => serve(&settings, clock).await,
        Command::Migrate => {
            app::open_database(&settings).await?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add { email, roles }) => {
            let password = read_password()?;
            let db = app::open_database(&settings).await?;
            let input = NewUserInput {
                email,
                password,
                roles,
            };
            let user = auth::add_user(&db, Actor::Cli, input, clock.now())
                .await
                .context("cannot add the user")?;
            let roles: Vec<_> = user.roles.iter().map(|r| r.as_str()).collect();
            println!("added user {} with roles {}", user.id, roles.join(", "));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = store::connect(&settings.database_url(), 2)
                .await
                .context("cannot open the database (check CANDOR_DATABASE_URL)")?;
            match audit::verify(&db).await? {
                Verification::Intact { entries, head_hash } => {
                    println!("audit chain intact: {entries} entries, head {head_hash}");
                    Ok(ExitCode::SUCCESS)
                }
                Verification::Broken(problem) => {
                    eprintln!("audit chain BROKEN: {problem}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Demo(args) => demo::run(args, settings, clock).await,
        Command::Import(args) => import::run(args, &settings, clock).await,
        Command::Rules(command) => rules::run(command),
        Command::Playbook(command) => playbook::run(command, settings.notice_templates.as_deref()),
        Command::Delivery(command) => delivery::run(command, &settings, clock).await,
        Command::Notice(command) => notice::run(
            command,
            crate::notice::lint::readability::ReadabilityLimits {
                max_grade: settings.notice_max_grade,
                max_sentence_words: settings.notice_max_sentence_words,
            },
        ),
    }
}

async fn serve(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<ExitCode> {
    let app = App::build(settings, clock).await?;
    let addr = app.local_addr()?;
    tracing::info!(%addr, embedded = settings.uses_embedded_database(), "candor is listening");
    app.serve(app::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Reads a password: prompted twice without echo on a terminal, else one line from stdin.
fn read_password() -> anyhow::Result<SecretString> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat password: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        return Ok(SecretString::from(first));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input (pipe it in, e.g. `echo \"$PASSWORD\" | candor user add …`)"
        );
    }
    Ok(SecretString::from(password))
}
