//! PostgreSQL bulk loading: rows are streamed with one `COPY … FROM STDIN` into a temporary
//! staging table, then applied to the real table set-based inside one transaction: an update
//! of the rows that differ, then an insert of the new ones.
//!
//! A temporary table lives in one session only, so the loader opens a pool of exactly one
//! connection of its own: `COPY` (through sqlx) and the transaction (through sea-orm, so the
//! audit entry commits with the change) run on that same session. The staging table holds
//! personal data; it is private to the session and vanishes with it, even after a crash.

use std::sync::Arc;

use chrono::SecondsFormat;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::postgres::{PgCopyIn, PgPool, PgPoolCopyExt, PgPoolOptions, Postgres};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, RuntimeErr,
    SqlxPostgresConnector, Statement, Value,
};

use super::tables::{TableSpec, insert_new_from_stage_sql, update_from_stage_sql};

const STAGE: &str = "candor_stage";

/// A staging table being filled, on a session of its own.
pub(super) struct Stage {
    spec: &'static TableSpec,
    pool: PgPool,
    db: DatabaseConnection,
    copy: Option<PgCopyIn<PoolConnection<Postgres>>>,
    staged: i64,
    buf: Vec<u8>,
}

fn sqlx_err(err: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

impl Stage {
    /// Opens the session, creates the staging table and starts the `COPY`.
    pub(super) async fn open(
        main: &DatabaseConnection,
        spec: &'static TableSpec,
    ) -> Result<Self, DbErr> {
        let options = main.get_postgres_connection_pool().connect_options();
        // One connection that is never recycled: the staging table exists on it alone.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with((*options).clone())
            .await
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
        let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
        let columns: Vec<String> = spec
            .columns
            .iter()
            .map(|(name, ty)| format!("{name} {ty}"))
            .collect();
        db.execute_unprepared(&format!(
            "CREATE TEMPORARY TABLE {STAGE} (n bigint NOT NULL, {})",
            columns.join(", ")
        ))
        .await?;
        let names: Vec<&str> = spec.columns.iter().map(|(name, _)| *name).collect();
        let copy = pool
            .copy_in_raw(&format!(
                "COPY {STAGE} (n, {}) FROM STDIN",
                names.join(", ")
            ))
            .await
            .map_err(sqlx_err)?;
        Ok(Stage {
            spec,
            pool,
            db,
            copy: Some(copy),
            staged: 0,
            buf: Vec::with_capacity(1 << 20),
        })
    }

    /// Streams rows into the staging table.
    pub(super) async fn load(&mut self, rows: Vec<Vec<Value>>) -> Result<(), DbErr> {
        let copy = self
            .copy
            .as_mut()
            .ok_or_else(|| DbErr::Custom("the staging COPY is already finished".into()))?;
        self.buf.clear();
        for row in rows {
            self.buf
                .extend_from_slice(self.staged.to_string().as_bytes());
            for value in &row {
                self.buf.push(b'\t');
                encode(value, &mut self.buf)?;
            }
            self.buf.push(b'\n');
            self.staged += 1;
        }
        copy.send(self.buf.as_slice()).await.map_err(sqlx_err)?;
        Ok(())
    }

    /// Ends the `COPY` and opens the transaction that applies it. The target table is locked
    /// against other writers (readers go on) until the transaction ends, so no other import
    /// can add a row between the two statements of [`Stage::apply`].
    pub(super) async fn begin(&mut self) -> Result<DatabaseTransaction, DbErr> {
        if let Some(copy) = self.copy.take() {
            copy.finish().await.map_err(sqlx_err)?;
        }
        self.db
            .execute_unprepared(&format!("ANALYZE {STAGE}"))
            .await?;
        let txn = super::super::begin_write(&self.db).await?;
        txn.execute_unprepared(&format!(
            "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
            self.spec.name
        ))
        .await?;
        Ok(txn)
    }

    /// How many rows are staged.
    pub(super) fn staged(&self) -> u64 {
        u64::try_from(self.staged).unwrap_or(0)
    }

    /// Applies the staged rows inside `txn`: first the stored rows whose values differ are
    /// updated, then the new rows are inserted. Two plain statements cost about half what one
    /// `INSERT … ON CONFLICT` does, which inserts each row speculatively. Returns how many rows
    /// were changed and how many inserted.
    pub(super) async fn apply(
        &self,
        txn: &DatabaseTransaction,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(u64, u64), DbErr> {
        let mut counts = [0; 2];
        let statements = [
            update_from_stage_sql(self.spec, STAGE),
            insert_new_from_stage_sql(self.spec, STAGE),
        ];
        for (count, sql) in counts.iter_mut().zip(statements) {
            let result = txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    sql,
                    [now.into()],
                ))
                .await?;
            *count = result.rows_affected();
        }
        Ok((counts[0], counts[1]))
    }

    /// Closes the session (and with it the staging table).
    pub(super) async fn close(self) {
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
        Value::BigInt(Some(n)) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::ChronoDateTimeUtc(Some(t)) => {
            out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes())
        }
        Value::ChronoDate(Some(d)) => {
            out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes())
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
