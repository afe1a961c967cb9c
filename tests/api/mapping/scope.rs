//! Declaring the scope and uploading forensic lists: validation, replacement, flags, roles.

use candor::domain::Role;
use serde_json::json;

use super::{Desk, exposed, holding, spawn_app, system};

#[tokio::test]
async fn the_scope_is_replaced_as_a_whole_and_keeps_the_encryption_flags() {
    let app = spawn_app().await;
    system(&app, "billing-db").await;
    system(&app, "crm").await;
    let desk = Desk::open(&app).await;
    let mut encrypted = exposed(
        "billing-db",
        &["name", "payment_card"],
        "2026-03-01",
        "2026-03-09",
    );
    encrypted["encrypted"] = json!(true);
    desk.scope(vec![
        encrypted,
        exposed("crm", &["email"], "2026-03-02", "2026-03-02T18:00:00Z"),
    ])
    .await;
    let (status, scope) = desk.as_role(&[Role::CxLead]).await.get("/scope").await;
    assert_eq!(status, 200, "{scope}");
    let billing = &scope["systems"][0];
    assert_eq!(billing["system"], "billing-db");
    assert_eq!(billing["categories"], json!(["name", "payment_card"]));
    assert_eq!(billing["from"], "2026-03-01T00:00:00Z");
    assert_eq!(billing["to"], "2026-03-09T00:00:00Z");
    assert_eq!(
        (
            billing["encrypted"].clone(),
            billing["key_compromised"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(scope["systems"][1]["to"], "2026-03-02T18:00:00Z");

    // A second declaration replaces the first entirely.
    desk.scope(vec![exposed("crm", &["phone"], "2026-03-01", "2026-03-02")])
        .await;
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["systems"].as_array().unwrap().len(), 1);
    assert_eq!(scope["systems"][0]["categories"], json!(["phone"]));
}

#[tokio::test]
async fn a_bad_scope_is_refused_naming_each_field() {
    let app = spawn_app().await;
    system(&app, "billing-db").await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed(
        "billing-db",
        &["name"],
        "2026-03-01",
        "2026-03-09",
    )])
    .await;

    let (status, body) = desk
        .put_scope(vec![exposed(
            "payroll",
            &["name"],
            "2026-03-01",
            "2026-03-09",
        )])
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(
        body["error"]["details"][0]["field"], "systems[0].system",
        "{body}"
    );
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown system `payroll`")
    );

    let (status, body) = desk
        .put_scope(vec![exposed(
            "billing-db",
            &["name", "shoe_size"],
            "2026-03-01",
            "2026-03-09",
        )])
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["details"][0]["field"], "systems[0].categories[1]",
        "{body}"
    );

    let mut bad = exposed("billing-db", &[], "2026-03-09", "2026-03-01");
    bad["key_compromised"] = json!(true);
    let (status, body) = desk
        .put_scope(vec![
            exposed("billing-db", &["name"], "2026-03-01", "2026-03-09"),
            bad,
        ])
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "systems[1].system",
            "systems[1].categories",
            "systems[1].key_compromised",
            "systems[1].to"
        ],
        "{body}"
    );

    let (status, body) = desk
        .put_scope(vec![exposed(
            "billing-db",
            &["name"],
            "yesterday",
            "2026-03-09",
        )])
        .await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].as_str()),
        (422, Some("systems[0].from"))
    );

    // Nothing of the refused declarations was stored.
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["systems"][0]["categories"], json!(["name"]));
    assert_eq!(scope["systems"][0]["to"], "2026-03-09T00:00:00Z");
}

#[tokio::test]
async fn a_forensic_list_replaces_the_lists_of_the_systems_it_names() {
    let app = spawn_app().await;
    system(&app, "billing-db").await;
    system(&app, "crm").await;
    holding("billing-db", "R1")
        .categories("name")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed(
        "billing-db",
        &["name"],
        "2026-03-01",
        "2026-03-09",
    )])
    .await;

    let (status, body) = desk
        .upload("system,record_ref\nbilling-db,R1\nbilling-db,R2\ncrm,C1\nbilling-db,R1\n")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({ "systems": 2, "records": 3, "duplicates": 1, "not_in_inventory": 2 })
    );

    // Only billing-db is named: crm keeps its list.
    let (status, _) = desk.upload("system,record_ref\r\nbilling-db,R9\r\n").await;
    assert_eq!(status, 200);
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(
        scope["forensic_lists"],
        json!({ "billing-db": 1, "crm": 1 })
    );
    assert_eq!(scope["systems"][0]["forensic_records"], 1);
}

#[tokio::test]
async fn a_forensic_list_with_bad_lines_is_refused_whole_naming_every_line() {
    let app = spawn_app().await;
    system(&app, "billing-db").await;
    let desk = Desk::open(&app).await;
    desk.upload("system,record_ref\nbilling-db,R1\n").await;

    let (status, body) = desk
        .upload(
            "system,record_ref\nbilling-db,R2\nbilling-db,\nBilling DB,R3\nbilling-db,R4,extra\n",
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_rows")),
        "{body}"
    );
    let details = body["error"]["details"].as_array().unwrap();
    let lines: Vec<&str> = details
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["line 3", "line 4", "line 5"]);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 3: record_ref is empty"), "{message}");

    let (status, body) = desk
        .upload("system,record_ref\nbilling-db,R2\npayroll,P1\n")
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"][0]["field"], "line 3", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 3: unknown system `payroll`")
    );

    let (status, body) = desk.upload("record,system\nR1,billing-db\n").await;
    assert_eq!(
        (status, body["error"]["details"][0]["field"].as_str()),
        (422, Some("line 1"))
    );

    // Nothing was written: the first list stands.
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["forensic_lists"], json!({ "billing-db": 1 }));

    let url = format!("{}/scope/records", desk.incident);
    let response = app
        .post(&url)
        .bearer_auth(&desk.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn only_responders_change_the_scope_and_anyone_on_staff_reads_it() {
    let app = spawn_app().await;
    system(&app, "crm").await;
    let desk = Desk::open(&app).await;
    let scope = vec![exposed("crm", &["email"], "2026-03-01", "2026-03-09")];
    for roles in [[Role::CxLead], [Role::Admin]] {
        let other = desk.as_role(&roles).await;
        assert_eq!(other.put_scope(scope.clone()).await.0, 403);
        assert_eq!(other.upload("system,record_ref\ncrm,C1\n").await.0, 403);
        assert_eq!(other.post("/mapping").await.0, 403);
        assert_eq!(other.get("/scope").await.0, 200);
    }
    let url = app.url(&format!("{}/scope", desk.incident));
    let response = app
        .client
        .put(url)
        .json(&json!({ "systems": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let missing = "/api/v1/incidents/00000000-0000-7000-8000-000000000000/scope";
    let response = app
        .get(missing)
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn a_forensic_list_larger_than_the_default_body_limit_is_accepted() {
    let app = spawn_app().await;
    system(&app, "billing-db").await;
    let desk = Desk::open(&app).await;
    // About 2.3 MiB: well past the API's 1 MiB default, well under the list's own limit.
    let mut csv = String::from("system,record_ref\n");
    for n in 0..100_000 {
        csv.push_str(&format!("billing-db,R{n:08}\n"));
    }
    assert!(csv.len() > 2 * 1024 * 1024);
    let (status, body) = desk.upload(&csv).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"], 100_000);
}
