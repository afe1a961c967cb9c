//! The customer's side through the real server: the personal page (`/n/{token}`) and the
//! survey (`/s/{token}`) opened with signed links, on SQLite and PostgreSQL. Pages are checked
//! as HTML (labels, fieldsets, headings, language) without a browser, and every change is
//! checked in the stored rows.

mod html;
mod page;
mod refusals;
mod survey;

use candor::delivery::{LinkKeys, LinkPurpose};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};
use secrecy::SecretString;
use uuid::Uuid;

use crate::delivery::{OutboxRow, Person, drain, seeded, sent_campaign};
use crate::helpers::{SECRET, TestApp};
use crate::mapping::Desk;

/// An app with a sent initial notice to `people`, drained into the file outbox.
pub async fn notified<'a>(app: &'a TestApp, people: &[Person]) -> Desk<'a> {
    let desk = seeded(app, people).await;
    sent_campaign(&desk, None).await;
    drain(app).await;
    desk
}

/// Two Californians, `A1` (Ana Alvarez) and `B2` (Bo Brown).
pub fn two_people() -> Vec<Person> {
    vec![
        Person::new("A1", ("Ana", "Alvarez"), Some("ana@example.com")),
        Person::new("B2", ("Bo", "Brown"), Some("bo@example.com")),
    ]
}

/// A client that does not follow redirects (the forms answer 303).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The incident id of a desk.
pub fn incident_id(desk: &Desk<'_>) -> Uuid {
    desk.incident
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("incident id")
}

/// The first outbox row of one customer (their notice).
pub async fn row_of(app: &TestApp, customer_ref: &str) -> OutboxRow {
    crate::delivery::outbox(app)
        .await
        .into_iter()
        .find(|r| r.customer_ref.as_deref() == Some(customer_ref))
        .unwrap_or_else(|| panic!("no message to {customer_ref}"))
}

/// The link keys the app signs with.
pub fn keys() -> LinkKeys {
    LinkKeys::derive(&SecretString::from(SECRET))
}

/// When a link row expires.
pub async fn link_expiry(app: &TestApp, link_id: Uuid) -> DateTime<Utc> {
    candor::store::delivery::link(&app.db, link_id)
        .await
        .expect("link read")
        .expect("link row")
        .expires_at
}

/// A token for a customer's link, expiring with the link row.
pub async fn token_for(
    app: &TestApp,
    desk: &Desk<'_>,
    customer_ref: &str,
    purpose: LinkPurpose,
) -> String {
    let link = row_of(app, customer_ref).await.link_id;
    let expires = link_expiry(app, link).await;
    keys()
        .sign(purpose, link, incident_id(desk), expires)
        .expect("token signs")
}

/// The page's path for a token.
pub fn page(token: &str) -> String {
    format!("/n/{token}")
}

/// The survey's path for a token.
pub fn survey(token: &str) -> String {
    format!("/s/{token}")
}

/// GETs a path; returns the status, the headers and the body.
pub async fn fetch(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    fetch_with(app, path, &[]).await
}

/// GETs a path with extra headers.
pub async fn fetch_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = client().get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

/// POSTs a form; returns the status, the `Location` and the body.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut request = client().post(app.url(path)).form(fields);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    (status, location, response.text().await.expect("body"))
}

/// The CSRF token a page's form carries (the page must answer 200).
pub async fn csrf_of(app: &TestApp, path: &str) -> String {
    let (status, _, body) = fetch(app, path).await;
    assert_eq!(status, 200, "{body}");
    html::input_value(&body, "csrf").expect("the form has a csrf field")
}

/// Invites everyone whose notice was delivered, as a CX lead does: an approved survey
/// invitation (with `change` over clean words), `POST …/survey/invite`, the outbox drained.
pub async fn invite_with(desk: &Desk<'_>, change: serde_json::Value) {
    crate::survey::approved_kind(desk, "survey-invitation", change).await;
    let (_, lead) = crate::notices::lead(desk).await;
    let (status, report) = crate::survey::invite(&lead).await;
    assert_eq!(status, 200, "{report}");
    drain(desk.app).await;
}

/// Invites everyone whose notice was delivered (see [`invite_with`]).
pub async fn invite(desk: &Desk<'_>) {
    invite_with(desk, serde_json::json!({})).await;
}

/// The number of rows of a table (for one link when given).
pub async fn rows_in(app: &TestApp, table: &str, link: Option<Uuid>) -> i64 {
    let backend = app.db.get_database_backend();
    let statement = match link {
        Some(link) => Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table} WHERE link_id = $1"),
            [link.into()],
        ),
        None => Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")),
    };
    let row = app
        .db
        .query_one_raw(statement)
        .await
        .expect("count runs")
        .expect("a row");
    row.try_get("", "n").expect("n")
}
