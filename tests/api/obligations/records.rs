//! The risk assessment and recorded events: who may record them, what is refused, and the
//! audit entries they leave.

use candor::domain::Role;
use reqwest::Method;
use serde_json::json;

use super::{as_role, call};
use crate::mapping::{Desk, spawn_app};

#[tokio::test]
async fn a_responder_records_a_risk_assessment_and_all_staff_read_it() {
    let app = spawn_app().await;
    let desk = Desk::open(&app).await;
    let (status, body) = desk.get("/risk-assessment").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_assessed"))
    );

    let notes = "Only hashed values of Ada Lovelace's record were copied.";
    let request = json!({ "likelihood": "unlikely", "notes": notes });
    let (status, body) = call(&desk, Method::PUT, "/risk-assessment", Some(request)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["likelihood"], "unlikely");

    let reassessed = json!({ "likelihood": "high", "notes": "Keys were found in the dump." });
    let (status, _) = call(&desk, Method::PUT, "/risk-assessment", Some(reassessed)).await;
    assert_eq!(status, 200);
    let cx = as_role(&desk, Role::CxLead).await;
    let (status, body) = cx.get("/risk-assessment").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["likelihood"], "high");
    assert_eq!(body["notes"], "Keys were found in the dump.");

    let audit = desk.audit().await;
    let risk: Vec<_> = audit
        .iter()
        .filter(|e| e["action"] == "risk.assessed")
        .collect();
    assert_eq!(risk.len(), 2, "every decision is audited");
    assert_eq!(risk[0]["summary"], "risk of harm assessed as unlikely");
    assert!(
        audit
            .iter()
            .all(|e| !e["summary"].as_str().unwrap().contains("Lovelace"))
    );
}

#[tokio::test]
async fn a_bad_risk_assessment_is_refused_naming_the_field_and_other_roles_are_forbidden() {
    let app = spawn_app().await;
    let desk = Desk::open(&app).await;
    for (body, field) in [
        (
            json!({ "likelihood": "negligible", "notes": "x" }),
            "likelihood",
        ),
        (json!({ "likelihood": "possible", "notes": "   " }), "notes"),
        (json!({ "likelihood": "possible" }), "notes"),
    ] {
        let (status, answer) = call(&desk, Method::PUT, "/risk-assessment", Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{answer}");
    }
    let cx = as_role(&desk, Role::CxLead).await;
    let body = json!({ "likelihood": "possible", "notes": "n" });
    let (status, _) = call(&cx, Method::PUT, "/risk-assessment", Some(body)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn events_are_recorded_by_anchor_and_unknown_or_computed_anchors_are_refused() {
    let app = spawn_app().await;
    let desk = Desk::open(&app).await;
    let at = json!({ "at": "2026-11-19T18:00:00Z" });
    let (status, body) = call(
        &desk,
        Method::PUT,
        "/events/determination",
        Some(at.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({ "anchor": "determination", "at": "2026-11-19T18:00:00Z" })
    );

    let (status, body) = call(&desk, Method::PUT, "/events/lunch", Some(at.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "anchor");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`lunch`")
    );
    let (status, body) = call(&desk, Method::PUT, "/events/discovery", Some(at.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("discovered_at")
    );

    let future = json!({ "at": "2026-12-01T00:00:00Z" });
    let (status, body) = call(
        &desk,
        Method::PUT,
        "/events/individual_notice",
        Some(future),
    )
    .await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].clone()),
        (422, json!("at"))
    );
    let (status, body) = call(
        &desk,
        Method::PUT,
        "/events/individual_notice",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].clone()),
        (422, json!("at"))
    );

    let cx = as_role(&desk, Role::CxLead).await;
    let (status, _) = call(&cx, Method::PUT, "/events/determination", Some(at)).await;
    assert_eq!(status, 403);
    let audit = desk.audit().await;
    let recorded = audit
        .iter()
        .filter(|e| e["action"] == "incident.event_recorded")
        .count();
    assert_eq!(recorded, 1);
}
