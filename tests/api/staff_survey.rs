//! The staff app's survey section: its schedule, invitation waves and follow-up actions, driven
//! over HTTP as a signed-in CX lead would. A CX lead sets the schedule (a refused one keeps
//! what was typed), sends an invitation wave that reaches the people due and says who was left
//! out and why, opens an action for a chosen owner and hands it over, and downloads the
//! responses' CSV; a responder sees the buttons disabled with the reason and a forged post
//! changes nothing; on SQLite and PostgreSQL.

use candor::domain::Role;
use serde_json::{Value, json};

use crate::delivery::{drain, numbered};
use crate::notices::app;
use crate::staff_client::{Browser, location, room};
use crate::survey::{answer, delivered, invite, prefer, refs, survey_notices};

/// Text as the pages escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('\'', "&#x27;")
        .replace('=', "&#x3D;")
}

/// The `value` of the `<option>` showing `email` (the first one).
fn option_value(page: &str, email: &str) -> String {
    let end = page
        .find(&format!(">{email}</option>"))
        .unwrap_or_else(|| panic!("no option for {email} in {page}"));
    let start = page[..end].rfind("value=\"").expect("an option value") + 7;
    let value = &page[start..];
    value[..value.find('"').expect("closing quote")].to_owned()
}

#[tokio::test]
async fn a_cx_lead_sets_the_schedule_and_a_refused_one_keeps_what_was_typed() {
    let app = app().await;
    let (desk, lead_desk) = delivered(&app, &numbered(2)).await;
    let room = room(&desk);
    let form = format!("{room}/survey/schedule");
    let invite_field = "name=\"invite_after_days\" type=\"text\" inputmode=\"numeric\" value=\"";
    let remind_field = "name=\"remind_after_days\" type=\"text\" inputmode=\"numeric\" value=\"";

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("No schedule yet"), "{page}");
    assert!(
        page.contains(&format!("{invite_field}7\"")),
        "defaults: {page}"
    );
    assert!(
        page.contains(&format!("{remind_field}5\"")),
        "defaults: {page}"
    );

    let saved = lead
        .submit(
            &room,
            &form,
            &[("invite_after_days", "3"), ("remind_after_days", "")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert!(
        location(&saved).ends_with("#survey"),
        "{}",
        location(&saved)
    );
    let (status, schedule) = lead_desk.get("/survey/schedule").await;
    assert_eq!(status, 200, "{schedule}");
    assert_eq!(
        (
            &schedule["invite_after_days"],
            &schedule["remind_after_days"]
        ),
        (&json!(3.0), &Value::Null)
    );
    let (_, page) = lead.page(&room).await;
    assert!(page.contains(&format!("{invite_field}3\"")), "{page}");
    assert!(page.contains(&format!("{remind_field}\"")), "{page}");
    assert!(page.contains("<dt>Reminder</dt><dd>none</dd>"), "{page}");
    assert!(page.contains("by cx@staff.candor.test"), "{page}");

    // The use-case refuses a wait over a year: the reason shows, the typed values stay in
    // the form, and the saved schedule is unchanged.
    let refused = lead
        .submit(
            &room,
            &form,
            &[("invite_after_days", "400"), ("remind_after_days", "9")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("Days after delivery before the invitation: must be at most 365 days"),
        "{page}"
    );
    assert!(page.contains(&format!("{invite_field}400\"")), "{page}");
    assert!(page.contains(&format!("{remind_field}9\"")), "{page}");
    assert!(page.contains("Not saved yet"), "{page}");
    // Words instead of a number are refused at the form, naming the field.
    let refused = lead
        .submit(
            &room,
            &form,
            &[("invite_after_days", "2"), ("remind_after_days", "a week")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("Days after the invitation before the reminder: enter a whole number"),
        "{page}"
    );
    assert!(page.contains(&format!("{invite_field}2\"")), "{page}");
    assert!(page.contains(&format!("{remind_field}a week\"")), "{page}");
    let (_, schedule) = lead_desk.get("/survey/schedule").await;
    assert_eq!(schedule["invite_after_days"], json!(3.0), "{schedule}");

    // A responder sees the schedule and the form disabled with the reason; a forged post is
    // refused with it and changes nothing.
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    let why = escaped("Only a CX lead sets the survey's schedule.");
    assert!(page.contains(&why), "{page}");
    assert!(
        page.contains("disabled aria-describedby=\"survey-schedule-why\">Save the schedule"),
        "{page}"
    );
    let forged = responder
        .submit(
            &room,
            &form,
            &[("invite_after_days", "1"), ("remind_after_days", "1")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.expect("body").contains(&why));
    let (_, schedule) = lead_desk.get("/survey/schedule").await;
    assert_eq!(
        (
            &schedule["invite_after_days"],
            &schedule["remind_after_days"]
        ),
        (&json!(3.0), &Value::Null)
    );
}

#[tokio::test]
async fn an_invitation_wave_from_the_page_reaches_the_people_due_and_says_who_waits() {
    let app = app().await;
    let (desk, _) = delivered(&app, &numbered(3)).await;
    // P0003 hears at most weekly, and just had the notice.
    prefer(&desk, "P0003", "email", "weekly").await;
    let room = room(&desk);
    let action = format!("{room}/survey/invite");

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("There is no approved survey invitation yet"),
        "{page}"
    );
    survey_notices(&desk).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("<button type=\"submit\">Send the wave now: it reaches 3 people</button>"),
        "{page}"
    );

    // A responder sees the button disabled with the reason, and a forged post sends nothing.
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    let why = "Only a CX lead sends survey invitations.";
    assert!(
        page.contains("disabled aria-describedby=\"survey-invite-why\">Send the wave now"),
        "{page}"
    );
    assert!(page.contains(why), "{page}");
    let forged = responder.submit(&room, &action, &[]).await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.expect("body").contains(why));
    assert!(refs(&app, "survey-invitation").await.is_empty());

    let sent = lead.submit(&room, &action, &[]).await;
    assert_eq!(sent.status(), 200);
    let page = sent.text().await.expect("body");
    assert!(
        page.contains("2 of the 3 due the invitation were queued for it."),
        "{page}"
    );
    assert!(
        page.contains("<li>1 wait for their weekly slot</li>"),
        "{page}"
    );
    drain(&app).await;
    assert_eq!(refs(&app, "survey-invitation").await, ["P0001", "P0002"]);
    // The weekly person is still due; the others are not.
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("it reaches 1 person"), "{page}");
}

#[tokio::test]
async fn a_follow_up_action_gets_the_owner_chosen_and_is_handed_over() {
    let app = app().await;
    let (desk, lead_desk) = delivered(&app, &numbered(2)).await;
    survey_notices(&desk).await;
    let (status, _) = invite(&lead_desk).await;
    assert_eq!(status, 200);
    drain(&app).await;
    let rid = answer(&desk, "P0001", Some(2), None, Some("Nobody called back.")).await;
    let room = room(&desk);
    let open = format!("{room}/survey/responses/{rid}/action");
    let other = app
        .add_user("other-cx@staff.candor.test", &[Role::CxLead])
        .await;
    let ops = app
        .add_user("ops@staff.candor.test", &[Role::Responder])
        .await;

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    // The person opening it is chosen by default; only CX leads are offered.
    assert!(
        page.contains(" selected>cx@staff.candor.test</option>"),
        "{page}"
    );
    assert!(
        page.contains(">other-cx@staff.candor.test</option>"),
        "{page}"
    );
    assert!(!page.contains(">ops@staff.candor.test</option>"), "{page}");
    let me = option_value(&page, "cx@staff.candor.test");

    // A responder cannot own one.
    let refused = lead
        .submit(
            &room,
            &open,
            &[("title", ""), ("owner_id", &ops.to_string())],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("the owner must be an active CX lead"),
        "{page}"
    );
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(actions, json!([]));

    let opened = lead
        .submit(
            &room,
            &open,
            &[("title", "Call them"), ("owner_id", &other.to_string())],
        )
        .await;
    assert_eq!(opened.status(), 303);
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(actions[0]["owner_id"], json!(other), "{actions}");
    let aid = actions[0]["id"].as_str().expect("action id").to_owned();
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("<td>other-cx@staff.candor.test</td>"),
        "{page}"
    );

    // A responder cannot hand it over.
    let hand_over = format!("{room}/survey/actions/{aid}/owner");
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let forged = responder
        .submit(&room, &hand_over, &[("owner_id", &me)])
        .await;
    assert_eq!(forged.status(), 403);
    let page = forged.text().await.expect("body");
    assert!(
        page.contains("Only a CX lead hands over follow-up actions."),
        "{page}"
    );
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(actions[0]["owner_id"], json!(other), "{actions}");

    let handed = lead.submit(&room, &hand_over, &[("owner_id", &me)]).await;
    assert_eq!(handed.status(), 303);
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(actions[0]["owner_id"].as_str(), Some(me.as_str()));
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("<td>cx@staff.candor.test</td>"), "{page}");
}

#[tokio::test]
async fn only_cx_leads_and_admins_download_the_responses_csv() {
    let app = app().await;
    let (desk, lead_desk) = delivered(&app, &numbered(2)).await;
    survey_notices(&desk).await;
    let (status, _) = invite(&lead_desk).await;
    assert_eq!(status, 200);
    drain(&app).await;
    answer(&desk, "P0002", Some(9), Some(4), Some("Clear, thank you.")).await;
    let room = room(&desk);
    let csv = format!("{room}/survey/responses.csv");

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains(&format!("<a href=\"{csv}\" download>")),
        "{page}"
    );
    let download = lead.get(&csv).await;
    assert_eq!(download.status(), 200);
    let kind = download.headers()["content-type"].to_str().expect("type");
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(download.headers()["cache-control"], "no-store");
    let body = download.text().await.expect("body");
    assert!(body.contains("Clear, thank you."), "{body}");

    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    assert_eq!(admin.get(&csv).await.status(), 200);

    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(!page.contains(&csv), "no link for a responder: {page}");
    let (status, page) = responder.page(&csv).await;
    assert_eq!(status, 403);
    assert!(!page.contains("Clear, thank you."), "{page}");
    assert!(
        page.contains("only CX leads and admins download them"),
        "{page}"
    );
}
