//! Survey results through the API: invited and responded counts, the response rate, NPS and
//! its distribution, clarity, all by jurisdiction and tier; the responses and their CSV; who
//! may read them.

use candor::domain::Role;
use serde_json::{Value, json};

use super::{answer, delivered, invite, survey_notices};
use crate::delivery::{Person, drain};
use crate::notices::app;

fn person(customer_ref: &str, home: (&'static str, &'static str)) -> Person {
    let email = format!("{}@example.com", customer_ref.to_lowercase());
    let mut p = Person::new(customer_ref, ("Pat", "Lee"), Some(&email));
    p.home = home;
    p
}

#[tokio::test]
async fn results_give_the_rate_nps_and_clarity_overall_and_by_place() {
    let app = app().await;
    let people = [
        person("C1", ("US", "CA")),
        person("C2", ("US", "CA")),
        person("C3", ("US", "NY")),
        person("C4", ("DE", "")),
    ];
    let (desk, lead) = delivered(&app, &people).await;
    survey_notices(&desk).await;
    invite(&lead).await;
    drain(&app).await;

    let (status, empty) = lead.get("/survey").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(
        (&empty["invited"], &empty["responded"], &empty["nps"]),
        (&json!(4), &json!(0), &Value::Null)
    );

    answer(&desk, "C1", Some(10), Some(5), None).await;
    answer(&desk, "C2", Some(3), Some(2), Some("Too late.")).await;
    answer(&desk, "C4", Some(9), None, None).await;

    let (_, results) = lead.get("/survey").await;
    assert_eq!(results["invited"], 4);
    assert_eq!(results["responded"], 3);
    assert_eq!(results["response_rate"], 0.75);
    // 2 promoters, 1 detractor of 3 scores.
    assert_eq!(results["nps"], 33.3);
    assert_eq!(results["distribution"][10], 1);
    assert_eq!(results["distribution"][3], 1);
    assert_eq!(results["clarity_average"], 3.5);
    assert_eq!(results["commented"], 1);
    assert_eq!(results["recent_comments"][0]["comment"], "Too late.");

    let by = |key: &str| -> Value {
        results["by_jurisdiction"]
            .as_array()
            .expect("by jurisdiction")
            .iter()
            .find(|b| b["key"] == key)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        (&by("US-CA")["invited"], &by("US-CA")["nps"]),
        (&json!(2), &json!(0.0))
    );
    assert_eq!(
        (&by("US-NY")["responded"], &by("US-NY")["response_rate"]),
        (&json!(0), &json!(0.0))
    );
    assert_eq!(by("DE")["nps"], 100.0);
    assert_eq!(results["by_tier"][0]["key"], "standard");
    assert_eq!(results["by_tier"][0]["invited"], 4);
}

#[tokio::test]
async fn only_cx_leads_and_admins_read_answers_and_the_csv_is_safe_for_spreadsheets() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &[person("C1", ("US", "CA"))]).await;
    survey_notices(&desk).await;
    invite(&lead).await;
    drain(&app).await;
    answer(&desk, "C1", Some(4), Some(3), Some("=cmd|' /C calc'!A0")).await;

    for path in ["/survey", "/survey/responses", "/survey/responses.csv"] {
        let (status, _) = desk.get(path).await;
        assert_eq!(status, 403, "a responder reads {path}");
    }
    let admin = desk.as_role(&[Role::Admin]).await;
    let (status, listed) = admin.get("/survey/responses").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed[0]["customer_ref"], "C1");
    assert_eq!(listed[0]["recommend"], 4);

    let response = app
        .client
        .get(app.url(&format!("{}/survey/responses.csv", lead.incident)))
        .bearer_auth(&lead.token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.expect("text");
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .expect("header")
            .starts_with("response_id,customer_ref,jurisdiction")
    );
    let row = lines.next().expect("one response");
    assert!(row.contains(",C1,US-CA,standard,4,3,"), "{row}");
    assert!(row.contains("'=cmd"), "a formula must be defused: {row}");
    assert_eq!(lines.next(), None);
}
