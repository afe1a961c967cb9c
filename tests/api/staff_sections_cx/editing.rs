//! Editing a draft from the room: its words through the words form and its own template copies,
//! marked and compared with the shipped file; a refused save names the problem and keeps what
//! was typed.

use candor::domain::Role;

use super::{escaped, pairs, with, words};
use crate::delivery::crowd;
use crate::notices::{app, audited, clean_content, clean_draft, notice};
use crate::staff_client::{Browser, location, room};

/// The value of the hidden field `name` in the form posting to `action`.
fn hidden_in(page: &str, action: &str, name: &str) -> String {
    let form = page
        .find(&format!("action=\"{}\"", escaped(action)))
        .unwrap_or_else(|| panic!("no form for {action} in {page}"));
    crate::staff_client::hidden(&page[form..], name)
}

#[tokio::test]
async fn a_cx_lead_edits_a_drafts_words_from_the_room_and_a_refused_save_keeps_what_was_typed() {
    let app = app().await;
    let desk = crowd(&app, 2).await;
    let room = room(&desk);
    let nid = clean_draft(&desk).await;
    let edit = format!("{room}/notices/{nid}/edit");
    let content = clean_content();
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;

    // The room's form is prefilled with the draft's words, at its version.
    let (_, page) = lead.page(&room).await;
    let before = notice(&desk, &nid).await;
    let version = before["version"].as_i64().expect("version");
    assert_eq!(hidden_in(&page, &edit, "version"), version.to_string());
    let happened = content["what_happened"].as_str().expect("words");
    assert!(
        page.contains(&format!(">{}</textarea>", escaped(happened))),
        "{page}"
    );
    assert!(page.contains(&escaped("Sample Monitoring")), "{page}");

    // A save changes what was changed, and only that.
    let fields = words(&content, version);
    let news = "On March 3 someone got into our billing system with a stolen staff password.";
    let saved = lead
        .submit(&room, &edit, &pairs(&with(&fields, "what_happened", news)))
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{edit}?saved=words"));
    let after = notice(&desk, &nid).await;
    assert_eq!(after["content"]["what_happened"], news, "{after}");
    assert_eq!(after["content"]["contact"], before["content"]["contact"]);
    assert_eq!(after["content"]["offer"], before["content"]["offer"]);
    assert_eq!(after["version"], version + 1);
    let edits = audited(&desk, "notice.edited").await;
    let last = edits.last().expect("audited")["summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(last.ends_with("notice edited: what_happened"), "{last}");
    let (_, page) = lead.page(&format!("{edit}?saved=words")).await;
    assert!(page.contains("The words were saved."), "{page}");

    // A month count that is not a number: refused here, naming the field, the words kept.
    let typed = "Words the lead typed and must not lose.";
    let fields = words(&after["content"], version + 1);
    let fields = with(
        &with(&fields, "what_happened", typed),
        "offer_months",
        "two years",
    );
    let refused = lead.submit(&edit, &edit, &pairs(&fields)).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("body");
    assert!(
        body.contains("Months of monitoring: must be a whole number of months."),
        "{body}"
    );
    assert!(body.contains(&format!(">{typed}</textarea>")), "{body}");
    assert!(body.contains("value=\"two years\""), "{body}");
    // An address the use-case refuses: its reason, the words kept.
    let fields = with(
        &with(&fields, "offer_months", "24"),
        "offer_url",
        "not an address",
    );
    let refused = lead.submit(&edit, &edit, &pairs(&fields)).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("body");
    assert!(
        body.contains("Enrolment address: is not a web address"),
        "{body}"
    );
    assert!(body.contains(&format!(">{typed}</textarea>")), "{body}");
    assert_eq!(notice(&desk, &nid).await["content"]["what_happened"], news);

    // Someone else saved meanwhile: nothing saved, the words kept, the new version named.
    crate::notices::patch(
        &desk,
        &nid,
        serde_json::json!({ "likely_consequences": "Less." }),
    )
    .await;
    let fields = with(
        &fields,
        "offer_url",
        "https://monitoring.sample-company.test/enroll",
    );
    let conflict = lead.submit(&edit, &edit, &pairs(&fields)).await;
    assert_eq!(conflict.status(), 409);
    let body = conflict.text().await.expect("body");
    assert!(
        body.contains(&format!("it is now version {}", version + 2)),
        "{body}"
    );
    assert!(body.contains(&format!(">{typed}</textarea>")), "{body}");
    assert_eq!(notice(&desk, &nid).await["content"]["what_happened"], news);

    // Someone outside the incident team sees the form disabled with the reason, and a forged
    // post is refused with it, the words kept and nothing saved.
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let (_, page) = admin.page(&room).await;
    let why = "Only responders and CX leads edit notices.";
    assert!(
        page.contains(&format!("<p id=\"w-{nid}-why\" class=\"muted\">{why}</p>")),
        "{page}"
    );
    assert!(page.contains(&format!(
        "disabled aria-describedby=\"w-{nid}-why\">Save the words"
    )));
    let forged = admin.submit(&room, &edit, &pairs(&fields)).await;
    assert_eq!(forged.status(), 403);
    let body = forged.text().await.expect("body");
    assert!(body.contains(why) && body.contains(typed), "{body}");
    assert_eq!(notice(&desk, &nid).await["content"]["what_happened"], news);
}

#[tokio::test]
async fn template_copies_are_marked_and_compared_and_a_broken_one_is_refused_keeping_its_text() {
    let app = app().await;
    let desk = crowd(&app, 2).await;
    let room = room(&desk);
    let nid = clean_draft(&desk).await;
    let edit = format!("{room}/notices/{nid}/edit");
    let file = crate::notices::TEXT_EN;
    let opened = format!("{edit}?file={}", crate::notices::encode(file));
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;

    let (status, page) = lead.page(&opened).await;
    assert_eq!(status, 200, "{page}");
    let (shipped, edited) = crate::notices::template(&desk, &nid, file).await;
    assert!(!edited);
    assert!(
        page.contains(&format!(">{}</textarea>", escaped(&shipped))),
        "{page}"
    );
    assert!(
        page.contains("None: every file is the shipped one."),
        "{page}"
    );

    let extra = "Call us any time about this letter.";
    let base = match shipped.ends_with('\n') {
        true => shipped.clone(),
        false => format!("{shipped}\n"),
    };
    let copy = format!("{base}{extra}\n");
    let save = format!("{room}/notices/{nid}/templates");
    let kept = lead
        .submit(&opened, &save, &[("path", file), ("content", &copy)])
        .await;
    assert_eq!(kept.status(), 303);
    assert_eq!(
        crate::notices::template(&desk, &nid, file).await,
        (copy.clone(), true)
    );
    let (_, page) = lead.page(&opened).await;
    assert!(page.contains("this incident's own copy</span>"), "{page}");
    assert!(page.contains(&format!("<ins>+ {extra}</ins>")), "{page}");
    assert!(!page.contains("<del>"), "nothing removed: {page}");
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains(&format!("own copies of: <code>{}</code>", escaped(file))),
        "{page}"
    );

    // A copy that does not compile: the problems by file and line, the text kept, nothing
    // stored.
    let broken = format!("{base}{{{{#if contact}}}}\nUnclosed block.\n");
    let refused = lead
        .submit(&opened, &save, &[("path", file), ("content", &broken)])
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("body");
    assert!(
        body.contains("the notice&#x27;s templates would not compile"),
        "{body}"
    );
    assert!(body.contains(&format!("<li>{}", escaped(file))), "{body}");
    assert!(
        body.contains(&format!("{}</textarea>", escaped("Unclosed block.\n"))),
        "{body}"
    );
    assert_eq!(
        crate::notices::template(&desk, &nid, file).await,
        (copy, true)
    );

    // Back to the shipped file.
    let revert = format!("{room}/notices/{nid}/templates/revert");
    let reverted = lead.submit(&opened, &revert, &[("path", file)]).await;
    assert_eq!(reverted.status(), 303);
    assert_eq!(
        crate::notices::template(&desk, &nid, file).await,
        (shipped, false)
    );
}
