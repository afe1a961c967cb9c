//! The inventory and mapping benchmark. One command:
//!
//! ```sh
//! cargo bench --bench inventory                      # 1M people / 3M holdings, SQLite and PostgreSQL
//! cargo bench --bench inventory -- --people 3400000 --holdings 10000000 --only postgres
//! ```
//!
//! It generates a realistic inventory, imports it through the real `candor` binary (timing it
//! and reading its peak memory from the kernel), maps an incident that exposes most of it, and
//! measures in the same run the baselines: PostgreSQL's own `COPY` of the same rows, and the
//! same affected set computed by one hand-written SQL statement. Figures are appended to
//! `BENCHMARKS.md`. PostgreSQL is reached at `CANDOR_BENCH_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), where a scratch database is made and dropped.

// The service's own allocator (src/main.rs), so the service's code runs here as it does there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod baseline;
mod generate;
mod measure;
mod report;
#[path = "../shared/run_record.rs"]
mod run_record;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use candor::domain::audit::Actor;
use candor::domain::{Clock, DataCategory, Severity, SystemClock};
use candor::incident::{self, NewIncident};
use candor::mapping::{self, ScopeSystemInput};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use report::{BackendFigures, Report};

struct Args {
    people: u64,
    holdings: u64,
    only: Option<String>,
    pg_admin: String,
}

fn args() -> Args {
    let mut args = Args {
        people: 1_000_000,
        holdings: 3_000_000,
        only: None,
        pg_admin: std::env::var("CANDOR_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--people" => args.people = it.next().and_then(|v| v.parse().ok()).expect("--people N"),
            "--holdings" => {
                args.holdings = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--holdings N")
            }
            "--only" => args.only = it.next(),
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
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let data = root.join(format!("{}-{}", args.people, args.holdings));
    let started = Instant::now();
    let files = if data.join("holdings.csv").exists() {
        generate::existing(&data, args.people, args.holdings)
    } else {
        generate::generate(&data, args.people, args.holdings, 2026).expect("generate inventory")
    };
    eprintln!(
        "inventory ready in {:.1}s: {}",
        started.elapsed().as_secs_f64(),
        data.display()
    );

    let mut report = Report::new(measure::machine(), files.people, files.holding_rows);
    for backend in ["sqlite", "postgres"] {
        if args.only.as_deref().is_some_and(|o| o != backend) {
            continue;
        }
        let work = root.join(format!("run-{backend}"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).expect("work dir");
        let (url, cleanup) = match backend {
            "sqlite" => (
                format!("sqlite://{}?mode=rwc", work.join("candor.db").display()),
                None,
            ),
            _ => {
                let (url, name) = baseline::create_pg_database(&args.pg_admin).await;
                (url, Some(name))
            }
        };
        let figures = bench_backend(backend, &url, &work, &files).await;
        report.add(figures);
        if let Some(name) = cleanup {
            baseline::drop_pg_database(&args.pg_admin, &name).await;
        }
    }
    // Rendered once, before the file is touched: the commit line reads the working tree.
    let text = report.render();
    run_record::append(&text).expect("write BENCHMARKS.md");
    println!("{text}");
}

async fn bench_backend(
    backend: &str,
    url: &str,
    work: &Path,
    files: &generate::Generated,
) -> BackendFigures {
    let binary = Path::new(env!("CARGO_BIN_EXE_candor"));
    measure::run_candor(binary, url, work, &["migrate"]);
    eprintln!("[{backend}] importing");
    let systems = measure::run_candor(
        binary,
        url,
        work,
        &["import", "systems", path(&files.systems)],
    );
    let customers = measure::run_candor(
        binary,
        url,
        work,
        &["import", "customers", path(&files.customers)],
    );
    let holdings = measure::run_candor(
        binary,
        url,
        work,
        &["import", "holdings", path(&files.holdings)],
    );
    let reimport = measure::run_candor(
        binary,
        url,
        work,
        &["import", "holdings", path(&files.holdings)],
    );

    let db = Database::connect(url).await.expect("connect");
    let copy = if db.get_database_backend() == DbBackend::Postgres {
        eprintln!("[{backend}] COPY baseline");
        Some(baseline::copy_same_rows(&db, files).await)
    } else {
        None
    };

    eprintln!("[{backend}] mapping");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let incident_id = open_incident(&db, clock.as_ref()).await;
    let started = Instant::now();
    let run = mapping::request_mapping(&db, Actor::Cli, incident_id, clock.now())
        .await
        .expect("request mapping");
    let outcome = mapping::execute_run(
        &db,
        run.id,
        clock.as_ref(),
        &mapping::MappingConfig::default(),
    )
    .await
    .expect("mapping runs");
    let mapping_elapsed = started.elapsed();
    let affected = mapping::impact(&db, incident_id)
        .await
        .expect("impact")
        .affected_people;
    eprintln!(
        "[{backend}] mapping {outcome:?} in {:.1}s",
        mapping_elapsed.as_secs_f64()
    );

    eprintln!("[{backend}] hand-written SQL baselines");
    let work_mem = mapping::MappingConfig::default().work_mem;
    let (hand_elapsed, hand_affected) = baseline::hand_written_mapping(
        &db,
        incident_id,
        EXPOSED,
        &work_mem,
        baseline::Baseline::SameResult,
    )
    .await;
    let (narrow_elapsed, narrow_affected) = baseline::hand_written_mapping(
        &db,
        incident_id,
        EXPOSED,
        &work_mem,
        baseline::Baseline::PeopleAndCategories,
    )
    .await;
    BackendFigures {
        backend: backend.to_owned(),
        systems,
        customers,
        holdings,
        reimport,
        copy,
        mapping: mapping_elapsed,
        affected,
        hand_written: hand_elapsed,
        hand_written_affected: hand_affected,
        narrow: narrow_elapsed,
        narrow_affected,
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// What the benchmark incident exposes in every system.
const EXPOSED: &[DataCategory] = &[
    DataCategory::Name,
    DataCategory::Email,
    DataCategory::Phone,
    DataCategory::PaymentCard,
    DataCategory::Ssn,
    DataCategory::AccountCredentials,
    DataCategory::FinancialAccount,
];

/// An incident whose scope exposes every system's identifying and financial data over the
/// whole period the generator covers: a large incident, the slow case.
async fn open_incident(db: &sea_orm::DatabaseConnection, clock: &dyn Clock) -> uuid::Uuid {
    let now = clock.now();
    let created = incident::create(
        db,
        Actor::Cli,
        NewIncident {
            title: "Benchmark incident".into(),
            summary: String::new(),
            severity: Severity::High,
            kind: candor::domain::IncidentKind::DataBreach,
            discovered_at: now,
            occurred_from: None,
            occurred_to: None,
            commander_id: None,
        },
        now,
    )
    .await
    .expect("incident");
    let scope = generate::SYSTEMS
        .iter()
        .map(|(system, _)| ScopeSystemInput {
            system: (*system).to_owned(),
            categories: EXPOSED.to_vec(),
            from: "2020-01-01".into(),
            to: "2026-06-30".into(),
            encrypted: false,
            key_compromised: false,
        })
        .collect();
    mapping::set_scope(db, Actor::Cli, created.id, scope, now)
        .await
        .expect("scope");
    let _ = db
        .execute_raw(Statement::from_string(db.get_database_backend(), "ANALYZE"))
        .await;
    created.id
}
