//! The staff web app in Chromium, the way the people who use it work: a responder signs in,
//! opens the incident from the list, declares the scope, runs the mapping and sees the
//! impact; a CX lead signs in, reads the draft's lint findings, approves it (seeing the hash
//! the approval binds), and watches delivery reach every person without reloading the page.

use candor::domain::Role;

use super::Browser;
use crate::delivery::{drain, inventory, numbered, send};
use crate::helpers::{PASSWORD, TestApp};
use crate::mapping::Desk;
use crate::notices::clean_draft;

/// Signs in through the form as `email`, landing on `next`.
async fn sign_in(browser: &Browser, app: &TestApp, email: &str, next: &str) {
    browser.open(app, &format!("/login?next={next}")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("form.who").await;
}

#[tokio::test]
async fn a_responder_scopes_and_maps_and_a_cx_lead_approves_and_watches_delivery() {
    let app = crate::helpers::spawn_app().await;
    let (desk, browser) = tokio::join!(
        async {
            inventory(&app, &numbered(3)).await;
            Desk::open(&app).await
        },
        Browser::launch()
    );
    app.add_user("responder@staff.candor.test", &[Role::Responder])
        .await;
    app.add_user("lead@staff.candor.test", &[Role::CxLead])
        .await;
    let room = desk.incident.trim_start_matches("/api/v1").to_owned();

    // The responder finds the incident in the list and opens its room.
    sign_in(&browser, &app, "responder@staff.candor.test", "/incidents").await;
    assert_eq!(browser.path().await, "/incidents");
    browser.click(&format!("a[href=\"{room}\"]")).await;
    browser.wait_for("#h-incident").await;
    assert_eq!(browser.path().await, room);

    // The scope: billing-db's names, emails and SSNs, early March.
    browser.wait_for("details.scope-form[open]").await;
    browser
        .script(
            "document.getElementById('system-0').value = 'billing-db';\
             document.getElementById('from-0').value = '2026-03-01';\
             document.getElementById('to-0').value = '2026-03-09';",
            vec![],
        )
        .await;
    for category in ["name", "email", "ssn"] {
        browser.click(&format!("#cat-0-{category}")).await;
    }
    browser.click("form.scope-rows button[type=submit]").await;
    browser.wait_for("p.done[role=status]").await;
    assert_eq!(
        browser.text("p.done[role=status]").await,
        "The scope was saved."
    );

    // The mapping runs in the background; the page shows the impact when it is done.
    browser
        .click(&format!("form[action=\"{room}/mapping\"] button"))
        .await;
    let mut impact = String::new();
    for _ in 0..250 {
        impact = browser.text("#impact-results").await;
        if impact.contains("3 people affected") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    assert!(impact.contains("3 people affected"), "{impact}");
    assert!(impact.contains("US-CA"), "by jurisdiction: {impact}");
    browser.find("#impact-results svg").await;
    browser.screenshot("staff-room-responder").await;

    // The responder drafts the notice; its approve button is not theirs.
    let nid = clean_draft(&desk).await;
    browser.open(&app, &room).await;
    assert!(
        browser
            .find(&format!(
                "form[action=\"{room}/notices/{nid}/approve\"] button"
            ))
            .await
            .is_enabled()
            .await
            .is_ok_and(|on| !on),
        "disabled for a responder"
    );
    browser.click("form.who button").await;
    browser.wait_for("p.done[role=status]").await;

    // The CX lead lints it, reads the findings, and approves it.
    sign_in(&browser, &app, "lead@staff.candor.test", &room).await;
    browser
        .click(&format!(
            "form[action=\"{room}/notices/{nid}/lint\"] button"
        ))
        .await;
    browser.wait_for("p.done[role=status]").await;
    assert_eq!(
        browser.text("p.done[role=status]").await,
        "The notice was linted."
    );
    let notice = browser.text(&format!("#notice-{nid}")).await;
    let summary = notice
        .lines()
        .find(|l| l.contains(" errors, ") && l.contains(" variants."))
        .unwrap_or_else(|| panic!("no lint summary: {notice}"));
    assert!(
        summary.starts_with("0 errors, "),
        "a clean draft: {summary}"
    );
    let findings = browser
        .texts(&format!("#notice-{nid} table.findings tbody tr"))
        .await;
    let warnings: usize = summary
        .split(", ")
        .nth(1)
        .and_then(|w| w.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the warnings count");
    assert_eq!(
        findings.len().min(1),
        warnings.min(1),
        "each finding listed: {notice}"
    );
    browser
        .click(&format!(
            "form[action=\"{room}/notices/{nid}/approve\"] button"
        ))
        .await;
    browser.wait_for("p.done[role=status]").await;
    assert_eq!(
        browser.text("p.done[role=status]").await,
        "The notice was approved."
    );
    let hash = browser.text(&format!("#notice-{nid} code.hash")).await;
    assert_eq!(hash.len(), 64, "the content hash: {hash}");

    // Sent, then drained while the page stays open: progress reaches everyone, no reload.
    let lead = desk.as_role(&[Role::CxLead]).await;
    let (status, campaign) = send(&lead, &nid, None).await;
    assert_eq!(status, 202, "{campaign}");
    browser.open(&app, &room).await;
    browser.wait_for("#delivery-progress[value=\"0\"]").await;
    drain(&app).await;
    browser
        .wait_for("#delivery-progress[value=\"3\"][max=\"3\"]")
        .await;
    assert_eq!(browser.text("dd[data-count=\"sent\"]").await, "3");
    assert_eq!(browser.path().await, room, "no reload, no navigation");
    browser.screenshot("incident-room").await;
}
