//! The room in headless Chromium at a tablet's width: a CX lead edits a draft's words, sends it
//! with a canary of one and releases the rest, with no sideways scrolling and no accessibility
//! violations along the way.

use candor::domain::Role;

use crate::delivery::{crowd, drain, only, stored_counts};
use crate::notices::{app, clean_draft, notice};
use crate::staff_client::room;

#[tokio::test]
async fn in_chromium_on_a_tablet_a_cx_lead_edits_sends_with_a_canary_and_releases_the_rest() {
    use crate::browser::{Browser as Chrome, TABLET_WIDTH};
    let app = app().await;
    let (desk, browser) = tokio::join!(crowd(&app, 3), Chrome::launch());
    let room = room(&desk);
    let nid = clean_draft(&desk).await;
    let file = crate::notices::TEXT_EN;
    let (shipped, _) = crate::notices::template(&desk, &nid, file).await;
    crate::notices::put_template(
        &desk,
        &nid,
        file,
        &format!("{shipped}\nA line of our own.\n"),
    )
    .await;
    app.add_user("lead@staff.candor.test", &[Role::CxLead])
        .await;
    browser.set_width(TABLET_WIDTH).await;
    browser.open(&app, &format!("/login?next={room}")).await;
    browser.fill("#email", "lead@staff.candor.test").await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#h-incident").await;

    // The words, edited in the room's form.
    browser
        .click(&format!("#notice-{nid} details.notice-edit summary"))
        .await;
    let hours = format!("#w-{nid}-c-hours");
    browser
        .script(
            &format!("document.querySelector('{hours}').value = '';"),
            vec![],
        )
        .await;
    browser.fill(&hours, "Every day, 8 am to 8 pm").await;
    browser
        .click(&format!(
            "#notice-{nid} form.notice-words button[type=submit]"
        ))
        .await;
    let done = browser.wait_for("p.done[role=status]").await;
    assert!(
        done.text()
            .await
            .expect("text")
            .starts_with("The words were saved.")
    );
    assert_eq!(
        notice(&desk, &nid).await["content"]["contact"]["hours"],
        "Every day, 8 am to 8 pm"
    );
    assert_eq!(
        browser.overflow_x().await,
        0,
        "the edit page is wider than a tablet"
    );
    assert!(
        browser
            .text("pre.diff")
            .await
            .contains("+ A line of our own.")
    );
    browser.assert_accessible("the notice edit page").await;

    // Approved by another CX lead; this one sends it to the first person only.
    let (_, other) = crate::notices::lead(&desk).await;
    crate::notices::approved(&other, &nid).await;
    browser.open(&app, &room).await;
    browser.wait_for(&format!("#confirm-{nid}")).await;
    browser.fill(&format!("#canary-{nid}"), "1").await;
    browser.click(&format!("#confirm-{nid}")).await;
    browser
        .click(&format!(
            "form[action=\"{room}/notices/{nid}/send\"] button"
        ))
        .await;
    browser.wait_for("#delivery-status").await;
    assert_eq!(
        stored_counts(&app).await,
        only(&[("pending", 1), ("held", 2)])
    );
    assert_eq!(
        browser.overflow_x().await,
        0,
        "the room is wider than a tablet"
    );
    browser
        .assert_accessible("the room with a canary held")
        .await;

    drain(&app).await;
    browser.open(&app, &room).await;
    browser.click("form[action$=\"/release\"] button").await;
    let released = only(&[("sent", 1), ("pending", 2)]);
    crate::delivery::eventually("the rest released", async || {
        stored_counts(&app).await == released
    })
    .await;
}
