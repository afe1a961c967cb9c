//! The audit chain: every change appends a linked, PII-free entry; `GET /api/v1/audit/verify`
//! and `candor audit verify` find an edited, a deleted and a truncated entry and name it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use candor::domain::Role;
use candor::domain::audit::{AuditRecord, GENESIS_HASH};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

const CANDOR: &str = env!("CARGO_BIN_EXE_candor");

/// Sends a JSON request as `token`; returns the status.
async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> u16 {
    let request = match method {
        "POST" => app.post(path),
        "PATCH" => app.patch(path),
        other => panic!("unexpected method {other}"),
    };
    let response = request.bearer_auth(token).json(&body).send().await.unwrap();
    response.status().as_u16()
}

async fn audit_log(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let request = app.get(&format!("/api/v1/audit{query}")).bearer_auth(token);
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.expect("json array")
}

async fn verify(app: &TestApp, admin: &str) -> Value {
    let request = app.get("/api/v1/audit/verify").bearer_auth(admin);
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

/// The `problem` a broken chain reports.
async fn problem(app: &TestApp, admin: &str) -> String {
    let verified = verify(app, admin).await;
    let broken = json!({ "intact": false, "entries": null, "head_hash": null });
    for (key, value) in broken.as_object().unwrap() {
        assert_eq!(&verified[key], value, "{verified}");
    }
    verified["problem"].as_str().expect("problem").to_owned()
}

/// A chain of five entries (two users added and signed in, one incident opened); returns the
/// admin's token.
async fn five_entries(app: &TestApp) -> String {
    let admin = app.token(&[Role::Admin]).await;
    let responder = app.token(&[Role::Responder]).await;
    app.open_incident(&responder).await;
    assert_eq!(verify(app, &admin).await["entries"], 5);
    admin
}

/// Runs `candor` against the test app's database, feeding `stdin`.
async fn candor(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(CANDOR);
    cmd.args(args)
        .current_dir(app.data_dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", app.data_dir.path())
        .env("CANDOR_DATABASE_URL", &app.database_url)
        .env("CANDOR_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    let run = move || {
        let mut child = cmd.spawn().expect("candor starts");
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(stdin.as_bytes()).expect("stdin written");
        drop(pipe);
        child.wait_with_output().expect("candor finishes")
    };
    tokio::task::spawn_blocking(run).await.expect("join")
}

#[tokio::test]
async fn every_change_appends_an_entry_linked_to_the_one_before() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let (responder_id, responder) = app.user_with(&[Role::Responder]).await;
    let incident = app.open_incident(&responder).await;
    let id = incident["id"].as_str().unwrap();
    let path = format!("/api/v1/incidents/{id}");
    let change = json!({ "title": "Renamed", "severity": "high" });
    assert_eq!(send(&app, &responder, "PATCH", &path, change).await, 200);
    let status = json!({ "status": "investigating" });
    assert_eq!(
        send(&app, &responder, "POST", &format!("{path}/status"), status).await,
        200
    );
    let note = json!({ "kind": "note", "text": "n" });
    assert_eq!(
        send(&app, &responder, "POST", &format!("{path}/timeline"), note).await,
        201
    );

    let all = audit_log(&app, &admin, "").await;
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    let signed_up = ["user.added", "auth.signed_in"];
    let incident = [
        "incident.created",
        "incident.changed",
        "incident.status_changed",
        "timeline.entry_added",
    ];
    assert_eq!(actions, [&signed_up[..], &signed_up, &incident].concat());
    let mut prev = GENESIS_HASH.to_owned();
    for (i, entry) in (1..).zip(&all) {
        assert_eq!(entry["seq"], i);
        assert_eq!(
            entry["prev_hash"], *prev,
            "entry {i} links to the one before"
        );
        prev = entry["hash"].as_str().unwrap().to_owned();
        assert_eq!(prev.len(), 64);
    }

    let about = audit_log(&app, &responder, &format!("?incident={id}")).await;
    let actor = format!("user:{responder_id}");
    assert!(
        about
            .iter()
            .all(|e| e["incident_id"] == *id && e["actor"] == *actor)
    );
    let seen: Vec<Value> = about
        .iter()
        .map(|e| json!([e["seq"], e["object_type"], e["summary"]]))
        .collect();
    let expected = [
        json!([
            5,
            "incident",
            "incident opened: data_breach, severity medium"
        ]),
        json!([
            6,
            "incident",
            "changed title, severity; severity medium -> high"
        ]),
        json!([7, "incident", "status reported -> investigating"]),
        json!([8, "timeline_entry", "timeline entry added (kind note)"]),
    ];
    assert_eq!(seen, expected);
    let page = audit_log(&app, &admin, "?after=2&limit=3").await;
    assert_eq!(page, all[2..5]);

    let verified = verify(&app, &admin).await;
    let intact = json!({ "intact": true, "entries": 8, "head_hash": prev, "problem": null });
    assert_eq!(verified, intact);
}

#[tokio::test]
async fn audit_entries_never_carry_titles_notes_timeline_text_or_emails() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let email = "ada.lovelace@staff.candor.test";
    app.add_user(email, &[Role::Responder]).await;
    let session: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    let responder = session["token"].as_str().unwrap();
    let incident = app.open_incident(responder).await;
    let path = format!("/api/v1/incidents/{}", incident["id"].as_str().unwrap());
    let secrets = [
        "Marie Curie salary sheet",
        "Spoke with Mr Grant",
        "Leaked to Jane Roe",
    ];
    let change = json!({ "title": secrets[0], "summary": secrets[0] });
    assert_eq!(send(&app, responder, "PATCH", &path, change).await, 200);
    let note = json!({ "kind": "communication", "text": secrets[1] });
    assert_eq!(
        send(&app, responder, "POST", &format!("{path}/timeline"), note).await,
        201
    );
    let status = json!({ "status": "investigating", "note": secrets[2] });
    assert_eq!(
        send(&app, responder, "POST", &format!("{path}/status"), status).await,
        200
    );

    let all = audit_log(&app, &admin, "").await;
    assert_eq!(all.len(), 8);
    let title = incident["title"].as_str().unwrap();
    let summary = incident["summary"].as_str().unwrap();
    for entry in &all {
        let text = entry.to_string();
        for secret in secrets.iter().chain(&[title, summary, "ada.lovelace", "@"]) {
            assert!(!text.contains(secret), "entry leaks {secret:?}: {text}");
        }
    }
}

#[tokio::test]
async fn only_admins_verify_and_only_admins_and_responders_read_the_log() {
    let app = spawn_app().await;
    let responder = app.token(&[Role::Responder]).await;
    let cx_lead = app.token(&[Role::CxLead]).await;
    let status = async |token: &str, path: &str| {
        let response = app.get(path).bearer_auth(token).send().await.unwrap();
        response.status().as_u16()
    };
    assert_eq!(status(&responder, "/api/v1/audit/verify").await, 403);
    assert_eq!(status(&cx_lead, "/api/v1/audit/verify").await, 403);
    assert_eq!(status(&cx_lead, "/api/v1/audit").await, 403);
    assert_eq!(status(&responder, "/api/v1/audit").await, 200);
    assert_eq!(app.get("/api/v1/audit").send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn verify_names_an_edited_entry() {
    let app = spawn_app().await;
    let admin = five_entries(&app).await;
    assert_eq!(
        app.exec("UPDATE audit_entries SET summary = 'x' WHERE seq = 3")
            .await,
        1
    );
    let expected = "entry 3: stored hash does not match its contents (the entry was edited)";
    assert_eq!(problem(&app, &admin).await, expected);
}

#[tokio::test]
async fn verify_names_the_entry_after_one_edited_and_rehashed() {
    let app = spawn_app().await;
    let admin = five_entries(&app).await;
    let third = audit_log(&app, &admin, "?after=2&limit=1").await.remove(0);
    let text = |key: &str| third[key].as_str().unwrap().to_owned();
    let forged = AuditRecord {
        seq: 3,
        at: chrono::DateTime::parse_from_rfc3339(&text("at"))
            .unwrap()
            .to_utc(),
        actor: text("actor"),
        action: text("action"),
        object_type: text("object_type"),
        object_id: text("object_id"),
        incident_id: None,
        summary: "user added with roles admin".to_owned(),
    };
    // Recomputing the edited entry's own hash is not enough: the next entry still links to
    // the old one.
    let hash = forged.chain_hash(&text("prev_hash"));
    let summary = &forged.summary;
    let sql =
        format!("UPDATE audit_entries SET summary = '{summary}', hash = '{hash}' WHERE seq = 3");
    assert_eq!(app.exec(&sql).await, 1);
    let expected = "entry 4: its previous-hash does not match the entry before it \
                    (an earlier entry was deleted or altered)";
    assert_eq!(problem(&app, &admin).await, expected);
}

#[tokio::test]
async fn verify_names_the_entry_after_a_deleted_one() {
    let app = spawn_app().await;
    let admin = five_entries(&app).await;
    assert_eq!(app.exec("DELETE FROM audit_entries WHERE seq = 2").await, 1);
    let expected = "entry 3: expected entry 2 here; entries 2..2 are missing (deleted?)";
    assert_eq!(problem(&app, &admin).await, expected);
}

#[tokio::test]
async fn verify_detects_a_deleted_last_entry_through_the_head() {
    let app = spawn_app().await;
    let admin = five_entries(&app).await;
    assert_eq!(app.exec("DELETE FROM audit_entries WHERE seq = 5").await, 1);
    let expected = "the chain ends at entry 4 but the head records entry 5 \
                    (entries were deleted from the end)";
    assert_eq!(problem(&app, &admin).await, expected);
}

#[tokio::test]
async fn the_cli_verifies_the_chain_and_names_a_broken_entry() {
    let app = spawn_app().await;
    let admin = five_entries(&app).await;
    let head = verify(&app, &admin).await["head_hash"].clone();
    let out = candor(&app, &["audit", "verify"], "").await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let expected = format!(
        "audit chain intact: 5 entries, head {}",
        head.as_str().unwrap()
    );
    assert_eq!(stdout.trim_end(), expected);

    assert_eq!(
        app.exec("UPDATE audit_entries SET summary = 'x' WHERE seq = 3")
            .await,
        1
    );
    let out = candor(&app, &["audit", "verify"], "").await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "stdout: {stdout}");
    let expected = "audit chain BROKEN: entry 3: stored hash does not match its contents";
    assert!(stderr.contains(expected), "stderr: {stderr}");
    assert!(!stdout.contains("intact"), "stdout: {stdout}");
}

#[tokio::test]
async fn a_user_added_by_the_cli_signs_in_with_the_piped_password() {
    let app = spawn_app().await;
    let email = "cli.user@staff.candor.test";
    let args = [
        "user",
        "add",
        "--email",
        email,
        "--role",
        "responder",
        "--role",
        "cx_lead",
    ];
    let out = candor(&app, &args, &format!("{PASSWORD}\n")).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let id = stdout.trim_end().strip_prefix("added user ");
    let id = id.and_then(|rest| rest.strip_suffix(" with roles responder, cx_lead"));
    let id = id.unwrap_or_else(|| panic!("unexpected output: {stdout}"));

    assert_eq!(
        app.login(email, "not the password at all").await.status(),
        401
    );
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    // The roles work: a responder opens incidents.
    app.open_incident(session["token"].as_str().unwrap()).await;

    let admin = app.token(&[Role::Admin]).await;
    let added = audit_log(&app, &admin, "?limit=1").await.remove(0);
    let summary = "user added with roles responder,cx_lead";
    let expected = json!(["cli", "user.added", id, summary]);
    assert_eq!(
        json!([
            added["actor"],
            added["action"],
            added["object_id"],
            added["summary"]
        ]),
        expected
    );

    // Without a password on stdin nothing is added.
    let args = [
        "user",
        "add",
        "--email",
        "other@staff.candor.test",
        "--role",
        "admin",
    ];
    let out = candor(&app, &args, "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no password on standard input"));
    assert_eq!(
        app.login("other@staff.candor.test", PASSWORD)
            .await
            .status(),
        401
    );
}
