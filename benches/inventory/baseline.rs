//! The baselines each figure is compared with, measured in the same run on the same data:
//! PostgreSQL's own `COPY` of the generated rows, and the affected set computed by one
//! hand-written SQL statement.

use std::time::{Duration, Instant};

use candor::domain::DataCategory;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tokio::io::AsyncReadExt;

use crate::generate::Generated;

/// Creates a scratch PostgreSQL database; returns its URL and name.
pub async fn create_pg_database(admin_url: &str) -> (String, String) {
    let admin = Database::connect(admin_url)
        .await
        .expect("PostgreSQL reachable");
    let name = format!("candor_bench_{}", std::process::id());
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    admin
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("drop old");
    let sql = format!("CREATE DATABASE {name}");
    admin
        .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("create");
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    (format!("{base}/{name}"), name)
}

/// Drops the scratch database.
pub async fn drop_pg_database(admin_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(admin_url).await {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = admin
            .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await;
    }
}

/// `COPY … FROM STDIN (FORMAT csv, HEADER)` of the customers and holdings files into tables of
/// the same columns with the same natural-key unique index: what PostgreSQL itself manages.
pub async fn copy_same_rows(db: &DatabaseConnection, files: &Generated) -> Duration {
    let setup = [
        "CREATE TABLE copy_customers (customer_ref text UNIQUE, given_name text, family_name text, \
         email text, phone text, address_line1 text, city text, region text, postal_code text, \
         country text, locale text, tier text, customer_since date, preferred_channel text)",
        "CREATE TABLE copy_holdings (system text, record_ref text, customer_ref text, email text, \
         phone text, categories text, stored_from date, stored_to date, UNIQUE (system, record_ref))",
    ];
    for sql in setup {
        db.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .expect("setup");
    }
    let pool = db.get_postgres_connection_pool();
    let started = Instant::now();
    for (table, file) in [
        ("copy_customers", &files.customers),
        ("copy_holdings", &files.holdings),
    ] {
        let mut conn = pool.acquire().await.expect("connection");
        let sql = format!("COPY {table} FROM STDIN (FORMAT csv, HEADER)");
        let mut copy = conn.copy_in_raw(&sql).await.expect("copy starts");
        let mut input = tokio::fs::File::open(file).await.expect("open");
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = input.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            copy.send(&buf[..n]).await.expect("send");
        }
        copy.finish().await.expect("copy finishes");
    }
    started.elapsed()
}

/// What the hand-written statement computes per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// What the mapping stores: the union of exposed categories, the records behind them
    /// (`system/record_ref`, one per line) and their count, and the jurisdiction.
    SameResult,
    /// Less than the mapping stores: the union of exposed categories and the count of
    /// records, without the records themselves or the jurisdiction.
    PeopleAndCategories,
}

/// The affected people in one statement: in-scope records, linked to a person by reference,
/// else email, else phone, else standing alone; grouped per person. Written as a person would
/// for this scope: `bit_or` on PostgreSQL, and on SQLite the per-bit maximum of only the
/// categories the scope exposes; on PostgreSQL with the same `work_mem` the service gives its
/// own statement. Returns the time and the number of people.
pub async fn hand_written_mapping(
    db: &DatabaseConnection,
    incident_id: uuid::Uuid,
    exposed: &[DataCategory],
    work_mem: &str,
    baseline: Baseline,
) -> (Duration, i64) {
    let backend = db.get_database_backend();
    let union = match backend {
        DbBackend::Postgres => "bit_or(exposed)".to_owned(),
        _ => exposed
            .iter()
            .map(|c| format!("MAX(exposed & {})", c.bit()))
            .collect::<Vec<_>>()
            .join(" | "),
    };
    let (records, in_eu) = match backend {
        DbBackend::Postgres => (
            "string_agg(system || '/' || record_ref, E'\\n')",
            "bool_or(in_eu)",
        ),
        _ => (
            "group_concat(system || '/' || record_ref, char(10))",
            "MAX(in_eu)",
        ),
    };
    let (more_out, more_in) = match baseline {
        Baseline::SameResult => (
            format!(", {records} AS records, MIN(jurisdiction) AS jurisdiction, {in_eu} AS in_eu"),
            ", h.system, h.record_ref, \
             COALESCE(p1.jurisdiction, p2.jurisdiction, p3.jurisdiction, 'unknown') AS jurisdiction, \
             COALESCE(p1.in_eu, p2.in_eu, p3.in_eu) AS in_eu",
        ),
        Baseline::PeopleAndCategories => (String::new(), ""),
    };
    let key = "COALESCE('p:' || CAST(COALESCE(p1.id, p2.id, p3.id) AS TEXT), \
               'u:e:' || h.email_norm, 'u:t:' || h.phone_norm, 'u:r:' || h.system || '/' || h.record_ref)";
    let table = match baseline {
        Baseline::SameResult => "bench_affected_same",
        Baseline::PeopleAndCategories => "bench_affected_people",
    };
    let incident = match backend {
        DbBackend::Postgres => format!("'{incident_id}'::uuid"),
        _ => format!("x'{}'", incident_id.simple()),
    };
    let sql = format!(
        "CREATE TABLE {table} AS
         SELECT person_key, {union} AS categories, COUNT(*) AS record_count{more_out} FROM (
           SELECT {key} AS person_key, h.categories & s.categories AS exposed{more_in}
           FROM holdings h
           JOIN incident_scopes s ON s.system = h.system AND s.incident_id = {incident}
           LEFT JOIN people p1 ON p1.customer_ref = h.customer_ref
           LEFT JOIN people p2 ON p1.id IS NULL AND p2.email_norm = h.email_norm
           LEFT JOIN people p3 ON p1.id IS NULL AND p2.id IS NULL AND p3.phone_norm = h.phone_norm
           WHERE h.stored_from <= s.exposed_to
             AND (h.stored_to IS NULL OR h.stored_to >= s.exposed_from)
             AND (h.categories & s.categories) <> 0
         ) x GROUP BY person_key"
    );
    if backend == DbBackend::Postgres && !work_mem.is_empty() {
        db.execute_raw(Statement::from_string(
            backend,
            format!("SET work_mem = '{work_mem}'"),
        ))
        .await
        .expect("work_mem");
    }
    let _ = db
        .execute_raw(Statement::from_string(
            backend,
            format!("DROP TABLE IF EXISTS {table}"),
        ))
        .await;
    let started = Instant::now();
    db.execute_raw(Statement::from_string(backend, sql))
        .await
        .expect("hand-written SQL runs");
    let elapsed = started.elapsed();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("one row");
    (elapsed, row.try_get::<i64>("", "n").expect("count"))
}
