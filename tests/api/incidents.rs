//! Incidents through the API: opening, reading, listing, changing facts, the lifecycle (every
//! pair of statuses) and the timeline.

use candor::domain::Role;
use chrono::Duration;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

const STATUSES: [&str; 6] = [
    "reported",
    "investigating",
    "contained",
    "notifying",
    "monitoring",
    "closed",
];

/// The moves the lifecycle allows, written out independently of the service's table.
const ALLOWED: [(&str, &str); 9] = [
    ("reported", "investigating"),
    ("reported", "closed"),
    ("investigating", "contained"),
    ("investigating", "closed"),
    ("contained", "notifying"),
    ("contained", "monitoring"),
    ("notifying", "monitoring"),
    ("monitoring", "closed"),
    ("closed", "investigating"),
];

/// Allowed moves that take a fresh incident from `reported` to `status`.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "reported" => &[],
        "investigating" => &["investigating"],
        "contained" => &["investigating", "contained"],
        "notifying" => &["investigating", "contained", "notifying"],
        "monitoring" => &["investigating", "contained", "monitoring"],
        "closed" => &["closed"],
        other => panic!("unknown status {other}"),
    }
}

/// Calls the API as one signed-in user; every answer is (status, JSON body).
struct As<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> As<'a> {
    async fn new(app: &'a TestApp, role: Role) -> (Uuid, Self) {
        let (id, token) = app.user_with(&[role]).await;
        (id, Self { app, token })
    }

    async fn send(&self, request: RequestBuilder) -> (u16, Value) {
        let response = request.bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.expect("json body"))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.app.get(path)).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.app.post(path).json(&body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.app.patch(path).json(&body)).await
    }

    /// Opens an incident and returns its path.
    async fn open(&self, title: &str, severity: &str) -> String {
        let at = "2026-11-19T10:00:00Z";
        let body = json!({ "title": title, "severity": severity, "discovered_at": at });
        let (status, created) = self.post("/api/v1/incidents", body).await;
        assert_eq!(status, 201);
        format!("/api/v1/incidents/{}", created["id"].as_str().unwrap())
    }

    async fn move_to(&self, incident: &str, status: &str) -> (u16, Value) {
        let path = format!("{incident}/status");
        self.post(&path, json!({ "status": status })).await
    }

    /// Reads a resource that must exist.
    async fn read(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// `(status, code)` of an answer, for one-line assertions.
fn code(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"]["code"].as_str().unwrap_or("-"))
}

#[tokio::test]
async fn a_responder_opens_an_incident_in_reported_at_version_one() {
    let app = spawn_app().await;
    let (user_id, responder) = As::new(&app, Role::Responder).await;
    let commander = app
        .add_user("lead@staff.candor.test", &[Role::Responder])
        .await;
    let body = json!({
        "title": "  Payroll export emailed to the wrong list  ",
        "summary": "Sent to 40 external addresses.",
        "severity": "critical",
        "discovered_at": "2026-11-19T14:30:00Z",
        "occurred_from": "2026-11-19T13:00:00Z",
        "occurred_to": "2026-11-19T13:05:00Z",
        "commander_id": commander,
    });
    let (status, created) = responder.post("/api/v1/incidents", body).await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().expect("id").to_owned();
    let expected = json!({
        "id": id,
        "title": "Payroll export emailed to the wrong list",
        "summary": "Sent to 40 external addresses.",
        "severity": "critical",
        "status": "reported",
        "next_statuses": ["investigating", "closed"],
        "discovered_at": "2026-11-19T14:30:00Z",
        "occurred_from": "2026-11-19T13:00:00Z",
        "occurred_to": "2026-11-19T13:05:00Z",
        "commander_id": commander,
        "created_by": user_id,
        "created_at": "2026-11-20T09:00:00Z",
        "updated_at": "2026-11-20T09:00:00Z",
        "version": 1,
        "open_follow_up_actions": 0,
        "kind": "data_breach",
    });
    assert_eq!(created, expected);
    // Every role reads it back identically.
    for role in [Role::Admin, Role::CxLead] {
        let reader = As::new(&app, role).await.1;
        assert_eq!(
            reader.read(&format!("/api/v1/incidents/{id}")).await,
            expected
        );
    }
    let unknown = format!("/api/v1/incidents/{}", Uuid::new_v4());
    assert_eq!(code(&responder.get(&unknown).await), (404, "not_found"));
}

#[tokio::test]
async fn only_responders_open_and_change_incidents() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let incident = responder.open("Misrouted invoice", "low").await;
    let stored = responder.read(&incident).await;
    for role in [Role::Admin, Role::CxLead] {
        let other = As::new(&app, role).await.1;
        let body =
            json!({ "title": "x", "severity": "low", "discovered_at": "2026-11-19T10:00:00Z" });
        let opened = other.post("/api/v1/incidents", body).await;
        assert_eq!(code(&opened), (403, "forbidden"));
        let changed = other.patch(&incident, json!({ "title": "y" })).await;
        assert_eq!(code(&changed), (403, "forbidden"));
        let moved = other.move_to(&incident, "investigating").await;
        assert_eq!(code(&moved), (403, "forbidden"));
    }
    assert_eq!(responder.read(&incident).await, stored);
    assert_eq!(responder.read("/api/v1/incidents").await["total"], 1);
}

#[tokio::test]
async fn the_list_is_newest_first_filtered_and_paged() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let mut ids = Vec::new();
    for (title, severity) in [("first", "low"), ("second", "high"), ("third", "high")] {
        let path = responder.open(title, severity).await;
        ids.push(path.rsplit('/').next().unwrap().to_owned());
        app.clock.advance(Duration::minutes(1));
    }
    let second = format!("/api/v1/incidents/{}", ids[1]);
    assert_eq!(responder.move_to(&second, "investigating").await.0, 200);
    // (ids on the page, page, per_page, total)
    let list = async |query: &str| {
        let page = responder.read(&format!("/api/v1/incidents{query}")).await;
        let items = page["items"].as_array().unwrap().iter();
        let ids: Vec<String> = items
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        let numbers = [&page["page"], &page["per_page"], &page["total"]];
        (ids, numbers.map(|n| n.as_u64().unwrap()))
    };
    let id = |i: usize| ids[i].clone();
    assert_eq!(list("").await, (vec![id(2), id(1), id(0)], [1, 50, 3]));
    assert_eq!(
        list("?severity=high").await,
        (vec![id(2), id(1)], [1, 50, 2])
    );
    assert_eq!(
        list("?status=investigating").await,
        (vec![id(1)], [1, 50, 1])
    );
    let both = list("?status=reported&severity=high").await;
    assert_eq!(both, (vec![id(2)], [1, 50, 1]));
    assert_eq!(list("?status=closed").await, (vec![], [1, 50, 0]));
    assert_eq!(list("?per_page=2").await, (vec![id(2), id(1)], [1, 2, 3]));
    assert_eq!(list("?page=2&per_page=2").await, (vec![id(0)], [2, 2, 3]));
    assert_eq!(list("?page=3&per_page=2").await, (vec![], [3, 2, 3]));
}

#[tokio::test]
async fn patching_changes_only_the_sent_fields_and_bumps_the_version() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let commander = app
        .add_user("commander@staff.candor.test", &[Role::Responder])
        .await;
    let before = app.open_incident(&responder.token).await;
    let incident = format!("/api/v1/incidents/{}", before["id"].as_str().unwrap());
    app.clock.advance(Duration::minutes(10));

    let change = json!({ "severity": "critical", "commander_id": commander });
    let after = responder.patch(&incident, change).await;
    let mut expected = before.clone();
    expected["severity"] = json!("critical");
    expected["commander_id"] = json!(commander);
    expected["version"] = json!(2);
    expected["updated_at"] = json!("2026-11-20T09:10:00Z");
    assert_eq!(after, (200, expected.clone()));

    // `null` clears the optional facts; absent fields stay.
    let clear = json!({ "occurred_from": null, "occurred_to": null, "commander_id": null });
    let cleared = responder.patch(&incident, clear).await;
    for field in ["occurred_from", "occurred_to", "commander_id"] {
        expected[field] = Value::Null;
    }
    expected["version"] = json!(3);
    assert_eq!(cleared, (200, expected.clone()));
    assert_eq!(responder.read(&incident).await, expected);

    // Sending what is already stored changes nothing, not even the version.
    let same = json!({ "severity": "critical", "version": 3 });
    assert_eq!(responder.patch(&incident, same).await, (200, expected));
}

#[tokio::test]
async fn a_stale_version_is_409_and_the_incident_stays_as_it_was() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let incident = responder.open("Shared drive export", "medium").await;
    let renamed = responder.patch(&incident, json!({ "title": "Renamed", "version": 1 }));
    assert_eq!(renamed.await.0, 200);
    let stored = responder.read(&incident).await;

    let stale = json!({ "title": "Lost update", "version": 1 });
    let answer = responder.patch(&incident, stale).await;
    assert_eq!(code(&answer), (409, "version_conflict"));
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("now at version 2"), "{message}");
    assert_eq!(responder.read(&incident).await, stored);

    // The status is not a fact to PATCH; it moves through POST …/status.
    let answer = responder
        .patch(&incident, json!({ "status": "closed" }))
        .await;
    assert_eq!(code(&answer), (422, "validation_failed"));
    assert_eq!(answer.1["error"]["details"][0]["field"], "status");
    assert_eq!(responder.read(&incident).await, stored);
}

#[tokio::test]
async fn every_pair_of_statuses_follows_the_lifecycle_table() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    for from in STATUSES {
        for to in STATUSES {
            let incident = responder.open(&format!("{from} to {to}"), "medium").await;
            for step in path_to(from) {
                assert_eq!(responder.move_to(&incident, step).await.0, 200, "to {from}");
            }
            let before = responder.read(&incident).await;
            assert_eq!(before["status"], from);
            let (status, body) = responder.move_to(&incident, to).await;
            if !ALLOWED.contains(&(from, to)) {
                assert_eq!(status, 409, "{from} -> {to} is refused");
                let message = format!("an incident cannot move from `{from}` to `{to}`");
                let expected = json!({ "code": "invalid_transition", "message": message });
                assert_eq!(body, json!({ "error": expected }));
                let after = responder.read(&incident).await;
                assert_eq!(after, before, "{from} -> {to} changed nothing");
                continue;
            }
            assert_eq!(status, 200, "{from} -> {to} is allowed");
            let moved = &body["incident"];
            assert_eq!(moved["status"], to);
            assert_eq!(moved["version"], before["version"].as_i64().unwrap() + 1);
            let next = ALLOWED.iter().filter(|(f, _)| *f == to).map(|(_, t)| *t);
            assert_eq!(moved["next_statuses"], json!(next.collect::<Vec<_>>()));
            let entry = &body["timeline_entry"];
            assert_eq!(entry["kind"], "status_change");
            assert_eq!(
                entry["text"],
                format!("Status changed from {from} to {to}.")
            );
            assert_eq!(&responder.read(&incident).await, moved);
        }
    }
}

#[tokio::test]
async fn every_move_is_recorded_on_the_timeline_with_its_note() {
    let app = spawn_app().await;
    let (user_id, responder) = As::new(&app, Role::Responder).await;
    let incident = responder.open("Shared drive export", "medium").await;
    let moves = [
        ("investigating", "  Triage started.  "),
        ("contained", ""),
        ("monitoring", "No notice needed."),
    ];
    for (status, note) in moves {
        app.clock.advance(Duration::minutes(5));
        let body = json!({ "status": status, "note": note });
        assert_eq!(
            responder.post(&format!("{incident}/status"), body).await.0,
            200
        );
    }
    // A refused move leaves no trace.
    assert_eq!(responder.move_to(&incident, "notifying").await.0, 409);
    let timeline = responder.read(&format!("{incident}/timeline")).await;
    let entries: Vec<_> = timeline.as_array().unwrap().iter().collect();
    assert!(entries.iter().all(|e| e["author_id"] == json!(user_id)));
    assert!(entries.iter().all(|e| e["kind"] == "status_change"));
    let field = |key: &str| entries.iter().map(|e| e[key].clone()).collect::<Vec<_>>();
    let ats = [
        "2026-11-20T09:05:00Z",
        "2026-11-20T09:10:00Z",
        "2026-11-20T09:15:00Z",
    ];
    assert_eq!(field("at"), ats);
    let texts = [
        "Status changed from reported to investigating. Triage started.",
        "Status changed from investigating to contained.",
        "Status changed from contained to monitoring. No notice needed.",
    ];
    assert_eq!(field("text"), texts);
}

#[tokio::test]
async fn responders_and_cx_leads_write_the_timeline_which_reads_in_order_of_at() {
    let app = spawn_app().await;
    let (responder_id, responder) = As::new(&app, Role::Responder).await;
    let (cx_id, cx_lead) = As::new(&app, Role::CxLead).await;
    let incident = responder.open("Shared drive export", "medium").await;
    let path = format!("{incident}/timeline");

    let body = json!({ "at": "2026-11-20T08:00:00Z", "kind": "communication", "text": "Call" });
    let (status, written) = cx_lead.post(&path, body).await;
    assert_eq!(status, 201);
    let expected = json!({
        "id": written["id"],
        "incident_id": incident.rsplit('/').next(),
        "at": "2026-11-20T08:00:00Z",
        "kind": "communication",
        "text": "Call",
        "author_id": cx_id,
        "created_at": "2026-11-20T09:00:00Z",
    });
    assert_eq!(written, expected);
    let body = json!({ "kind": "action", "text": "  Revoked link " });
    let (status, at_now) = responder.post(&path, body).await;
    assert_eq!(status, 201);
    assert_eq!(
        (&at_now["at"], &at_now["text"]),
        (&json!("2026-11-20T09:00:00Z"), &json!("Revoked link"))
    );
    let body = json!({ "at": "2026-11-19T15:00:00Z", "kind": "evidence", "text": "Log" });
    assert_eq!(responder.post(&path, body).await.0, 201);

    let admin = As::new(&app, Role::Admin).await.1;
    let by_admin = admin
        .post(&path, json!({ "kind": "note", "text": "Hi" }))
        .await;
    assert_eq!(code(&by_admin), (403, "forbidden"));
    let refused = [
        (
            "kind",
            json!({ "kind": "status_change", "text": "Closed it" }),
        ),
        (
            "at",
            json!({ "at": "2026-11-20T09:06:00Z", "kind": "note", "text": "x" }),
        ),
        ("text", json!({ "kind": "decision", "text": "  " })),
    ];
    for (field, body) in refused {
        let answer = responder.post(&path, body).await;
        assert_eq!(code(&answer), (422, "validation_failed"));
        assert_eq!(answer.1["error"]["details"][0]["field"], field);
    }

    let timeline = admin.read(&path).await;
    let entries = timeline.as_array().unwrap().iter();
    let order: Vec<Value> = entries
        .map(|e| json!([e["text"], e["author_id"]]))
        .collect();
    let (r, c) = (responder_id, cx_id);
    let expected = [
        json!(["Log", r]),
        json!(["Call", c]),
        json!(["Revoked link", r]),
    ];
    assert_eq!(order, expected);
}

// Text is compared as it would be stored: padding alone is not a change.
#[tokio::test]
async fn patching_a_title_that_differs_only_by_padding_changes_nothing() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let incident = responder.open("Same title", "medium").await;
    let stored = responder.read(&incident).await;
    let padded = responder.patch(&incident, json!({ "title": "  Same title  " }));
    assert_eq!(padded.await, (200, stored));
}

#[tokio::test]
async fn an_incident_has_a_kind_that_filters_the_list_and_can_be_corrected() {
    let app = spawn_app().await;
    let responder = As::new(&app, Role::Responder).await.1;
    let at = "2026-11-19T10:00:00Z";
    let body = json!({ "title": "Laptop left on a train", "severity": "medium",
                       "kind": "lost_device", "discovered_at": at });
    let (status, created) = responder.post("/api/v1/incidents", body).await;
    assert_eq!((status, &created["kind"]), (201, &json!("lost_device")));
    let path = format!("/api/v1/incidents/{}", created["id"].as_str().unwrap());
    responder.open("Billing export", "high").await;

    let lost = responder.read("/api/v1/incidents?kind=lost_device").await;
    assert_eq!(lost["total"], 1);
    assert_eq!(lost["items"][0]["title"], "Laptop left on a train");

    let (status, changed) = responder
        .patch(&path, json!({ "kind": "ransomware" }))
        .await;
    assert_eq!((status, &changed["kind"]), (200, &json!("ransomware")));
    assert_eq!(changed["version"], 2);
    let (status, refused) = responder.patch(&path, json!({ "kind": "flood" })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(responder.read(&path).await["kind"], "ransomware");
}
