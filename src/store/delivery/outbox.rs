//! The outbox rows: written in bulk when a notice is sent, claimed by workers under a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances sharing a database never claim the
//! same row; SQLite has one writer at a time), and given each message's own outcome in
//! batches. Recipients and the `person` column are personal data: never log them.
//!
//! A message is two rows with one id: `outbox` holds what it is (key, recipient, render
//! context, Message-ID) and is written once; `outbox_state` holds where its delivery stands
//! and is what claims and outcomes change, so they rewrite a narrow row and its few indexes.
//! Reads that need both go through the view `outbox_messages`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, TransactionSession,
    TransactionTrait, Value,
};
use uuid::Uuid;

/// A row to write.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub campaign_id: Uuid,
    pub incident_id: Uuid,
    pub slot: String,
    pub person_key: String,
    pub customer_ref: Option<String>,
    /// `email` or `postal`.
    pub channel: &'static str,
    pub variant_no: i32,
    /// An email address, or a postal address as JSON.
    pub recipient: String,
    /// The person's part of the render context, as JSON.
    pub person: String,
    pub link_id: Uuid,
    /// Without angle brackets.
    pub message_id: String,
    /// `pending`, or `held` behind a canary.
    pub status: &'static str,
    /// When it may be sent first: now, or a weekly person's next slot.
    pub due_at: DateTime<Utc>,
}

const INSERT_COLUMNS: &str = "campaign_id, incident_id, slot, person_key, customer_ref, channel, \
    variant_no, recipient, person, link_id, message_id, created_at";
const STATE_COLUMNS: &str = "id, campaign_id, status, attempts, next_attempt_at, updated_at";

/// `($1, $2, …), (…)`: `rows` groups of `width` placeholders, numbered from `first`.
fn placeholders(rows: usize, width: usize, first: usize) -> String {
    let mut list = String::with_capacity(rows * width * 6);
    for i in 0..rows {
        if i > 0 {
            list.push_str(", ");
        }
        list.push('(');
        for c in 0..width {
            if c > 0 {
                list.push_str(", ");
            }
            list.push_str(&format!("${}", first + i * width + c));
        }
        list.push(')');
    }
    list
}

/// How many rows one statement carries: under both databases' bind-parameter limits, and
/// short on SQLite, whose driver looks each parameter up by scanning the statement's list.
fn rows_per_statement(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => 100,
        _ => 1000,
    }
}

#[derive(FromQueryResult)]
struct Written {
    id: i64,
    message_id: String,
}

/// Writes rows, each with its delivery state; a row whose natural key (incident, person,
/// slot, channel) exists is skipped. Returns how many were written.
pub async fn insert(
    db: &impl ConnectionTrait,
    rows: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut written = 0;
    for chunk in rows.chunks(rows_per_statement(backend)) {
        const WIDTH: usize = 12;
        let sql = format!(
            "INSERT INTO outbox ({INSERT_COLUMNS}) VALUES {} \
             ON CONFLICT (incident_id, person_key, slot, channel) DO NOTHING \
             RETURNING id, message_id",
            placeholders(chunk.len(), WIDTH, 1)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for r in chunk {
            values.extend([
                r.campaign_id.into(),
                r.incident_id.into(),
                r.slot.clone().into(),
                r.person_key.clone().into(),
                r.customer_ref.clone().into(),
                r.channel.into(),
                r.variant_no.into(),
                r.recipient.clone().into(),
                r.person.clone().into(),
                r.link_id.into(),
                r.message_id.clone().into(),
                now.into(),
            ]);
        }
        let ids = Written::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?;
        if ids.is_empty() {
            continue;
        }
        let by_message: HashMap<&str, &NewMessage> =
            chunk.iter().map(|r| (r.message_id.as_str(), r)).collect();
        const STATE_WIDTH: usize = 6;
        let mut values: Vec<Value> = Vec::with_capacity(ids.len() * STATE_WIDTH);
        for w in &ids {
            let r = by_message.get(w.message_id.as_str()).ok_or_else(|| {
                DbErr::Custom(format!("outbox row {} came back unasked for", w.id))
            })?;
            values.extend([
                w.id.into(),
                r.campaign_id.into(),
                r.status.into(),
                0_i32.into(),
                r.due_at.into(),
                now.into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO outbox_state ({STATE_COLUMNS}) VALUES {}",
                placeholders(ids.len(), STATE_WIDTH, 1)
            ),
            values,
        ))
        .await?;
        written += ids.len() as u64;
    }
    Ok(written)
}

/// A row a worker holds under its lease.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Claimed {
    pub id: i64,
    pub campaign_id: Uuid,
    pub channel: String,
    pub variant_no: i32,
    pub recipient: String,
    pub person: String,
    pub link_id: Uuid,
    pub message_id: String,
    /// Including this one.
    pub attempts: i32,
}

/// What a claim reads of the rows it took, beside their attempts.
const CLAIMED_COLUMNS: &str =
    "o.id, o.campaign_id, o.channel, o.variant_no, o.recipient, o.person, o.link_id, o.message_id";

#[derive(FromQueryResult)]
struct Leased {
    id: i64,
    attempts: i32,
}

/// Claims up to `limit` due rows of running campaigns for `owner` until `lease_until`, in the
/// order they fell due (new rows and rows due a retry alike).
pub async fn claim(
    db: &(impl ConnectionTrait + TransactionTrait),
    owner: &str,
    limit: u64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Vec<Claimed>, DbErr> {
    let backend = db.get_database_backend();
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE OF s SKIP LOCKED",
        _ => "",
    };
    // The statuses are literals, as in the due index's own condition (`ix_outbox_state_due`),
    // so both databases read that index in order and stop at `limit`: a claim reads only the
    // rows it takes, however many were sent before them. The campaign's state is checked row by
    // row (EXISTS) so the planner walks the due index rather than a campaign's rows.
    //
    // On PostgreSQL the due ids are gathered into an array first (`= ANY(ARRAY(…))`), so the
    // rows are then found by primary key whatever the batch: as a join (`IN (SELECT …)`), the
    // planner turns to reading the whole table once a batch is a few hundred rows.
    let due = "SELECT s.id FROM outbox_state s \
               WHERE s.status IN ('pending', 'retrying') AND s.next_attempt_at <= $3 \
                 AND EXISTS (SELECT 1 FROM campaigns c \
                             WHERE c.id = s.campaign_id AND c.state = 'running') \
               ORDER BY s.next_attempt_at, s.id LIMIT $4";
    let which = match backend {
        DbBackend::Postgres => format!("id = ANY(ARRAY({due}{lock}))"),
        _ => format!("id IN ({due})"),
    };
    let lease = format!(
        "UPDATE outbox_state SET status = 'sending', lease_owner = $1, lease_until = $2, \
                attempts = attempts + 1, updated_at = $3 \
         WHERE {which} RETURNING id, attempts"
    );
    let values: [Value; 4] = [
        owner.into(),
        lease_until.into(),
        now.into(),
        (limit as i64).into(),
    ];
    let mut rows = if backend == DbBackend::Postgres {
        // One statement: the lease, and the leased rows' messages read by primary key. With
        // sorting off: judging from its statistics that few due rows belong to running
        // campaigns (right after a notice filled the outbox, or while a campaign is paused),
        // the planner would rather read the whole table and sort it than walk the due index,
        // five times slower at 100,000 rows; it is left only the index's order.
        let sql = format!(
            "WITH leased AS ({lease}) \
             SELECT {CLAIMED_COLUMNS}, leased.attempts FROM leased JOIN outbox o ON o.id = leased.id"
        );
        let txn = db.begin().await?;
        txn.execute_unprepared("SET LOCAL enable_sort = off")
            .await?;
        let rows = Claimed::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(&txn)
            .await?;
        txn.commit().await?;
        rows
    } else {
        // SQLite has no statement that both changes rows and joins them; the rows are leased
        // by the first, so the second reads them unhurried.
        let leased =
            Leased::find_by_statement(Statement::from_sql_and_values(backend, lease, values))
                .all(db)
                .await?;
        if leased.is_empty() {
            return Ok(Vec::new());
        }
        let attempts: HashMap<i64, i32> = leased.iter().map(|l| (l.id, l.attempts)).collect();
        let sql = format!(
            "SELECT {CLAIMED_COLUMNS}, 0 AS attempts FROM outbox o WHERE o.id IN {}",
            placeholders(1, leased.len(), 1)
        );
        let mut rows = Claimed::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            leased.iter().map(|l| Value::from(l.id)),
        ))
        .all(db)
        .await?;
        for row in &mut rows {
            row.attempts = attempts[&row.id];
        }
        rows
    };
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Makes rows whose lease lapsed (their worker stopped, or lost its database) due again at
/// once; whether they went out is unknown, so they go again with the same Message-ID. Returns
/// how many.
pub async fn reclaim_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE outbox_state SET status = 'retrying', next_attempt_at = $1, lease_owner = NULL, \
                    lease_until = NULL, updated_at = $1, \
                    last_error = 'the worker stopped before recording an outcome; sent again with the same Message-ID' \
             WHERE status = 'sending' AND lease_until < $1",
            [now.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// Extends the leases `owner` holds on rows it has not yet finished to `lease_until`; returns
/// how many.
pub async fn renew(
    db: &impl ConnectionTrait,
    owner: &str,
    lease_until: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE outbox_state SET lease_until = $2 WHERE status = 'sending' AND lease_owner = $1",
            [owner.into(), lease_until.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// One message's outcome, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// The relay took it.
    Sent {
        id: i64,
        at: DateTime<Utc>,
        reply: String,
        body_sha256: String,
    },
    /// Try again at `next`.
    Retry {
        id: i64,
        next: DateTime<Utc>,
        error: String,
    },
    /// Never to be sent.
    Failed { id: i64, error: String },
}

/// Marks sorted by kind of outcome, each as the values its statement takes.
#[derive(Default)]
struct ByKind<'a> {
    /// Id, time, the relay's reply, the body's SHA-256.
    sent: Vec<(i64, DateTime<Utc>, &'a str, &'a str)>,
    /// Id, next attempt, error.
    retry: Vec<(i64, DateTime<Utc>, &'a str)>,
    /// Id, error.
    failed: Vec<(i64, &'a str)>,
}

impl<'a> ByKind<'a> {
    fn of(marks: &'a [Mark]) -> Self {
        let mut kinds = ByKind::default();
        for mark in marks {
            match mark {
                Mark::Sent {
                    id,
                    at,
                    reply,
                    body_sha256,
                } => kinds.sent.push((*id, *at, reply, body_sha256)),
                Mark::Retry { id, next, error } => kinds.retry.push((*id, *next, error)),
                Mark::Failed { id, error } => kinds.failed.push((*id, error)),
            }
        }
        kinds
    }
}

/// Records outcomes (a row someone already finished — sent, failed or bounced — is left
/// alone). One statement per kind of outcome (and on SQLite per hundred rows of it).
pub async fn record(
    db: &impl ConnectionTrait,
    marks: &[Mark],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        return record_pg(db, marks, now).await;
    }
    let kinds = ByKind::of(marks);
    let sent: Vec<Vec<Value>> = kinds
        .sent
        .iter()
        .map(|&(id, at, reply, sha)| vec![id.into(), at.into(), reply.into(), sha.into()])
        .collect();
    let retry: Vec<Vec<Value>> = kinds
        .retry
        .iter()
        .map(|&(id, next, error)| vec![id.into(), next.into(), error.into()])
        .collect();
    let failed: Vec<Vec<Value>> = kinds
        .failed
        .iter()
        .map(|&(id, error)| vec![id.into(), error.into()])
        .collect();
    let unfinished = "outbox_state.status NOT IN ('sent', 'failed', 'bounced')";
    let updates = [
        (
            sent,
            "status = 'sent', sent_at = v.column2, reply = v.column3, body_sha256 = v.column4, \
             last_error = NULL",
        ),
        (
            retry,
            "status = 'retrying', next_attempt_at = v.column2, last_error = v.column3",
        ),
        (failed, "status = 'failed', last_error = v.column2"),
    ];
    // Short statements: SQLite's driver looks each parameter up by scanning the list.
    for (rows, set) in updates {
        for chunk in rows.chunks(100) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
            let mut list = String::new();
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    list.push_str(", ");
                }
                list.push('(');
                for (c, value) in row.iter().enumerate() {
                    if c > 0 {
                        list.push_str(", ");
                    }
                    values.push(value.clone());
                    list.push_str(&format!("${}", values.len()));
                }
                list.push(')');
            }
            values.push(now.into());
            let sql = format!(
                "UPDATE outbox_state SET {set}, lease_owner = NULL, lease_until = NULL, updated_at = ${} \
                 FROM (VALUES {list}) AS v WHERE outbox_state.id = v.column1 AND {unfinished}",
                values.len()
            );
            db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
        }
    }
    Ok(())
}

/// [`record`] on PostgreSQL: one statement per kind of outcome, whatever the batch, its rows
/// passed as one JSON array. The statement's text never changes, so each connection prepares
/// it once, and `json_to_recordset` leads the planner to look each row up by primary key
/// (a `VALUES` list of a few hundred rows had it read the whole table instead).
async fn record_pg(
    db: &impl ConnectionTrait,
    marks: &[Mark],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // Whole microseconds, as the driver binds a time (PostgreSQL keeps no finer).
    let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let kinds = ByKind::of(marks);
    let json = serde_json::Value::Array;
    let sent = kinds.sent.iter().map(|&(id, at, reply, sha)| {
        serde_json::json!({ "id": id, "at": time(&at), "reply": reply, "sha": sha })
    });
    let retry = kinds.retry.iter().map(
        |&(id, next, error)| serde_json::json!({ "id": id, "at": time(&next), "error": error }),
    );
    let failed =
        (kinds.failed.iter()).map(|&(id, error)| serde_json::json!({ "id": id, "error": error }));
    let updates = [
        (
            json(sent.collect()),
            "id bigint, at timestamptz, reply text, sha text",
            "status = 'sent', sent_at = v.at, reply = v.reply, body_sha256 = v.sha, \
             last_error = NULL",
        ),
        (
            json(retry.collect()),
            "id bigint, at timestamptz, error text",
            "status = 'retrying', next_attempt_at = v.at, last_error = v.error",
        ),
        (
            json(failed.collect()),
            "id bigint, error text",
            "status = 'failed', last_error = v.error",
        ),
    ];
    for (rows, columns, set) in updates {
        if rows.as_array().is_none_or(Vec::is_empty) {
            continue;
        }
        let sql = format!(
            "UPDATE outbox_state SET {set}, lease_owner = NULL, lease_until = NULL, updated_at = $2 \
             FROM json_to_recordset($1::json) AS v({columns}) \
             WHERE outbox_state.id = v.id AND outbox_state.status NOT IN ('sent', 'failed', 'bounced')"
        );
        let rows = rows.to_string();
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [rows.into(), now.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Releases a campaign's held rows; returns how many.
pub async fn release_held(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE outbox_state SET status = 'pending', next_attempt_at = $2, updated_at = $2 \
             WHERE campaign_id = $1 AND status = 'held'",
            [campaign_id.into(), now.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// How many rows of an incident (or of one campaign) stand in each status.
pub async fn counts(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    campaign_id: Option<Uuid>,
) -> Result<Vec<(String, i64)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        status: String,
        n: i64,
    }
    let (sql, values): (&str, Vec<Value>) = match campaign_id {
        Some(c) => (
            "SELECT status, COUNT(*) AS n FROM outbox_state WHERE campaign_id = $1 GROUP BY status",
            vec![c.into()],
        ),
        None => (
            // Each campaign's rows of the incident, by the campaign-and-status index.
            "SELECT status, COUNT(*) AS n FROM outbox_state \
             WHERE campaign_id IN (SELECT id FROM campaigns WHERE incident_id = $1) \
             GROUP BY status",
            vec![incident_id.into()],
        ),
    };
    Ok(Count::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|c| (c.status, c.n))
    .collect())
}

/// One message as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct MessageRow {
    pub id: i64,
    pub campaign_id: Uuid,
    pub slot: String,
    pub person_key: String,
    pub customer_ref: Option<String>,
    pub channel: String,
    pub recipient: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reply: Option<String>,
    pub last_error: Option<String>,
    pub bounced_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

const MESSAGE_COLUMNS: &str = "id, campaign_id, slot, person_key, customer_ref, channel, recipient, \
    message_id, status, attempts, next_attempt_at, sent_at, reply, last_error, bounced_at, updated_at";

/// Which messages a page shows.
#[derive(Debug, Clone, Default)]
pub struct PageFilter {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub campaign_id: Option<Uuid>,
    /// Rows after this id.
    pub after: Option<i64>,
    pub limit: u64,
}

/// A page of an incident's messages in id order.
pub async fn page(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    filter: &PageFilter,
) -> Result<Vec<MessageRow>, DbErr> {
    let mut sql = format!("SELECT {MESSAGE_COLUMNS} FROM outbox_messages WHERE incident_id = $1");
    let mut values: Vec<Value> = vec![incident_id.into()];
    let mut and = |column: &str, value: Value| {
        values.push(value);
        sql.push_str(&format!(" AND {column} ${}", values.len()));
    };
    if let Some(status) = &filter.status {
        and("status =", status.clone().into());
    }
    if let Some(channel) = &filter.channel {
        and("channel =", channel.clone().into());
    }
    if let Some(campaign) = filter.campaign_id {
        and("campaign_id =", campaign.into());
    }
    if let Some(after) = filter.after {
        and("id >", after.into());
    }
    values.push((filter.limit as i64).into());
    sql.push_str(&format!(" ORDER BY id LIMIT ${}", values.len()));
    MessageRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .all(db)
    .await
}

/// A message by its Message-ID (without angle brackets).
pub async fn by_message_id(
    db: &impl ConnectionTrait,
    message_id: &str,
) -> Result<Option<BouncedSource>, DbErr> {
    BouncedSource::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT id, campaign_id, incident_id, slot, person_key, customer_ref, channel, \
                variant_no, person, link_id, status FROM outbox_messages WHERE message_id = $1",
        [message_id.into()],
    ))
    .one(db)
    .await
}

/// What a bounce needs of the message it reports.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct BouncedSource {
    pub id: i64,
    pub campaign_id: Uuid,
    pub incident_id: Uuid,
    pub slot: String,
    pub person_key: String,
    pub customer_ref: Option<String>,
    pub channel: String,
    pub variant_no: i32,
    pub person: String,
    pub link_id: Uuid,
    pub status: String,
}

/// Marks a sent message bounced; returns whether it was sent until now.
pub async fn mark_bounced(
    db: &impl ConnectionTrait,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE outbox_state SET status = 'bounced', bounced_at = $2, last_error = $3, updated_at = $2 \
             WHERE id = $1 AND status = 'sent'",
            [id.into(), now.into(), reason.into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A letter written for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LetterRow {
    pub message_id: String,
    pub recipient: String,
    pub person: String,
    pub locale: String,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A campaign's letters written so far, in id order.
pub async fn letters(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
) -> Result<Vec<LetterRow>, DbErr> {
    LetterRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT o.message_id, o.recipient, o.person, v.locale, o.sent_at \
         FROM outbox_messages o JOIN campaign_variants v \
           ON v.campaign_id = o.campaign_id AND v.variant_no = o.variant_no \
         WHERE o.campaign_id = $1 AND o.channel = 'postal' AND o.status = 'sent' ORDER BY o.id",
        [campaign_id.into()],
    ))
    .all(db)
    .await
}

/// A person's message as their own page sees it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct LinkMessage {
    pub campaign_id: Uuid,
    pub slot: String,
    pub customer_ref: Option<String>,
    pub channel: String,
    pub variant_no: i32,
    pub person: String,
    pub status: String,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The messages of a person's link, oldest first.
pub async fn of_link(db: &impl ConnectionTrait, link_id: Uuid) -> Result<Vec<LinkMessage>, DbErr> {
    LinkMessage::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT campaign_id, slot, customer_ref, channel, variant_no, person, status, sent_at \
         FROM outbox_messages WHERE link_id = $1 ORDER BY id",
        [link_id.into()],
    ))
    .all(db)
    .await
}

#[derive(FromQueryResult)]
struct LinkOf {
    link_id: Uuid,
}

/// The link of an incident's person known to the inventory by `customer_ref`.
pub async fn link_of_customer(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    customer_ref: &str,
) -> Result<Option<Uuid>, DbErr> {
    Ok(LinkOf::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT link_id FROM outbox WHERE incident_id = $1 AND customer_ref = $2 LIMIT 1",
        [incident_id.into(), customer_ref.into()],
    ))
    .one(db)
    .await?
    .map(|l| l.link_id))
}
