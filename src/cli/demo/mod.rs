//! `candor demo`: a fresh, self-contained instance that shows the whole story. It creates a
//! user for each role, imports a generated inventory of some thousands of customers, opens an
//! incident, runs the `customer-data-breach` playbook through mapping, obligations, notice
//! approval and delivery into the file outbox, collects a handful of survey answers, then
//! prints where to look and serves it. Everything goes through Candor's own use-cases,
//! in-process, as staff would drive them through the API.

mod guide;
mod inventory;
mod notices;
mod story;
mod survey;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::Duration;
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;

use crate::app::{self, App};
use crate::auth::{self, NewUserInput};
use crate::domain::audit::Actor;
use crate::domain::{Clock, IncidentStatus, Role, Severity, StaffUser, TimelineKind};
use crate::incident::{self, NewIncident, NewTimelineEntry};
use crate::settings::Settings;

/// Options of `candor demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Where the demo keeps its database and outbox; wiped and re-created on every run.
    #[arg(long, default_value = "candor-demo")]
    pub data_dir: PathBuf,
    /// Seed the demo data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// How many customers the generated inventory has.
    #[arg(long, default_value_t = 4000, hide = true)]
    pub people: usize,
}

// Marks a directory as the demo's own, so a re-run never wipes anything else.
const MARKER: &str = ".candor-demo";

/// A staff account the demo made, with the password it printed.
pub(crate) struct DemoUser {
    pub email: &'static str,
    pub role: Role,
    pub password: String,
    pub user: StaffUser,
}

/// The demo's staff, by what they do in the story.
pub(crate) struct Cast {
    pub admin: DemoUser,
    pub responder: DemoUser,
    /// Approves notices.
    pub cx_lead: DemoUser,
    /// Writes notices (a notice is approved by a CX lead who did not edit it last).
    pub cx_writer: DemoUser,
}

impl Cast {
    fn all(&self) -> [&DemoUser; 4] {
        [&self.admin, &self.responder, &self.cx_lead, &self.cx_writer]
    }
}

/// Seeds a fresh demo instance, prints how to use it, and serves it (unless `--no-serve`).
pub async fn run(
    args: DemoArgs,
    mut settings: Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    reset_dir(&args.data_dir)?;
    demo_settings(&mut settings, &args.data_dir);
    let app = App::build(&settings, clock.clone()).await?;
    let state = app.state();
    let cast = seed_users(&state.db, clock.as_ref()).await?;
    let admin = Actor::User(cast.admin.user.id);
    let imported = load_inventory(&state.db, admin, &args, clock.now()).await?;
    let incident_id = seed_incident(&state.db, clock.as_ref(), &cast).await?;
    let outcome = story::play(state, &cast, incident_id).await?;
    let addr = app.local_addr()?;
    guide::print(&guide::Guide {
        addr: &addr.to_string(),
        cast: &cast,
        incident_id,
        dir: &args.data_dir,
        outbox: &crate::delivery::notice_outbox(&args.data_dir),
        imported,
        outcome: &outcome,
    })?;
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    println!("Listening on http://{addr} — press Ctrl-C to stop.");
    app.serve(app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Generates the demo company's inventory and imports it as the admin.
async fn load_inventory(
    db: &DatabaseConnection,
    admin: Actor,
    args: &DemoArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<inventory::Imported> {
    let dir = args.data_dir.join("inventory");
    let files = guide::timed(
        &format!("Generating {} customers", guide::thousands(args.people)),
        async { inventory::generate(&dir, args.people, inventory::SEED) },
    )
    .await?;
    let what = format!(
        "Importing {} customers and {} records",
        guide::thousands(files.customers),
        guide::thousands(files.holdings)
    );
    guide::timed(&what, inventory::import(db, admin, &files, now)).await
}

/// The demo runs on its own folder: embedded database, notices written as `.eml` files.
fn demo_settings(settings: &mut Settings, dir: &Path) {
    settings.data_dir = dir.to_owned();
    settings.database_url = None;
    settings.jwt_secret = None;
    settings.smtp_url = None;
    settings.env = crate::settings::Environment::Development;
    if settings.organization_name.trim().is_empty() {
        // Notices say who they are from; the demo's sample company.
        settings.organization_name = "Candor Demo Company".to_owned();
    }
    if settings.organization_website.trim().is_empty() {
        settings.organization_website = "https://www.example.com".to_owned();
    }
    if settings.organization_contact.trim().is_empty() {
        settings.organization_contact = "Privacy team, privacy@example.com".to_owned();
    }
    if settings.notice_from.trim().is_empty() {
        settings.notice_from = "notices@example.com".to_owned();
    }
    // People's links point at this demo server (unless the port is picked at random).
    let addr = settings.addr;
    if settings.public_url == Settings::default().public_url && addr.port() != 0 {
        settings.public_url = if addr.ip().is_unspecified() {
            format!("http://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        };
    }
}

fn reset_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            bail!(
                "`{}` exists and was not created by `candor demo`; choose another --data-dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("cannot clear `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "created by `candor demo`; deleted and re-created on every run\n",
    )?;
    Ok(())
}

async fn seed_users(db: &DatabaseConnection, clock: &dyn Clock) -> anyhow::Result<Cast> {
    let add = async |email: &'static str, role: Role| -> anyhow::Result<DemoUser> {
        let password: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(20)
            .map(char::from)
            .collect();
        let input = NewUserInput {
            email: email.to_owned(),
            password: SecretString::from(password.clone()),
            roles: vec![role],
        };
        let user = auth::add_user(db, Actor::Cli, input, clock.now()).await?;
        Ok(DemoUser {
            email,
            role,
            password,
            user,
        })
    };
    Ok(Cast {
        admin: add("admin@demo.candor.test", Role::Admin).await?,
        responder: add("responder@demo.candor.test", Role::Responder).await?,
        cx_lead: add("cx-lead@demo.candor.test", Role::CxLead).await?,
        cx_writer: add("cx-writer@demo.candor.test", Role::CxLead).await?,
    })
}

async fn seed_incident(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    cast: &Cast,
) -> anyhow::Result<uuid::Uuid> {
    let responder = cast.responder.user.id;
    let actor = Actor::User(responder);
    let now = clock.now();
    let created = incident::create(
        db,
        actor,
        NewIncident {
            title: "Customer records readable in a public backup bucket".into(),
            summary: "Nightly backups of the billing database and of website accounts were \
                      written to a storage bucket that allowed public reads. Access logs show \
                      downloads from two addresses we do not recognise."
                .into(),
            severity: Severity::High,
            kind: crate::domain::IncidentKind::DataBreach,
            discovered_at: now - Duration::hours(20),
            occurred_from: Some(now - Duration::days(12)),
            occurred_to: Some(now - Duration::hours(19)),
            commander_id: Some(responder),
        },
        now,
    )
    .await?;
    let entries = [
        (
            Duration::hours(20),
            TimelineKind::Evidence,
            "Cloud security scan flagged the bucket as publicly readable.",
        ),
        (
            Duration::hours(19),
            TimelineKind::Action,
            "Public access removed; bucket policy now denies anonymous reads.",
        ),
        (
            Duration::hours(16),
            TimelineKind::Decision,
            "Treat as a confirmed exposure until access logs prove otherwise.",
        ),
    ];
    for (ago, kind, text) in entries {
        let entry = NewTimelineEntry {
            at: Some(now - ago),
            kind,
            text: text.into(),
        };
        incident::add_timeline_entry(db, actor, created.id, entry, now).await?;
    }
    for status in [IncidentStatus::Investigating, IncidentStatus::Contained] {
        incident::change_status(db, actor, created.id, status, None, now).await?;
    }
    Ok(created.id)
}
