//! The `candor demo` data in Chromium: a staff member signs in to the demo's instance and
//! goes through every page and every section of the incident room, on a laptop and on a
//! tablet, with axe-core's accessibility checks on each page and screenshots kept.

use sea_orm::{ConnectionTrait, Statement};

use super::{Browser, TABLET_WIDTH};
use crate::demo::{seeded, staff_account};
use crate::helpers::PASSWORD;

/// The room's sections, each checked for what the demo put in it.
const SECTIONS: [(&str, &str); 8] = [
    ("#h-incident", "the header"),
    ("#deadlines", "the deadlines board"),
    ("#playbook", "the playbook"),
    ("#timeline", "the timeline"),
    ("#scope", "scope and impact"),
    ("#notices", "the notices"),
    ("#delivery", "the delivery"),
    ("#survey", "the survey"),
];

#[tokio::test]
async fn every_page_and_section_works_on_the_demo_data_on_a_laptop_and_a_tablet() {
    // Boxed: the demo's future is too large for a test thread's stack beside the browser's.
    let (demo, browser) = tokio::join!(Box::pin(seeded()), Browser::launch());
    let email = staff_account(&demo.app).await;
    let db = demo.app.state().db.clone();
    let base = format!("http://{}", demo.app.local_addr().expect("address"));
    let incident = demo.incident_id;
    tokio::spawn(demo.app.serve(std::future::pending()));

    browser.open_url(&format!("{base}/login")).await;
    browser.assert_accessible("the sign-in page").await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("form.who").await;

    // The list: the demo's one incident, with people affected and a deadline.
    let room = format!("/incidents/{incident}");
    let row = browser.text(&format!("tr:has(a[href=\"{room}\"])")).await;
    assert!(row.contains("Customer records"), "{row}");
    browser.assert_accessible("the incidents list").await;

    browser.click(&format!("a[href=\"{room}\"]")).await;
    browser.wait_for("#h-incident").await;
    for (css, what) in SECTIONS {
        let text = browser.text(css).await;
        assert!(!text.is_empty(), "{what} is empty");
    }
    let scope = browser.text("#scope").await;
    assert!(scope.contains("billing-db"), "{scope}");
    assert!(scope.contains("US-"), "{scope}");
    let notices = browser.text("#notices").await;
    assert!(notices.contains("Content hash"), "{notices}");
    let delivery = browser.text("#delivery").await;
    assert!(delivery.contains("sent"), "{delivery}");
    let survey = browser.text("#survey").await;
    assert!(survey.contains("NPS"), "{survey}");
    let playbook = browser.text("#playbook").await;
    assert!(playbook.contains("done"), "{playbook}");
    browser.assert_accessible("the incident room").await;
    browser.screenshot("demo-room").await;

    // The same room upright on a tablet: nothing needs a sideways scroll of the whole page.
    browser.set_width(TABLET_WIDTH).await;
    browser.open_url(&format!("{base}{room}")).await;
    browser.wait_for("#h-incident").await;
    assert_eq!(
        browser.overflow_x().await,
        0,
        "the room is wider than a tablet"
    );
    browser
        .assert_accessible("the incident room on a tablet")
        .await;
    browser.screenshot("demo-room-tablet").await;

    // One affected person's notice, previewed.
    let customer_ref = affected_customer(&db).await;
    browser
        .fill(
            "form[action$=\"/preview\"] input[name=customer_ref]",
            &customer_ref,
        )
        .await;
    browser
        .click("form[action$=\"/preview\"] button[type=submit]")
        .await;
    browser.wait_for("iframe").await;
    assert_eq!(
        browser.overflow_x().await,
        0,
        "the preview is wider than a tablet"
    );
    browser.assert_accessible("the notice preview").await;

    // The inventory and the audit, on the tablet and then the laptop.
    for width in [TABLET_WIDTH, super::WIDTH] {
        browser.set_width(width).await;
        browser.open_url(&format!("{base}/inventory")).await;
        let inventory = browser.text("main").await;
        assert!(inventory.contains("billing-db"), "{inventory}");
        assert_eq!(browser.overflow_x().await, 0, "the inventory at {width}px");
        browser.assert_accessible("the inventory").await;

        browser.open_url(&format!("{base}{room}/audit")).await;
        let audit = browser.text("main").await;
        assert!(audit.contains("The audit chain verifies"), "{audit}");
        assert_eq!(browser.overflow_x().await, 0, "the audit at {width}px");
        browser.assert_accessible("the audit").await;

        browser.open_url(&format!("{base}/incidents")).await;
        assert_eq!(browser.overflow_x().await, 0, "the list at {width}px");
    }
}

/// The customer reference of someone the demo's mapping found affected.
async fn affected_customer(db: &sea_orm::DatabaseConnection) -> String {
    let sql = "SELECT p.customer_ref AS r FROM people p \
               JOIN affected_people a ON a.person_id = p.id ORDER BY p.id LIMIT 1";
    let stmt = Statement::from_string(db.get_database_backend(), sql.to_owned());
    let row = db
        .query_one_raw(stmt)
        .await
        .expect("query runs")
        .expect("someone is affected");
    row.try_get("", "r").expect("customer_ref")
}
