//! Duty alerts: a timeline entry and a mail to the commander once per duty and threshold,
//! never for a duty done, mail in the file outbox by default.

use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use super::{done_body, mapped, mark_done};
use crate::helpers::TestApp;
use crate::mapping::Desk;
use crate::smtp_server::SmtpSink;

/// Makes a fresh responder the incident's commander; returns their email address.
async fn appoint_commander(app: &TestApp, desk: &Desk<'_>) -> String {
    let email = format!(
        "commander-{}@staff.candor.test",
        uuid::Uuid::new_v4().simple()
    );
    let id = app
        .add_user(&email, &[candor::domain::Role::Responder])
        .await;
    let response = app
        .patch(&desk.incident)
        .bearer_auth(&desk.token)
        .json(&json!({ "commander_id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    email
}

/// The `.eml` files in the staff outbox, read.
fn outbox(app: &TestApp) -> Vec<String> {
    let dir = app.data_dir.path().join("outbox").join("staff");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut mails: Vec<String> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    mails.sort();
    mails
}

/// `(duty_key, threshold, sent)` of every alert row.
async fn alert_rows(app: &TestApp) -> Vec<(String, String, bool)> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT duty_key, threshold, sent_at IS NOT NULL FROM duty_alerts ORDER BY raised_at, threshold",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
            )
        })
        .collect()
}

async fn alert_entries(desk: &Desk<'_>) -> Vec<Value> {
    let (status, timeline) = desk.get("/timeline").await;
    assert_eq!(status, 200);
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "alert")
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_alert_fires_once_per_threshold_across_repeated_sweeps() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    let commander = appoint_commander(&app, &desk).await;
    app.alerts.sweep().await.unwrap();
    assert!(
        alert_rows(&app).await.is_empty(),
        "nothing is due within 24 hours yet"
    );

    // 23 hours before the GDPR's 72 hours end.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 21, 15, 30, 0).unwrap());
    for _ in 0..3 {
        app.alerts.sweep().await.unwrap();
    }
    let soon = (
        "EU/supervisory_authority".to_owned(),
        "soon".to_owned(),
        true,
    );
    assert_eq!(alert_rows(&app).await, std::slice::from_ref(&soon));
    let entries = alert_entries(&desk).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0]["text"].as_str().unwrap().contains("due soon"));
    let mails = outbox(&app);
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains(&commander),
        "the commander is the recipient"
    );
    assert!(mails[0].contains("EU/supervisory_authority"));

    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap());
    for _ in 0..3 {
        app.alerts.sweep().await.unwrap();
    }
    let overdue = (
        "EU/supervisory_authority".to_owned(),
        "overdue".to_owned(),
        true,
    );
    assert_eq!(alert_rows(&app).await, [soon, overdue]);
    assert_eq!(alert_entries(&desk).await.len(), 2);
    assert_eq!(outbox(&app).len(), 2, "one mail per alert");
    let audit = desk.audit().await;
    let raised = audit
        .iter()
        .filter(|e| e["action"] == "duty.alert_raised")
        .count();
    assert_eq!(raised, 2);
}

#[tokio::test]
async fn a_duty_done_raises_no_alert() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    appoint_commander(&app, &desk).await;
    let (status, body) = mark_done(&desk, "EU/supervisory_authority", done_body()).await;
    assert_eq!(status, 201, "{body}");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap());
    app.alerts.sweep().await.unwrap();
    app.alerts.sweep().await.unwrap();
    assert!(alert_rows(&app).await.is_empty());
    assert!(alert_entries(&desk).await.is_empty());
    assert!(outbox(&app).is_empty());
}

#[tokio::test]
async fn an_alert_without_a_commander_is_written_to_the_timeline_and_mailed_to_nobody() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap());
    app.alerts.sweep().await.unwrap();
    let overdue = (
        "EU/supervisory_authority".to_owned(),
        "overdue".to_owned(),
        false,
    );
    assert_eq!(
        alert_rows(&app).await,
        [overdue],
        "an overdue duty skips the soon alert"
    );
    assert_eq!(alert_entries(&desk).await.len(), 1);
    assert!(outbox(&app).is_empty());
}

#[tokio::test]
async fn a_failed_mail_is_retried_on_the_next_sweep_and_sent_once() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    appoint_commander(&app, &desk).await;
    // The outbox folder replaced by a file: writing the message fails.
    let folder = app.data_dir.path().join("outbox").join("staff");
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap());
    let report = app.alerts.sweep().await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    let unsent = (
        "EU/supervisory_authority".to_owned(),
        "overdue".to_owned(),
        false,
    );
    assert_eq!(alert_rows(&app).await, [unsent]);

    std::fs::remove_file(&folder).unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    app.alerts.sweep().await.unwrap();
    app.alerts.sweep().await.unwrap();
    let sent = (
        "EU/supervisory_authority".to_owned(),
        "overdue".to_owned(),
        true,
    );
    assert_eq!(alert_rows(&app).await, [sent]);
    assert_eq!(outbox(&app).len(), 1);
    assert_eq!(
        alert_entries(&desk).await.len(),
        1,
        "the alert itself is not raised again"
    );
}

#[tokio::test]
async fn a_closed_incident_raises_no_alert() {
    let app = super::app().await;
    let desk = mapped(&app).await;
    appoint_commander(&app, &desk).await;
    let response = app
        .post(&format!("{}/status", desk.incident))
        .bearer_auth(&desk.token)
        .json(&json!({ "status": "closed", "note": "Not a breach after all." }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap());
    app.alerts.sweep().await.unwrap();
    assert!(alert_rows(&app).await.is_empty());
    assert!(outbox(&app).is_empty());
}

#[tokio::test]
async fn an_alert_is_mailed_through_a_real_smtp_server() {
    let sink = SmtpSink::start();
    let url = format!("smtp://127.0.0.1:{}", sink.port());
    let app = crate::mapping::spawn_app_with(move |s| {
        s.jwt_ttl_minutes = 7 * 24 * 60;
        s.smtp_url = Some(secrecy::SecretString::from(url));
    })
    .await;
    let desk = mapped(&app).await;
    let commander = appoint_commander(&app, &desk).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 21, 15, 30, 0).unwrap());
    app.alerts.sweep().await.unwrap();
    app.alerts.sweep().await.unwrap();

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one message for one alert");
    assert!(messages[0].contains(&commander), "{}", messages[0]);
    assert!(messages[0].contains("EU/supervisory_authority"));
    assert!(outbox(&app).is_empty(), "nothing went to the file outbox");
    assert_eq!(
        alert_rows(&app).await,
        [(
            "EU/supervisory_authority".to_owned(),
            "soon".to_owned(),
            true
        )]
    );
}
