//! `candor demo --no-serve`, run in-process into a folder of its own, then opened again as an
//! ordinary instance to check what it left: the notices in the file outbox, the playbook run,
//! the obligations and the survey answers.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use candor::app::App;
use candor::cli::{self, Cli};
use candor::delivery::{self, Message};
use candor::domain::playbook::StepStatus;
use candor::domain::{Role, SystemClock};
use candor::settings::Settings;
use candor::store::delivery::outbox::PageFilter;
use clap::Parser;
use uuid::Uuid;

use crate::helpers::PASSWORD;

/// Customers the test's demo generates (the real one has 4,000).
const PEOPLE: &str = "300";

fn settings(dir: &Path) -> Settings {
    Settings {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.to_owned(),
        database_max_connections: 5,
        ..Settings::default()
    }
}

/// Every sent message of `channel` of the incident.
async fn sent(app: &App, incident_id: Uuid, channel: &str) -> Vec<Message> {
    let filter = PageFilter {
        channel: Some(channel.to_owned()),
        status: Some("sent".to_owned()),
        limit: 100_000,
        ..PageFilter::default()
    };
    delivery::overview(&app.state().db, incident_id, &filter)
        .await
        .expect("delivery overview")
        .messages
}

/// The `.eml` files in the outbox, by name.
fn eml_files(outbox: &Path) -> BTreeSet<String> {
    std::fs::read_dir(outbox)
        .expect("the outbox folder exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".eml"))
        .collect()
}

/// A demo seeded into a temporary folder and opened again as an ordinary instance (its
/// generated secret included), not yet serving.
pub struct Seeded {
    /// Kept for the folder's lifetime.
    pub _root: tempfile::TempDir,
    pub dir: std::path::PathBuf,
    pub app: App,
    pub incident_id: Uuid,
}

/// Runs `candor demo --no-serve` in-process (with [`PEOPLE`] customers) and opens its folder.
pub async fn seeded() -> Seeded {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("demo");
    let dir_arg = dir.to_string_lossy().into_owned();
    let args = ["candor", "demo", "--no-serve", "--data-dir", &dir_arg];
    let cli = Cli::try_parse_from(args.into_iter().chain(["--people", PEOPLE])).expect("args");
    let code = cli::run(cli, settings(root.path()))
        .await
        .expect("demo runs");
    assert_eq!(code, std::process::ExitCode::SUCCESS);

    let app = App::build(&settings(&dir), Arc::new(SystemClock))
        .await
        .expect("the demo's instance opens");
    let filter = candor::store::incidents::ListFilter::default();
    let (incidents, _) = candor::incident::list(&app.state().db, &filter, 0, 10)
        .await
        .expect("incidents");
    assert_eq!(incidents.len(), 1, "one incident");
    let incident_id = incidents[0].id;
    Seeded {
        _root: root,
        dir,
        app,
        incident_id,
    }
}

/// Adds a staff account holding every role to the demo's instance; returns its email (the
/// password is the suite's [`PASSWORD`]).
pub async fn staff_account(app: &App) -> &'static str {
    let email = "pages-check@demo.candor.test";
    candor::auth::add_user(
        &app.state().db,
        candor::domain::audit::Actor::Cli,
        candor::auth::NewUserInput {
            email: email.to_owned(),
            password: secrecy::SecretString::from(PASSWORD),
            roles: vec![Role::Admin, Role::CxLead, Role::Responder],
        },
        chrono::Utc::now(),
    )
    .await
    .expect("a staff account");
    email
}

#[tokio::test]
async fn the_demo_notifies_everyone_affected_and_collects_survey_answers() {
    let Seeded {
        _root,
        dir,
        app,
        incident_id,
    } = seeded().await;
    let db = &app.state().db;

    // One email per person told by email, each of them an `.eml` file in the outbox.
    let overview = delivery::overview(db, incident_id, &PageFilter::default())
        .await
        .expect("overview");
    let initial = overview
        .campaigns
        .iter()
        .find(|c| c.kind == "initial-notice")
        .expect("the initial notice was sent");
    let emails = sent(&app, incident_id, "email").await;
    let letters = sent(&app, incident_id, "postal").await;
    let of_initial = |m: &&Message| m.campaign_id == initial.id;
    let initial_emails: Vec<&Message> = emails.iter().filter(of_initial).collect();
    let people: BTreeSet<&str> = initial_emails
        .iter()
        .map(|m| m.person_key.as_str())
        .collect();
    assert!(
        initial_emails.len() > 100,
        "{} emails",
        initial_emails.len()
    );
    assert_eq!(people.len(), initial_emails.len(), "one email per person");
    let initial_letters = letters.iter().filter(of_initial).count() as i64;
    assert_eq!(
        initial_emails.len() as i64 + initial_letters + initial.unreachable + initial.outreach,
        initial.people,
        "everyone in the audience got exactly one notice"
    );
    let files = eml_files(&candor::delivery::notice_outbox(&dir));
    assert_eq!(files.len(), emails.len(), "one file per email sent");
    for message in &emails {
        let name = format!("{}.eml", message.message_id.trim_matches(['<', '>']));
        assert!(files.contains(&name), "no file for {}", message.message_id);
    }

    // The playbook sent it, and the incident is still live.
    let runs = app.state().runner.view(incident_id).await.expect("runs");
    let status = |id: &str| {
        runs[0]
            .steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.status)
            .expect("step")
    };
    assert_eq!(status("send-notice"), StepStatus::Done);
    assert_eq!(status("schedule-survey"), StepStatus::Done);
    assert_eq!(status("watch-delivery"), StepStatus::Ready);
    assert!(runs[0].finished_at.is_none());

    // The obligations were computed and kept; the survey has answers with a score.
    let history = candor::obligation::history(db, incident_id)
        .await
        .expect("obligation history");
    assert!(!history.is_empty(), "no obligation result stored");
    let results = candor::survey::results(db, incident_id)
        .await
        .expect("survey results");
    assert!(results.overall.invited > 100, "{:?}", results.overall);
    assert_eq!(results.overall.responded, 13);
    assert!(results.overall.nps.is_some() && results.overall.clarity_average.is_some());
    assert!(results.commented >= 5, "{} comments", results.commented);

    // The staff web app shows every section on the demo's data.
    let admin = staff_account(&app).await;
    let base = format!("http://{}", app.local_addr().expect("address"));
    tokio::spawn(app.serve(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let cookie = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
            .expect("the cookie")
    };
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    let login_cookie = cookie(&form, "candor_login");
    let html = form.text().await.expect("body");
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form token") + marker.len();
    let csrf = &html[start..start + html[start..].find('"').expect("quote")];
    let signed = client
        .post(format!("{base}/login"))
        .header("cookie", format!("candor_login={login_cookie}"))
        .form(&[
            ("csrf", csrf),
            ("next", "/incidents"),
            ("email", admin),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("sign-in");
    assert_eq!(signed.status(), 303);
    let session = format!("candor_session={}", cookie(&signed, "candor_session"));
    let page = |path: String| {
        let (client, session) = (client.clone(), session.clone());
        async move {
            let response = client
                .get(path)
                .header("cookie", session)
                .send()
                .await
                .expect("page");
            assert_eq!(response.status(), 200, "{}", response.url());
            response.text().await.expect("body")
        }
    };
    let list = page(format!("{base}/incidents")).await;
    assert!(
        list.contains(&format!("href=\"/incidents/{incident_id}\"")),
        "{list}"
    );
    let room = page(format!("{base}/incidents/{incident_id}")).await;
    for shown in [
        "id=\"deadlines\"",
        "id=\"playbook\"",
        "id=\"timeline\"",
        "people affected",
        "id=\"notices\"",
        "Content hash",
        "id=\"delivery-progress\"",
        "id=\"survey\"",
        "NPS",
    ] {
        assert!(room.contains(shown), "the room lacks {shown}");
    }
    let audit = page(format!("{base}/incidents/{incident_id}/audit")).await;
    assert!(audit.contains("The audit chain verifies"), "{audit}");
    let inventory = page(format!("{base}/inventory")).await;
    assert!(inventory.contains("billing-db"), "{inventory}");
}
