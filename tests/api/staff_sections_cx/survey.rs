//! The room's survey section: the response rate, NPS chart and clarity for everyone on the
//! incident team, and the comments for CX leads only.

use candor::domain::Role;

use serde_json::Value;

use crate::delivery::{Person, drain};
use crate::notices::app;
use crate::staff_client::{Browser, room};
use crate::survey::{answer, delivered, invite, survey_notices};

fn person(customer_ref: &str, home: (&'static str, &'static str)) -> Person {
    let email = format!("{}@example.com", customer_ref.to_lowercase());
    let mut p = Person::new(customer_ref, ("Pat", "Lee"), Some(&email));
    p.home = home;
    p
}

#[tokio::test]
async fn the_survey_shows_rate_nps_and_clarity_to_all_and_comments_to_cx_leads_only() {
    let app = app().await;
    let people = [
        person("C1", ("US", "CA")),
        person("C2", ("US", "CA")),
        person("C3", ("US", "NY")),
        person("C4", ("DE", "")),
    ];
    let (desk, lead_desk) = delivered(&app, &people).await;
    survey_notices(&desk).await;
    let (status, _) = invite(&lead_desk).await;
    assert_eq!(status, 200);
    drain(&app).await;
    answer(&desk, "C1", Some(10), Some(5), None).await;
    let rid = answer(&desk, "C2", Some(3), Some(2), Some("Too late & vague.")).await;
    answer(&desk, "C4", Some(9), None, None).await;
    let room = room(&desk);

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    for shown in [
        "<dt>Invited</dt><dd>4</dd>",
        "<dt>Responded</dt><dd>3</dd>",
        "75.0%",
        "<strong>33.3</strong>",
        "3.50 of 5",
        "Too late &amp; vague.",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    assert!(page.contains("<svg viewBox"), "{page}");
    assert_eq!(
        page.matches("<rect class=\"nps-bar nps-").count(),
        11,
        "{page}"
    );
    // Score 10's bar is the full height (one of the most given), score 5's is empty; the table
    // has the same counts.
    assert!(
        page.contains("class=\"nps-bar nps-promoter\" x=\"410\" y=\"25\""),
        "{page}"
    );
    assert!(
        page.contains(
            "class=\"nps-bar nps-detractor\" x=\"210\" y=\"175\" width=\"28\" height=\"0\""
        )
    );
    assert!(
        page.contains("<th scope=\"row\">People</th><td class=\"num\">0</td>"),
        "{page}"
    );
    assert!(!page.contains("style=\""), "no inline style");

    // A CX lead turns the comment into an action they own, and closes it.
    let action = format!("{room}/survey/responses/{rid}/action");
    let opened = lead.submit(&room, &action, &[("title", "")]).await;
    assert_eq!(opened.status(), 303);
    let (_, page) = lead.page(&format!("{room}?done=action-created")).await;
    assert!(page.contains("The follow-up action was opened."), "{page}");
    assert!(page.contains("Follow up on a score of 3"), "{page}");
    assert!(
        page.contains("<td>cx@staff.candor.test</td>"),
        "the owner: {page}"
    );
    let (_, actions) = lead_desk.get("/actions").await;
    let aid = actions[0]["id"].as_str().expect("action id").to_owned();

    // A responder sees the counts but no comment, no action, and cannot act.
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains("75.0%") && page.contains("<strong>33.3</strong>"),
        "{page}"
    );
    assert!(
        !page.contains("Too late"),
        "no comment for a responder: {page}"
    );
    assert!(!page.contains("Follow up on a score"), "{page}");
    assert!(
        page.contains("only CX leads and admins read them"),
        "{page}"
    );
    let close = format!("{room}/survey/actions/{aid}/close");
    let forged = responder
        .submit(&room, &close, &[("resolution", "Done.")])
        .await;
    assert_eq!(forged.status(), 403);
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(actions[0]["status"], "open");

    let closed = lead
        .submit(&room, &close, &[("resolution", "Called them back.")])
        .await;
    assert_eq!(closed.status(), 303);
    let (_, actions) = lead_desk.get("/actions").await;
    assert_eq!(
        (&actions[0]["status"], &actions[0]["resolution"]),
        (&Value::from("closed"), &Value::from("Called them back."))
    );
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("Called them back."), "{page}");
}
