//! The room's notices section: drafts listed with their lint findings and where each was
//! seen, the dry run, approval by a CX lead through the form with the content hash shown (a
//! responder sees the button disabled with the reason, and a forged post changes nothing), and
//! the preview of a chosen person's text and HTML side by side.

use candor::domain::Role;

use super::escaped;
use crate::delivery::{Person, crowd, seeded};
use crate::notices::{app, at, audited, clean_draft, lint_report, notice};
use crate::staff_client::{Browser, location, room};

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
