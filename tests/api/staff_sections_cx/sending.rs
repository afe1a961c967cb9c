//! Sending and delivery controls from the room: an approved notice sent once after confirming its
//! head count (with a canary), pausing, resuming and releasing a campaign by role against the
//! real file outbox, and a campaign that paused itself saying so and why.

use candor::domain::Role;

use serde_json::Value;

use super::{pairs, with, words};
use crate::delivery::{
    approved_notice, count_rows, crowd, drain, only, sent_campaign, stored_counts,
};
use crate::notices::{app, audited, clean_content, notice};
use crate::staff_client::{Browser, location, room};

/// The `.eml` files the file outbox holds.
fn mails(app: &crate::helpers::TestApp) -> usize {
    let dir = candor::delivery::notice_outbox(app.data_dir.path());
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[tokio::test]
async fn a_cx_lead_sends_from_the_room_after_confirming_the_count_and_a_second_send_adds_nothing() {
    let app = app().await;
    let desk = crowd(&app, 3).await;
    let room = room(&desk);
    let nid = approved_notice(&desk).await;
    let send = format!("{room}/notices/{nid}/send");
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;

    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("This notice goes to <strong>3 people</strong>"),
        "{page}"
    );
    assert!(page.contains(&format!(
        "id=\"confirm-{nid}\" name=\"confirm\" type=\"checkbox\" value=\"3\" required>"
    )));

    // Without the box ticked, or with a canary of nobody, nothing is sent.
    let unconfirmed = lead.submit(&room, &send, &[("canary", "")]).await;
    assert_eq!(unconfirmed.status(), 422);
    let body = unconfirmed.text().await.expect("body");
    assert!(
        body.contains("Tick the box confirming that the notice goes to 3 people."),
        "{body}"
    );
    let nobody = lead
        .submit(&room, &send, &[("canary", "0"), ("confirm", "3")])
        .await;
    assert_eq!(nobody.status(), 422);
    assert_eq!(count_rows(&app, "outbox").await, 0);

    // Someone outside the incident team sees the button disabled with the reason; a forged
    // post is refused with it.
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let (_, page) = admin.page(&room).await;
    let why = "Only responders and CX leads send notices.";
    assert!(page.contains(&format!(
        "disabled aria-describedby=\"send-why-{nid}\">Send the notice"
    )));
    assert!(page.contains(why), "{page}");
    let forged = admin.submit(&room, &send, &[("confirm", "3")]).await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.expect("body").contains(why));
    assert_eq!(count_rows(&app, "outbox").await, 0);

    // A canary of one: the first person now, the other two held.
    let sent = lead
        .submit(&room, &send, &[("canary", "1"), ("confirm", "3")])
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), format!("{room}?done=notice-sent#delivery"));
    assert_eq!(
        stored_counts(&app).await,
        only(&[("pending", 1), ("held", 2)])
    );
    assert_eq!(notice(&desk, &nid).await["status"], "sent");

    // The second click adds nothing and says so.
    let again = lead
        .submit(&room, &send, &[("canary", "1"), ("confirm", "3")])
        .await;
    assert_eq!(again.status(), 200);
    let body = again.text().await.expect("body");
    assert!(
        body.contains("This notice was already sent: it was queued for 3 people"),
        "{body}"
    );
    assert!(body.contains("Nothing more was queued."), "{body}");
    assert_eq!(count_rows(&app, "outbox").await, 3);
    assert_eq!(audited(&desk, "notice.sent").await.len(), 1);

    let stats = drain(&app).await;
    assert_eq!(stats.sent, 1, "{stats:?}");
    assert_eq!(mails(&app), 1);
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("the first 1 as a canary"), "{page}");
    assert!(
        page.contains("Canary of 1: 2 people held until a CX lead releases them."),
        "{page}"
    );
    assert!(page.contains("Canary sent; the rest held"), "{page}");
    assert!(
        !page.contains(&format!("action=\"{send}\"")),
        "no send form once sent: {page}"
    );

    // A sent notice's words can no longer change: the reason, and the words kept.
    let edit = format!("{room}/notices/{nid}/edit");
    let version = notice(&desk, &nid).await["version"]
        .as_i64()
        .expect("version");
    let fields = with(
        &words(&clean_content(), version),
        "what_happened",
        "Typed after sending.",
    );
    let late = lead.submit(&edit, &edit, &pairs(&fields)).await;
    assert_eq!(late.status(), 409);
    let body = late.text().await.expect("body");
    assert!(
        body.contains("has been sent and can no longer change"),
        "{body}"
    );
    assert!(body.contains(">Typed after sending.</textarea>"), "{body}");
}

#[tokio::test]
async fn pause_resume_and_release_from_the_delivery_section_follow_the_roles() {
    let app = app().await;
    let desk = crowd(&app, 4).await;
    let room = room(&desk);
    let cid = sent_campaign(&desk, Some(serde_json::json!({ "canary": 1 }))).await;
    let steer = |verb: &str| format!("{room}/delivery/campaigns/{cid}/{verb}");
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;

    // A responder sees the release disabled with the reason, and is refused it.
    let (_, page) = responder.page(&room).await;
    let lead_only = "Only a CX lead can do this: they answer for what customers receive.";
    assert!(page.contains(&format!(
        "disabled aria-describedby=\"steer-why-{cid}\">Release the 3 held"
    )));
    assert!(page.contains(lead_only), "{page}");
    let refused = responder.submit(&room, &steer("release"), &[]).await;
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.expect("body");
    assert!(body.contains("Only a CX lead can resume a campaign or release its held messages"));
    assert_eq!(
        stored_counts(&app).await,
        only(&[("pending", 1), ("held", 3)])
    );

    // A responder pauses, with a reason; nothing goes out while paused.
    let paused = responder
        .submit(
            &room,
            &steer("pause"),
            &[("reason", "Checking the wording")],
        )
        .await;
    assert_eq!(paused.status(), 303);
    assert_eq!(
        location(&paused),
        format!("{room}?done=campaign-paused#delivery")
    );
    let (_, page) = responder.page(&room).await;
    assert!(page.contains("campaign-paused\">Paused</span>"), "{page}");
    assert!(page.contains("by resp@staff.candor.test"), "{page}");
    assert!(page.contains("Checking the wording"), "{page}");
    let live = responder.live(&room).await;
    let shown = &live["delivery"]["campaigns"][0];
    assert_eq!(
        (&shown["state"], &shown["state_reason"]),
        (&Value::from("paused"), &Value::from("Checking the wording")),
        "{live}"
    );
    assert_eq!(shown["holding"], true, "{live}");
    assert_eq!(drain(&app).await.claimed, 0);
    let twice = responder.submit(&room, &steer("pause"), &[]).await;
    assert_eq!(twice.status(), 409);
    assert!(twice.text().await.expect("body").contains("already paused"));

    // Only a CX lead resumes.
    assert!(page.contains(&format!(
        "disabled aria-describedby=\"steer-why-{cid}\">Resume"
    )));
    let refused = responder.submit(&room, &steer("resume"), &[]).await;
    assert_eq!(refused.status(), 403);
    let resumed = lead.submit(&room, &steer("resume"), &[]).await;
    assert_eq!(resumed.status(), 303);
    assert_eq!(drain(&app).await.sent, 1);
    assert_eq!(mails(&app), 1);

    // A CX lead releases the rest, once.
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains(">Release the 3 held</button>"),
        "enabled: {page}"
    );
    let released = lead.submit(&room, &steer("release"), &[]).await;
    assert_eq!(released.status(), 303);
    assert_eq!(
        stored_counts(&app).await,
        only(&[("sent", 1), ("pending", 3)])
    );
    assert_eq!(drain(&app).await.sent, 3);
    assert_eq!(mails(&app), 4);
    let again = lead.submit(&room, &steer("release"), &[]).await;
    assert_eq!(again.status(), 409);
    assert!(
        again
            .text()
            .await
            .expect("body")
            .contains("already released")
    );
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("campaign-running\">Sent</span>"), "{page}");
    assert!(page.contains("the rest released at"), "{page}");
    assert_eq!(audited(&desk, "delivery.released").await.len(), 1);

    // Outside the incident team: refused, nothing changed.
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let forged = admin.submit(&room, &steer("pause"), &[]).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(audited(&desk, "delivery.paused").await.len(), 1);
}

#[tokio::test]
async fn a_campaign_that_paused_itself_says_so_and_why_and_a_cx_lead_resumes_it_from_the_room() {
    use crate::smtp_server::{Reply, TestSmtp};
    let smtp = TestSmtp::start().await;
    smtp.script(|_, _| Reply::Permanent);
    // As in the API's test: one sender, five rows at a time, held to 50 a second, so the
    // failure-rate guard pauses the campaign long before everyone is tried.
    let app = crate::delivery::smtp_app(&smtp, |s| {
        s.delivery_auto_pause_rate = 0.2;
        s.delivery_concurrency = 1;
        s.delivery_batch = 5;
        s.delivery_rate = 50;
    })
    .await;
    let desk = crowd(&app, 100).await;
    let room = room(&desk);
    let cid = sent_campaign(&desk, None).await;
    drain(&app).await;

    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains("campaign-paused\">Paused automatically</span>"),
        "{page}"
    );
    assert!(page.contains("50 of the last 50 messages failed"), "{page}");
    assert!(
        !page.contains("<span class=\"small\">by "),
        "nobody paused it: {page}"
    );
    assert!(page.contains(&format!(
        "disabled aria-describedby=\"steer-why-{cid}\">Resume"
    )));
    let live = responder.live(&room).await;
    assert_eq!(
        live["delivery"]["campaigns"][0]["state"], "paused",
        "{live}"
    );
    assert_eq!(live["running"], false, "{live}");

    smtp.script(|_, _| Reply::Accept);
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(page.contains(">Resume</button>"), "enabled: {page}");
    let resumed = lead
        .submit(
            &room,
            &format!("{room}/delivery/campaigns/{cid}/resume"),
            &[],
        )
        .await;
    assert_eq!(resumed.status(), 303);
    let rest = drain(&app).await;
    assert!(rest.sent > 0, "{rest:?}");
    assert_eq!(audited(&desk, "delivery.resumed").await.len(), 1);
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("campaign-running\">Sent</span>"), "{page}");
}
