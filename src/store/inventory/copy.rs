//! PostgreSQL bulk loading. The import runs in one transaction on a session of its own,
//! which first locks the target table against other writers (readers go on) and reads the
//! keys already stored, as 64-bit digests. Each row is then routed by its key:
//!
//! - a key not stored yet goes with `COPY … FROM STDIN` straight into the table: an initial
//!   load, or the new rows of a delta file, cost what PostgreSQL's own `COPY` costs;
//! - a key stored already (or one whose digest collides with a stored key's) goes with `COPY`
//!   into a temporary staging table, which is applied set-based at the end: an update of the
//!   stored rows whose values differ, then an insert of any row still missing.
//!
//! The session's transaction is opened with a plain `BEGIN` on a pool of exactly one
//! connection, so that `COPY` (through sqlx) and the statements and audit entry (through
//! sea-orm) all run inside it; nothing is visible to anyone else until `COMMIT`, and closing
//! the session without it rolls everything back. The staging table holds personal data; it
//! is private to the session and vanishes with it, even after a crash.

use std::hash::Hasher;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::postgres::{PgCopyIn, PgPool, PgPoolCopyExt, PgPoolOptions, Postgres};
use sea_orm::sqlx::{self, Row};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, RuntimeErr, SqlxPostgresConnector,
    Statement, Value,
};

use super::tables::{TableSpec, insert_new_from_stage_sql, update_from_stage_sql};

const STAGE: &str = "candor_stage";

/// Where a `COPY` is writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The real table: rows whose key is not stored.
    Table,
    /// The staging table: rows whose key may be stored.
    Stage,
}

/// An import in progress, on a session of its own, inside its transaction.
pub(super) struct Stage {
    spec: &'static TableSpec,
    pool: PgPool,
    db: DatabaseConnection,
    copy: Option<(Target, PgCopyIn<PoolConnection<Postgres>>)>,
    /// Digests of the keys stored when the import began, sorted.
    stored: Vec<u64>,
    /// Where the key columns are in a row's values.
    key_at: Vec<usize>,
    /// `created_at` and `updated_at` of the rows copied straight into the table.
    now: String,
    direct: u64,
    staged: i64,
    to_table: Vec<u8>,
    to_stage: Vec<u8>,
}

fn sqlx_err(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

/// The digest of a key: its parts, each followed by a byte no UTF-8 text contains.
fn digest<'a>(parts: impl Iterator<Item = &'a str>) -> u64 {
    // Fixed keys: the same digest for the same key throughout the import.
    let mut hasher = std::hash::DefaultHasher::new();
    for part in parts {
        hasher.write(part.as_bytes());
        hasher.write_u8(0xff);
    }
    hasher.finish()
}

impl Stage {
    /// Opens the session and its transaction, locks the table, creates the staging table
    /// and reads the digests of the stored keys.
    pub(super) async fn open(
        main: &DatabaseConnection,
        spec: &'static TableSpec,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let options = main.get_postgres_connection_pool().connect_options();
        // One connection that is never recycled: the transaction and the staging table exist
        // on it alone.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with((*options).clone())
            .await
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
        let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
        let mut stage = Stage {
            spec,
            key_at: spec
                .key
                .iter()
                .map(|k| {
                    spec.columns
                        .iter()
                        .position(|(name, _)| name == k)
                        .expect("a key column is a column")
                })
                .collect(),
            pool,
            db,
            copy: None,
            stored: Vec::new(),
            now: now.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            direct: 0,
            staged: 0,
            to_table: Vec::with_capacity(1 << 20),
            to_stage: Vec::new(),
        };
        stage.begin().await?;
        Ok(stage)
    }

    async fn begin(&mut self) -> Result<(), DbErr> {
        let spec = self.spec;
        self.db.execute_unprepared("BEGIN").await?;
        // No other import can add or change a row of the table until this one ends.
        self.db
            .execute_unprepared(&format!(
                "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                spec.name
            ))
            .await?;
        let columns: Vec<String> = spec
            .columns
            .iter()
            .map(|(name, ty)| format!("{name} {ty}"))
            .collect();
        self.db
            .execute_unprepared(&format!(
                "CREATE TEMPORARY TABLE {STAGE} (n bigint NOT NULL, {}) ON COMMIT DROP",
                columns.join(", ")
            ))
            .await?;
        let mut conn = self.pool.acquire().await.map_err(sqlx_err)?;
        let sql = format!("SELECT {} FROM {}", spec.key.join(", "), spec.name);
        // Table and column names are the spec's own constants.
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await.map_err(sqlx_err)? {
            let parts = (0..spec.key.len())
                .map(|i| row.try_get::<&str, _>(i))
                .collect::<Result<Vec<&str>, _>>()
                .map_err(sqlx_err)?;
            self.stored.push(digest(parts.into_iter()));
        }
        drop(rows);
        drop(conn);
        self.stored.sort_unstable();
        self.stored.dedup();
        self.stored.shrink_to_fit();
        Ok(())
    }

    /// Routes rows by key: into the table when the key is not stored, else to the stage.
    pub(super) async fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbErr> {
        self.to_table.clear();
        self.to_stage.clear();
        for row in rows {
            let key = self.key_at.iter().map(|&i| match &row[i] {
                Value::String(Some(s)) => s.as_str(),
                _ => "",
            });
            if self.stored.binary_search(&digest(key)).is_ok() {
                write_number(self.staged, &mut self.to_stage);
                for value in &row {
                    self.to_stage.push(b'\t');
                    encode(value, &mut self.to_stage)?;
                }
                self.to_stage.push(b'\n');
                self.staged += 1;
            } else {
                for value in &row {
                    encode(value, &mut self.to_table)?;
                    self.to_table.push(b'\t');
                }
                self.to_table.extend_from_slice(self.now.as_bytes());
                self.to_table.push(b'\t');
                self.to_table.extend_from_slice(self.now.as_bytes());
                self.to_table.push(b'\n');
                self.direct += 1;
            }
        }
        // Whichever `COPY` is open takes its rows first, so a file of one kind or the other
        // runs as one long `COPY`.
        let mut order = [Target::Table, Target::Stage];
        if self.copy.as_ref().is_some_and(|(t, _)| *t == Target::Stage) {
            order.reverse();
        }
        for target in order {
            let data = match target {
                Target::Table => std::mem::take(&mut self.to_table),
                Target::Stage => std::mem::take(&mut self.to_stage),
            };
            if !data.is_empty() {
                self.copy_to(target)
                    .await?
                    .send(data.as_slice())
                    .await
                    .map_err(sqlx_err)?;
            }
            match target {
                Target::Table => self.to_table = data,
                Target::Stage => self.to_stage = data,
            }
        }
        Ok(())
    }

    /// The open `COPY` into `target`, ending one into the other table first.
    async fn copy_to(
        &mut self,
        target: Target,
    ) -> Result<&mut PgCopyIn<PoolConnection<Postgres>>, DbErr> {
        if self.copy.as_ref().is_some_and(|(t, _)| *t != target) {
            self.finish_copy().await?;
        }
        if self.copy.is_none() {
            let names: Vec<&str> = self.spec.columns.iter().map(|(name, _)| *name).collect();
            let sql = match target {
                Target::Table => format!(
                    "COPY {} ({}, created_at, updated_at) FROM STDIN",
                    self.spec.name,
                    names.join(", ")
                ),
                Target::Stage => format!("COPY {STAGE} (n, {}) FROM STDIN", names.join(", ")),
            };
            let copy = self.pool.copy_in_raw(&sql).await.map_err(sqlx_err)?;
            self.copy = Some((target, copy));
        }
        match self.copy.as_mut() {
            Some((_, copy)) => Ok(copy),
            None => Err(DbErr::Custom("no COPY is open".into())),
        }
    }

    async fn finish_copy(&mut self) -> Result<(), DbErr> {
        if let Some((_, copy)) = self.copy.take() {
            copy.finish().await.map_err(sqlx_err)?;
        }
        Ok(())
    }

    /// How many rows were loaded.
    pub(super) fn loaded(&self) -> u64 {
        self.direct + u64::try_from(self.staged).unwrap_or(0)
    }

    /// Ends the last `COPY` and applies the staged rows: first the stored rows whose values
    /// differ are updated, then any staged row whose key is still missing is inserted. Two
    /// plain statements cost about half what one `INSERT … ON CONFLICT` does, which inserts
    /// each row speculatively. Returns how many rows were changed and how many inserted (the
    /// rows copied straight into the table among them).
    pub(super) async fn apply(&mut self, now: DateTime<Utc>) -> Result<(u64, u64), DbErr> {
        self.finish_copy().await?;
        if self.staged == 0 {
            return Ok((0, self.direct));
        }
        self.db
            .execute_unprepared(&format!("ANALYZE {STAGE}"))
            .await?;
        let mut counts = [0; 2];
        let statements = [
            update_from_stage_sql(self.spec, STAGE),
            insert_new_from_stage_sql(self.spec, STAGE),
        ];
        for (count, sql) in counts.iter_mut().zip(statements) {
            let result = self
                .db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    sql,
                    [now.into()],
                ))
                .await?;
            *count = result.rows_affected();
        }
        Ok((counts[0], counts[1] + self.direct))
    }

    /// The session, inside the import's transaction: for the audit entry.
    pub(super) fn session(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Commits the import and closes the session.
    pub(super) async fn commit(mut self) -> Result<(), DbErr> {
        let committed = match self.finish_copy().await {
            Ok(()) => self.db.execute_unprepared("COMMIT").await.map(|_| ()),
            Err(e) => Err(e),
        };
        self.close().await;
        committed
    }

    /// Closes the session; without a commit, everything the import did is rolled back.
    pub(super) async fn close(self) {
        // An unfinished COPY is abandoned (sqlx sends CopyFail); closing the connection ends
        // the transaction and drops the staging table.
        drop(self.copy);
        self.pool.close().await;
    }
}

/// Writes one value in `COPY` text format: `\N` for NULL, and backslash, tab, newline and
/// carriage return escaped.
pub(super) fn encode(value: &Value, out: &mut Vec<u8>) -> Result<(), DbErr> {
    match value {
        Value::String(Some(s)) => escape(s, out),
        Value::Bool(Some(b)) => out.push(if *b { b't' } else { b'f' }),
        Value::BigInt(Some(n)) => write_number(*n, out),
        Value::ChronoDateTimeUtc(Some(t)) => {
            out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes())
        }
        // `write!` to a Vec cannot fail; a format string would be parsed for every value.
        Value::ChronoDate(Some(d)) => {
            let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        }
        Value::String(None)
        | Value::Bool(None)
        | Value::BigInt(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::ChronoDate(None) => out.extend_from_slice(b"\\N"),
        _ => {
            return Err(DbErr::Custom(
                "a value of this type has no COPY encoding".into(),
            ));
        }
    }
    Ok(())
}

fn write_number(n: i64, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{n}");
}

fn escape(s: &str, out: &mut Vec<u8>) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn encoded(value: Value) -> String {
        let mut out = Vec::new();
        encode(&value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_key_digest_keeps_its_parts_apart() {
        assert_eq!(
            digest(["a", "b"].into_iter()),
            digest(["a", "b"].into_iter())
        );
        assert_ne!(
            digest(["ab", ""].into_iter()),
            digest(["a", "b"].into_iter())
        );
    }

    #[test]
    fn copy_text_escapes_separators_and_spells_null() {
        assert_eq!(encoded("a\tb\\c\nd\re".into()), "a\\tb\\\\c\\nd\\re");
        assert_eq!(encoded(Value::String(None)), "\\N");
        assert_eq!(encoded(true.into()), "t");
        assert_eq!(encoded(42i64.into()), "42");
        let t = Utc.with_ymd_and_hms(2024, 2, 29, 8, 0, 0).unwrap();
        assert_eq!(encoded(t.into()), "2024-02-29T08:00:00Z");
        let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
        assert_eq!(encoded(Some(d).into()), "2020-01-31");
    }
}
