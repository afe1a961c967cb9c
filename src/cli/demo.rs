//! `candor demo`: a fresh, self-contained instance with sample staff and an incident in
//! progress, so a newcomer sees Candor working with no setup. It grows with each capability.

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
    /// Where the demo keeps its database; wiped and re-created on every run.
    #[arg(long, default_value = "candor-demo")]
    pub data_dir: PathBuf,
    /// Seed the demo data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

// Marks a directory as the demo's own, so a re-run never wipes anything else.
const MARKER: &str = ".candor-demo";

struct DemoUser {
    email: &'static str,
    role: Role,
    password: String,
}

/// Seeds a fresh demo instance, prints how to use it, and serves it (unless `--no-serve`).
pub async fn run(
    args: DemoArgs,
    mut settings: Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    reset_dir(&args.data_dir)?;
    settings.data_dir = args.data_dir.clone();
    settings.database_url = None;
    settings.jwt_secret = None;
    settings.env = crate::settings::Environment::Development;
    if settings.organization_name.trim().is_empty() {
        // Notices say who they are from; the demo's sample company.
        settings.organization_name = "Candor Demo Company".to_owned();
    }

    let app = App::build(&settings, clock.clone()).await?;
    let db = app.state().db.clone();
    let users = seed_users(&db, clock.as_ref()).await?;
    let incident_id = seed_incident(&db, clock.as_ref(), &users).await?;
    let addr = app.local_addr()?;
    print_guide(&addr.to_string(), &users, incident_id, &args.data_dir);
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    println!("Listening on http://{addr} — press Ctrl-C to stop.");
    app.serve(app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
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

async fn seed_users(
    db: &DatabaseConnection,
    clock: &dyn Clock,
) -> anyhow::Result<Vec<(DemoUser, StaffUser)>> {
    let wanted = [
        ("admin@demo.candor.test", Role::Admin),
        ("responder@demo.candor.test", Role::Responder),
        ("cx-lead@demo.candor.test", Role::CxLead),
    ];
    let mut users = Vec::new();
    for (email, role) in wanted {
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
        users.push((
            DemoUser {
                email,
                role,
                password,
            },
            user,
        ));
    }
    Ok(users)
}

async fn seed_incident(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    users: &[(DemoUser, StaffUser)],
) -> anyhow::Result<uuid::Uuid> {
    let responder = users
        .iter()
        .find(|(demo, _)| demo.role == Role::Responder)
        .map(|(_, user)| user.id)
        .context("demo responder missing")?;
    let actor = Actor::User(responder);
    let now = clock.now();
    let created = incident::create(
        db,
        actor,
        NewIncident {
            title: "Customer records readable in a public backup bucket".into(),
            summary: "A nightly backup of the billing database was written to a storage bucket \
                      that allowed public reads. Access logs show downloads from two addresses \
                      we do not recognise."
                .into(),
            severity: Severity::High,
            kind: crate::domain::IncidentKind::DataBreach,
            discovered_at: now - Duration::hours(30),
            occurred_from: Some(now - Duration::days(12)),
            occurred_to: Some(now - Duration::hours(29)),
            commander_id: Some(responder),
        },
        now,
    )
    .await?;
    let entries = [
        (
            Duration::hours(30),
            TimelineKind::Evidence,
            "Cloud security scan flagged the bucket as publicly readable.",
        ),
        (
            Duration::hours(29),
            TimelineKind::Action,
            "Public access removed; bucket policy now denies anonymous reads.",
        ),
        (
            Duration::hours(26),
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

fn print_guide(addr: &str, users: &[(DemoUser, StaffUser)], incident_id: uuid::Uuid, dir: &Path) {
    println!();
    println!(
        "Candor demo — data in {}/ (re-created on every run)",
        dir.display()
    );
    println!();
    println!("Sign in as (passwords are new on every run):");
    for (demo, _) in users {
        println!(
            "  {:<11} {:<28} {}",
            demo.role.as_str(),
            demo.email,
            demo.password
        );
    }
    let (responder, _) = &users[1];
    println!();
    println!("Try it:");
    println!(
        "  TOKEN=$(curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' \\\n    -d '{{\"email\":\"{}\",\"password\":\"{}\"}}' | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')",
        responder.email, responder.password
    );
    println!("  curl -s http://{addr}/api/v1/incidents -H \"authorization: Bearer $TOKEN\"");
    println!(
        "  curl -s http://{addr}/api/v1/incidents/{incident_id}/timeline -H \"authorization: Bearer $TOKEN\""
    );
    println!(
        "  curl -s http://{addr}/api/v1/audit?incident={incident_id} -H \"authorization: Bearer $TOKEN\""
    );
    println!(
        "  API description: http://{addr}/api/v1/openapi.json   metrics: http://{addr}/metrics"
    );
}
