//! The shipped playbooks driving real incidents from start to finish with a manual clock: the
//! actions carried out for real (mapping, obligations, regulator drafts with filing tasks, the
//! notice sent into the outbox, VIP call tasks, the survey scheduled, the incident closed),
//! overdue steps escalated by mail, chat webhook and timeline, and a restart — with effects
//! whose outcome was never recorded — that resumes without repeating any action; on SQLite
//! and PostgreSQL.

use std::sync::{Arc, Mutex};

use candor::app::App;
use candor::domain::{Clock, Role};
use candor::settings::Settings;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::delivery::{Person, approved_notice, billing_exposure, count_rows, inventory, numbered};
use crate::helpers::TestApp;
use crate::mapping::Desk;
use crate::playbook_runs::{call, step};

/// An incoming chat webhook in the test process: it keeps every body posted to it.
struct ChatHook {
    url: String,
    posts: Arc<Mutex<Vec<Value>>>,
}

impl ChatHook {
    async fn start() -> ChatHook {
        Self::failing_first(0).await
    }

    /// A hook that answers 500 to its first `failures` posts (keeping none of them).
    async fn failing_first(failures: usize) -> ChatHook {
        use axum::http::StatusCode;
        use axum::routing::post;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let posts: Arc<Mutex<Vec<Value>>> = Arc::default();
        let kept = posts.clone();
        let left = Arc::new(AtomicUsize::new(failures));
        let router = axum::Router::new().route(
            "/hooks/incident-room",
            post(move |axum::Json(body): axum::Json<Value>| {
                let (kept, left) = (kept.clone(), left.clone());
                async move {
                    let fail = left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if fail {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    kept.lock().expect("posts").push(body);
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bound");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        ChatHook {
            url: format!("http://{addr}/hooks/incident-room"),
            posts,
        }
    }

    fn texts(&self) -> Vec<String> {
        self.posts
            .lock()
            .expect("posts")
            .iter()
            .filter_map(|p| p["text"].as_str().map(str::to_owned))
            .collect()
    }
}

/// An app with the sample organization's details (notices lint clean) whose playbooks attach
/// themselves by their `applies_when`.
async fn app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    crate::notices::app_with(|s| {
        s.playbook_auto_attach = true;
        customize(s);
    })
    .await
}

/// `{incident}/playbook/steps/{step}/{act}` as `desk`, which must answer 200.
async fn act(desk: &Desk<'_>, step: &str, act: &str, body: Value) -> Value {
    let (status, run) = call(desk, &format!("/playbook/steps/{step}/{act}"), body).await;
    assert_eq!(status, 200, "{act} {step}: {run}");
    run
}

/// The incident's run of `playbook`.
async fn run_of(desk: &Desk<'_>, playbook: &str) -> Value {
    let (status, runs) = desk.get("/playbook").await;
    assert_eq!(status, 200, "{runs}");
    runs.as_array()
        .expect("runs")
        .iter()
        .find(|r| r["playbook_id"] == playbook)
        .cloned()
        .unwrap_or_else(|| panic!("no {playbook} run in {runs}"))
}

/// `(step, kind, detail, status)` of every effect, oldest first.
pub async fn effects(app: &TestApp) -> Vec<(String, String, String, String)> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT step_id, kind, detail, status FROM playbook_effects ORDER BY id",
        ))
        .await
        .expect("effects read");
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "step_id").expect("step"),
                r.try_get("", "kind").expect("kind"),
                r.try_get("", "detail").expect("detail"),
                r.try_get("", "status").expect("status"),
            )
        })
        .collect()
}

/// The staff mail written to the file outbox, each message's text.
pub fn staff_mail(app: &TestApp) -> Vec<String> {
    let dir = candor::mail::staff_outbox(app.data_dir.path());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}

fn alerts(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["kind"] == "alert")
        .filter_map(|e| e["text"].as_str().map(str::to_owned))
        .collect()
}

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {value}"))
}

#[tokio::test]
async fn the_breach_playbook_runs_an_incident_from_triage_to_close_and_a_restart_repeats_nothing() {
    let hook = ChatHook::start().await;
    let url = hook.url.clone();
    let app = app_with(move |s| s.chat_webhook_url = Some(SecretString::from(url))).await;
    let mut people = numbered(5);
    let mut irish = Person::new("E0001", ("Aoife", "Byrne"), Some("e0001@example.com"));
    irish.home = ("IE", "");
    people.push(irish);
    inventory(&app, &people).await;
    app.exec("UPDATE people SET tier = 'vip' WHERE customer_ref = 'P0002'")
        .await;

    // A medium data breach: the breach playbook attaches by its applies_when.
    let desk = Desk::open(&app).await;
    let run = run_of(&desk, "customer-data-breach").await;
    assert_eq!(step(&run, "triage")["status"], "ready");
    // Discovered 2026-11-19T14:30Z, triage due 4 hours later: it is long overdue at 09:00
    // the next day, so its owners and the commander hear of it.
    assert_eq!(step(&run, "triage")["due_at"], "2026-11-19T18:30:00Z");
    let settled = app.runner.settle().await.expect("settled");
    assert_eq!(settled.escalations, 2, "{settled:?}");
    let sent: Vec<_> = effects(&app)
        .await
        .into_iter()
        .filter(|e| e.1 == "escalate")
        .collect();
    assert_eq!(
        sent,
        [
            (
                "triage".into(),
                "escalate".into(),
                "owner".into(),
                "done".into()
            ),
            (
                "triage".into(),
                "escalate".into(),
                "commander".into(),
                "done".into()
            ),
        ]
    );
    let mail = staff_mail(&app);
    assert_eq!(
        mail.len(),
        1,
        "the owners are mailed; no commander or admin yet"
    );
    assert!(
        mail[0].contains("Overdue: Confirm the incident and stop the exposure"),
        "{}",
        mail[0]
    );
    let chat = hook.texts();
    assert_eq!(chat.len(), 2, "{chat:?}");
    assert!(
        chat[0].contains("escalated to its owners (responder)"),
        "{chat:?}"
    );
    assert!(
        chat[1].contains("escalated to the incident commander"),
        "{chat:?}"
    );
    assert!(
        chat.iter()
            .all(|t| t.ends_with(&format!("{}/playbook", desk.incident))),
        "{chat:?}"
    );
    // Sent once each: another pass sends nothing more.
    app.runner.settle().await.expect("settled");
    assert_eq!((staff_mail(&app).len(), hook.texts().len()), (1, 2));

    // Triage and scope: the playbook maps the incident and works out its obligations.
    act(
        &desk,
        "triage",
        "complete",
        json!({ "note": "Share closed." }),
    )
    .await;
    desk.scope(vec![billing_exposure()]).await;
    act(&desk, "declare-scope", "complete", json!({})).await;
    let settled = app.runner.settle().await.expect("settled");
    assert_eq!(settled.performed, 2, "{settled:?}");
    let run = run_of(&desk, "customer-data-breach").await;
    assert_eq!(step(&run, "map-affected")["status"], "done");
    assert_eq!(
        step(&run, "map-affected")["outcome"]
            .as_str()
            .map(|o| o.ends_with("6 people affected (0 unmatched)")),
        Some(true),
        "{run}"
    );
    assert_eq!(step(&run, "compute-obligations")["status"], "done");
    assert_eq!(count_rows(&app, "mapping_runs").await, 1);
    let (status, obligations) = desk.get("/obligations").await;
    assert_eq!(status, 200, "{obligations}");

    // The risk is assessed: the regulator's report is drafted, with a task to file it.
    act(&desk, "assess-risk", "complete", json!({})).await;
    app.runner.settle().await.expect("settled");
    let run = run_of(&desk, "customer-data-breach").await;
    assert_eq!(step(&run, "notify-regulator")["status"], "done", "{run}");
    let filing = run["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["key"] == "file:EU/supervisory_authority")
        .cloned()
        .unwrap_or_else(|| panic!("no EU filing task: {run}"));
    assert_eq!(
        (&filing["owner"], &filing["status"], &filing["has_draft"]),
        (&json!("responder"), &json!("open"), &json!(true))
    );
    let (status, task) = desk
        .get(&format!(
            "/playbook/tasks/{}",
            filing["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(status, 200, "{task}");
    assert!(
        task["draft"].as_str().is_some_and(|d| d.contains('#')),
        "the report draft in Markdown: {task}"
    );

    // The notice is written and approved; the CX lead and legal sign off; the playbook sends
    // it, opens a call task for the VIP, and schedules the survey.
    approved_notice(&desk).await;
    let lead = desk.as_role(&[Role::CxLead]).await;
    let admin = desk.as_role(&[Role::Admin]).await;
    act(&lead, "draft-notice", "complete", json!({})).await;
    act(&lead, "cx-approval", "approve", json!({})).await;
    act(&admin, "legal-sign-off", "approve", json!({})).await;
    let settled = app.runner.settle().await.expect("settled");
    assert_eq!(settled.performed, 3, "{settled:?}");
    assert_eq!(settled.failed, 0, "{settled:?}");
    let run = run_of(&desk, "customer-data-breach").await;
    for id in ["send-notice", "vip-outreach", "schedule-survey"] {
        assert_eq!(step(&run, id)["status"], "done", "{id}: {run}");
    }
    let outbox = count_rows(&app, "outbox").await;
    assert!(outbox >= 5, "the notice is in the outbox: {outbox}");
    assert_eq!(count_rows(&app, "campaigns").await, 1);
    let calls: Vec<&Value> = run["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["step_id"] == "vip-outreach")
        .collect();
    assert_eq!(calls.len(), 1, "{run}");
    assert!(
        calls[0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("vip customer P0002")),
        "{run}"
    );
    let (status, schedule) = lead.get("/survey/schedule").await;
    assert_eq!(status, 200, "{schedule}");
    assert_eq!(
        (
            &schedule["invite_after_days"],
            &schedule["remind_after_days"]
        ),
        (&json!(7.0), &json!(5.0))
    );
    let tasks_opened = count_rows(&app, "playbook_tasks").await;

    // A restart, after a crash that carried out four actions but recorded none of their
    // outcomes: the new instance repeats each one, finds it done, and adds nothing.
    app.exec(
        "UPDATE playbook_effects SET status = 'pending', done_at = NULL, claimed_until = NULL \
         WHERE kind = 'perform' AND detail IN ('map_affected#1', 'notify_regulator#1', \
         'send_notice#1', 'personal_outreach#1', 'schedule_survey#1')",
    )
    .await;
    let restarted = App::build(&app.settings, Arc::new(app.clock.clone()))
        .await
        .expect("the app builds again");
    let runner = restarted.state().runner.clone();
    let settled = runner.settle().await.expect("settled");
    assert_eq!(settled.failed, 0, "{settled:?}");
    assert_eq!(
        count_rows(&app, "mapping_runs").await,
        1,
        "no second mapping"
    );
    assert_eq!(count_rows(&app, "campaigns").await, 1, "no second send");
    assert_eq!(
        count_rows(&app, "outbox").await,
        outbox,
        "nobody mailed twice"
    );
    assert_eq!(count_rows(&app, "playbook_tasks").await, tasks_opened);
    assert!(
        effects(&app).await.iter().all(|e| e.3 == "done"),
        "{:?}",
        effects(&app).await
    );

    // Three days after the send nobody has reviewed delivery: the owners hear of it.
    let sent_at = at(&step(&run, "send-notice")["done_at"]);
    app.clock
        .advance(sent_at + Duration::days(3) + Duration::minutes(1) - app.clock.now());
    runner.settle().await.expect("settled");
    let lead = desk.as_role(&[Role::CxLead]).await;
    let (_, timeline) = lead.get("/timeline").await;
    assert!(
        alerts(&timeline).iter().any(|a| a.starts_with(
            "Playbook step overdue: \"Watch delivery and answer people's questions\""
        )),
        "{timeline}"
    );
    assert!(
        staff_mail(&app)
            .iter()
            .any(|m| m.contains("Overdue: Watch delivery and answer people's questions")),
        "the CX leads are mailed"
    );

    // Tasks are closed by their role, once.
    let call_task = format!(
        "/playbook/tasks/{}/complete",
        calls[0]["id"].as_str().expect("id")
    );
    let responder = desk.as_role(&[Role::Responder]).await;
    let (status, body) = call(&responder, &call_task, json!({})).await;
    assert_eq!((status, &body["error"]["code"]), (403, &json!("forbidden")));
    let note = json!({ "note": "Called; they will watch their statements." });
    let (status, task) = call(&lead, &call_task, note.clone()).await;
    assert_eq!((status, &task["status"]), (200, &json!("done")), "{task}");
    let (status, body) = call(&lead, &call_task, note).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("task_closed"))
    );

    // The rest is done by people; the playbook closes the incident and finishes.
    act(&lead, "watch-delivery", "complete", json!({})).await;
    act(&responder, "other-authorities", "complete", json!({})).await;
    act(&responder, "post-incident-review", "complete", json!({})).await;
    runner.settle().await.expect("settled");
    let run = run_of(&responder, "customer-data-breach").await;
    assert_eq!(run["status"], "finished", "{run}");
    let (_, incident) = responder.get("").await;
    assert_eq!(incident["status"], "closed", "{incident}");

    // Every action performed exactly once, each on the audit trail.
    let performs: Vec<String> = effects(&app)
        .await
        .into_iter()
        .filter(|e| e.1 == "perform")
        .map(|e| e.2)
        .collect();
    assert_eq!(
        performs,
        [
            "map_affected#1",
            "compute_obligations#1",
            "notify_regulator#1",
            "send_notice#1",
            "personal_outreach#1",
            "schedule_survey#1",
            "close_incident#1",
        ]
    );
    let admin = desk.as_role(&[Role::Admin]).await;
    let id = desk.incident.rsplit('/').next().expect("id");
    let entries: Value = app
        .get(&format!("/api/v1/audit?incident={id}"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("json");
    let performed = entries
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "playbook.action_performed")
        .count();
    assert_eq!(performed, 7, "{entries}");
}

#[tokio::test]
async fn the_worker_hands_the_mapping_to_the_mapping_worker_and_moves_on_when_it_is_done() {
    let app = app_with(|_| {}).await;
    inventory(&app, &numbered(4)).await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![billing_exposure()]).await;
    act(&desk, "triage", "complete", json!({})).await;
    act(&desk, "declare-scope", "complete", json!({})).await;
    // The worker's pass does not compute the mapping itself: it queues it, starts it in the
    // background, and looks again a few seconds later.
    let first = app.runner.pass().await.expect("a pass");
    assert_eq!((first.performed, first.waiting), (0, 1), "{first:?}");
    crate::delivery::eventually("the mapping step is done", async || {
        app.clock.advance(Duration::seconds(5));
        app.runner.pass().await.expect("a pass");
        let run = run_of(&desk, "customer-data-breach").await;
        step(&run, "compute-obligations")["status"] == "done"
    })
    .await;
    assert_eq!(count_rows(&app, "mapping_runs").await, 1);
    let run = run_of(&desk, "customer-data-breach").await;
    assert!(
        step(&run, "map-affected")["outcome"]
            .as_str()
            .is_some_and(|o| o.ends_with("4 people affected (0 unmatched)")),
        "{run}"
    );
}

#[tokio::test]
async fn a_chat_post_that_fails_is_retried_without_mailing_twice() {
    let hook = ChatHook::failing_first(1).await;
    let url = hook.url.clone();
    let app = app_with(move |s| s.chat_webhook_url = Some(SecretString::from(url))).await;
    // Opened a day late: triage is overdue for its owners and the commander at once.
    let _desk = Desk::open(&app).await;
    let settled = app.runner.settle().await.expect("settled");
    assert_eq!(settled.escalations, 1, "{settled:?}");
    assert_eq!(settled.waiting, 1, "the failed post waits for its retry");
    assert_eq!((staff_mail(&app).len(), hook.texts().len()), (1, 1));

    // A minute later the owners' post is tried again; their mail is not sent again.
    app.clock.advance(Duration::minutes(1));
    let settled = app.runner.settle().await.expect("settled");
    assert_eq!(settled.escalations, 1, "{settled:?}");
    assert_eq!((staff_mail(&app).len(), hook.texts().len()), (1, 2));
    assert!(
        effects(&app).await.iter().all(|e| e.3 == "done"),
        "{:?}",
        effects(&app).await
    );
}

/// Drives a shipped playbook on an incident of `kind` to its end: every ready task is
/// completed and every gate approved by its role (answering `decisions`), the notice is
/// drafted and approved when its step asks, and the clock moves on when only time can help.
/// First lets the first step become overdue and checks it escalates to the owner and then
/// the commander. Returns the finished run.
async fn drive(app: &TestApp, playbook: &str, kind: &str, decisions: &[(&str, bool)]) -> Value {
    inventory(app, &numbered(3)).await;
    let token = app.token(&[Role::Responder]).await;
    let opened: Value = app
        .post("/api/v1/incidents")
        .bearer_auth(&token)
        .json(&json!({
            "title": "Drill incident",
            "summary": "An incident for the playbook drive.",
            "severity": "high",
            "kind": kind,
            "discovered_at": "2026-11-20T08:00:00Z",
        }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("json");
    let desk = Desk {
        app,
        token,
        incident: format!("/api/v1/incidents/{}", opened["id"].as_str().expect("id")),
    };
    desk.scope(vec![billing_exposure()]).await;

    // The first step runs late: a day past its due time, both thresholds have passed.
    let run = run_of(&desk, playbook).await;
    let first = run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["status"] == "ready" && !s["due_at"].is_null())
        .cloned()
        .unwrap_or_else(|| panic!("no ready step with a due time: {run}"));
    let late = at(&first["due_at"]) + Duration::days(1) - app.clock.now();
    app.clock.advance(late);
    app.runner.settle().await.expect("settled");
    let first_id = first["id"].as_str().expect("id").to_owned();
    let escalations: Vec<String> = effects(app)
        .await
        .into_iter()
        .filter(|e| e.0 == first_id && e.1 == "escalate" && e.3 == "done")
        .map(|e| e.2)
        .collect();
    assert_eq!(escalations, ["owner", "commander"], "{playbook}");

    let mut notice_drafted = false;
    for _ in 0..40 {
        app.runner.settle().await.expect("settled");
        let responder = desk.as_role(&[Role::Responder]).await;
        let run = run_of(&responder, playbook).await;
        if run["status"] == "finished" {
            return run;
        }
        let mut acted = false;
        for s in run["steps"].as_array().expect("steps") {
            if s["status"] != "ready" {
                continue;
            }
            let id = s["id"].as_str().expect("id");
            let role: Role = s["owner"].as_str().expect("owner").parse().expect("role");
            let by = desk.as_role(&[role]).await;
            match s["kind"].as_str() {
                Some("task") => {
                    if id == "draft-notice" && !notice_drafted {
                        approved_notice(&responder).await;
                        notice_drafted = true;
                    }
                    act(&by, id, "complete", json!({})).await;
                }
                Some("gate") => {
                    let body = match s["decides"].as_str() {
                        Some(q) => {
                            let answer = decisions
                                .iter()
                                .find(|(asked, _)| *asked == q)
                                .unwrap_or_else(|| panic!("no answer to {q}"));
                            json!({ "decision": answer.1 })
                        }
                        None => json!({}),
                    };
                    act(&by, id, "approve", body).await;
                }
                _ => continue,
            }
            acted = true;
        }
        if !acted {
            // Only time can help: a failed action's retry, a mapping computing.
            app.clock.advance(Duration::hours(1));
        }
    }
    panic!(
        "{playbook} did not finish: {}",
        run_of(&desk, playbook).await
    );
}

#[tokio::test]
async fn the_credential_exposure_playbook_runs_to_the_end_and_sends_its_notice() {
    let app = app_with(|_| {}).await;
    let run = drive(&app, "credential-exposure", "credential_exposure", &[]).await;
    assert_eq!(step(&run, "send-notice")["status"], "done", "{run}");
    assert_eq!(count_rows(&app, "campaigns").await, 1);
    assert_eq!(step(&run, "close")["status"], "done");
}

#[tokio::test]
async fn the_lost_device_playbook_records_the_safe_harbor_when_the_key_was_safe() {
    let app = app_with(|_| {}).await;
    let run = drive(
        &app,
        "lost-encrypted-device",
        "lost_device",
        &[("key_compromised", false)],
    )
    .await;
    assert_eq!(step(&run, "record-safe-harbor")["status"], "done", "{run}");
    assert_eq!(step(&run, "start-breach-response")["status"], "skipped");
    assert_eq!(count_rows(&app, "campaigns").await, 0, "no customer notice");
    assert_eq!(count_rows(&app, "playbook_runs").await, 1);
}

#[tokio::test]
async fn the_lost_device_playbook_starts_the_breach_response_when_the_key_was_taken() {
    let app = app_with(|_| {}).await;
    let run = drive(
        &app,
        "lost-encrypted-device",
        "lost_device",
        &[("key_compromised", true)],
    )
    .await;
    assert_eq!(step(&run, "start-breach-response")["status"], "done");
    assert_eq!(step(&run, "record-safe-harbor")["status"], "skipped");
    assert_eq!(
        count_rows(&app, "playbook_runs").await,
        2,
        "the breach playbook runs too"
    );
}

#[tokio::test]
async fn the_ransomware_playbook_closes_the_incident_when_nothing_was_taken() {
    let app = app_with(|_| {}).await;
    let run = drive(&app, "ransomware", "ransomware", &[("exfiltration", false)]).await;
    assert_eq!(step(&run, "document-no-exfiltration")["status"], "done");
    assert_eq!(step(&run, "start-breach-response")["status"], "skipped");
    assert_eq!(step(&run, "close")["status"], "done");
}

#[tokio::test]
async fn the_ransomware_playbook_starts_the_breach_response_when_data_was_taken() {
    let app = app_with(|_| {}).await;
    let run = drive(&app, "ransomware", "ransomware", &[("exfiltration", true)]).await;
    assert_eq!(step(&run, "start-breach-response")["status"], "done");
    assert_eq!(count_rows(&app, "playbook_runs").await, 2);
}

#[tokio::test]
async fn a_playbook_whose_applies_when_the_incident_meets_attaches_by_itself() {
    let app = app_with(|_| {}).await;
    let token = app.token(&[Role::Responder]).await;
    let open = |kind: &'static str, severity: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let body: Value = app
                .post("/api/v1/incidents")
                .bearer_auth(&token)
                .json(&json!({
                    "title": "Attach test",
                    "summary": "Which playbooks attach by themselves.",
                    "severity": severity,
                    "kind": kind,
                    "discovered_at": "2026-11-20T08:00:00Z",
                }))
                .send()
                .await
                .expect("request sent")
                .json()
                .await
                .expect("json");
            Desk {
                app,
                token,
                incident: format!("/api/v1/incidents/{}", body["id"].as_str().expect("id")),
            }
        }
    };
    let ids = |runs: Value| -> Vec<String> {
        runs.as_array()
            .expect("runs")
            .iter()
            .filter_map(|r| r["playbook_id"].as_str().map(str::to_owned))
            .collect()
    };
    let breach = open("data_breach", "high").await;
    assert_eq!(
        ids(breach.get("/playbook").await.1),
        ["customer-data-breach"]
    );
    // Below the breach playbook's severity: nothing, until the severity is raised.
    let minor = open("data_breach", "low").await;
    assert!(ids(minor.get("/playbook").await.1).is_empty());
    let (_, incident) = minor.get("").await;
    let response = app
        .patch(&minor.incident)
        .bearer_auth(&minor.token)
        .json(&json!({ "severity": "high", "version": incident["version"] }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    assert_eq!(
        ids(minor.get("/playbook").await.1),
        ["customer-data-breach"]
    );
    let ransomware = open("ransomware", "low").await;
    assert_eq!(ids(ransomware.get("/playbook").await.1), ["ransomware"]);
}
