//! The regulator report draft: Markdown or HTML, with the facts an authority asks for.

use candor::domain::Role;
use serde_json::json;

use super::{as_role, mapped};
use crate::helpers::TestApp;
use crate::mapping::{Desk, spawn_app, spawn_app_with};

async fn report(desk: &Desk<'_>, query: &str, accept: Option<&str>) -> (u16, String, String) {
    let url = format!("{}/reports/regulator{query}", desk.incident);
    let mut request = desk.app.get(&url).bearer_auth(&desk.token);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

async fn add_action(app: &TestApp, desk: &Desk<'_>, text: &str) {
    let response = app
        .post(&format!("{}/timeline", desk.incident))
        .bearer_auth(&desk.token)
        .json(&json!({ "kind": "action", "text": text, "at": "2026-11-19T16:00:00Z" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn the_markdown_report_holds_the_facts_an_authority_asks_for() {
    let app = spawn_app_with(|s| {
        s.organization_contact = "Data Protection Officer, dpo@shop.example".into()
    })
    .await;
    let desk = mapped(&app).await;
    add_action(&app, &desk, "Revoked the leaked API key.").await;
    let (status, content_type, body) =
        report(&desk, "?jurisdiction=EU", Some("text/markdown")).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/markdown"), "{content_type}");
    for expected in [
        "Support desk export left on a shared drive",
        "Discovered: 2026-11-19T14:30:00Z",
        "your Social Security number",
        "Approximately **1 person in the EU**",
        "Identity theft",
        "Revoked the leaked API key.",
        "Data Protection Officer, dpo@shop.example",
        "`EU/supervisory_authority`",
        "due 2026-11-22T14:30:00Z",
        "_No risk assessment has been recorded yet._",
    ] {
        assert!(body.contains(expected), "missing {expected:?} in:\n{body}");
    }
    assert!(!body.contains("California"), "only the EU's duties");
}

#[tokio::test]
async fn the_html_report_is_the_default_escapes_values_and_says_the_contact_is_missing() {
    let app = spawn_app().await;
    let desk = mapped(&app).await;
    add_action(&app, &desk, "Blocked <script>alert(1)</script> uploads.").await;
    let (status, content_type, body) = report(&desk, "?jurisdiction=EU", None).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("&lt;script&gt;"), "{body}");
    assert!(!body.contains("<script>"));
    assert!(body.contains("no contact point is configured"));
    let (status, content_type, _) = report(&desk, "?jurisdiction=US-CA", Some("text/html")).await;
    assert_eq!((status, content_type.starts_with("text/html")), (200, true));
}

#[tokio::test]
async fn an_unknown_or_uncovered_jurisdiction_is_404_naming_it() {
    let app = spawn_app().await;
    let desk = mapped(&app).await;
    let (status, _, body) = report(&desk, "?jurisdiction=XX", None).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("unknown_jurisdiction") && body.contains("`XX`"),
        "{body}"
    );
    let (status, _, body) = report(&desk, "?jurisdiction=US-TX", None).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("jurisdiction_not_applicable") && body.contains("`US-TX`"),
        "{body}"
    );
    let (status, _, _) = report(&desk, "", None).await;
    assert_eq!(status, 400, "the jurisdiction is required");
    let cx = as_role(&desk, Role::CxLead).await;
    assert_eq!(report(&cx, "?jurisdiction=EU", None).await.0, 200);
    let anonymous = app
        .get(&format!(
            "{}/reports/regulator?jurisdiction=EU",
            desk.incident
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
