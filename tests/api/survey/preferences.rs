//! People's contact preferences honoured by later messages: only what the law requires (no
//! update, no survey), weekly (the next message waits a week from the last), and the channel
//! they chose.

use chrono::Duration;
use serde_json::json;

use super::{approved_kind, delivered, invite, prefer, rows, survey_notices};
use crate::delivery::{Person, drain, numbered, send};
use crate::notices::app;

/// Sends an approved update notice to the desk's incident; returns its slot (its id).
async fn send_update(desk: &crate::mapping::Desk<'_>) -> String {
    let nid = approved_kind(
        desk,
        "update",
        json!({ "update": "We found out that the copied records also held order dates." }),
    )
    .await;
    let (status, body) = send(desk, &nid, None).await;
    assert_eq!(status, 202, "{body}");
    nid
}

#[tokio::test]
async fn people_who_want_only_what_the_law_requires_get_no_update_and_no_survey() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(2)).await;
    prefer(&desk, "P0001", "email", "required").await;

    let slot = send_update(&desk).await;
    let updated: Vec<_> = rows(&app, &slot).await;
    assert_eq!(updated.len(), 1, "{updated:#?}");
    assert_eq!(updated[0].customer_ref.as_deref(), Some("P0002"));
    let (_, overview) = desk.get("/delivery").await;
    let update = overview["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["kind"] == "update")
        .expect("the update's campaign");
    assert_eq!(
        (&update["kind"], &update["declined"]),
        (&json!("update"), &json!(1))
    );

    survey_notices(&desk).await;
    let (_, report) = invite(&lead).await;
    assert_eq!(report["invitations_due"], 1, "{report}");
    drain(&app).await;
    let invited: Vec<_> = rows(&app, "survey-invitation")
        .await
        .into_iter()
        .filter_map(|r| r.customer_ref)
        .collect();
    assert_eq!(invited, ["P0002"]);
}

#[tokio::test]
async fn a_weekly_person_hears_again_no_sooner_than_a_week_after_their_last_message() {
    let app = app().await;
    let (desk, _) = delivered(&app, &numbered(2)).await;
    let delivered_at = rows(&app, "initial-notice").await[0].sent_at.expect("sent");
    prefer(&desk, "P0001", "email", "weekly").await;

    app.clock.advance(Duration::days(2));
    // Signed in again: the clock moved past the first sign-in's expiry.
    let desk = desk.as_role(&[candor::domain::Role::Responder]).await;
    let slot = send_update(&desk).await;
    drain(&app).await;
    let update = rows(&app, &slot).await;
    let weekly = update
        .iter()
        .find(|r| r.customer_ref.as_deref() == Some("P0001"))
        .expect("P0001 has the update, held for their slot");
    assert_eq!(weekly.status, "pending");
    assert_eq!(weekly.next_attempt_at, delivered_at + Duration::days(7));
    let other = update
        .iter()
        .find(|r| r.customer_ref.as_deref() == Some("P0002"))
        .expect("P0002 has the update");
    assert_eq!(other.status, "sent");

    app.clock.advance(Duration::days(5) - Duration::minutes(1));
    drain(&app).await;
    assert_eq!(rows(&app, &slot).await[0].status, "pending");
    app.clock.advance(Duration::minutes(1));
    drain(&app).await;
    assert!(rows(&app, &slot).await.iter().all(|r| r.status == "sent"));
}

#[tokio::test]
async fn a_person_who_chose_post_gets_later_messages_by_post_and_sms_falls_back() {
    let app = app().await;
    let people = vec![
        Person::new("P0001", ("Ana", "Ortiz"), Some("ana@example.com")),
        Person::new("P0002", ("Ben", "Cole"), Some("ben@example.com")),
    ];
    let (desk, _) = delivered(&app, &people).await;
    prefer(&desk, "P0001", "postal", "every").await;
    prefer(&desk, "P0002", "sms", "every").await;
    let slot = send_update(&desk).await;
    let channels: Vec<(Option<String>, String)> = rows(&app, &slot)
        .await
        .into_iter()
        .map(|r| (r.customer_ref, r.channel))
        .collect();
    assert_eq!(
        channels,
        [
            (Some("P0001".to_owned()), "postal".to_owned()),
            (Some("P0002".to_owned()), "email".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_weekly_person_is_reminded_in_their_weekly_slot_not_before() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(2)).await;
    survey_notices(&desk).await;
    super::schedule(
        &lead,
        json!({ "invite_after_days": 0, "remind_after_days": 5 }),
    )
    .await;
    super::pass_and_drain(&app).await;
    assert_eq!(rows(&app, "survey-invitation").await.len(), 2);
    prefer(&desk, "P0001", "email", "weekly").await;

    app.clock.advance(Duration::days(5));
    super::pass_and_drain(&app).await;
    let reminded: Vec<_> = rows(&app, "survey-reminder")
        .await
        .into_iter()
        .filter_map(|r| r.customer_ref)
        .collect();
    assert_eq!(reminded, ["P0002"], "P0001 waits for their weekly slot");

    app.clock.advance(Duration::days(2));
    super::pass_and_drain(&app).await;
    let reminded: Vec<_> = rows(&app, "survey-reminder")
        .await
        .into_iter()
        .filter_map(|r| r.customer_ref)
        .collect();
    assert_eq!(reminded, ["P0001", "P0002"]);
}
