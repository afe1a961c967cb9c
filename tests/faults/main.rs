//! Faults at the process level: the real `candor` binary run as child processes against a
//! real database and a counting SMTP sink, then killed with SIGKILL, run twice on one
//! database, cut off from PostgreSQL, or starved of disk. See RELIABILITY.md.
//!
//! ```sh
//! cargo test --test faults                                      # the fast variants, SQLite
//! CANDOR_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres cargo test --test faults
//! cargo test --release --test faults -- --ignored --nocapture   # the full kill -9 run
//! ```

mod campaign;
mod disk;
mod kill;
mod pg_restart;
mod sink;
mod two_instances;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use candor::settings::Settings;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use secrecy::SecretString;
use uuid::Uuid;

use sink::Sink;

/// What the delivery bench's seed (used by `campaign`) needs of its `drain` module.
mod drain {
    pub use crate::count;
}

/// The token secret every process of a test shares (links in notices are signed with it).
const SECRET: &str = "faults-test-secret-0123456789abcdef0123456789abcdef";
/// Where notices come from.
const NOTICE_FROM: &str = "notices@faults.candor.test";

/// The organization: name, website, contact and public URL (the linter wants them).
const ORGANIZATION: (&str, &str, &str, &str) = (
    "Sample Company",
    "https://www.sample-company.test",
    "Sample Company privacy team",
    "https://notices.sample-company.test",
);

/// How the delivery worker of a started process runs.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub concurrency: usize,
    pub batch: u64,
    pub lease_seconds: i64,
    /// Messages per second per process; 0: no cap.
    pub rate: u32,
}

/// One test's own database and data directory: a SQLite file, or a fresh PostgreSQL database
/// when `CANDOR_TEST_PG` is set (dropped afterwards).
pub struct Store {
    pub url: String,
    pub data_dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

impl Store {
    /// A fresh store on the backend the environment picks.
    pub async fn fresh() -> Store {
        match pg_admin_url() {
            Some(admin) => Store::on_postgres(&admin).await,
            None => Store::sqlite(),
        }
    }

    /// A SQLite file in a fresh data directory.
    pub fn sqlite() -> Store {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            data_dir.path().join("candor.db").display()
        );
        Store {
            url,
            data_dir,
            pg: None,
        }
    }

    /// A database the test made itself (a private cluster), with a fresh data directory.
    pub fn at(url: &str) -> Store {
        Store {
            url: url.to_owned(),
            data_dir: tempfile::tempdir().expect("temp dir"),
            pg: None,
        }
    }

    /// A fresh database on the PostgreSQL server at `admin_url`.
    pub async fn on_postgres(admin_url: &str) -> Store {
        let pg = PgDatabase::create(admin_url).await;
        Store {
            url: pg.url.clone(),
            data_dir: tempfile::tempdir().expect("temp dir"),
            pg: Some(pg),
        }
    }

    pub fn backend(&self) -> &'static str {
        if self.pg.is_some() || self.url.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// The settings the child processes run with, for the library calls a test makes itself.
    pub fn settings(&self, sink: &Sink, delivery: Delivery) -> Settings {
        let settings = Settings {
            data_dir: self.data_dir.path().to_owned(),
            database_url: Some(self.url.clone()),
            jwt_secret: Some(SecretString::from(SECRET)),
            smtp_url: Some(SecretString::from(format!("smtp://{}", sink.addr))),
            notice_from: NOTICE_FROM.into(),
            organization_name: ORGANIZATION.0.into(),
            organization_website: ORGANIZATION.1.into(),
            organization_contact: ORGANIZATION.2.into(),
            public_url: ORGANIZATION.3.into(),
            delivery_concurrency: delivery.concurrency,
            delivery_batch: delivery.batch,
            delivery_lease_seconds: delivery.lease_seconds,
            delivery_rate: delivery.rate,
            survey_worker: false,
            playbook_worker: false,
            playbook_auto_attach: false,
            ..Settings::default()
        };
        settings.validate().expect("valid settings");
        settings
    }

    /// Opens the database the way the service does (migrating it first).
    pub async fn open(&self, sink: &Sink, delivery: Delivery) -> DatabaseConnection {
        candor::app::open_database(&self.settings(sink, delivery))
            .await
            .expect("database opens")
    }
}

/// `CANDOR_TEST_PG`, when set and not empty.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("CANDOR_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> Self {
        let admin = Database::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL is unreachable at the admin URL: {e}"));
        let name = format!("candor_faults_{}", Uuid::new_v4().simple());
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
        // Drop runs inside the test's runtime; a thread with its own finishes the cleanup.
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

/// A running `candor serve`, killed (SIGKILL) on drop if still running.
pub struct Candor {
    child: Child,
    pub base: String,
    pub log: std::path::PathBuf,
}

impl Candor {
    /// Starts `candor serve` on `store` with the delivery worker on, and waits until `/readyz`
    /// answers 200.
    pub async fn serve(store: &Store, sink: &Sink, delivery: Delivery, name: &str) -> Candor {
        let candor = Candor::spawn(store, sink, delivery, name, &[]);
        candor.wait_ready(Duration::from_secs(60)).await;
        candor
    }

    /// Starts `candor serve` without waiting; `extra` env pairs override the defaults.
    pub fn spawn(
        store: &Store,
        sink: &Sink,
        delivery: Delivery,
        name: &str,
        extra: &[(&str, String)],
    ) -> Candor {
        let addr = free_addr();
        let log = store.data_dir.path().join(format!("{name}.log"));
        let log_file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let mut command = candor_command(store, sink, delivery);
        command
            .arg("serve")
            .env("CANDOR_ADDR", addr.to_string())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file);
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.spawn().expect("candor starts");
        Candor {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    /// Polls `/readyz` until it answers 200; panics with the process's log otherwise.
    pub async fn wait_ready(&self, within: Duration) {
        let client = http_client();
        let deadline = Instant::now() + within;
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "candor did not become ready within {within:?}; its log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown hook, no flush, nothing.
    pub fn kill9(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid; it has not been reaped yet (no wait() ran).
        let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
        assert_eq!(rc, 0, "kill -9 {pid}");
        let status = self.child.wait().expect("reap the child");
        assert!(!status.success(), "a killed process does not exit cleanly");
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Candor {
    fn drop(&mut self) {
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The `candor` binary with the test's environment (and nothing from the developer's).
pub fn candor_command(store: &Store, sink: &Sink, delivery: Delivery) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_candor"));
    // The data directory is the working directory: no `candor.toml` of the checkout is read.
    command
        .current_dir(store.data_dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", store.data_dir.path())
        .env("CANDOR_DATABASE_URL", &store.url)
        .env("CANDOR_JWT_SECRET", SECRET)
        .env("CANDOR_SMTP_URL", format!("smtp://{}", sink.addr))
        .env("CANDOR_NOTICE_FROM", NOTICE_FROM)
        .env("CANDOR_ORGANIZATION_NAME", ORGANIZATION.0)
        .env("CANDOR_ORGANIZATION_WEBSITE", ORGANIZATION.1)
        .env("CANDOR_ORGANIZATION_CONTACT", ORGANIZATION.2)
        .env("CANDOR_PUBLIC_URL", ORGANIZATION.3)
        .env(
            "CANDOR_DELIVERY_CONCURRENCY",
            delivery.concurrency.to_string(),
        )
        .env("CANDOR_DELIVERY_BATCH", delivery.batch.to_string())
        .env(
            "CANDOR_DELIVERY_LEASE_SECONDS",
            delivery.lease_seconds.to_string(),
        )
        .env("CANDOR_DELIVERY_RATE", delivery.rate.to_string())
        .env("CANDOR_SURVEY_WORKER", "false")
        .env("CANDOR_PLAYBOOK_WORKER", "false")
        .env("CANDOR_PLAYBOOK_AUTO_ATTACH", "false")
        .env("CANDOR_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// A loopback address with a port free a moment ago.
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
}

/// A client whose requests give up after a bound (a hanging service fails the test).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// `SELECT COUNT(*) FROM outbox_state WHERE {condition}`.
pub async fn count(db: &DatabaseConnection, condition: &str) -> u64 {
    scalar(
        db,
        &format!("SELECT COUNT(*) AS n FROM outbox_state WHERE {condition}"),
    )
    .await
}

/// The single integer a query returns (as `n`).
pub async fn scalar(db: &DatabaseConnection, sql: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count query")
        .expect("one row");
    row.try_get::<i64>("", "n").expect("count") as u64
}

/// Waits until `done` holds, polling; false if `within` passed first.
pub async fn eventually<F, Fut>(within: Duration, mut done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if done().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A number from the environment, or `default`.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether `path` exists (for tools the tests need).
pub fn have(path: &str) -> bool {
    Path::new(path).exists()
}

/// A test that needs what this machine lacks (root, a tool) fails saying so, unless the
/// developer opted out with `CANDOR_FAULTS_ALLOW_SKIP=1`: then it is skipped, said on stderr.
/// CI never sets it, so a missing prerequisite there is a failure, not a silent pass.
/// Returns whether the test should go on.
pub fn requires(met: bool, what: &str) -> bool {
    if met {
        return true;
    }
    let allowed = std::env::var("CANDOR_FAULTS_ALLOW_SKIP").is_ok_and(|v| v == "1");
    assert!(
        allowed,
        "this test needs {what} (set CANDOR_FAULTS_ALLOW_SKIP=1 to skip it on such a machine)"
    );
    eprintln!("skipped (CANDOR_FAULTS_ALLOW_SKIP=1): needs {what}");
    false
}
