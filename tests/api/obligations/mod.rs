//! Obligations through the real server: the risk assessment and recorded events, what the
//! law asks of a mapped incident and by when, the stored history, duties marked done, duty
//! alerts (timeline and mail, once per threshold) and the regulator report draft.

mod alerts;
mod computing;
mod records;
mod report;

use candor::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::mapping::{Desk, customer, exposed, holding, system};

/// A test app whose tokens outlive the clock moves these tests make (a week).
pub async fn app() -> TestApp {
    crate::mapping::spawn_app_with(|s| s.jwt_ttl_minutes = 7 * 24 * 60).await
}

/// Sends `method` to `{incident}{path}` as the desk's user, with an optional JSON body.
pub async fn call(
    desk: &Desk<'_>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = desk.app.url(&format!("{}{path}", desk.incident));
    let mut request = desk
        .app
        .client
        .request(method, url)
        .bearer_auth(&desk.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Two customers in billing-db, one in Germany (the GDPR) and one in California, whose name,
/// email and SSN were exposed; mapped. The incident was discovered 2026-11-19T14:30Z, so the
/// GDPR's 72 hours end 2026-11-22T14:30Z; the clock stands at 2026-11-20T09:00Z.
pub async fn mapped(app: &TestApp) -> Desk<'_> {
    system(app, "billing-db").await;
    let people = [
        ("DE1", ("Emmy", "Noether"), "emmy@example.com", ("DE", "")),
        ("CA1", ("Ada", "Lovelace"), "ada@example.com", ("US", "CA")),
    ];
    for (customer_ref, name, email, home) in people {
        customer(app, customer_ref, name, Some(email), None, home).await;
        holding("billing-db", customer_ref)
            .customer(customer_ref)
            .categories("name;email;ssn")
            .insert(app)
            .await;
    }
    let desk = Desk::open(app).await;
    desk.scope(vec![exposed(
        "billing-db",
        &["name", "email", "ssn"],
        "2026-03-01",
        "2026-03-09",
    )])
    .await;
    desk.map().await;
    desk
}

/// The incident's obligations, which must be readable.
pub async fn obligations(desk: &Desk<'_>) -> Value {
    let (status, body) = desk.get("/obligations").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// One duty of the obligations, by key.
pub fn duty<'a>(obligations: &'a Value, key: &str) -> &'a Value {
    obligations["jurisdictions"]
        .as_array()
        .expect("jurisdictions")
        .iter()
        .flat_map(|j| j["duties"].as_array().expect("duties"))
        .find(|d| d["key"] == key)
        .unwrap_or_else(|| panic!("no duty {key} in {obligations}"))
}

/// Marks a duty done as the desk's user.
pub async fn mark_done(desk: &Desk<'_>, key: &str, body: Value) -> (u16, Value) {
    let path = format!("/obligations/{}/done", key.replace('/', "%2F"));
    call(desk, Method::POST, &path, Some(body)).await
}

/// A responder's desk on the same incident, as a role.
pub async fn as_role<'a>(desk: &Desk<'a>, role: Role) -> Desk<'a> {
    desk.as_role(&[role]).await
}

/// A valid done body.
pub fn done_body() -> Value {
    json!({ "reference": "DPA case 2026-1142", "evidence": "Filed through the authority's portal." })
}
