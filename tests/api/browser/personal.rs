//! The personal page (`/n/{token}`) in Chromium: the person's own notice, their contact
//! preferences saved through the form, and the survey link that opens their survey.

use candor::delivery::LinkPurpose;

use super::Browser;
use crate::customer::{invite, notified, page, token_for, two_people};
use crate::notices::app;

#[tokio::test]
async fn a_person_s_page_saves_their_choices_and_links_to_their_survey() {
    let app = app().await;
    let people = two_people();
    let (desk, browser) = tokio::join!(notified(&app, &people), Browser::launch());
    invite(&desk).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    browser.open(&app, &page(&token)).await;

    assert_eq!(
        browser.text("h1").await,
        "The data breach at Sample Company"
    );
    let main = browser.text("main").await;
    assert!(main.contains("Hello Ana,"), "their own name: {main}");
    assert!(!main.contains("Brown"), "nobody else's");
    assert!(browser.is_checked("#frequency-every").await);
    browser.screenshot("personal-page").await;
    browser.assert_accessible("the personal page").await;

    browser.click("label[for=frequency-weekly]").await;
    browser
        .click("#preferences ~ form button[type=submit]")
        .await;
    browser.wait_for("p.done[role=status]").await;
    assert_eq!(
        browser.text("p.done[role=status]").await,
        "Thank you. We saved your choices."
    );
    assert_eq!(
        browser.path().await,
        format!("/n/{token}?saved=preferences")
    );
    assert!(
        browser.is_checked("#frequency-weekly").await,
        "the page shows the stored choice"
    );
    assert!(browser.is_checked("#channel-email").await, "left as it was");

    browser.click("a.button[href^='/s/']").await;
    browser.wait_for("form textarea#comment").await;
    assert_eq!(browser.text("h1").await, "How did we do?");
    assert!(browser.path().await.starts_with("/s/"));
}
