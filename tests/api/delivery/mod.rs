//! Delivery through the real server: sending approved notices into the outbox, draining it
//! into real SMTP servers over TCP (an SMTP server in the test process, and postfix's
//! `smtp-sink`) or the file outbox, retries and failures, leases, canaries, pauses, bounces
//! and letters, on SQLite and PostgreSQL.

mod bounces;
mod cli;
mod leases;
mod refusals;
mod retries;
mod send;
mod shapes;
mod smtp;
mod steering;
mod transport;

use candor::settings::Settings;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::mapping::Desk;
pub use crate::notices::{at, clean_draft, lead};
use crate::smtp_server::TestSmtp;

/// Sends the notice as `desk`; returns the status and the body.
pub async fn send(desk: &Desk<'_>, nid: &str, body: Option<Value>) -> (u16, Value) {
    let request = desk
        .app
        .post(&format!("{}{}", desk.incident, at(nid, "/send")))
        .bearer_auth(&desk.token);
    let request = match body {
        Some(b) => request.json(&b),
        None => request,
    };
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An approved initial notice for the desk's mapped incident: drafted by the desk, approved
/// by a fresh CX lead. Returns the notice id.
pub async fn approved_notice(desk: &Desk<'_>) -> String {
    let nid = clean_draft(desk).await;
    let (_, lead) = lead(desk).await;
    crate::notices::approved(&lead, &nid).await;
    nid
}

/// The incident's delivery overview, which must answer 200.
pub async fn delivery(desk: &Desk<'_>, query: &str) -> Value {
    let (status, body) = desk.get(&format!("/delivery{query}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The counts of the overview.
pub async fn counts(desk: &Desk<'_>) -> Value {
    delivery(desk, "").await["counts"].clone()
}

/// Drains the outbox as the background worker would.
pub async fn drain(app: &TestApp) -> candor::delivery::RunStats {
    app.delivery
        .run_until_idle()
        .await
        .expect("the outbox drains")
}

/// A count of zero in every status but those given.
pub fn only(pairs: &[(&str, i64)]) -> Value {
    let mut counts = json!({
        "held": 0, "pending": 0, "sending": 0, "retrying": 0, "sent": 0, "failed": 0, "bounced": 0
    });
    for (k, v) in pairs {
        counts[*k] = json!(v);
    }
    counts
}

/// One customer of a seeded inventory, held in `billing-db`.
#[derive(Debug, Clone)]
pub struct Person {
    pub customer_ref: String,
    pub given: String,
    pub family: String,
    pub email: Option<String>,
    /// `en`, `es`, …
    pub locale: &'static str,
    /// (country, region).
    pub home: (&'static str, &'static str),
    /// Whether the inventory has a postal address ("1 Main St", "Town", "12345").
    pub address: bool,
    /// `email` or `postal`.
    pub preferred: &'static str,
    /// What `billing-db` holds of them (and what the scope exposes: name, email, ssn).
    pub categories: &'static str,
}

impl Person {
    /// A Californian with an email and a postal address, whose name, email and SSN were
    /// exposed, who prefers email.
    pub fn new(customer_ref: &str, (given, family): (&str, &str), email: Option<&str>) -> Self {
        Person {
            customer_ref: customer_ref.to_owned(),
            given: given.to_owned(),
            family: family.to_owned(),
            email: email.map(str::to_owned),
            locale: "en",
            home: ("US", "CA"),
            address: true,
            preferred: "email",
            categories: "name;email;ssn",
        }
    }
}

/// `n` people `P0001`…, emailed at `p0001@example.com`…, in person-key order.
pub fn numbered(n: usize) -> Vec<Person> {
    (1..=n)
        .map(|i| {
            let email = format!("p{i:04}@example.com");
            Person::new(
                &format!("P{i:04}"),
                ("Pat", &format!("Number{i}")),
                Some(&email),
            )
        })
        .collect()
}

/// Quotes text as an SQL literal (or NULL).
fn lit(text: Option<&str>) -> String {
    text.map_or_else(
        || "NULL".to_owned(),
        |t| format!("'{}'", t.replace('\'', "''")),
    )
}

/// Seeds `billing-db` and these people, opens an incident exposing their name, email and
/// SSN, and maps it.
pub async fn seeded<'a>(app: &'a TestApp, people: &[Person]) -> Desk<'a> {
    inventory(app, people).await;
    let desk = Desk::open(app).await;
    desk.scope(vec![billing_exposure()]).await;
    desk.map().await;
    desk
}

/// The scope [`seeded`] declares: `billing-db`'s names, emails and SSNs, early March.
pub fn billing_exposure() -> Value {
    crate::mapping::exposed(
        "billing-db",
        &["name", "email", "ssn"],
        "2026-03-01",
        "2026-03-09",
    )
}

/// Seeds `billing-db` and these people with a few multi-row INSERTs (hundreds of people in
/// well under a second).
pub async fn inventory(app: &TestApp, people: &[Person]) {
    use candor::domain::CategorySet;
    use candor::domain::inventory::normalize_email;
    use candor::domain::jurisdiction::residence;

    const CREATED: &str = "'2026-01-01T00:00:00+00:00'";
    crate::mapping::system(app, "billing-db").await;
    for chunk in people.chunks(200) {
        let mut customers = Vec::with_capacity(chunk.len());
        let mut holdings = Vec::with_capacity(chunk.len());
        for p in chunk {
            let home = residence(p.home.0, p.home.1).expect("test residence");
            let email_norm = p
                .email
                .as_deref()
                .and_then(|e| normalize_email(e).expect("test email"));
            let (line1, city, postal) = if p.address {
                ("'1 Main St'", "'Town'", "'12345'")
            } else {
                ("''", "''", "''")
            };
            customers.push(format!(
                "({}, {}, {}, {}, {}, NULL, {line1}, {city}, {}, {postal}, {}, {}, 'standard', \
                 NULL, {}, {}, {}, {CREATED}, {CREATED})",
                lit(Some(&p.customer_ref)),
                lit(Some(&p.given)),
                lit(Some(&p.family)),
                lit(p.email.as_deref()),
                lit(email_norm.as_deref()),
                lit(Some(p.home.1)),
                lit(Some(p.home.0)),
                lit(Some(p.locale)),
                lit(Some(p.preferred)),
                lit(Some(&home.jurisdiction)),
                if home.in_eu { "TRUE" } else { "FALSE" },
            ));
            let mask = CategorySet::parse_list(p.categories).expect("test categories");
            holdings.push(format!(
                "('billing-db', {r}, {r}, NULL, NULL, {}, '2026-01-01T00:00:00+00:00', NULL, \
                 {CREATED}, {CREATED})",
                mask.mask(),
                r = lit(Some(&p.customer_ref)),
            ));
        }
        app.exec(&format!(
            "INSERT INTO people (customer_ref, given_name, family_name, email, email_norm, \
               phone_norm, address_line1, city, region, postal_code, country, locale, tier, \
               customer_since, preferred_channel, jurisdiction, in_eu, created_at, updated_at) \
             VALUES {}",
            customers.join(", ")
        ))
        .await;
        app.exec(&format!(
            "INSERT INTO holdings (system, record_ref, customer_ref, email_norm, phone_norm, \
               categories, stored_from, stored_to, created_at, updated_at) VALUES {}",
            holdings.join(", ")
        ))
        .await;
    }
}

/// An incident whose mapped audience is `n` numbered people (see [`numbered`]).
pub async fn crowd(app: &TestApp, n: usize) -> Desk<'_> {
    seeded(app, &numbered(n)).await
}

/// A test app sending through `smtp`, with a chance to change the settings further.
pub async fn smtp_app(smtp: &TestSmtp, customize: impl FnOnce(&mut Settings)) -> TestApp {
    let url = smtp.url();
    crate::notices::app_with(|s| {
        s.smtp_url = Some(SecretString::from(url));
        customize(s);
    })
    .await
}

/// Sends the desk's approved initial notice to everyone (202); returns the campaign id.
pub async fn sent_campaign(desk: &Desk<'_>, body: Option<Value>) -> String {
    let nid = approved_notice(desk).await;
    let (status, campaign) = send(desk, &nid, body).await;
    assert_eq!(status, 202, "{campaign}");
    campaign["id"].as_str().expect("campaign id").to_owned()
}

/// One stored outbox row.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct OutboxRow {
    pub id: i64,
    pub campaign_id: Uuid,
    pub person_key: String,
    pub customer_ref: Option<String>,
    pub channel: String,
    pub recipient: String,
    /// Without angle brackets.
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub reply: Option<String>,
    pub last_error: Option<String>,
    pub body_sha256: Option<String>,
    pub link_id: Uuid,
}

impl OutboxRow {
    /// The Message-ID as the header carries it, with angle brackets.
    pub fn header_id(&self) -> String {
        format!("<{}>", self.message_id)
    }
}

/// Every stored outbox row of the app, in id order.
pub async fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    outbox_from(&app.db, "outbox_messages").await
}

/// Every row of `table` (the view of messages with their state, or a table holding both), as
/// outbox rows in id order.
pub async fn outbox_from(db: &sea_orm::DatabaseConnection, table: &str) -> Vec<OutboxRow> {
    OutboxRow::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        format!(
            "SELECT id, campaign_id, person_key, customer_ref, channel, recipient, message_id, \
                    status, attempts, next_attempt_at, lease_owner, lease_until, sent_at, reply, \
                    last_error, body_sha256, link_id \
             FROM {table} ORDER BY id"
        ),
    ))
    .all(db)
    .await
    .expect("outbox rows read")
}

/// The outbox row of one customer (there must be exactly one).
pub async fn row_of(app: &TestApp, customer_ref: &str) -> OutboxRow {
    let rows: Vec<OutboxRow> = outbox(app)
        .await
        .into_iter()
        .filter(|r| r.customer_ref.as_deref() == Some(customer_ref))
        .collect();
    assert_eq!(rows.len(), 1, "{customer_ref}: {rows:#?}");
    rows.into_iter().next().expect("one row")
}

/// How many stored rows stand in each status, as the API spells the counts.
pub async fn stored_counts(app: &TestApp) -> Value {
    let mut counts = only(&[]);
    for row in outbox(app).await {
        let n = counts[&row.status].as_i64().unwrap_or(0);
        counts[&row.status] = json!(n + 1);
    }
    counts
}

/// The number of rows of a table.
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count runs")
        .expect("a row");
    row.try_get("", "n").expect("n")
}

/// POSTs `{incident}/delivery/campaigns/{cid}/{action}` as the desk's user.
pub async fn steer(desk: &Desk<'_>, cid: &str, action: &str) -> (u16, Value) {
    desk.post(&format!("/delivery/campaigns/{cid}/{action}"))
        .await
}

/// Polls (bounded, short sleeps) until `done` holds: for work happening on another task or
/// in the SMTP server, never for the app's clock.
pub async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{what}: not within 10 seconds");
}
