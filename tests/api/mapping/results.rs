//! Reading a mapping: the impact summary's exact shape, the affected list page by page and as
//! CSV, who may read what, and audit entries free of personal data.

use candor::domain::Role;
use serde_json::{Value, json};

use super::{Desk, customer, exposed, holding, spawn_app, system};
use crate::helpers::TestApp;

/// Five people across jurisdictions and two systems, one of them unmatched; mapped.
async fn mapped_incident(app: &TestApp) -> Desk<'_> {
    system(app, "billing-db").await;
    system(app, "crm").await;
    let people = [
        ("C1", ("Ada", "Lovelace"), "ada@example.com", ("US", "CA")),
        ("C2", ("=Alan", "Turing"), "alan@example.com", ("US", "CA")),
        (
            "C3",
            ("Émilie", "du Châtelet"),
            "emilie@example.com",
            ("FR", ""),
        ),
        ("C4", ("Grace", "Hopper"), "grace@example.com", ("CA", "ON")),
    ];
    for (customer_ref, name, email, home) in people {
        customer(app, customer_ref, name, Some(email), None, home).await;
        holding("billing-db", customer_ref)
            .customer(customer_ref)
            .categories("name;payment_card")
            .held("2026-01-01", None)
            .insert(app)
            .await;
    }
    holding("crm", "K1")
        .email("ada@example.com")
        .categories("email")
        .insert(app)
        .await;
    holding("crm", "K2")
        .email("stranger@example.com")
        .categories("email")
        .insert(app)
        .await;
    let desk = Desk::open(app).await;
    desk.scope(vec![
        exposed(
            "billing-db",
            &["name", "payment_card"],
            "2026-03-01",
            "2026-03-09",
        ),
        exposed("crm", &["email"], "2026-03-02", "2026-03-02"),
    ])
    .await;
    desk.map().await;
    desk
}

#[tokio::test]
async fn the_impact_has_exactly_the_documented_shape() {
    let app = spawn_app().await;
    let desk = Desk::open(&app).await;
    let (status, body) = desk.get("/impact").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_mapped")),
        "{body}"
    );

    let desk = mapped_incident(&app).await;
    let (status, impact) = desk.get("/impact").await;
    assert_eq!(status, 200, "{impact}");
    let mapped_at = impact["mapped_at"].clone();
    assert!(mapped_at.is_string());
    assert_eq!(
        impact,
        json!({
            "affected_people": 5,
            "unmatched_people": 1,
            "by_jurisdiction": { "US-CA": 2, "FR": 1, "EU": 1, "CA-ON": 1, "unknown": 1 },
            "by_category": { "name": 4, "email": 2, "payment_card": 4 },
            "mapped_at": mapped_at,
        })
    );
}

#[tokio::test]
async fn affected_people_page_in_a_stable_order_with_a_plain_why() {
    let app = spawn_app().await;
    let desk = mapped_incident(&app).await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (status, body) = desk.get(&format!("/affected?page={page}&per_page=2")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["total"].clone(), body["per_page"].clone()),
            (json!(5), json!(2))
        );
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone()),
        );
    }
    assert_eq!(seen.len(), 5);
    let all: Vec<Value> = desk
        .affected()
        .await
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(seen, all, "pages follow the same order as the whole list");

    let ada = desk.person("C1").await;
    assert_eq!(
        ada["why"],
        "Your name, your email address and your payment card number were in billing-db \
         between 1 and 9 March 2026 and crm on 2 March 2026."
    );
    let keys: Vec<&str> = ada
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(!keys.contains(&"person_key"), "{keys:?}");
    for person in desk.affected().await {
        let text = person.to_string();
        assert!(!text.contains("u:e:") && !text.contains("p:"), "{text}");
    }
    assert_eq!(desk.get("/affected?per_page=0").await.0, 400);
    assert_eq!(desk.get("/affected?page=0").await.0, 400);

    // Re-mapping the same inventory gives everyone the same id.
    desk.map().await;
    let again: Vec<Value> = desk
        .affected()
        .await
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(again, all);
}

#[tokio::test]
async fn the_whole_list_streams_as_csv() {
    let app = spawn_app().await;
    let desk = mapped_incident(&app).await;
    let url = format!("{}/affected", desk.incident);
    let response = app
        .get(&url)
        .bearer_auth(&desk.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,customer_ref,name,jurisdiction,in_eu,categories,systems,record_count,unmatched,why"
    );
    assert_eq!(lines.len(), 6, "{text}");
    let ada = lines
        .iter()
        .find(|l| l.contains(",C1,"))
        .expect("Ada's line");
    assert!(
        ada.contains(",C1,Ada Lovelace,US-CA,false,name;email;payment_card,billing-db;crm,2,false,\"Your name, your email"),
        "{ada}"
    );
    assert!(
        text.contains(",\"'=Alan Turing\","),
        "a formula-like field is quoted and defused: {text}"
    );
    assert!(!text.contains("@"), "no email leaks into the list: {text}");
    assert!(text.contains("Émilie du Châtelet,FR,true"), "{text}");
}

#[tokio::test]
async fn responders_and_cx_leads_list_people_and_all_staff_read_the_impact() {
    let app = spawn_app().await;
    let desk = mapped_incident(&app).await;
    let cx = desk.as_role(&[Role::CxLead]).await;
    assert_eq!(cx.get("/affected").await.0, 200);
    assert_eq!(cx.get("/impact").await.0, 200);
    let admin = desk.as_role(&[Role::Admin]).await;
    assert_eq!(admin.get("/affected").await.0, 403);
    let url = format!("{}/affected", desk.incident);
    let response = app
        .get(&url)
        .bearer_auth(&admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(admin.get("/impact").await.0, 200);
    let response = app
        .get(&format!("{}/impact", desk.incident))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn audit_entries_name_counts_and_never_people() {
    let app = spawn_app().await;
    let desk = mapped_incident(&app).await;
    desk.upload("system,record_ref\ncrm,K1\n").await;
    desk.map().await;
    let entries = desk.audit().await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "scope.replaced",
        "scope.records_replaced",
        "mapping.requested",
        "mapping.completed",
    ] {
        assert!(actions.contains(&action), "{actions:?}");
    }
    let last = entries
        .iter()
        .rev()
        .find(|e| e["action"] == "mapping.completed")
        .unwrap();
    assert_eq!(last["summary"], "4 people affected (+0, -1), 0 unmatched");
    assert_eq!(last["actor"], "system");
    for entry in &entries {
        let summary = entry["summary"].as_str().unwrap();
        for personal in ["@", "Ada", "Lovelace", "C1", "K1", "u:e", "p:"] {
            assert!(!summary.contains(personal), "{summary}");
        }
    }
}
