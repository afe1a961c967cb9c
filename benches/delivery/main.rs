//! The delivery benchmark. One command:
//!
//! ```sh
//! cargo bench --bench delivery                                  # 100,000 notices, 1 and 8 sessions, SQLite
//! cargo bench --bench delivery -- --messages 5000 --no-report   # a trial run
//! cargo bench --bench delivery -- --sessions 1,8,32 --only postgres
//! ```
//!
//! It starts Postfix's `smtp-sink` on a free loopback port, seeds a fresh database with N
//! approved notices in the outbox the way the service does (inventory import, mapping, draft,
//! approval by a CX lead, `send_notice`), and for each session count times in the same run
//! `smtp-source` (2 KB, and the size of Candor's own messages) and the service's outbox worker
//! draining every row into the same sink, checking afterwards that every row is durably
//! `sent`. The figures are appended to `BENCHMARKS.md` unless `--no-report`. `--only` picks
//! `sqlite` (the default), `postgres` or `both`; PostgreSQL is reached at `CANDOR_BENCH_PG`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), where a scratch database is made
//! and dropped.

// The service's own allocator (src/main.rs), so the service's code runs here as it does there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod baseline;
mod drain;
#[allow(dead_code)] // Only `machine()` is used here; the rest serves the inventory bench.
#[path = "../inventory/measure.rs"]
mod measure;
mod report;
#[path = "../shared/run_record.rs"]
mod run_record;
mod seed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor::domain::{Clock, SystemClock};
use candor::settings::Settings;
use secrecy::SecretString;

use baseline::Sink;
use report::{BackendFigures, Report, Row};

struct Args {
    messages: u64,
    sessions: Vec<usize>,
    backends: Vec<&'static str>,
    report: bool,
    pg_admin: String,
}

fn args() -> Args {
    let mut args = Args {
        messages: 100_000,
        sessions: vec![1, 8],
        backends: vec!["sqlite"],
        report: true,
        pg_admin: std::env::var("CANDOR_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--messages" => {
                args.messages = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .expect("--messages N (N > 0)")
            }
            "--sessions" => {
                args.sessions = it
                    .next()
                    .and_then(|v| v.split(',').map(|s| s.trim().parse().ok()).collect())
                    .filter(|s: &Vec<usize>| {
                        !s.is_empty() && s.iter().all(|n| (1..=256).contains(n))
                    })
                    .expect("--sessions 1,8 (each 1 to 256)")
            }
            "--only" => {
                args.backends = match it.next().as_deref() {
                    Some("sqlite") => vec!["sqlite"],
                    Some("postgres") => vec!["postgres"],
                    Some("both") => vec!["sqlite", "postgres"],
                    _ => panic!("--only sqlite|postgres|both"),
                }
            }
            "--no-report" => args.report = false,
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
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/delivery");
    let files = seed::files(
        &root.join(format!("inventory-{}", args.messages)),
        args.messages,
    )
    .expect("write the inventory files");
    let sink = Sink::start();
    eprintln!("smtp-sink listening on {}", sink.addr);
    let mut report = Report {
        machine: measure::machine(),
        messages: args.messages,
        batch: Settings::default().delivery_batch,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
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
        let figures = bench_backend(backend, &url, &work, &files, &sink, &args).await;
        report.batch = figures.1;
        report.backends.push(figures.0);
        if let Some(name) = scratch {
            baseline::drop_pg_database(&args.pg_admin, &name).await;
        }
    }
    drop(sink);
    // Rendered once, before the file is touched: the commit line reads the working tree.
    let text = report.render();
    if args.report {
        run_record::append(&text).expect("write BENCHMARKS.md");
    }
    println!("{text}");
}

/// The service's settings for this run: notices from "Sample Company", mail to the sink.
fn settings(url: &str, work: &Path, sink: &Sink) -> Settings {
    let mut settings = Settings {
        data_dir: work.to_path_buf(),
        database_url: Some(url.to_owned()),
        organization_name: "Sample Company".into(),
        organization_website: "https://www.sample-company.test".into(),
        organization_contact: "Sample Company privacy team".into(),
        public_url: "https://notices.sample-company.test".into(),
        notice_from: "notices@sample-company.test".into(),
        smtp_url: Some(SecretString::from(format!("smtp://{}", sink.addr))),
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
    sink: &Sink,
    args: &Args,
) -> (BackendFigures, u64) {
    let settings = settings(url, work, sink);
    let db = candor::app::open_database(&settings)
        .await
        .expect("database");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let notices = candor::app::notice_config(&settings).expect("notice config");
    let obligations = candor::app::load_obligations(&settings).expect("the rules pack and traits");
    let secret = settings.resolve_jwt_secret().expect("secret");
    let (sending, worker) =
        candor::app::delivery(&settings, &db, &clock, &secret).expect("delivery config");
    let config = worker.config().clone();

    eprintln!("[{backend}] seeding {} approved notices", args.messages);
    let service = seed::Service {
        db: &db,
        clock: clock.as_ref(),
        notices: &notices,
        obligations: &obligations,
        sending: &sending,
    };
    let seeded = seed::seed(&service, files).await;
    assert_eq!(
        seeded.rows, args.messages,
        "the notice should have queued one email per customer"
    );
    eprintln!(
        "[{backend}] set up in {:.1}s; send_notice queued {} rows of campaign {} in {:.1}s",
        seeded.setup.as_secs_f64(),
        seeded.rows,
        seeded.campaign_id,
        seeded.enqueue.as_secs_f64()
    );
    let (mean_size, size_sample) =
        drain::mean_message_size(&db, &clock, &config, &work.join("size-sample"), 2000).await;
    let same = baseline::payload_for(mean_size);
    eprintln!(
        "[{backend}] mean message size {mean_size:.0} B ({size_sample} messages); smtp-source same size: -l {same}"
    );

    let mut runs = Vec::new();
    for &sessions in &args.sessions {
        let source_2k = baseline::smtp_source(sink, sessions, args.messages, 2048);
        let source_same = baseline::smtp_source(sink, sessions, args.messages, same);
        let candor = drain::drain(&db, &clock, &config, sessions, sink).await;
        eprintln!(
            "[{backend}] S={sessions}: Candor {:.0}/s, smtp-source 2 KB {:.0}/s, same size {:.0}/s",
            candor.rate(),
            source_2k.rate(),
            source_same.rate()
        );
        runs.push(Row {
            candor,
            source_2k,
            source_same,
        });
    }
    db.close().await.ok();
    let figures = BackendFigures {
        backend: backend.to_owned(),
        rows: seeded.rows,
        enqueue: seeded.enqueue,
        mean_size,
        size_sample,
        runs,
    };
    (figures, config.batch)
}
