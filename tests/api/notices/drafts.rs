//! Drafting: one notice of a kind per incident (updates as many as needed), kinds that are not
//! for people refused, and what needs a mapping first.

use candor::domain::Role;
use reqwest::Method;
use serde_json::json;

use super::{INITIAL, app, at, audited, call, create, created, lead, mapped, stored};
use crate::inventory::count;
use crate::mapping::Desk;

#[tokio::test]
async fn an_initial_notice_is_drafted_once_per_incident() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (writer_id, writer) = lead(&desk).await;

    let (status, draft) = create(&writer, INITIAL).await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["kind"], INITIAL);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["created_by"], writer_id.to_string());
    assert_eq!(draft["edited_by"], writer_id.to_string());
    assert_eq!(draft["approval"], json!(null));
    assert_eq!(
        draft["content"]["what_happened"],
        "An export of support tickets was readable by all staff.",
        "a draft starts with the incident's summary"
    );
    assert_eq!(
        draft["content"]["contact"]["name"],
        "Sample Company privacy team"
    );

    let (status, again) = create(&desk, INITIAL).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"]["code"], "notice_exists");
    let first_id = draft["id"].as_str().unwrap();
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap()
            .contains(first_id),
        "{again}"
    );

    assert_eq!(
        stored(&app).await,
        [(INITIAL.to_owned(), "draft".to_owned(), None)]
    );
    let created = audited(&desk, "notice.created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["object_id"], first_id);
    assert_eq!(created[0]["actor"], format!("user:{writer_id}"));
}

#[tokio::test]
async fn updates_may_be_drafted_as_often_as_there_is_news() {
    let app = app().await;
    let desk = mapped(&app).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(created(&desk, "update").await);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each update is a draft of its own");

    let (status, list) = desk.get("/notices").await;
    assert_eq!(status, 200, "{list}");
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["update", "update", "update"]);
    assert_eq!(count(&app, "notices").await, 3);
}

#[tokio::test]
async fn a_regulator_report_is_not_drafted_as_a_notice_to_people() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (status, body) = create(&desk, "regulator-report").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "not_for_people");
    assert_eq!(count(&app, "notices").await, 0);
}

#[tokio::test]
async fn an_unknown_kind_is_refused_naming_the_field() {
    let app = app().await;
    let desk = mapped(&app).await;
    for kind in ["apology-letter", "", "Initial Notice"] {
        let body = json!({ "kind": kind });
        let (status, body) = call(&desk, Method::POST, "/notices", Some(body)).await;
        assert_eq!(status, 422, "{kind:?}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["details"][0]["field"], "kind", "{body}");
    }
    for body in [
        json!({ "kind": 7 }),
        json!({}),
        json!({ "kind": INITIAL, "locale": "en" }),
    ] {
        let (status, answer) = call(&desk, Method::POST, "/notices", Some(body.clone())).await;
        assert!((400..500).contains(&status), "{body}: {status} {answer}");
    }
    assert_eq!(count(&app, "notices").await, 0);
}

#[tokio::test]
async fn a_notice_for_an_incident_that_does_not_exist_is_not_found() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nobody = Desk {
        app: &app,
        token: desk.token.clone(),
        incident: format!("/api/v1/incidents/{}", uuid::Uuid::new_v4()),
    };
    let (status, body) = create(&nobody, INITIAL).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = nobody.get("/notices").await;
    assert_eq!(status, 404, "{body}");

    let nid = created(&desk, INITIAL).await;
    let (status, body) = nobody.get(&at(&nid, "")).await;
    assert_eq!(
        status, 404,
        "a notice is found only under its own incident: {body}"
    );
    let (status, body) = desk.get(&at(&uuid::Uuid::new_v4().to_string(), "")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(count(&app, "notices").await, 1);
}

#[tokio::test]
async fn only_the_incident_team_drafts_while_any_staff_reads() {
    let app = app().await;
    let desk = mapped(&app).await;
    let admin = desk.as_role(&[Role::Admin]).await;
    let (status, body) = create(&admin, INITIAL).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(count(&app, "notices").await, 0);

    let nid = created(&desk, INITIAL).await;
    let (status, body) = admin.get(&at(&nid, "")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin.post(&at(&nid, "/lint")).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn an_incident_that_was_not_mapped_has_no_preview_lint_or_dry_run() {
    let app = app().await;
    let desk = Desk::open(&app).await;
    let nid = created(&desk, INITIAL).await;
    let (status, body) = desk.get(&at(&nid, "/preview?customer_ref=CA1")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("not_mapped")),
        "{body}"
    );
    let (status, body) = desk.post(&at(&nid, "/lint")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("not_mapped")),
        "{body}"
    );
    let (status, body) = desk.get(&at(&nid, "/variants")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("not_mapped")),
        "{body}"
    );
    let (_, lead) = lead(&desk).await;
    let (status, body) = lead.post(&at(&nid, "/approve")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("not_mapped")),
        "{body}"
    );
    assert_eq!(stored(&app).await[0].1, "draft");
}
