//! Follow-up actions: made from a detractor's score or a comment, owned by a CX lead, closed
//! with a resolution; open ones show on the incident and closing the incident warns. And
//! revoking a person's link.

use candor::domain::Role;
use serde_json::{Value, json};

use reqwest::Method;

use super::{answer, call, delivered, link_of, post_json};
use crate::delivery::numbered;
use crate::mapping::Desk;
use crate::notices::app;

async fn make(lead: &Desk<'_>, response: &str, body: Value) -> (u16, Value) {
    post_json(lead, &format!("/survey/responses/{response}/action"), body).await
}

async fn change(lead: &Desk<'_>, action: &str, body: Value) -> (u16, Value) {
    call(lead, Method::PATCH, &format!("/actions/{action}"), body).await
}

#[tokio::test]
async fn a_detractor_becomes_an_owned_action_closed_with_a_resolution() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(3)).await;
    let detractor = answer(&desk, "P0001", Some(2), None, None).await;
    let passive = answer(&desk, "P0002", Some(8), Some(4), None).await;
    let commenter = answer(&desk, "P0003", Some(10), None, Some("Call me.")).await;

    let (status, action) = make(&lead, &detractor.to_string(), json!({})).await;
    assert_eq!(status, 201, "{action}");
    assert_eq!(
        (&action["reason"], &action["status"]),
        (&json!("detractor"), &json!("open"))
    );
    assert_eq!(action["title"], "Follow up on a score of 2");
    let (status, again) = make(&lead, &detractor.to_string(), json!({})).await;
    assert_eq!(
        (status, &again["error"]["code"]),
        (409, &json!("action_exists"))
    );
    let (status, none) = make(&lead, &passive.to_string(), json!({})).await;
    assert_eq!(
        (status, &none["error"]["code"]),
        (409, &json!("nothing_to_follow_up"))
    );

    // The owner must be a CX lead.
    let (responder_id, _) = app.user_with(&[Role::Responder]).await;
    let (status, body) = make(
        &lead,
        &commenter.to_string(),
        json!({ "owner_id": responder_id }),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["details"][0]["field"]),
        (422, &json!("owner_id"))
    );
    let (status, comment_action) = make(&lead, &commenter.to_string(), json!({})).await;
    assert_eq!(
        (status, &comment_action["reason"]),
        (201, &json!("comment"))
    );

    let (_, incident) = desk.get("").await;
    assert_eq!(incident["open_follow_up_actions"], 2);
    let id = action["id"].as_str().expect("id");
    let (status, body) = change(&lead, id, json!({ "status": "closed" })).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("resolution_required"))
    );
    let (status, closed) = change(
        &lead,
        id,
        json!({ "status": "closed", "resolution": "Called them; we now send card numbers' last four digits only." }),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());

    let (_, open) = lead.get("/actions?status=open").await;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    let (status, _) = desk.get("/actions").await;
    assert_eq!(status, 403, "a responder reads follow-up actions");
}

#[tokio::test]
async fn closing_an_incident_with_open_actions_warns_and_still_closes() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(1)).await;
    let response = answer(&desk, "P0001", Some(0), None, None).await;
    make(&lead, &response.to_string(), json!({})).await;

    let response = app
        .post(&format!("{}/status", desk.incident))
        .bearer_auth(&desk.token)
        .json(&json!({ "status": "closed", "note": "Done." }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["incident"]["status"], "closed");
    assert_eq!(
        body["warnings"],
        json!(["1 follow-up action from the survey is still open"])
    );
}

#[tokio::test]
async fn revoking_a_persons_link_marks_it_and_an_unknown_person_is_404() {
    let app = app().await;
    let (_desk, lead) = delivered(&app, &numbered(1)).await;
    let (status, body) =
        post_json(&lead, "/links/revoke", json!({ "customer_ref": "P0001" })).await;
    assert_eq!(status, 200, "{body}");
    let link = link_of(&app, "P0001").await;
    assert_eq!(body, json!({ "link_id": link, "revoked": true }));
    let (_, again) = post_json(&lead, "/links/revoke", json!({ "customer_ref": "P0001" })).await;
    assert_eq!(again["revoked"], false);
    let (status, body) =
        post_json(&lead, "/links/revoke", json!({ "customer_ref": "NOBODY" })).await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("no_link")));
}
