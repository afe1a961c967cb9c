//! Mapping runs as jobs: re-running replaces the result and audits the difference, a run
//! left queued is computed after a restart, a failure is recorded, conflicts and not-found.

use candor::domain::{Clock, Role};
use candor::store::mapping::{PHASE_WAITING, RunRow, RunStatus, insert_run};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::{Desk, customer, exposed, holding, spawn_app, spawn_app_with, system, two_systems};
use crate::helpers::TestApp;

const US_CA: (&str, &str) = ("US", "CA");

#[tokio::test]
async fn re_running_replaces_the_result_and_audits_the_difference() {
    let app = spawn_app().await;
    two_systems(&app).await;
    for (customer_ref, system) in [("C1", "billing-db"), ("C2", "billing-db"), ("C3", "crm")] {
        customer(
            &app,
            customer_ref,
            ("Test", customer_ref),
            Some(&format!("{customer_ref}@example.com")),
            None,
            US_CA,
        )
        .await;
        holding(system, customer_ref)
            .customer(customer_ref)
            .categories("name")
            .insert(&app)
            .await;
    }
    holding("billing-db", "U1")
        .email("stranger@example.com")
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
    let first = desk.map().await;
    assert_eq!(
        first["result"],
        json!({ "affected_people": 3, "unmatched_people": 1, "added_people": 3, "removed_people": 0 })
    );
    // Read once, so the first run's counts are kept: the second run's must replace them.
    let (_, impact) = desk.get("/impact").await;
    assert_eq!(impact["by_jurisdiction"]["US-CA"], 2);

    desk.scope(vec![exposed("crm", &["name"], "2026-03-01", "2026-03-09")])
        .await;
    app.clock.advance(chrono::Duration::minutes(5));
    let second = desk.map().await;
    assert_eq!(
        second["result"],
        json!({ "affected_people": 1, "unmatched_people": 0, "added_people": 1, "removed_people": 3 })
    );
    let (_, first) = desk
        .get(&format!("/mapping/{}", first["id"].as_str().unwrap()))
        .await;
    assert_eq!(first["status"], "superseded");
    assert_eq!(desk.affected().await.len(), 1);
    let (_, impact) = desk.get("/impact").await;
    assert_eq!(impact["mapped_at"], second["finished_at"]);
    assert_eq!(impact["affected_people"], 1);
    assert_eq!(impact["by_jurisdiction"]["US-CA"], 1, "{impact}");
    assert_eq!(impact["by_category"]["name"], 1, "{impact}");

    // The replaced run's rows are gone.
    let first_id = Uuid::parse_str(first["id"].as_str().unwrap()).unwrap();
    let rows = candor::store::mapping::results::affected_page(&app.db, first_id, 0, 10)
        .await
        .unwrap();
    assert!(rows.is_empty());

    let completed: Vec<String> = desk
        .audit()
        .await
        .iter()
        .filter(|e| e["action"] == "mapping.completed")
        .map(|e| e["summary"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        completed,
        [
            "3 people affected (+3, -0), 1 unmatched",
            "1 people affected (+1, -3), 0 unmatched"
        ]
    );
}

/// A run row as a stopped instance would have left it.
async fn leave_queued(app: &TestApp, incident: &str) -> Uuid {
    let incident_id = Uuid::parse_str(incident.rsplit('/').next().unwrap()).unwrap();
    let run = RunRow {
        id: Uuid::now_v7(),
        incident_id,
        status: RunStatus::Queued,
        phase: PHASE_WAITING.into(),
        requested_by: None,
        requested_at: app.clock.now(),
        started_at: None,
        finished_at: None,
        affected_people: None,
        unmatched_people: None,
        added_people: None,
        removed_people: None,
        error: None,
    };
    insert_run(&app.db, &run).await.expect("run inserted");
    run.id
}

#[tokio::test]
async fn a_run_left_queued_is_computed_when_the_service_starts_again() {
    let app = spawn_app().await;
    system(&app, "crm").await;
    holding("crm", "K1")
        .email("a@example.com")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed("crm", &["email"], "2026-03-01", "2026-03-09")])
        .await;
    let run_id = leave_queued(&app, &desk.incident).await;
    // While it waits, a second request is refused.
    let (status, body) = desk.post("/mapping").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("mapping_in_progress")),
        "{body}"
    );

    let url = app.database_url.clone();
    let restarted = spawn_app_with(move |s| s.database_url = Some(url)).await;
    let desk = Desk {
        app: &restarted,
        token: desk.token.clone(),
        incident: desk.incident.clone(),
    };
    let run = desk.wait_for(&run_id.to_string()).await;
    assert_eq!(run["result"]["affected_people"], 1);
    assert_eq!(run["phase"], "done");
}

#[tokio::test]
async fn a_run_whose_worker_stopped_is_taken_over_once_its_lease_lapses() {
    let app = spawn_app().await;
    system(&app, "crm").await;
    holding("crm", "K1")
        .email("a@example.com")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed("crm", &["email"], "2026-03-01", "2026-03-09")])
        .await;
    // A worker claimed the run, wrote a slice of rows, and stopped; its lease runs 30 s more.
    let run_id = leave_queued(&app, &desk.incident).await;
    let backend = app.db.get_database_backend();
    let lease_until = app.clock.now() + chrono::Duration::seconds(30);
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE mapping_runs SET status = 'running', phase = 'writing', attempt = 1, \
             lease_until = $2 WHERE id = $1",
            [run_id.into(), lease_until.into()],
        ))
        .await
        .unwrap();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO affected_people (mapping_id, person_key, person_id, unmatched, \
             categories, unprotected, records, record_count, jurisdiction, in_eu) \
             VALUES ($1, 'u:e:left-over', NULL, TRUE, 2, 2, 'crm/K0', 1, 'unknown', FALSE)",
            [run_id.into()],
        ))
        .await
        .unwrap();

    // While the lease holds, the sweep leaves the run alone.
    assert_eq!(app.mapping.sweep().await.unwrap(), 0);
    let (_, run) = desk.get(&format!("/mapping/{run_id}")).await;
    assert_eq!(run["status"], "running");

    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(app.mapping.sweep().await.unwrap(), 1);
    let run = desk.wait_for(&run_id.to_string()).await;
    assert_eq!(run["result"]["affected_people"], 1, "{run}");
    // The stopped worker's rows were replaced, not added to.
    let people = desk.affected().await;
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["systems"], json!(["crm"]));
    assert_eq!(people[0]["record_count"], 1);
}

#[tokio::test]
async fn a_failed_run_records_why_without_personal_data() {
    let app = spawn_app().await;
    system(&app, "crm").await;
    holding("crm", "K1")
        .email("secret.person@example.com")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed("crm", &["email"], "2026-03-01", "2026-03-09")])
        .await;
    app.exec("ALTER TABLE people RENAME TO people_away").await;
    let (status, started) = desk.post("/mapping").await;
    assert_eq!(status, 202);
    let run = desk
        .wait_until_finished(started["id"].as_str().unwrap())
        .await;
    app.exec("ALTER TABLE people_away RENAME TO people").await;
    assert_eq!(
        (run["status"].as_str(), run["phase"].as_str()),
        (Some("failed"), Some("computing")),
        "{run}"
    );
    let error = run["error"].as_str().unwrap();
    assert!(
        error.contains("database error") && !error.contains('@'),
        "{error}"
    );
    assert_eq!(desk.get("/impact").await.1["error"]["code"], "not_mapped");
    // A new request may follow a failure.
    assert_eq!(desk.map().await["result"]["unmatched_people"], 1);
}

#[tokio::test]
async fn runs_of_unknown_incidents_or_of_other_incidents_are_not_found() {
    let app = spawn_app().await;
    let desk = Desk::open(&app).await;
    let run = desk.map().await;
    assert_eq!(run["result"]["affected_people"], 0);
    let other = Desk {
        app: &app,
        token: desk.token.clone(),
        incident: Desk::open(&app).await.incident,
    };
    let (status, body) = other
        .get(&format!("/mapping/{}", run["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let missing = Desk {
        app: &app,
        token: desk.token.clone(),
        incident: "/api/v1/incidents/00000000-0000-7000-8000-000000000000".into(),
    };
    assert_eq!(missing.post("/mapping").await.0, 404);
    let cx = desk.as_role(&[Role::CxLead]).await;
    assert_eq!(
        cx.get(&format!("/mapping/{}", run["id"].as_str().unwrap()))
            .await
            .0,
        200
    );
}
