//! The mapping as set-based SQL: one statement reads the inventory and writes one row per
//! affected person. No holding is loaded into the service.
//!
//! The statement takes every in-scope holding (its system exposed, its `[stored_from,
//! stored_to]` overlapping the exposure window, on the forensic list when its system has one)
//! with the categories both held and exposed, links it to a person, and groups per person: the
//! union of the exposed categories, the part of it no encryption safe harbor covers, the
//! records behind them, and the person's jurisdiction.
//!
//! PostgreSQL runs it as one `INSERT … SELECT` inside the worker's transaction. SQLite has one
//! writer at a time, so there the people are first grouped into a temporary table on a
//! connection of the worker's own, under a read snapshot that blocks no one, and then copied
//! into `affected_people` in short write transactions (see [`SqliteStage`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::sqlx::sqlite::SqlitePoolOptions;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, RuntimeErr,
    SqlxSqliteConnector, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use super::{PHASE_DONE, RunStatus};
use crate::domain::{CategorySet, DataCategory};

/// What the statement needs to know of the scope before it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopePlan {
    /// Every category any system of the scope exposes: the only bits a union can have.
    pub categories: CategorySet,
    /// Whether some system was encrypted with a key that was not compromised, so the
    /// unprotected categories can differ from the exposed ones.
    pub any_protected: bool,
    /// Systems with a forensic record list: only the listed records of these count.
    pub listed_systems: Vec<String>,
}

/// Reads what the statement needs of an incident's scope.
pub async fn plan(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<ScopePlan, DbErr> {
    let mut plan = ScopePlan::default();
    for row in super::super::scope::list(db, incident_id).await? {
        plan.categories = plan.categories.union(row.categories);
        plan.any_protected |= row.encrypted && !row.key_compromised;
    }
    let backend = db.get_database_backend();
    let sql = "SELECT DISTINCT system FROM scope_records WHERE incident_id = $1 ORDER BY system";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into()],
        ))
        .await?;
    for row in rows {
        plan.listed_systems.push(row.try_get_by_index(0)?);
    }
    Ok(plan)
}

/// The columns of `affected_people` the statement fills, after `mapping_id`.
const RESULT_COLUMNS: &str = "person_key, person_id, unmatched, categories, unprotected, \
     records, record_count, jurisdiction, in_eu";

/// How the statement names its inputs: bind parameters, or SQL literals for a statement that
/// cannot take parameters (PostgreSQL's `CREATE TABLE … AS`).
pub struct Inputs {
    incident: String,
    listed: Vec<String>,
}

impl Inputs {
    /// `$1` is the incident; `$2…` the systems with forensic lists (see [`statement_values`]).
    pub fn bound(plan: &ScopePlan) -> Self {
        Inputs {
            incident: "$1".into(),
            listed: (0..plan.listed_systems.len())
                .map(|i| format!("${}", i + 2))
                .collect(),
        }
    }

    /// PostgreSQL literals of the same values.
    pub fn literal(incident_id: Uuid, plan: &ScopePlan) -> Self {
        Inputs {
            incident: format!("'{incident_id}'::uuid"),
            listed: plan.listed_systems.iter().map(|s| pg_text(s)).collect(),
        }
    }
}

/// A PostgreSQL text literal: an escape string, whose meaning does not depend on the server's
/// `standard_conforming_strings`.
fn pg_text(s: &str) -> String {
    format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// The grouped people, one row per person, in [`RESULT_COLUMNS`] order, with its inputs named
/// as `inputs` says.
pub fn people_sql(backend: DbBackend, plan: &ScopePlan, inputs: &Inputs) -> String {
    let pg = backend == DbBackend::Postgres;
    // SQLite keeps timestamps as text; julianday() compares them whatever their exact format.
    let at = |column: &str| {
        if pg {
            column.to_owned()
        } else {
            format!("julianday({column})")
        }
    };
    let union = |column: &str| union_of(backend, column, plan.categories);
    let unprotected = if plan.any_protected {
        union("plain")
    } else {
        "0".to_owned()
    };
    let records = if pg {
        "string_agg(system || '/' || record_ref, E'\\n')"
    } else {
        "group_concat(system || '/' || record_ref, char(10))"
    };
    let listed = if plan.listed_systems.is_empty() {
        String::new()
    } else {
        format!(
            "AND (h.system NOT IN ({}) OR EXISTS (SELECT 1 FROM scope_records r \
               WHERE r.incident_id = s.incident_id AND r.system = h.system \
               AND r.record_ref = h.record_ref))",
            inputs.listed.join(", ")
        )
    };
    let in_eu = if pg {
        "COALESCE(p.in_eu, false)"
    } else {
        "COALESCE(p.in_eu, 0)"
    };
    // PostgreSQL groups by sorting the keys; byte order compares them several times faster
    // than the database's collation, and any consistent order groups alike.
    let collate = if pg { " COLLATE \"C\"" } else { "" };
    // Without a protected system, nothing is covered by a safe harbor: unprotected = exposed.
    let unprotected_out = if plan.any_protected {
        "g.unprotected"
    } else {
        "g.cats"
    };
    format!(
        "SELECT g.person_key, g.person_id, g.person_id IS NULL, g.cats, {unprotected_out}, \
           g.records, g.n, COALESCE(p.jurisdiction, 'unknown'), {in_eu} \
         FROM (SELECT person_key, MIN(person_id) AS person_id, {cats} AS cats, \
                 {unprotected} AS unprotected, {records} AS records, COUNT(*) AS n \
               FROM (SELECT h.system, h.record_ref, h.categories & s.categories AS cats, \
                       CASE WHEN s.encrypted AND NOT s.key_compromised THEN 0 \
                            ELSE h.categories & s.categories END AS plain, \
                       COALESCE(pc.id, pe.id, pt.id) AS person_id, \
                       COALESCE('p:' || COALESCE(pc.id, pe.id, pt.id), \
                         CASE WHEN h.email_norm <> '' THEN 'u:e:' || h.email_norm \
                              WHEN h.phone_norm <> '' THEN 'u:t:' || h.phone_norm \
                              ELSE 'u:r:' || h.system || '/' || h.record_ref END){collate} \
                         AS person_key \
                     FROM incident_scopes s \
                     JOIN holdings h ON h.system = s.system \
                     {PERSON_JOINS} \
                     WHERE s.incident_id = {incident} \
                       AND (h.categories & s.categories) <> 0 \
                       AND {stored_from} <= {exposed_to} \
                       AND (h.stored_to IS NULL OR {stored_to} >= {exposed_from}) \
                       {listed}) x \
               GROUP BY person_key) g \
         LEFT JOIN people p ON p.id = g.person_id",
        cats = union("cats"),
        incident = inputs.incident,
        stored_from = at("h.stored_from"),
        stored_to = at("h.stored_to"),
        exposed_from = at("s.exposed_from"),
        exposed_to = at("s.exposed_to"),
    )
}

// A record is linked to a person by customer reference, else normalized email, else
// normalized phone; when several people share an email or phone, the lowest id wins, so the
// result is deterministic. A record nobody matches is a person of its own, keyed by its email,
// else its phone, else the record itself, so two unmatched records with one email are one
// person. The lowest id is found by an anti-join rather than a `MIN` per email: PostgreSQL
// runs an anti-join as a parallel hash join, where each worker would build a grouped copy of
// its own; SQLite probes the people indexes per record.
const PERSON_JOINS: &str = "LEFT JOIN people pc ON pc.customer_ref = h.customer_ref \
     LEFT JOIN people pe ON pc.id IS NULL AND pe.email_norm = h.email_norm \
       AND NOT EXISTS (SELECT 1 FROM people q WHERE q.email_norm = pe.email_norm AND q.id < pe.id) \
     LEFT JOIN people pt ON pc.id IS NULL AND pe.id IS NULL AND pt.phone_norm = h.phone_norm \
       AND NOT EXISTS (SELECT 1 FROM people q WHERE q.phone_norm = pt.phone_norm AND q.id < pt.id)";

/// The bitwise union of a mask column over a group. SQLite has no `bit_or` aggregate, so
/// there the maximum of each bit that can be set at all is OR-ed together.
fn union_of(backend: DbBackend, column: &str, possible: CategorySet) -> String {
    if backend == DbBackend::Postgres {
        return format!("bit_or({column})");
    }
    let bits: Vec<String> = DataCategory::ALL
        .iter()
        .filter(|c| possible.contains(**c))
        .map(|c| format!("MAX({column} & {})", c.bit()))
        .collect();
    if bits.is_empty() {
        "0".to_owned()
    } else {
        bits.join(" | ")
    }
}

fn statement_values(incident_id: Uuid, plan: &ScopePlan) -> Vec<Value> {
    let mut values: Vec<Value> = vec![incident_id.into()];
    values.extend(plan.listed_systems.iter().map(|s| Value::from(s.clone())));
    values
}

/// PostgreSQL: computes the run's people inside `txn`. `work_mem` is the memory PostgreSQL may
/// use for the statement's hash tables, e.g. `256MB`.
///
/// The statement fills a temporary table first and `affected_people` from it: PostgreSQL runs
/// no part of an `INSERT … SELECT` in parallel, while `CREATE TABLE … AS` may use every core
/// for the joins and the grouping (on two cores the whole takes about 30% less). The table
/// lives in this transaction's session only and is dropped at its end.
pub async fn compute_postgres(
    txn: &DatabaseTransaction,
    run_id: Uuid,
    incident_id: Uuid,
    plan: &ScopePlan,
    work_mem: &str,
) -> Result<(), DbErr> {
    if !work_mem.is_empty() {
        // `SET` takes no parameters; the setting is checked to be a size before it gets here.
        let sql = format!("SET LOCAL work_mem = '{}'", work_mem.replace('\'', ""));
        txn.execute_unprepared(&sql).await?;
    }
    let table = format!("mapping_people_{}", run_id.simple());
    let sql = format!(
        "CREATE TEMPORARY TABLE {table} ({RESULT_COLUMNS}) ON COMMIT DROP AS {}",
        people_sql(
            DbBackend::Postgres,
            plan,
            &Inputs::literal(incident_id, plan)
        )
    );
    txn.execute_unprepared(&sql).await?;
    let sql = format!(
        "INSERT INTO affected_people (mapping_id, {RESULT_COLUMNS}) SELECT $1, * FROM {table}"
    );
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [run_id.into()],
    ))
    .await?;
    txn.execute_unprepared(&format!("DROP TABLE {table}"))
        .await?;
    Ok(())
}

/// SQLite: the run's people grouped into a temporary table on a connection of their own, to
/// be copied into `affected_people` a slice at a time.
pub struct SqliteStage {
    db: DatabaseConnection,
    table: String,
    rows: i64,
}

impl SqliteStage {
    /// Opens the connection and groups the people under one read snapshot.
    pub async fn compute(
        main: &DatabaseConnection,
        run_id: Uuid,
        incident_id: Uuid,
        plan: &ScopePlan,
    ) -> Result<Self, DbErr> {
        let options = main.get_sqlite_connection_pool().connect_options();
        // One connection that is never recycled: the temporary table exists on it alone.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with((*options).clone())
            .await
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
        let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        let table = format!("mapping_people_{}", run_id.simple());
        // A larger page cache for the scan and the grouping (the connection is dropped after).
        db.execute_unprepared("PRAGMA cache_size = -65536").await?;
        // Writing a temporary table takes no lock on the main database: other writers go on.
        let snapshot = db.begin().await?;
        let sql = format!(
            "CREATE TEMPORARY TABLE {table} AS {}",
            people_sql(DbBackend::Sqlite, plan, &Inputs::bound(plan))
        );
        snapshot
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                statement_values(incident_id, plan),
            ))
            .await?;
        snapshot.commit().await?;
        let count = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT COALESCE(MAX(rowid), 0) FROM {table}"),
            ))
            .await?
            .map_or(Ok(0), |row| row.try_get_by_index(0))?;
        Ok(SqliteStage {
            db,
            table,
            rows: count,
        })
    }

    /// The highest row number staged (rows are numbered from 1).
    pub fn rows(&self) -> i64 {
        self.rows
    }

    /// Starts a write transaction on the stage's connection.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        super::super::begin_write(&self.db).await
    }

    /// Copies staged rows `(after, upto]` into `affected_people` inside `txn` (from
    /// [`SqliteStage::begin_write`]).
    pub async fn copy(
        &self,
        txn: &DatabaseTransaction,
        run_id: Uuid,
        after: i64,
        upto: i64,
    ) -> Result<u64, DbErr> {
        let sql = format!(
            "INSERT INTO affected_people (mapping_id, {RESULT_COLUMNS}) \
             SELECT $1, * FROM {} WHERE rowid > $2 AND rowid <= $3",
            self.table
        );
        let result = txn
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                [run_id.into(), after.into(), upto.into()],
            ))
            .await?;
        Ok(result.rows_affected())
    }

    /// Drops the table and closes the connection.
    pub async fn close(self) {
        let _ = self
            .db
            .execute_unprepared(&format!("DROP TABLE IF EXISTS {}", self.table))
            .await;
        let _ = self.db.close().await;
    }
}

/// Refreshes PostgreSQL's statistics of the result table after a run has replaced many of
/// its rows, so reading the new result pages by index at once instead of after autovacuum.
/// SQLite keeps none to refresh.
pub async fn refresh_statistics(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        run(db, "ANALYZE affected_people", vec![]).await?;
    }
    Ok(())
}

/// Deletes up to `limit` of a run's result rows; returns how many went.
pub async fn delete_results(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    limit: u64,
) -> Result<u64, DbErr> {
    let sql = "DELETE FROM affected_people WHERE mapping_id = $1 AND person_key IN \
               (SELECT person_key FROM affected_people WHERE mapping_id = $1 LIMIT $2)";
    let backend = db.get_database_backend();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [run_id.into(), limit.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// The run's counts: `(affected people, of whom unmatched)`.
pub async fn people_counts(db: &impl ConnectionTrait, run_id: Uuid) -> Result<(i64, i64), DbErr> {
    let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN unmatched THEN 1 ELSE 0 END), 0) \
               FROM affected_people WHERE mapping_id = $1";
    let row = one(db, sql, vec![run_id.into()]).await?;
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}

/// How the run's people differ from `previous`'s: `(added, removed)` by person key.
pub async fn diff(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    previous: Uuid,
) -> Result<(i64, i64), DbErr> {
    let sql = "SELECT \
         (SELECT COUNT(*) FROM affected_people n WHERE n.mapping_id = $1 AND NOT EXISTS \
            (SELECT 1 FROM affected_people o WHERE o.mapping_id = $2 AND o.person_key = n.person_key)), \
         (SELECT COUNT(*) FROM affected_people o WHERE o.mapping_id = $2 AND NOT EXISTS \
            (SELECT 1 FROM affected_people n WHERE n.mapping_id = $1 AND n.person_key = o.person_key))";
    let row = one(db, sql, vec![run_id.into(), previous.into()]).await?;
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}

/// A finished run's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCounts {
    pub affected: i64,
    pub unmatched: i64,
    pub added: i64,
    pub removed: i64,
}

/// Marks a run succeeded with its counts.
pub async fn mark_succeeded(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    counts: RunCounts,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let sql = format!(
        "UPDATE mapping_runs SET status = '{}', phase = '{PHASE_DONE}', finished_at = $2, \
         affected_people = $3, unmatched_people = $4, added_people = $5, removed_people = $6, \
         error = NULL, lease_until = NULL WHERE id = $1",
        RunStatus::Succeeded
    );
    let values = vec![
        run_id.into(),
        now.into(),
        counts.affected.into(),
        counts.unmatched.into(),
        counts.added.into(),
        counts.removed.into(),
    ];
    run(db, &sql, values).await
}

/// Marks a replaced run superseded; its result rows are deleted afterwards, outside the
/// swap (see [`delete_results`]).
pub async fn supersede(db: &impl ConnectionTrait, run_id: Uuid) -> Result<(), DbErr> {
    let sql = format!(
        "UPDATE mapping_runs SET status = '{}' WHERE id = $1",
        RunStatus::Superseded
    );
    run(db, &sql, vec![run_id.into()]).await
}

/// Runs that are over (superseded or failed) but still have result rows, e.g. because the
/// instance stopped before deleting them.
pub async fn runs_with_stale_results(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, DbErr> {
    let backend = db.get_database_backend();
    let sql = "SELECT id FROM mapping_runs WHERE status IN ('superseded', 'failed') \
               AND EXISTS (SELECT 1 FROM affected_people a WHERE a.mapping_id = mapping_runs.id)";
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    rows.iter().map(|r| r.try_get_by_index(0)).collect()
}

async fn run(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

async fn one(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<sea_orm::QueryResult, DbErr> {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("an aggregate returned no row".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_unions_only_the_bits_the_scope_can_expose() {
        let plan = ScopePlan {
            categories: CategorySet::parse_list("name;ssn").unwrap(),
            ..ScopePlan::default()
        };
        let sql = people_sql(DbBackend::Sqlite, &plan, &Inputs::bound(&plan));
        let name = DataCategory::Name.bit();
        let ssn = DataCategory::Ssn.bit();
        assert!(
            sql.contains(&format!("MAX(cats & {name}) | MAX(cats & {ssn}) AS cats")),
            "{sql}"
        );
        assert!(!sql.contains(&format!("MAX(cats & {})", DataCategory::Email.bit())));
        // No protected system: the unprotected categories are the exposed ones.
        assert!(sql.contains("g.cats, g.cats, g.records"), "{sql}");
        assert!(!sql.contains("COLLATE"), "{sql}");
    }

    #[test]
    fn forensic_lists_restrict_only_their_systems() {
        let plan = ScopePlan {
            categories: CategorySet::parse_list("name").unwrap(),
            any_protected: true,
            listed_systems: vec!["crm".into(), "billing".into()],
        };
        let sql = people_sql(DbBackend::Postgres, &plan, &Inputs::bound(&plan));
        assert!(sql.contains("h.system NOT IN ($2, $3) OR EXISTS"), "{sql}");
        assert!(sql.contains("bit_or(plain) AS unprotected"), "{sql}");
        assert!(sql.contains("g.unprotected"), "{sql}");
        let id = Uuid::nil();
        let sql = people_sql(DbBackend::Postgres, &plan, &Inputs::literal(id, &plan));
        assert!(
            sql.contains(&format!("s.incident_id = '{id}'::uuid")),
            "{sql}"
        );
        assert!(
            sql.contains("h.system NOT IN (E'crm', E'billing')"),
            "{sql}"
        );
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(pg_text(r"it's a \ path"), r"E'it''s a \\ path'");
    }
}
