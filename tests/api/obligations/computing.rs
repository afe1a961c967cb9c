//! What the law asks of a mapped incident: each law's duties with due times and status, the
//! stored history with its rules version, and marking duties done.

use candor::domain::Role;
use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::json;

use super::{as_role, call, done_body, duty, mapped, mark_done, obligations};
use crate::mapping::Desk;

#[tokio::test]
async fn obligations_need_a_mapping_and_an_existing_incident() {
    let app = super::app().await;
    let desk = Desk::open(&app).await;
    let (status, body) = desk.get("/obligations").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("not_mapped"))
    );
    let token = desk.token.clone();
    let missing = "/api/v1/incidents/00000000-0000-7000-8000-000000000000/obligations";
    let response = app.get(missing).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let (status, body) = desk.get("/obligations/history").await;
    assert_eq!((status, body), (200, json!([])));
}

#[tokio::test]
async fn a_mapped_incident_lists_each_law_with_due_times_and_status() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    let (_, run) = desk.get("/impact").await;
    assert_eq!(run["affected_people"], 2);
    let result = obligations(&desk).await;
    assert!(
        result["rules_version"].as_str().unwrap().contains('+'),
        "{result}"
    );
    assert!(result["mapping_id"].is_string());
    let codes: Vec<_> = result["jurisdictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["EU", "US-CA"], "sector regimes need their trait");

    let authority = duty(&result, "EU/supervisory_authority");
    assert_eq!(authority["required"], true);
    assert_eq!(authority["due_at"], "2026-11-22T14:30:00Z");
    assert_eq!(authority["status"], "pending");
    assert_eq!(duty(&result, "EU/individuals")["status"], "waiting");
    let residents = duty(&result, "US-CA/individuals");
    assert_eq!(residents["status"], "pending");
    assert_eq!(residents["due_at"], "2026-12-19T14:30:00Z");
    assert_eq!(residents["people"], 1);
    assert_eq!(
        duty(&result, "US-CA/attorney_general")["status"],
        "not_required"
    );

    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 14, 31, 0).unwrap());
    let later = obligations(&desk).await;
    assert_eq!(
        duty(&later, "EU/supervisory_authority")["status"],
        "overdue"
    );
    let cx = as_role(&desk, Role::CxLead).await;
    assert_eq!(cx.get("/obligations").await.0, 200);
    let admin = as_role(&desk, Role::Admin).await;
    assert_eq!(admin.get("/obligations").await.0, 200);
}

#[tokio::test]
async fn a_result_is_stored_only_when_it_changes_and_history_keeps_the_old_one() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    obligations(&desk).await;
    app.clock.advance(Duration::hours(1));
    obligations(&desk).await;
    let (_, history) = desk.get("/obligations/history").await;
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "the same result is stored once"
    );

    let body = json!({ "likelihood": "unlikely", "notes": "Data was encrypted by the vendor." });
    let (status, _) = call(&desk, Method::PUT, "/risk-assessment", Some(body)).await;
    assert_eq!(status, 200);
    let now = obligations(&desk).await;
    let authority = duty(&now, "EU/supervisory_authority");
    assert_eq!(authority["required"], false);
    assert_eq!(authority["status"], "not_required");
    let eu = &now["jurisdictions"][0];
    assert_eq!(
        eu["removed_by_risk_assessment"],
        json!(["EU/supervisory_authority", "EU/individuals"])
    );

    let (_, history) = desk.get("/obligations/history").await;
    let history = history.as_array().unwrap().clone();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["seq"], 1);
    assert_eq!(
        history[0]["jurisdictions"][0]["duties"][0]["required"],
        true
    );
    assert_eq!(
        history[1]["jurisdictions"][0]["duties"][0]["required"],
        false
    );
    assert_eq!(history[1]["rules_version"], now["rules_version"]);
    let audit = desk.audit().await;
    let computed = audit
        .iter()
        .filter(|e| e["action"] == "obligations.computed")
        .count();
    assert_eq!(computed, 2);
}

#[tokio::test]
async fn a_result_under_other_rules_is_never_rewritten() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    obligations(&desk).await;
    app.exec("UPDATE obligation_results SET rules_version = '2020.1.0+000000000000'")
        .await;
    let now = obligations(&desk).await;
    let (_, history) = desk.get("/obligations/history").await;
    let versions: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rules_version"].clone())
        .collect();
    assert_eq!(
        versions,
        [json!("2020.1.0+000000000000"), now["rules_version"].clone()]
    );
}

#[tokio::test]
async fn a_duty_is_marked_done_once_with_its_evidence() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    let (status, body) = mark_done(&desk, "EU/supervisory_authority", done_body()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["reference"], "DPA case 2026-1142");
    let result = obligations(&desk).await;
    let authority = duty(&result, "EU/supervisory_authority");
    assert_eq!(authority["status"], "done");
    assert_eq!(authority["done"]["reference"], "DPA case 2026-1142");
    assert_eq!(authority["done"]["done_at"], "2026-11-20T09:00:00Z");

    let (status, body) = mark_done(&desk, "EU/supervisory_authority", done_body()).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("already_done"))
    );
    let (status, body) = mark_done(&desk, "US-TX/attorney_general", done_body()).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("unknown_duty"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("US-TX/attorney_general")
    );

    let audit = desk.audit().await;
    let done: Vec<_> = audit
        .iter()
        .filter(|e| e["action"] == "duty.done")
        .collect();
    assert_eq!(done.len(), 1);
    assert_eq!(
        done[0]["summary"],
        "duty EU/supervisory_authority marked done"
    );
}

#[tokio::test]
async fn marking_done_refuses_bad_fields_and_other_roles() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    for (body, field) in [
        (json!({ "reference": " ", "evidence": "" }), "reference"),
        (json!({ "evidence": "x" }), "reference"),
        (
            json!({ "reference": "r", "done_at": "2027-01-01T00:00:00Z" }),
            "done_at",
        ),
        (json!({ "reference": "r", "extra": 1 }), "extra"),
    ] {
        let (status, answer) = mark_done(&desk, "US-CA/individuals", body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{answer}");
    }
    for role in [Role::CxLead, Role::Admin] {
        let other = as_role(&desk, role).await;
        let (status, _) = mark_done(&other, "US-CA/individuals", done_body()).await;
        assert_eq!(status, 403);
    }
    let result = obligations(&desk).await;
    assert_eq!(duty(&result, "US-CA/individuals")["status"], "pending");
}

#[tokio::test]
async fn a_recorded_event_starts_the_clock_of_the_duties_waiting_for_it() {
    let app = super::app().await;
    crate::mapping::system(&app, "crm").await;
    let home = ("US", "TX");
    crate::mapping::customer(&app, "TX1", ("Sam", "Houston"), None, None, home).await;
    crate::mapping::holding("crm", "TX1")
        .customer("TX1")
        .categories("name;drivers_license")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    let scope = crate::mapping::exposed(
        "crm",
        &["name", "drivers_license"],
        "2026-03-01",
        "2026-03-09",
    );
    desk.scope(vec![scope]).await;
    desk.map().await;

    let before = obligations(&desk).await;
    let residents = duty(&before, "US-TX/individuals");
    assert_eq!(residents["status"], "waiting");
    assert_eq!(residents["waiting_for"], "determination");
    assert!(residents["due_at"].is_null());

    let at = json!({ "at": "2026-11-19T18:00:00Z" });
    let (status, body) = call(&desk, Method::PUT, "/events/determination", Some(at)).await;
    assert_eq!(status, 200, "{body}");
    let after = obligations(&desk).await;
    let residents = duty(&after, "US-TX/individuals");
    assert_eq!(residents["status"], "pending");
    assert_eq!(
        residents["due_at"], "2027-01-18T18:00:00Z",
        "60 days after the determination"
    );
    assert!(residents["waiting_for"].is_null());
}
