//! Playbook runs through the real server: attaching a playbook (once), the steps with their
//! owners, due times and blockers, completing tasks and approving gates by role, a decision
//! that skips a branch, escalations written once per step and threshold when a step is
//! overdue, and a run that resumes from its rows; on SQLite and PostgreSQL.

use candor::domain::Role;
use candor::settings::Settings;
use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::mapping::Desk;

/// A small playbook: a task, a deciding gate, a task only for "yes", a closing task.
const DRILL: &str = r#"id = "drill"
name = "Drill"
version = 1
summary = "A playbook for the tests."

[escalation]
to_commander_after = "2h"

[[steps]]
id = "contain"
title = "Stop the exposure"
owner = "responder"
due = "started + 1h"
task = ["Revoke the key"]

[[steps]]
id = "decide"
title = "Was data taken?"
owner = "cx_lead"
needs = ["contain"]
gate = "cx_lead"
decides = "taken"

[[steps]]
id = "tell"
title = "Tell the people affected"
owner = "cx_lead"
needs = ["decide"]
when = "taken"
task = []

[[steps]]
id = "wrap-up"
title = "Write the review"
owner = "responder"
needs = ["tell"]
due = "step:decide + 1d"
task = []
"#;

/// An app whose playbooks are the shipped ones' folder replaced by [`DRILL`].
async fn app() -> TestApp {
    let dir = tempfile::tempdir().expect("dir").keep();
    std::fs::write(dir.join("drill.toml"), DRILL).expect("playbook written");
    spawn_app_with(move |s: &mut Settings| s.playbooks = Some(dir)).await
}

/// POSTs `{incident}{path}` as `desk`: the status and the body.
pub async fn call(desk: &Desk<'_>, path: &str, body: Value) -> (u16, Value) {
    let response = desk
        .app
        .post(&format!("{}{path}", desk.incident))
        .bearer_auth(&desk.token)
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A run's step.
pub fn step<'v>(run: &'v Value, id: &str) -> &'v Value {
    run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == id)
        .expect("the step")
}

/// `(step, kind, detail)` of every effect, oldest first.
async fn effects(app: &TestApp) -> Vec<(String, String, String)> {
    crate::playbook_flow::effects(app)
        .await
        .into_iter()
        .map(|(step, kind, detail, _)| (step, kind, detail))
        .collect()
}

#[tokio::test]
async fn a_playbook_attaches_once_and_shows_its_steps_with_owners_due_times_and_blockers() {
    let app = app().await;
    let desk = Desk::open(&app).await;
    let (status, run) = call(&desk, "/playbook", json!({ "playbook_id": "drill" })).await;
    assert_eq!(status, 201, "{run}");
    assert_eq!(
        (&run["playbook_id"], &run["version"]),
        (&json!("drill"), &json!(1))
    );
    let contain = step(&run, "contain");
    assert_eq!(
        (&contain["status"], &contain["owner"]),
        (&json!("ready"), &json!("responder"))
    );
    // The run started at the test clock's 2026-11-20T09:00Z; the step is due an hour later.
    assert_eq!(contain["due_at"], "2026-11-20T10:00:00Z");
    assert_eq!(contain["overdue"], false);
    assert_eq!(step(&run, "decide")["blocking"], json!(["needs: contain"]));

    let (status, again) = call(&desk, "/playbook", json!({ "playbook_id": "drill" })).await;
    assert_eq!((status, &again["id"]), (200, &run["id"]));
    let (status, body) = call(&desk, "/playbook", json!({ "playbook_id": "nope" })).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn tasks_and_gates_are_done_by_their_roles_and_a_no_skips_its_branch() {
    let app = app().await;
    let desk = Desk::open(&app).await;
    call(&desk, "/playbook", json!({ "playbook_id": "drill" })).await;
    let lead = desk.as_role(&[Role::CxLead]).await;

    let (status, body) = call(&lead, "/playbook/steps/contain/complete", json!({})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("forbidden")),
        "{body}"
    );
    let (status, run) = call(
        &desk,
        "/playbook/steps/contain/complete",
        json!({ "note": "Key revoked at 15:02." }),
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(step(&run, "contain")["status"], "done");
    assert_eq!(step(&run, "contain")["note"], "Key revoked at 15:02.");

    let (status, body) = call(&lead, "/playbook/steps/decide/approve", json!({})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("decision_required")),
        "{body}"
    );
    let (status, body) = call(
        &desk,
        "/playbook/steps/decide/approve",
        json!({ "decision": false }),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, run) = call(
        &lead,
        "/playbook/steps/decide/approve",
        json!({ "decision": false }),
    )
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(step(&run, "tell")["status"], "skipped");
    assert_eq!(step(&run, "wrap-up")["status"], "ready");
    let (status, run) = call(&desk, "/playbook/steps/wrap-up/complete", json!({})).await;
    assert_eq!((status, &run["status"]), (200, &json!("finished")), "{run}");
    let (status, body) = call(&desk, "/playbook/steps/wrap-up/complete", json!({})).await;
    assert_eq!(status, 409, "{body}");

    // Each act is audited, without the note.
    let admin = app.token(&[Role::Admin]).await;
    let id = desk.incident.rsplit('/').next().expect("id");
    let entries: Value = app
        .get(&format!("/api/v1/audit?incident={id}"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("json");
    let summaries: Vec<&str> = entries
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .filter(|s| s.starts_with("drill"))
        .collect();
    assert!(
        summaries.contains(&"drill: gate decide approved, answering no"),
        "{entries}"
    );
    assert!(
        summaries.contains(&"drill: step contain completed"),
        "{entries}"
    );
    assert!(
        !entries.to_string().contains("Key revoked"),
        "notes stay out of the audit log"
    );
}

#[tokio::test]
async fn an_overdue_step_escalates_to_its_owner_then_the_commander_once_each() {
    let app = app().await;
    let desk = Desk::open(&app).await;
    call(&desk, "/playbook", json!({ "playbook_id": "drill" })).await;
    let escalation = |to: &str| ("contain".to_owned(), "escalate".to_owned(), to.to_owned());
    app.clock.advance(Duration::minutes(59));
    app.runner.wake_due().await.expect("wake-up runs");
    assert!(effects(&app).await.is_empty(), "not due yet");

    app.clock.advance(Duration::minutes(1));
    app.runner.wake_due().await.expect("wake-up runs");
    app.runner.wake_due().await.expect("wake-up runs");
    assert_eq!(effects(&app).await, [escalation("owner")]);

    app.clock.advance(Duration::hours(2));
    app.runner.wake_due().await.expect("wake-up runs");
    assert_eq!(
        effects(&app).await,
        [escalation("owner"), escalation("commander")]
    );
    app.clock.advance(Duration::days(3));
    app.runner.wake_due().await.expect("wake-up runs");
    assert_eq!(
        effects(&app).await.len(),
        2,
        "never twice per step and threshold"
    );
    // Signed in again: the clock moved past the first sign-in's expiry.
    let desk = desk.as_role(&[Role::Responder]).await;
    let (_, timeline) = desk.get("/timeline").await;
    let alerts: Vec<&str> = timeline
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["kind"] == "alert")
        .filter_map(|e| e["text"].as_str())
        .collect();
    let due = "was due 2026-11-20T10:00:00Z";
    assert_eq!(
        alerts,
        [
            format!(
                "Playbook step overdue: \"Stop the exposure\" (Drill) {due}; escalated to its owner (responder)."
            ),
            format!(
                "Playbook step overdue: \"Stop the exposure\" (Drill) {due}; escalated to the incident commander."
            ),
        ]
    );

    // The state lives in the run's rows: a later change still knows both were sent.
    let (status, run) = call(&desk, "/playbook/steps/contain/complete", json!({})).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(
        step(&run, "contain")["escalated"],
        json!(["owner", "commander"])
    );
}

#[tokio::test]
async fn the_breach_playbook_writes_its_first_action_as_a_row_once_the_scope_is_declared() {
    let app = crate::helpers::spawn_app().await;
    let desk = Desk::open(&app).await;
    let body = json!({ "playbook_id": "customer-data-breach" });
    let (status, run) = call(&desk, "/playbook", body).await;
    assert_eq!(status, 201, "{run}");
    assert_eq!(run["steps"].as_array().map(Vec::len), Some(16));
    assert_eq!(step(&run, "triage")["status"], "ready");
    // Due before the law's deadline for individuals, which is unknown before a mapping.
    assert!(step(&run, "send-notice")["due_at"].is_null());
    for id in ["triage", "declare-scope"] {
        let (status, run) = call(&desk, &format!("/playbook/steps/{id}/complete"), json!({})).await;
        assert_eq!(status, 200, "{run}");
    }
    let (_, runs) = desk.get("/playbook").await;
    assert_eq!(step(&runs[0], "map-affected")["status"], "running");
    let performs: Vec<_> = effects(&app)
        .await
        .into_iter()
        .filter(|(_, kind, _)| kind == "perform")
        .collect();
    assert_eq!(
        performs,
        [(
            "map-affected".into(),
            "perform".into(),
            "map_affected#1".into()
        )]
    );
}

#[tokio::test]
async fn a_step_given_to_a_person_warns_them_alone_when_it_is_late() {
    let app = app().await;
    let desk = Desk::open(&app).await;
    call(&desk, "/playbook", json!({ "playbook_id": "drill" })).await;
    let night = app
        .add_user("night-shift@example.com", &[Role::Responder])
        .await;
    let lead = app.add_user("lead@example.com", &[Role::CxLead]).await;

    let path = "/playbook/steps/contain/assign";
    let (status, body) = call(&desk, path, json!({ "user_id": lead })).await;
    assert_eq!(
        status, 422,
        "a CX lead cannot own a responder's task: {body}"
    );
    let cx = desk.as_role(&[Role::CxLead]).await;
    let (status, body) = call(&cx, path, json!({ "user_id": night })).await;
    assert_eq!(status, 403, "only a responder gives it: {body}");
    let (status, run) = call(&desk, path, json!({ "user_id": night })).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(step(&run, "contain")["assignee"], json!(night));

    // An hour later it is overdue: the assignee is mailed, not every responder.
    app.clock.advance(Duration::minutes(61));
    app.runner.settle().await.expect("settled");
    let mail = crate::playbook_flow::staff_mail(&app);
    assert_eq!(mail.len(), 1, "{mail:?}");
    let to: Vec<&str> = mail[0].lines().filter(|l| l.starts_with("To:")).collect();
    assert_eq!(to, ["To: night-shift@example.com"], "{}", mail[0]);

    // Taken back, it is anyone's again.
    let desk = desk.as_role(&[Role::Responder]).await;
    let (status, run) = call(&desk, path, json!({ "user_id": null })).await;
    assert_eq!(status, 200, "{run}");
    assert!(step(&run, "contain")["assignee"].is_null());
}
