//! What the delivery API refuses: sending what is not approved (never approved, or an
//! approval voided by an edit or a new audience), sending as someone outside the incident
//! team, changing a notice once sent, bad send bodies and bad queries; and paging through
//! the messages.

use std::collections::HashSet;

use candor::domain::Role;
use serde_json::{Value, json};

use super::{approved_notice, count_rows, crowd, delivery, send, steer};
use crate::mapping::{customer, holding};
use crate::notices::{app, approve, at, clean_content, clean_draft, lead, mapped, patch};

#[tokio::test]
async fn a_notice_without_an_approval_in_force_is_409_not_approved_and_queues_nothing() {
    let app = app().await;
    let desk = mapped(&app).await;
    let draft = clean_draft(&desk).await;
    let (status, body) = send(&desk, &draft, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "not_approved");

    // Approved, then the words change: the approval is void.
    let (_, approver) = lead(&desk).await;
    crate::notices::approved(&approver, &draft).await;
    let mut words = clean_content();
    words["what_we_are_doing"] = json!("We locked the stolen account and reset every password.");
    let edited = patch(&desk, &draft, words).await;
    assert_eq!(edited["status"], "draft", "{edited}");
    let (status, body) = send(&desk, &draft, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "not_approved");
    assert_eq!(count_rows(&app, "outbox").await, 0);
    assert_eq!(count_rows(&app, "campaigns").await, 0);
}

#[tokio::test]
async fn an_approval_voided_by_a_new_audience_refuses_the_send_straight_away() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    customer(
        &app,
        "CA2",
        ("Alan", "Turing"),
        Some("alan@example.com"),
        None,
        ("US", "CA"),
    )
    .await;
    holding("billing-db", "CA2")
        .customer("CA2")
        .categories("name;email;ssn")
        .insert(&app)
        .await;
    desk.map().await;
    // Nobody read the notice since: the send itself must find the approval stale.
    let (status, body) = send(&desk, &nid, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "not_approved");
    assert_eq!(count_rows(&app, "outbox").await, 0);
}

#[tokio::test]
async fn only_the_incident_team_sends_and_a_sent_notice_can_no_longer_change() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    let admin = desk.as_role(&[Role::Admin]).await;
    let (status, body) = send(&admin, &nid, None).await;
    assert_eq!(status, 403, "{body}");
    let anonymous = app
        .post(&format!("{}{}", desk.incident, at(&nid, "/send")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(count_rows(&app, "outbox").await, 0);

    let (_, lead) = lead(&desk).await;
    let (status, campaign) = send(&lead, &nid, None).await;
    assert_eq!(status, 202, "a CX lead may send: {campaign}");

    let (status, body) = crate::obligations::call(
        &desk,
        reqwest::Method::PATCH,
        &at(&nid, ""),
        Some(json!({ "what_happened": "Something else." })),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_sent");
    let (_, another_lead) = crate::notices::lead(&desk).await;
    let (status, body) = approve(&another_lead, &nid).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_sent");
    assert_eq!(count_rows(&app, "outbox").await, 2);
}

#[tokio::test]
async fn a_bad_send_body_is_refused_before_anything_is_queued() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    let (status, body) = send(&desk, &nid, Some(json!({ "canary": 0 }))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    // The API's convention for a field it does not know (tests/api/errors.rs): 422.
    let (status, body) = send(&desk, &nid, Some(json!({ "canery": 1 }))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed");
    let (status, body) = send(&desk, &nid, Some(json!({ "canary": -1 }))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(count_rows(&app, "outbox").await, 0);
    let (_, notice) = desk.get(&at(&nid, "")).await;
    assert_eq!(notice["status"], "approved", "{notice}");
}

#[tokio::test]
async fn bad_delivery_queries_are_400_and_unknown_campaigns_404() {
    let app = app().await;
    let desk = mapped(&app).await;
    let cid = super::sent_campaign(&desk, None).await;
    for query in [
        "?limit=0",
        "?limit=501",
        "?channel=fax",
        "?status=lost",
        "?after=x",
    ] {
        let (status, body) = desk.get(&format!("/delivery{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_query", "{query}: {body}");
    }
    let (_, lead) = lead(&desk).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    for action in ["pause", "resume", "release"] {
        let (status, body) = steer(&lead, &unknown, action).await;
        assert_eq!(status, 404, "{action}: {body}");
    }
    // A campaign is only reachable under its own incident.
    let other = app.open_incident(&desk.token).await;
    let other = crate::mapping::Desk {
        app: &app,
        token: lead.token.clone(),
        incident: format!("/api/v1/incidents/{}", other["id"].as_str().unwrap()),
    };
    let (status, body) = steer(&other, &cid, "pause").await;
    assert_eq!(status, 404, "{body}");
    let nowhere = crate::mapping::Desk {
        app: &app,
        token: desk.token.clone(),
        incident: format!("/api/v1/incidents/{}", uuid::Uuid::new_v4()),
    };
    let (status, body) = nowhere.get("/delivery").await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn paging_with_next_after_visits_every_message_once() {
    let app = app().await;
    let desk = crowd(&app, 25).await;
    super::sent_campaign(&desk, None).await;
    let mut seen = Vec::new();
    let mut query = "?limit=10".to_owned();
    let mut pages = 0;
    loop {
        let page = delivery(&desk, &query).await;
        pages += 1;
        let messages = page["messages"].as_array().unwrap();
        seen.extend(messages.iter().map(|m| m["id"].as_i64().unwrap()));
        assert_eq!(page["counts"]["pending"], 25, "counts cover every page");
        match &page["next_after"] {
            Value::Null => break,
            after => query = format!("?limit=10&after={after}"),
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "in id order: {seen:?}"
    );
    let filtered = delivery(&desk, "?status=pending&channel=email&limit=500").await;
    assert_eq!(filtered["messages"].as_array().unwrap().len(), 25);
    let none = delivery(&desk, "?status=sent").await;
    assert_eq!(none["messages"], json!([]));
    assert_eq!(none["next_after"], Value::Null);
}
