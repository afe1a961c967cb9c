//! Draining the outbox with the service's own worker: resetting every row to `pending`, timing
//! `run_until_idle` at a number of sender sessions, checking that every row was durably marked
//! `sent`, and the CPU this process and the sink used meanwhile. Also the size of the messages
//! as built, read from a sample the file transport writes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor::delivery::transport::EmailTransport;
use candor::delivery::{DeliveryConfig, Worker};
use candor::domain::Clock;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

use crate::baseline::{Sink, postgres_cpu, rusage_cpu};

/// One drain.
#[derive(Debug, Clone, Copy)]
pub struct Drained {
    pub sessions: usize,
    pub messages: u64,
    pub elapsed: Duration,
    /// This process's user + system CPU during the drain.
    pub cpu: Duration,
    /// The sink's user + system CPU during the drain.
    pub sink_cpu: Duration,
    /// The PostgreSQL server's user + system CPU during the drain, when the database is
    /// PostgreSQL on this machine.
    pub server_cpu: Option<Duration>,
}

impl Drained {
    pub fn rate(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }
}

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

/// Makes every row due again, as if the notice had just been sent.
pub async fn reset(db: &DatabaseConnection, now: chrono::DateTime<chrono::Utc>) {
    execute(
        db,
        "UPDATE outbox_state SET status = 'pending', attempts = 0, lease_owner = NULL, \
         lease_until = NULL, sent_at = NULL, reply = NULL, body_sha256 = NULL, \
         last_error = NULL, next_attempt_at = $1, updated_at = $1",
        vec![now.into()],
    )
    .await;
}

async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .expect("outbox statement");
}

/// Drains the whole outbox through `config` with `sessions` senders from a settled database
/// (every row reset, and on SQLite the reset's writes checkpointed out of the WAL, on
/// PostgreSQL its dead row versions vacuumed, so one drain does not pay for the last one's); fails loudly unless every row ends `sent`.
pub async fn drain(
    db: &DatabaseConnection,
    clock: &Arc<dyn Clock>,
    config: &DeliveryConfig,
    sessions: usize,
    sink: &Sink,
) -> Drained {
    reset(db, clock.now()).await;
    if db.get_database_backend() == DbBackend::Sqlite {
        execute(db, "PRAGMA wal_checkpoint(TRUNCATE)", Vec::new()).await;
    } else {
        // The reset left a dead version of every row, and the last drain two more; an outbox
        // `send_notice` just filled has none. Vacuum them so each drain starts as after a send.
        execute(db, "VACUUM ANALYZE outbox, outbox_state", Vec::new()).await;
    }
    let expected = count(db, "status = 'pending'").await;
    let mut config = config.clone();
    config.concurrency = sessions;
    let worker = Worker::new(db.clone(), clock.clone(), config);
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let (cpu_before, sink_before, server_before) =
        (rusage_cpu(libc::RUSAGE_SELF), sink.cpu(), postgres_cpu());
    let started = Instant::now();
    let stats = worker.run_until_idle().await.expect("the outbox drains");
    let elapsed = started.elapsed();
    let (cpu, sink_cpu) = (
        rusage_cpu(libc::RUSAGE_SELF) - cpu_before,
        sink.cpu() - sink_before,
    );
    let server_cpu = postgres.then(|| postgres_cpu().saturating_sub(server_before));
    let sent = count(db, "status = 'sent'").await;
    assert!(
        sent == expected && stats.sent == expected && stats.failed == 0 && stats.retrying == 0,
        "only {sent} of {expected} outbox rows are durably `sent` after the drain ({stats:?}); \
         the sink may have refused messages or the marks were lost"
    );
    Drained {
        sessions,
        messages: sent,
        elapsed,
        cpu,
        sink_cpu,
        server_cpu,
    }
}

/// The mean size in bytes of the messages as built (what goes after DATA), read from the
/// `.eml` files the file transport writes for up to `sample` rows spread over the outbox; one
/// of them is kept as `sample-message.eml` beside `dir`. Leaves the outbox to be reset.
pub async fn mean_message_size(
    db: &DatabaseConnection,
    clock: &Arc<dyn Clock>,
    config: &DeliveryConfig,
    dir: &Path,
    sample: u64,
) -> (f64, u64) {
    let _ = std::fs::remove_dir_all(dir);
    reset(db, clock.now()).await;
    let rows = count(db, "status = 'pending'").await;
    let step = (rows / sample.max(1)).max(1) as i64;
    // Everything but every step-th row waits behind a canary hold the worker does not claim.
    execute(
        db,
        "UPDATE outbox_state SET status = 'held' WHERE id % $1 <> 0",
        vec![step.into()],
    )
    .await;
    let mut config = config.clone();
    config.email = EmailTransport::File(dir.to_path_buf());
    config.concurrency = 2;
    Worker::new(db.clone(), clock.clone(), config)
        .run_until_idle()
        .await
        .expect("the sample is written");
    let (mut bytes, mut files) = (0u64, 0u64);
    let mut first = None;
    for entry in std::fs::read_dir(dir).expect("sample folder") {
        let path = entry.expect("sample file").path();
        if path.extension().is_some_and(|e| e == "eml") {
            bytes += std::fs::metadata(&path).expect("size").len();
            files += 1;
            first.get_or_insert(path);
        }
    }
    let first = first.expect("the file transport wrote no sample message");
    // One message is kept beside the folder, to look at what was measured.
    std::fs::copy(&first, dir.with_file_name("sample-message.eml")).expect("keep a sample");
    let _ = std::fs::remove_dir_all(dir);
    (bytes as f64 / files as f64, files)
}
