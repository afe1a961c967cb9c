//! The load benchmark. One command:
//!
//! ```sh
//! cargo bench --bench load                                   # SQLite and PostgreSQL, 15 s per endpoint
//! cargo bench --bench load -- --people 2000 --duration 5 --only sqlite   # a trial run
//! ```
//!
//! For each backend it seeds a fresh database the way the delivery bench does (inventory
//! import, mapping, a responder's initial notice approved by a CX lead and sent: one outbox row
//! and one link per person, then marked `sent`), starts the release `candor serve` as a child
//! process over it, and runs `wrk` against, in the same run: `GET /healthz` (the trivial
//! endpoint, the baseline), `GET /api/v1/incidents/{id}` and `GET …/impact` with a Bearer
//! token, and `POST /s/{token}` (a person's survey answer, cycling over every person's link).
//! It records requests per second, p99 latency, the ratio to `/healthz` and the service's peak
//! resident memory (`VmHWM`), and writes `target/load-report.md`. PostgreSQL is reached at
//! `CANDOR_BENCH_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`), where a scratch
//! database is made and dropped. Needs `wrk` on the `PATH`.

#[allow(dead_code)] // Only `create_pg_database` and `drop_pg_database` are used here.
#[path = "../delivery/baseline.rs"]
mod baseline;
#[allow(dead_code)] // Only `machine()` is used here.
#[path = "../inventory/measure.rs"]
mod measure;
mod report;
#[allow(dead_code)] // The seeded campaign's id and timings are the delivery bench's.
#[path = "../delivery/seed.rs"]
mod seed;
mod service;
mod wrk;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor::domain::{Clock, SystemClock};
use candor::settings::Settings;
use secrecy::SecretString;

use report::{BackendFigures, Report};

/// What the delivery bench's seed needs of its `drain` module.
mod drain {
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

    /// `SELECT COUNT(*) FROM outbox_state WHERE {condition}`.
    pub async fn count(db: &DatabaseConnection, condition: &str) -> u64 {
        let sql = format!("SELECT COUNT(*) AS n FROM outbox_state WHERE {condition}");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("count query")
            .expect("one row");
        row.try_get::<i64>("", "n").expect("count") as u64
    }
}

pub struct Args {
    pub people: u64,
    pub duration_secs: u64,
    pub connections: u32,
    pub threads: u32,
    pub backends: Vec<&'static str>,
    pub pg_admin: String,
}

fn args() -> Args {
    let mut args = Args {
        people: 20_000,
        duration_secs: 15,
        connections: 32,
        threads: 2,
        backends: vec!["sqlite", "postgres"],
        pg_admin: std::env::var("CANDOR_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>, what: &str| -> u64 {
        v.and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("{what} N (N > 0)"))
    };
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--people" => args.people = number(it.next(), "--people"),
            "--duration" => args.duration_secs = number(it.next(), "--duration"),
            "--connections" => args.connections = number(it.next(), "--connections") as u32,
            "--only" => {
                args.backends = match it.next().as_deref() {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    Some("both") => vec!["sqlite", "postgres"],
                    _ => panic!("--only sqlite|postgres|both"),
                }
            }
            // cargo bench passes --bench; ignore anything else it adds.
            _ => {}
        }
    }
    args
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let root = target.join("bench-data/load");
    let files = seed::files(
        &root.join(format!("inventory-{}", args.people)),
        args.people,
    )
    .expect("write the inventory files");
    let mut report = Report {
        machine: measure::machine(),
        args: format!(
            "wrk -t{} -c{} -d{}s --latency; {} people",
            args.threads, args.connections, args.duration_secs, args.people
        ),
        backends: Vec::new(),
    };
    for backend in &args.backends {
        let work = root.join(format!("run-{backend}"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).expect("work dir");
        let (url, scratch) = match *backend {
            "sqlite" => (
                format!("sqlite://{}?mode=rwc", work.join("candor.db").display()),
                None,
            ),
            _ => {
                let (url, name) = baseline::create_pg_database(&args.pg_admin).await;
                (url, Some(name))
            }
        };
        report
            .backends
            .push(bench_backend(backend, &url, &work, &files, &args).await);
        if let Some(name) = scratch {
            baseline::drop_pg_database(&args.pg_admin, &name).await;
        }
    }
    let markdown = report.render();
    std::fs::write(target.join("load-report.md"), &markdown).expect("write the report");
    println!("{markdown}");
}

/// The settings the seed uses; the service gets the same through `CANDOR_*` variables.
fn settings(url: &str, work: &Path) -> Settings {
    let mut settings = Settings {
        data_dir: work.to_path_buf(),
        database_url: Some(url.to_owned()),
        organization_name: "Sample Company".into(),
        organization_website: "https://www.sample-company.test".into(),
        organization_contact: "Sample Company privacy team".into(),
        public_url: "https://notices.sample-company.test".into(),
        notice_from: "notices@sample-company.test".into(),
        jwt_secret: Some(SecretString::from(format!(
            "bench-{}-{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ))),
        ..Settings::default()
    };
    settings.log = "warn".into();
    settings.validate().expect("valid settings");
    settings
}

async fn bench_backend(
    backend: &str,
    url: &str,
    work: &Path,
    files: &seed::Files,
    args: &Args,
) -> BackendFigures {
    let settings = settings(url, work);
    let db = candor::app::open_database(&settings)
        .await
        .expect("database");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let notices = candor::app::notice_config(&settings).expect("notice config");
    let obligations = candor::app::load_obligations(&settings).expect("the rules pack and traits");
    let secret = settings.resolve_jwt_secret().expect("secret");
    let (sending, _worker) =
        candor::app::delivery(&settings, &db, &clock, &secret).expect("delivery config");
    eprintln!(
        "[{backend}] seeding {} people with a sent notice",
        args.people
    );
    let seeded = seed::seed(
        &seed::Service {
            db: &db,
            clock: clock.as_ref(),
            notices: &notices,
            obligations: &obligations,
            sending: &sending,
        },
        files,
    )
    .await;
    let prepared = service::prepare(&db, &secret, clock.now()).await;
    db.close().await.ok();
    eprintln!(
        "[{backend}] seeded {} messages in {:.1}s; starting candor serve",
        seeded.rows,
        (seeded.setup + seeded.enqueue).as_secs_f64()
    );
    let running = service::Running::start(&settings, &secret).await;
    let figures = running.measure(backend, &prepared, work, args).await;
    running.stop();
    figures
}
