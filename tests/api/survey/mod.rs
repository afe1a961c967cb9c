//! The follow-up survey, staff side, through the real server: its schedule and waves with a
//! manual clock (the invitation a set time after delivery, one reminder to people who did not
//! answer, nobody whose notice bounced), people's contact preferences honoured by later
//! updates and surveys, results with NPS by place and tier, the responses and their CSV,
//! follow-up actions, and revoking a person's link; on SQLite and PostgreSQL.

mod actions;
mod preferences;
mod results;
mod schedule;

use candor::delivery::LinkPurpose;
use chrono::{DateTime, Utc};
use reqwest::Method;
use sea_orm::{FromQueryResult, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::customer::{csrf_of, post_form, token_for};
use crate::delivery::{Person, drain, seeded, send};
use crate::helpers::TestApp;
use crate::mapping::Desk;
use crate::notices::{approved, clean_content, created, lead, patch};

/// An incident whose approved initial notice went to these people and was delivered (the
/// outbox drained into the file transport at the app's clock time); returns the responder's
/// desk and a CX lead's desk on the same incident.
pub async fn delivered<'a>(app: &'a TestApp, people: &[Person]) -> (Desk<'a>, Desk<'a>) {
    let desk = seeded(app, people).await;
    let nid = approved_kind(&desk, "initial-notice", json!({})).await;
    let (status, body) = send(&desk, &nid, None).await;
    assert_eq!(status, 202, "{body}");
    drain(app).await;
    let (_, lead) = lead(&desk).await;
    (desk, lead)
}

/// A draft of `kind` with clean words and `change` over them, approved by a fresh CX lead;
/// returns its id.
pub async fn approved_kind(desk: &Desk<'_>, kind: &str, change: Value) -> String {
    let nid = created(desk, kind).await;
    let mut content = clean_content();
    if let (Value::Object(base), Value::Object(extra)) = (&mut content, change) {
        base.extend(extra);
    }
    patch(desk, &nid, content).await;
    let (_, lead) = lead(desk).await;
    approved(&lead, &nid).await;
    nid
}

/// An approved survey invitation and reminder for the desk's incident.
pub async fn survey_notices(desk: &Desk<'_>) {
    approved_kind(desk, "survey-invitation", json!({})).await;
    approved_kind(desk, "survey-reminder", json!({})).await;
}

/// PUTs the survey schedule as `lead`, which must succeed.
pub async fn schedule(lead: &Desk<'_>, body: Value) -> Value {
    let (status, body) = call(lead, Method::PUT, "/survey/schedule", body).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Runs the survey worker's pass, then drains the outbox, both at the app's clock time.
pub async fn pass_and_drain(app: &TestApp) {
    app.surveys.pass().await.expect("the survey pass runs");
    drain(app).await;
}

/// One outbox row, as these tests look at it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Row {
    pub customer_ref: Option<String>,
    pub slot: String,
    pub channel: String,
    pub status: String,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub link_id: Uuid,
    pub campaign_id: Uuid,
}

/// The rows of one slot (`survey-invitation`, …), by customer reference.
pub async fn rows(app: &TestApp, slot: &str) -> Vec<Row> {
    Row::find_by_statement(Statement::from_sql_and_values(
        app.db.get_database_backend(),
        "SELECT customer_ref, slot, channel, status, next_attempt_at, sent_at, link_id, \
                campaign_id FROM outbox_messages WHERE slot = $1 ORDER BY customer_ref",
        [slot.into()],
    ))
    .all(&app.db)
    .await
    .expect("outbox rows read")
}

/// The customer references of a slot's rows.
pub async fn refs(app: &TestApp, slot: &str) -> Vec<String> {
    rows(app, slot)
        .await
        .into_iter()
        .filter_map(|r| r.customer_ref)
        .collect()
}

/// The link of a customer's first message.
pub async fn link_of(app: &TestApp, customer_ref: &str) -> Uuid {
    rows(app, "initial-notice")
        .await
        .into_iter()
        .find(|r| r.customer_ref.as_deref() == Some(customer_ref))
        .map(|r| r.link_id)
        .expect("the customer has a message")
}

/// Answers the survey as the person does, on the page their survey link opens; returns the
/// stored response's id.
pub async fn answer(
    desk: &Desk<'_>,
    customer_ref: &str,
    recommend: Option<u8>,
    clarity: Option<u8>,
    comment: Option<&str>,
) -> Uuid {
    let app = desk.app;
    let token = token_for(app, desk, customer_ref, LinkPurpose::Survey).await;
    let path = format!("/s/{token}");
    let csrf = csrf_of(app, &path).await;
    let (recommend, clarity) = (
        recommend.map(|n| n.to_string()).unwrap_or_default(),
        clarity.map(|n| n.to_string()).unwrap_or_default(),
    );
    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", recommend.as_str()),
        ("clarity", clarity.as_str()),
        ("comment", comment.unwrap_or_default()),
    ];
    let (status, _, body) = post_form(app, &path, &fields, &[]).await;
    assert_eq!(status, 303, "{body}");
    let link = link_of(app, customer_ref).await;
    candor::store::survey::responses::of_link(&app.db, link)
        .await
        .expect("response read")
        .expect("the answer is stored")
        .id
}

/// Sets a person's contact preferences as they do, on their personal page.
pub async fn prefer(desk: &Desk<'_>, customer_ref: &str, channel: &str, frequency: &str) {
    let app = desk.app;
    let token = token_for(app, desk, customer_ref, LinkPurpose::Page).await;
    let csrf = csrf_of(app, &format!("/n/{token}")).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("channel", channel),
        ("frequency", frequency),
    ];
    let path = format!("/n/{token}/preferences");
    let (status, _, body) = post_form(app, &path, &fields, &[]).await;
    assert_eq!(status, 303, "{body}");
}

/// POSTs `{incident}/survey/invite` as `desk`.
pub async fn invite(desk: &Desk<'_>) -> (u16, Value) {
    desk.post("/survey/invite").await
}

/// Sends JSON to `{incident}{path}` as `desk` with `method`.
pub async fn call(desk: &Desk<'_>, method: Method, path: &str, body: Value) -> (u16, Value) {
    let response = desk
        .app
        .client
        .request(method, desk.app.url(&format!("{}{path}", desk.incident)))
        .bearer_auth(&desk.token)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// POSTs JSON to `{incident}{path}` as `desk`.
pub async fn post_json(desk: &Desk<'_>, path: &str, body: Value) -> (u16, Value) {
    call(desk, Method::POST, path, body).await
}
