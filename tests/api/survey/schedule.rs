//! The survey's schedule and waves with a manual clock: invitations a set time after each
//! person's notice was delivered, one reminder to those who did not answer, nobody whose
//! notice bounced or who was not yet delivered, inviting at once, and the refusals.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::{
    answer, approved_kind, call, delivered, invite, pass_and_drain, refs, rows, schedule,
    survey_notices,
};
use crate::delivery::{drain, numbered, send};
use crate::notices::app;

fn days(n: i64) -> Duration {
    Duration::days(n)
}

#[tokio::test]
async fn invitations_go_a_week_after_delivery_and_one_reminder_five_days_later_to_non_responders() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(3)).await;
    survey_notices(&desk).await;
    let body = schedule(&lead, json!({})).await;
    assert_eq!(
        (&body["invite_after_days"], &body["remind_after_days"]),
        (&json!(7.0), &json!(5.0))
    );

    app.clock.advance(days(7) - Duration::minutes(1));
    pass_and_drain(&app).await;
    assert!(rows(&app, "survey-invitation").await.is_empty());

    app.clock.advance(Duration::minutes(1));
    pass_and_drain(&app).await;
    let invited = rows(&app, "survey-invitation").await;
    assert_eq!(
        refs(&app, "survey-invitation").await,
        ["P0001", "P0002", "P0003"]
    );
    assert!(invited.iter().all(|r| r.status == "sent"), "{invited:#?}");

    // P0002 answers; four days on nobody is reminded yet.
    answer(&desk, "P0002", Some(9), Some(5), None).await;
    app.clock.advance(days(4));
    pass_and_drain(&app).await;
    assert!(rows(&app, "survey-reminder").await.is_empty());

    app.clock.advance(days(1));
    pass_and_drain(&app).await;
    assert_eq!(refs(&app, "survey-reminder").await, ["P0001", "P0003"]);

    // One reminder at most, however long the schedule runs; no second invitation either.
    app.clock.advance(days(30));
    pass_and_drain(&app).await;
    pass_and_drain(&app).await;
    assert_eq!(rows(&app, "survey-reminder").await.len(), 2);
    assert_eq!(rows(&app, "survey-invitation").await.len(), 3);
}

#[tokio::test]
async fn a_person_whose_notice_bounced_is_never_invited() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(2)).await;
    survey_notices(&desk).await;
    schedule(&lead, json!({ "invite_after_days": 1 })).await;
    let marked = app
        .exec(
            "UPDATE outbox_state SET status = 'bounced' \
             WHERE id IN (SELECT id FROM outbox WHERE customer_ref = 'P0001')",
        )
        .await;
    assert_eq!(marked, 1);

    app.clock.advance(days(1));
    pass_and_drain(&app).await;
    assert_eq!(refs(&app, "survey-invitation").await, ["P0002"]);
}

#[tokio::test]
async fn people_whose_notice_is_not_delivered_yet_wait_for_it() {
    let app = app().await;
    let desk = crate::delivery::seeded(&app, &numbered(2)).await;
    let nid = approved_kind(&desk, "initial-notice", json!({})).await;
    assert_eq!(send(&desk, &nid, None).await.0, 202);
    survey_notices(&desk).await;
    let (_, lead) = crate::notices::lead(&desk).await;

    // Queued, not sent: inviting now finds nobody due.
    let (status, report) = invite(&lead).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["invitations_due"], 0);
    assert!(report["invitation_wave"].is_null());

    drain(&app).await;
    let (_, report) = invite(&lead).await;
    assert_eq!(report["invitations_due"], 2, "{report}");
}

#[tokio::test]
async fn inviting_now_skips_the_wait_and_never_invites_anyone_twice() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(3)).await;
    survey_notices(&desk).await;

    let (status, report) = invite(&lead).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["invitations_due"], 3);
    let wave = &report["invitation_wave"];
    assert_eq!(wave["counts"]["pending"], 3, "{wave}");
    // Nobody was invited before, so nobody is due a reminder.
    assert_eq!(report["reminders_due"], 0);

    let (_, again) = invite(&lead).await;
    assert_eq!(again["invitations_due"], 0, "{again}");
    assert!(again["invitation_wave"].is_null());
    drain(&app).await;
    assert_eq!(rows(&app, "survey-invitation").await.len(), 3);

    // Each wave is its own campaign of the one invitation notice.
    let (_, overview) = desk.get("/delivery").await;
    let mut kinds: Vec<&str> = overview["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["initial-notice", "survey-invitation"], "{overview}");
}

#[tokio::test]
async fn a_survey_wave_needs_an_approved_invitation_and_stops_when_the_survey_closes() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(1)).await;
    let (status, body) = invite(&lead).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("no_invitation"))
    );

    // The survey closed the day before today (the app's clock reads 2026-11-20).
    approved_kind(
        &desk,
        "survey-invitation",
        json!({ "survey_closes_on": "2026-11-19" }),
    )
    .await;
    let (status, body) = invite(&lead).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("survey_closed")),
        "{body}"
    );
    assert!(rows(&app, "survey-invitation").await.is_empty());
}

#[tokio::test]
async fn a_survey_notice_is_not_sent_like_a_notice_and_only_cx_leads_invite() {
    let app = app().await;
    let (desk, _lead) = delivered(&app, &numbered(1)).await;
    let nid = approved_kind(&desk, "survey-invitation", json!({})).await;
    let (status, body) = send(&desk, &nid, None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("sent_by_survey")),
        "{body}"
    );

    let (status, _) = invite(&desk).await;
    assert_eq!(status, 403);
    let (status, _) = call(&desk, Method::PUT, "/survey/schedule", json!({})).await;
    assert_eq!(status, 403);
    assert!(rows(&app, "survey-invitation").await.is_empty());
}

#[tokio::test]
async fn a_schedule_without_reminders_sends_none_and_rejects_absurd_waits() {
    let app = app().await;
    let (desk, lead) = delivered(&app, &numbered(1)).await;
    survey_notices(&desk).await;
    let body = schedule(
        &lead,
        json!({ "invite_after_days": 0, "remind_after_days": null }),
    )
    .await;
    assert!(body["remind_after_days"].is_null(), "{body}");
    pass_and_drain(&app).await;
    assert_eq!(rows(&app, "survey-invitation").await.len(), 1);
    app.clock.advance(days(60));
    pass_and_drain(&app).await;
    assert!(rows(&app, "survey-reminder").await.is_empty());

    // Signed in again: the clock moved past the first sign-in's expiry.
    let (_, lead) = crate::notices::lead(&desk).await;
    let desk = desk.as_role(&[candor::domain::Role::Responder]).await;
    let absurd = json!({ "invite_after_days": 400 });
    let (status, body) = call(&lead, Method::PUT, "/survey/schedule", absurd).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"][0]["field"], "invite_after_days");
    let (status, kept) = desk.get("/survey/schedule").await;
    assert_eq!((status, &kept["invite_after_days"]), (200, &json!(0.0)));
}
