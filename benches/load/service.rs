//! The service under load: the release `candor serve` as a child process over the seeded
//! database, a staff token for the incident API, a survey link (and its form's CSRF token) per
//! person, and its peak resident memory read from `/proc/{pid}/status`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use candor::auth::{self, NewUserInput};
use candor::delivery::{LinkKeys, LinkPurpose};
use candor::domain::Role;
use candor::domain::audit::Actor;
use candor::settings::Settings;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, FromQueryResult, Statement};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::Args;
use crate::report::{BackendFigures, Endpoint};
use crate::wrk;

/// The password of the bench's staff account.
const PASSWORD: &str = "a long bench passphrase for the load run";
const STAFF: &str = "load@bench.candor.test";

/// What the runs need from the seeded database.
pub struct Prepared {
    pub incident_id: Uuid,
    /// A survey token per person.
    pub tokens: Vec<String>,
}

#[derive(FromQueryResult)]
struct Link {
    id: Uuid,
    incident_id: Uuid,
    expires_at: DateTime<Utc>,
}

/// Adds the staff account and signs every person's survey link.
pub async fn prepare(
    db: &DatabaseConnection,
    secret: &SecretString,
    now: DateTime<Utc>,
) -> Prepared {
    let input = NewUserInput {
        email: STAFF.into(),
        password: SecretString::from(PASSWORD),
        roles: vec![Role::Responder],
    };
    auth::add_user(db, Actor::Cli, input, now)
        .await
        .expect("staff user");
    let links = Link::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT id, incident_id, expires_at FROM notice_links ORDER BY id",
    ))
    .all(db)
    .await
    .expect("links read");
    let keys = LinkKeys::derive(secret);
    let tokens = links
        .iter()
        .map(|l| {
            keys.sign(LinkPurpose::Survey, l.id, l.incident_id, l.expires_at)
                .expect("token signs")
        })
        .collect();
    Prepared {
        incident_id: links.first().expect("a link").incident_id,
        tokens,
    }
}

/// `candor serve` running.
pub struct Running {
    child: Child,
    base: String,
}

impl Running {
    /// Starts the release binary with the seed's settings and waits for `/healthz`.
    pub async fn start(settings: &Settings, secret: &SecretString) -> Running {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_candor"))
            .arg("serve")
            .env("CANDOR_ADDR", format!("127.0.0.1:{port}"))
            .env("CANDOR_DATA_DIR", &settings.data_dir)
            .env(
                "CANDOR_DATABASE_URL",
                settings.database_url.as_deref().unwrap_or(""),
            )
            .env("CANDOR_JWT_SECRET", secret.expose_secret())
            .env("CANDOR_ORGANIZATION_NAME", &settings.organization_name)
            .env("CANDOR_PUBLIC_URL", &settings.public_url)
            .env("CANDOR_DELIVERY_WORKER", "false")
            .env("CANDOR_SURVEY_WORKER", "false")
            .env("CANDOR_PLAYBOOK_WORKER", "false")
            .env("CANDOR_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("candor serve starts");
        let running = Running {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..600 {
            let ready = reqwest::get(format!("{}/healthz", running.base)).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("candor serve did not answer /healthz within 30 seconds");
    }

    /// Runs wrk against each endpoint in turn.
    pub async fn measure(
        &self,
        backend: &str,
        prepared: &Prepared,
        work: &Path,
        args: &Args,
    ) -> BackendFigures {
        let token = self.login().await;
        let script = work.join("survey.lua");
        let forms = self.survey_forms(&prepared.tokens).await;
        wrk::write_survey_script(&script, &forms).expect("lua script");
        let bearer = work.join("bearer.lua");
        wrk::write_bearer_script(&bearer, &token).expect("lua script");
        let incident = format!("/api/v1/incidents/{}", prepared.incident_id);
        let runs: [(&str, String, &Path); 4] = [
            ("GET /healthz (trivial)", "/healthz".into(), Path::new("")),
            ("GET /api/v1/incidents/{id}", incident.clone(), &bearer),
            (
                "GET /api/v1/incidents/{id}/impact",
                format!("{incident}/impact"),
                &bearer,
            ),
            ("POST /s/{token} (survey answer)", "/s/".into(), &script),
        ];
        let mut endpoints = Vec::new();
        for (name, path, lua) in runs {
            let lua = (!lua.as_os_str().is_empty()).then_some(lua);
            let url = format!("{}{path}", self.base);
            let figures = wrk::run(&url, lua, args).await;
            eprintln!(
                "[{backend}] {name}: {:.0} req/s, p99 {:.2} ms, {} errors/non-2xx-3xx",
                figures.rps, figures.p99_ms, figures.bad
            );
            endpoints.push(Endpoint {
                name: name.to_owned(),
                figures,
            });
        }
        BackendFigures {
            backend: backend.to_owned(),
            people: prepared.tokens.len(),
            peak_rss_kib: self.peak_rss_kib(),
            endpoints,
        }
    }

    async fn login(&self) -> String {
        let body: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({ "email": STAFF, "password": PASSWORD }))
            .send()
            .await
            .expect("login sent")
            .json()
            .await
            .expect("login answer");
        body["token"].as_str().expect("a token").to_owned()
    }

    /// (survey token, CSRF token) per person, each read from the survey page as a browser
    /// would (a few at a time).
    async fn survey_forms(&self, tokens: &[String]) -> Vec<(String, String)> {
        let client = reqwest::Client::new();
        let mut forms = Vec::with_capacity(tokens.len());
        for chunk in tokens.chunks(16) {
            let pages = chunk.iter().map(|t| {
                let request = client.get(format!("{}/s/{t}", self.base)).send();
                async move { (t, request.await.expect("survey page").text().await) }
            });
            for (token, page) in futures_util::future::join_all(pages).await {
                let csrf = csrf_of(&page.expect("page text")).expect("a csrf field");
                forms.push((token.clone(), csrf));
            }
        }
        forms
    }

    /// `VmHWM` of the service: its peak resident set so far, in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the service's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .expect("VmHWM")
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the page's `csrf` input.
fn csrf_of(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\"")?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    let value = page[tag_start..tag_end].split("value=\"").nth(1)?;
    value.split('"').next().map(str::to_owned)
}
