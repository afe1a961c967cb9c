//! `spawn_app()`: a real Candor server on an ephemeral port, over its own database, with a
//! manual clock; plus helpers to make users, sign in and forge tokens.

use std::sync::Arc;

use candor::app::App;
use candor::auth::{self, NewUserInput};
use candor::domain::audit::Actor;
use candor::domain::{ManualClock, Role};
use candor::settings::Settings;
use chrono::{TimeZone, Utc};
use reqwest::RequestBuilder;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

/// The signing secret every test app uses (tests forge tokens with it).
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The password every test user gets.
pub const PASSWORD: &str = "a perfectly long test passphrase";

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running test server.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    /// The app's own database, for asserting on stored rows and tampering with them.
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// The URL of the app's database (for running the `candor` binary against it).
    pub database_url: String,
    pub data_dir: tempfile::TempDir,
    /// The app's mapping worker, to run its sweep on demand.
    pub mapping: candor::mapping::Worker,
    /// The app's duty alert worker, to run its sweep on demand.
    pub alerts: candor::obligation::AlertWorker,
    /// The app's outbox worker, to drain it on demand (the background worker is off unless a
    /// test turns `delivery_worker` on).
    pub delivery: candor::delivery::Worker,
    /// The app's survey worker, to run a pass on demand (its background pass is off).
    pub surveys: candor::survey::Surveys,
    /// The app's playbook runner, to wake due runs on demand (its background pass is off).
    pub runner: candor::playbook::run::Runner,
    /// The settings it was built with (to build it again, as a restart does).
    pub settings: Settings,
    _pg: Option<PgDatabase>,
}

/// Starts a server on 127.0.0.1:0 over a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg, backend) = match std::env::var("CANDOR_TEST_PG") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let pg = PgDatabase::create(&admin_url).await;
            (pg.url.clone(), Some(pg), Backend::Postgres)
        }
        _ => (
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("candor.db").display()
            ),
            None,
            Backend::Sqlite,
        ),
    };
    let mut settings = Settings {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data_dir.path().to_owned(),
        database_url: Some(database_url.clone()),
        database_max_connections: 5,
        jwt_secret: Some(SecretString::from(SECRET)),
        organization_name: "Test Company".into(),
        // Tests drain the outbox themselves, so what happens when is theirs to decide.
        delivery_worker: false,
        survey_worker: false,
        playbook_worker: false,
        // Tests of other capabilities open incidents without a playbook attaching itself (its
        // escalations would write to their timelines); the playbook tests turn it on.
        playbook_auto_attach: false,
        ..Settings::default()
    };
    customize(&mut settings);
    let built_with = settings.clone();
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap());
    let app = App::build(&settings, Arc::new(clock.clone()))
        .await
        .expect("app builds");
    let addr = app.local_addr().expect("bound address");
    let db = app.state().db.clone();
    let mapping = app.state().mapping.clone();
    let alerts = app.state().alerts.clone();
    let delivery = app.state().delivery.clone();
    let surveys = app.state().surveys.clone();
    let runner = app.state().runner.clone();
    tokio::spawn(app.serve(std::future::pending()));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        clock,
        db,
        backend,
        database_url,
        data_dir,
        mapping,
        alerts,
        delivery,
        surveys,
        runner,
        settings: built_with,
        _pg: pg,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.client.patch(self.url(path))
    }

    /// Adds a user directly through the use-case (as the CLI would); returns its id.
    pub async fn add_user(&self, email: &str, roles: &[Role]) -> Uuid {
        let input = NewUserInput {
            email: email.to_owned(),
            password: SecretString::from(PASSWORD),
            roles: roles.to_vec(),
        };
        auth::add_user(
            &self.db,
            Actor::Cli,
            input,
            candor::domain::Clock::now(&self.clock),
        )
        .await
        .expect("user added")
        .id
    }

    /// Signs in through the API and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/api/v1/auth/login")
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request sent")
    }

    /// A fresh user holding `roles`, signed in through the API; returns (user id, token).
    pub async fn user_with(&self, roles: &[Role]) -> (Uuid, String) {
        let email = format!("{}@staff.candor.test", Uuid::new_v4().simple());
        let id = self.add_user(&email, roles).await;
        let response = self.login(&email, PASSWORD).await;
        assert_eq!(response.status(), 200, "login should succeed");
        let body: Value = response.json().await.expect("json");
        (id, body["token"].as_str().expect("token").to_owned())
    }

    /// A token for a fresh user holding `roles`.
    pub async fn token(&self, roles: &[Role]) -> String {
        self.user_with(roles).await.1
    }

    /// Signs arbitrary claims with `secret` using HS256.
    pub fn forge(&self, claims: &Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .expect("token encodes")
    }

    /// Opens an incident as `token`'s user and returns its JSON.
    pub async fn open_incident(&self, token: &str) -> Value {
        let response = self
            .post("/api/v1/incidents")
            .bearer_auth(token)
            .json(&json!({
                "title": "Support desk export left on a shared drive",
                "summary": "An export of support tickets was readable by all staff.",
                "severity": "medium",
                "discovered_at": "2026-11-19T14:30:00Z",
                "occurred_from": "2026-11-01T00:00:00Z",
                "occurred_to": "2026-11-19T12:00:00Z",
            }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 201, "incident should be created");
        response.json().await.expect("json")
    }

    /// Runs SQL against the app's database (for tampering in tests).
    pub async fn exec(&self, sql: &str) -> u64 {
        let backend = self.db.get_database_backend();
        self.db
            .execute_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("sql runs")
            .rows_affected()
    }
}

/// A PostgreSQL database made for one test and dropped after it.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> Self {
        let admin = Database::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("CANDOR_TEST_PG is set but PostgreSQL is unreachable: {e}"));
        let name = format!("candor_test_{}", Uuid::new_v4().simple());
        admin
            .execute_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("CREATE DATABASE \"{name}\""),
            ))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let (base, query) = match admin_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (admin_url, String::new()),
        };
        let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
        let url = format!("{base}/{name}{query}");
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; use a thread with its own to finish the cleanup.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = admin
                        .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}
