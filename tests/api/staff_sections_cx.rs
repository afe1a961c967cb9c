//! The incident room's notices and survey sections over HTTP: drafts listed with their lint
//! findings and where each was seen, the dry run, approval by a CX lead through the form with
//! the content hash shown (a responder sees the button disabled with the reason, and a forged
//! post changes nothing), the preview of a chosen person's text and HTML side by side, and the
//! survey's rate, NPS chart, clarity and comments (comments for CX leads only); on SQLite and
//! PostgreSQL.

use candor::domain::Role;

use serde_json::Value;

use crate::delivery::{Person, crowd, drain, seeded};
use crate::notices::{app, at, audited, clean_draft, lint_report, notice};
use crate::staff_client::{Browser, location, room};
use crate::survey::{answer, delivered, invite, survey_notices};

/// Text as the pages escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('=', "&#x3D;")
        .replace('`', "&#x60;")
}

#[tokio::test]
async fn drafts_are_listed_with_their_lint_findings_where_they_were_seen_and_the_dry_run() {
    let app = app().await;
    let desk = crowd(&app, 3).await;
    let room = room(&desk);
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(page.contains("id=\"notices\""), "{page}");
    assert!(page.contains("No notices drafted yet."), "{page}");

    let drafted = responder
        .submit(
            &room,
            &format!("{room}/notices"),
            &[("kind", "initial-notice")],
        )
        .await;
    assert_eq!(drafted.status(), 303);
    assert_eq!(
        location(&drafted),
        format!("{room}?done=notice-created#notices")
    );
    let (_, list) = desk.get("/notices").await;
    let nid = list[0]["id"].as_str().expect("a draft").to_owned();
    let (_, page) = responder.page(&format!("{room}?done=notice-created")).await;
    assert!(page.contains("The notice was drafted."), "{page}");
    assert!(page.contains(&format!("id=\"notice-{nid}\"")), "{page}");
    assert!(page.contains("Not linted since the last change."), "{page}");

    // A stock phrase in the draft's own words: a finding located at its field and line.
    let stock = "Out of an abundance of caution, we are writing to you about an event in our billing system.";
    crate::notices::patch(&desk, &nid, serde_json::json!({ "what_happened": stock })).await;
    let linted = responder
        .submit(&room, &format!("{room}/notices/{nid}/lint"), &[])
        .await;
    assert_eq!(linted.status(), 303);
    assert_eq!(
        location(&linted),
        format!("{room}?done=notice-linted#notice-{nid}")
    );
    let (_, page) = responder.page(&room).await;
    // The same verdict the API gives, each finding with its place.
    let report = lint_report(&desk, &nid).await;
    let summary = format!(
        "{} errors, {} warnings over {} variants.",
        report["errors"], report["warnings"], report["variants_checked"]
    );
    assert!(page.contains(&summary), "{summary} in {page}");
    let findings = report["findings"].as_array().expect("findings");
    let tone = findings
        .iter()
        .find(|f| f["code"] == "tone.abundance_of_caution")
        .unwrap_or_else(|| panic!("the stock phrase is found: {report}"));
    assert_eq!(tone["location"]["line"], 1, "{tone}");
    assert!(
        page.contains(&escaped("draft.what_happened, line 1")),
        "{page}"
    );
    assert!(page.contains(&escaped(tone["message"].as_str().expect("message"))));
    assert!(page.contains(&escaped(tone["suggestion"].as_str().expect("fix"))));
    // Every finding shows where it was seen: its file (and line), or the whole notice.
    for f in findings {
        let place = match (
            f["location"]["file"].as_str(),
            f["location"]["line"].as_u64(),
        ) {
            (Some(file), Some(line)) => format!(
                "<code class=\"place\">{}</code>",
                escaped(&format!("{file}, line {line}"))
            ),
            (Some(file), None) => format!("<code class=\"place\">{}</code>", escaped(file)),
            _ => "the whole notice".to_owned(),
        };
        assert!(page.contains(&place), "{place} in {page}");
    }
    assert!(page.contains("badge severity-error"), "{page}");

    let dry = crate::notices::dry_run(&desk, &nid).await;
    let key = dry["variants"][0]["key"].as_str().expect("variant key");
    assert!(page.contains("3 people in 1 variants"), "{page}");
    assert!(
        page.contains(&format!("<option value=\"{}\">", escaped(key))),
        "{page}"
    );
}

#[tokio::test]
async fn a_responder_cannot_approve_and_a_cx_lead_approves_through_the_form_seeing_the_hash() {
    let app = app().await;
    let desk = crowd(&app, 2).await;
    let room = room(&desk);
    let nid = clean_draft(&desk).await;
    let approve = format!("{room}/notices/{nid}/approve");

    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains(&format!("disabled aria-describedby=\"approve-why-{nid}\"")),
        "{page}"
    );
    assert!(
        page.contains("Only a CX lead can approve a notice."),
        "{page}"
    );
    let forged = responder.submit(&room, &approve, &[]).await;
    assert_eq!(forged.status(), 403);
    let body = forged.text().await.expect("body");
    assert!(body.contains("only a CX lead can approve") || body.contains("Only a CX lead"));
    // Without the form token nothing happens either, even for a CX lead.
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let tokenless = lead.post(&approve, &[]).await;
    assert_eq!(tokenless.status(), 403);
    assert_eq!(notice(&desk, &nid).await["status"], "draft");
    assert!(audited(&desk, "notice.approved").await.is_empty());

    let (_, page) = lead.page(&room).await;
    assert!(
        !page.contains(&format!("approve-why-{nid}")),
        "enabled: {page}"
    );
    let approved = lead.submit(&room, &approve, &[]).await;
    assert_eq!(approved.status(), 303);
    assert_eq!(
        location(&approved),
        format!("{room}?done=notice-approved#notice-{nid}")
    );
    let stored = notice(&desk, &nid).await;
    assert_eq!(stored["status"], "approved", "{stored}");
    let hash = stored["approval"]["content_hash"].as_str().expect("hash");
    let (_, page) = lead.page(&format!("{room}?done=notice-approved")).await;
    assert!(page.contains("The notice was approved."), "{page}");
    assert!(
        page.contains(&format!("<code class=\"hash\">{hash}</code>")),
        "{page}"
    );
    assert!(
        page.contains("cx@staff.candor.test"),
        "the approver: {page}"
    );
    assert_eq!(audited(&desk, "notice.approved").await.len(), 1);

    // Approving again is refused with the reason.
    let again = lead.submit(&room, &approve, &[]).await;
    assert_eq!(again.status(), 409);
    let body = again.text().await.expect("body");
    assert!(body.contains("already approved"), "{body}");
}

#[tokio::test]
async fn the_preview_shows_a_chosen_persons_text_and_html_side_by_side() {
    let app = app().await;
    let people = [
        Person::new("P0001", ("Ana", "Lee"), Some("ana@example.com")),
        Person::new("P0002", ("Bodhi", "Lee"), Some("bodhi@example.com")),
    ];
    let desk = seeded(&app, &people).await;
    let room = room(&desk);
    let nid = clean_draft(&desk).await;
    let preview = format!("{room}/notices/{nid}/preview");
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;

    let response = lead.get(&room).await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("frame-src 'self'"), "{csp}");
    let page = response.text().await.expect("body");
    assert!(page.contains(&format!("action=\"{preview}\"")), "{page}");

    let (status, page) = lead.page(&format!("{preview}?customer_ref=P0002")).await;
    assert_eq!(status, 200, "{page}");
    let (_, api) = desk.get(&at(&nid, "/preview?customer_ref=P0002")).await;
    let text = api["text"].as_str().expect("text");
    assert!(text.contains("Bodhi") && !text.contains("Ana"), "{text}");
    let missing = text.lines().find(|l| !page.contains(&escaped(l)));
    assert_eq!(missing, None, "the text body: {page}");
    assert!(page.contains(&escaped(text)), "the text body: {page}");
    assert!(page.contains(&escaped(api["subject"].as_str().expect("subject"))));
    let frame = format!("{room}/notices/{nid}/preview.html?customer_ref=P0002");
    assert!(
        page.contains(&format!("src=\"{}\" sandbox=\"\"", escaped(&frame))),
        "{page}"
    );

    let response = lead.get(&frame).await;
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(policy.contains("sandbox"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    let html = response.text().await.expect("body");
    assert_eq!(html, api["html"].as_str().expect("html"));
    assert!(html.contains("Bodhi"), "{html}");

    // Someone the mapping did not find, and nobody at all.
    let (status, page) = lead.page(&format!("{preview}?customer_ref=NOPE")).await;
    assert_eq!(status, 404);
    assert!(page.contains("not in this incident"), "{page}");
    let (status, _) = lead.page(&format!("{preview}?customer_ref=")).await;
    assert_eq!(status, 422);
    // The preview is the incident team's.
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let (status, _) = admin.page(&format!("{preview}?customer_ref=P0002")).await;
    assert_eq!(status, 403);
    assert_eq!(admin.get(&frame).await.status(), 403);
}

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
