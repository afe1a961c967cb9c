//! The incident room's scope and impact, and delivery sections, over HTTP with a session
//! cookie: declaring the scope and pasting a forensic list through the forms, running the
//! mapping and seeing its impact (table and chart) and the affected list's download, the
//! buttons a CX lead may not use (and the server refusing them anyway), the delivery counts
//! and failures, and the live endpoint the page polls; on SQLite and PostgreSQL.

use std::time::Duration;

use candor::domain::Role;

use serde_json::Value;

use crate::delivery::{Person, drain, numbered, seeded, sent_campaign, smtp_app};
use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::mapping::Desk;
use crate::smtp_server::{Reply, TestSmtp};
use crate::staff_client::{Browser, hidden, location, room};

/// Three customers in `billing-db` (the third in New York) and an open incident.
async fn inventory_and_incident(app: &TestApp) -> Desk<'_> {
    let mut people = numbered(3);
    people[2] = Person {
        home: ("US", "NY"),
        ..people[2].clone()
    };
    crate::delivery::inventory(app, &people).await;
    Desk::open(app).await
}

/// Polls the live endpoint until no mapping runs (bounded); returns the last answer.
async fn until_mapped(browser: &mut Browser<'_>, room: &str) -> Value {
    for _ in 0..600 {
        let live = browser.live(room).await;
        if live["mapping"]["running"] == false {
            return live;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the mapping did not finish within 15 seconds");
}

#[tokio::test]
async fn the_scope_form_a_forensic_list_and_the_mapping_give_the_impact_and_the_affected_list() {
    let app = spawn_app().await;
    let desk = inventory_and_incident(&app).await;
    let room = room(&desk);
    let mut responder = Browser::signed_in(&app, "r@staff.candor.test", &[Role::Responder]).await;

    let (status, page) = responder.page(&room).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"scope\""), "{page}");
    assert!(page.contains("<option value=\"billing-db\">billing-db</option>"));
    assert!(page.contains("Not mapped yet."), "{page}");
    let csrf = hidden(&page, "csrf");

    // A window that ends before it starts is refused with the row named; nothing is saved.
    let backwards = responder
        .post(
            &format!("{room}/scope"),
            &[
                ("csrf", &csrf),
                ("system.0", "billing-db"),
                ("category.0", "name"),
                ("from.0", "2026-03-09"),
                ("to.0", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(backwards.status(), 422);
    let body = backwards.text().await.unwrap();
    assert!(body.contains("System 1, to: must not be before"), "{body}");
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["systems"], serde_json::json!([]), "{scope}");

    // The second row is filled, the others blank.
    let saved = responder
        .post(
            &format!("{room}/scope"),
            &[
                ("csrf", &csrf),
                ("system.0", ""),
                ("from.0", ""),
                ("to.0", ""),
                ("system.1", "billing-db"),
                ("category.1", "name"),
                ("category.1", "email"),
                ("from.1", "2026-03-01"),
                ("to.1", "2026-03-09"),
                ("system.2", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{room}?done=scope#scope"));
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["systems"][0]["system"], "billing-db", "{scope}");
    assert_eq!(
        scope["systems"][0]["categories"],
        serde_json::json!(["name", "email"])
    );
    let (_, page) = responder.page(&format!("{room}?done=scope")).await;
    assert!(page.contains("The scope was saved."), "{page}");
    assert!(
        page.contains("<option value=\"billing-db\" selected>"),
        "the form shows the scope: {page}"
    );
    assert!(page.contains("value=\"2026-03-09\""), "{page}");

    // A list naming an unknown system is refused whole; a good one replaces the list.
    let bad = responder
        .upload(
            &format!("{room}/scope/records"),
            &[("csrf", &csrf), ("csv", "system,record_ref\nnope-db,R1\n")],
            "",
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("line 2: unknown system"), "{body}");
    let csv = "system,record_ref\r\nbilling-db,P0001\r\nbilling-db,P0003\r\n";
    let listed = responder
        .upload(
            &format!("{room}/scope/records"),
            &[("csrf", &csrf), ("csv", "")],
            csv,
        )
        .await;
    assert_eq!(listed.status(), 303);
    assert_eq!(location(&listed), format!("{room}?done=records#scope"));
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(scope["forensic_lists"]["billing-db"], 2, "{scope}");

    // Running the mapping shows its progress, then the impact.
    let started = responder
        .post(&format!("{room}/mapping"), &[("csrf", &csrf)])
        .await;
    assert_eq!(started.status(), 303);
    assert_eq!(location(&started), format!("{room}?done=mapping#scope"));
    let live = until_mapped(&mut responder, &room).await;
    assert_eq!(live["mapping"]["status"], "succeeded", "{live}");
    assert_eq!(live["mapping"]["step"], live["mapping"]["steps"], "{live}");
    assert_eq!(live["running"], false);
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains("id=\"mapping-progress\" max=\"3\" value=\"3\""),
        "{page}"
    );
    assert!(
        page.contains("<strong>2 people affected</strong>"),
        "{page}"
    );
    assert!(page.contains("<svg class=\"chart\""), "{page}");
    for (row, people) in [("US-CA", 1), ("US-NY", 1), ("name", 2), ("email", 2)] {
        let cell = format!("<tr><th scope=\"row\">{row}</th><td class=\"num\">{people}</td></tr>");
        assert!(page.contains(&cell), "{row}: {page}");
    }
    assert!(page.contains("<text class=\"chart-count\""), "{page}");
    assert!(!page.contains("style=\""), "no inline style: {page}");
    assert!(!page.contains("<script>"), "no inline script: {page}");

    // The affected list downloads as CSV under the session.
    let download = responder.get(&format!("{room}/affected.csv")).await;
    assert_eq!(download.status(), 200);
    let kind = download.headers()["content-type"].to_str().unwrap();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let disposition = download.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let body = download.text().await.unwrap();
    assert!(body.starts_with("id,customer_ref,name,"), "{body}");
    assert!(body.contains(",P0001,"), "{body}");
    assert!(body.contains(",P0003,"), "{body}");
    assert!(!body.contains("P0002"), "not on the forensic list: {body}");
}

#[tokio::test]
async fn a_cx_lead_sees_the_responder_buttons_disabled_and_a_forged_post_changes_nothing() {
    let app = spawn_app().await;
    let desk = inventory_and_incident(&app).await;
    desk.scope(vec![crate::delivery::billing_exposure()]).await;
    let room = room(&desk);

    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("Only a responder can change the scope or run the mapping."),
        "{page}"
    );
    assert!(
        page.contains("disabled aria-describedby=\"scope-why\">Run the mapping</button>"),
        "{page}"
    );
    assert!(page.contains("disabled aria-describedby=\"scope-why\">Save the scope</button>"));
    let csrf = hidden(&page, "csrf");
    for (path, form) in [
        (
            "scope",
            vec![
                ("csrf", csrf.as_str()),
                ("system.0", "billing-db"),
                ("category.0", "name"),
                ("from.0", "2026-01-01"),
                ("to.0", "2026-01-02"),
            ],
        ),
        ("mapping", vec![("csrf", csrf.as_str())]),
    ] {
        let refused = lead.post(&format!("{room}/{path}"), &form).await;
        assert_eq!(refused.status(), 403, "{path}");
    }
    let list = "system,record_ref\nbilling-db,P0001\n";
    let refused = lead
        .upload(&format!("{room}/scope/records"), &[("csrf", &csrf)], list)
        .await;
    assert_eq!(refused.status(), 403);
    // A responder's list without the form token is refused too.
    let mut responder = Browser::signed_in(&app, "r@staff.candor.test", &[Role::Responder]).await;
    let forged = responder
        .upload(&format!("{room}/scope/records"), &[], list)
        .await;
    assert_eq!(forged.status(), 403);
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(
        scope["systems"][0]["from"], "2026-03-01T00:00:00Z",
        "{scope}"
    );
    assert_eq!(scope["forensic_lists"], serde_json::json!({}), "{scope}");
    assert_eq!(
        lead.live(&room).await["mapping"],
        Value::Null,
        "no run queued"
    );

    // A responder's post without the form token, or from another site, changes nothing.
    let forged = responder.post(&format!("{room}/mapping"), &[]).await;
    assert_eq!(forged.status(), 403);
    let (_, page) = responder.page(&room).await;
    let csrf = hidden(&page, "csrf");
    let cross_site = responder
        .client
        .post(app.url(&format!("{room}/mapping")))
        .header("cookie", responder.cookie_header())
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("request sent");
    assert_eq!(cross_site.status(), 403);
    assert_eq!(responder.live(&room).await["mapping"], Value::Null);

    // Nothing to download before a mapping; an admin may not download at all.
    let (status, body) = lead.page(&format!("{room}/affected.csv")).await;
    assert_eq!(status, 404);
    assert!(body.contains("has not been mapped yet"), "{body}");
    let mut admin = Browser::signed_in(&app, "a@staff.candor.test", &[Role::Admin]).await;
    let (status, _) = admin.page(&format!("{room}/affected.csv")).await;
    assert_eq!(status, 403);
    let (_, page) = admin.page(&room).await;
    assert!(
        page.contains("Only responders and CX leads see delivery."),
        "{page}"
    );
    assert_eq!(admin.live(&room).await["delivery"], Value::Null);
}

#[tokio::test]
async fn the_delivery_section_shows_counts_and_failures_and_the_live_endpoint_follows_them() {
    let smtp = TestSmtp::start().await;
    smtp.script(|rcpt, _| match rcpt {
        "p0002@example.com" => Reply::Permanent,
        _ => Reply::Accept,
    });
    let app = smtp_app(&smtp, |_| {}).await;
    let desk = seeded(&app, &numbered(3)).await;
    let room = room(&desk);
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("Nothing sent yet"), "{page}");

    sent_campaign(&desk, None).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("id=\"delivery-progress\" max=\"3\" value=\"0\""),
        "{page}"
    );
    assert!(page.contains("data-count=\"pending\">3</dd>"), "{page}");
    assert!(page.contains("data-running=\"true\""), "{page}");
    let live = lead.live(&room).await;
    assert_eq!(live["delivery"]["counts"]["pending"], 3, "{live}");
    assert_eq!(live["running"], true, "{live}");

    drain(&app).await;
    let live = lead.live(&room).await;
    assert_eq!(live["delivery"]["counts"]["sent"], 2, "{live}");
    assert_eq!(live["delivery"]["counts"]["failed"], 1, "{live}");
    assert_eq!(live["delivery"]["total"], 3, "{live}");
    assert_eq!(live["running"], false, "{live}");
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("id=\"delivery-progress\" max=\"3\" value=\"2\""),
        "{page}"
    );
    assert!(page.contains("data-count=\"failed\">1</dd>"), "{page}");
    assert!(page.contains("<th scope=\"row\">P0002</th>"), "{page}");
    assert!(page.contains("Recipient address rejected"), "{page}");
    assert!(!page.contains("<th scope=\"row\">P0001</th>"), "{page}");

    // Without a session the endpoint sends the browser to sign in.
    let anonymous = Browser::new(&app)
        .client
        .get(app.url(&format!("{room}/live.json")))
        .send()
        .await
        .expect("request sent");
    assert_eq!(anonymous.status(), 303);
    assert!(location(&anonymous).starts_with("/login?next="));
}

#[tokio::test]
async fn in_chromium_the_room_follows_a_delivery_without_a_reload() {
    let app = spawn_app().await;
    let (desk, browser) = tokio::join!(
        crate::delivery::crowd(&app, 3),
        crate::browser::Browser::launch()
    );
    app.add_user("cx@staff.candor.test", &[Role::CxLead]).await;
    sent_campaign(&desk, None).await;
    let room = room(&desk);

    browser.open(&app, &format!("/login?next={room}")).await;
    browser.fill("#email", "cx@staff.candor.test").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#delivery-progress[value=\"0\"]").await;
    assert_eq!(browser.text("dd[data-count=\"pending\"]").await, "3");
    assert!(
        browser
            .text("#impact-results")
            .await
            .contains("3 people affected")
    );
    browser.screenshot("staff-room-scope-and-delivery").await;
    browser.click("details.scope-form summary").await;
    let form = browser
        .wait_for("details.scope-form[open] fieldset.scope-row")
        .await;
    assert!(
        browser
            .find("#system-0")
            .await
            .is_enabled()
            .await
            .is_ok_and(|on| !on)
    );
    let png = form.screenshot().await.expect("the scope form's picture");
    let dir = crate::browser::artifacts_dir();
    std::fs::write(dir.join("staff-scope-form-row.png"), png).expect("written");

    // The worker sends while the page stays open: the script's next poll shows it, and the
    // campaigns table is fetched again once nothing runs.
    drain(&app).await;
    browser.wait_for("#delivery-progress[value=\"3\"]").await;
    assert_eq!(browser.text("dd[data-count=\"sent\"]").await, "3");
    assert_eq!(browser.text("dd[data-count=\"pending\"]").await, "0");
    let mut detail = String::new();
    for _ in 0..250 {
        detail = browser.text("#delivery-detail").await;
        if detail.contains("3 of 3") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(detail.contains("3 of 3"), "{detail}");
    assert_eq!(browser.path().await, room, "no reload, no navigation");
}

#[tokio::test]
async fn a_refused_scope_form_comes_back_with_the_rows_as_typed_and_each_row_s_reasons() {
    let app = spawn_app().await;
    let desk = inventory_and_incident(&app).await;
    let room = room(&desk);
    let mut responder = Browser::signed_in(&app, "r@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    let csrf = hidden(&page, "csrf");

    // The second row has categories but no system: the form's own check names it.
    let refused = responder
        .post(
            &format!("{room}/scope"),
            &[
                ("csrf", &csrf),
                ("system.0", "billing-db"),
                ("category.0", "ssn"),
                ("from.0", "2026-03-01"),
                ("to.0", "2026-03-09T18:00:00Z"),
                ("encrypted.0", "on"),
                ("system.1", ""),
                ("category.1", "email"),
                ("from.1", "2026-04-01"),
                ("to.1", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("<details class=\"scope-form\" open>"),
        "{body}"
    );
    assert!(
        body.contains("<option value=\"billing-db\" selected>"),
        "{body}"
    );
    assert!(
        body.contains(
            "id=\"cat-0-ssn\" name=\"category.0\" type=\"checkbox\" value=\"ssn\" checked"
        )
    );
    assert!(body.contains(
        "id=\"cat-1-email\" name=\"category.1\" type=\"checkbox\" value=\"email\" checked"
    ));
    assert!(
        body.contains("id=\"enc-0\" name=\"encrypted.0\" type=\"checkbox\" value=\"on\" checked")
    );
    assert!(
        body.contains("name=\"to.0\" type=\"text\" value=\"2026-03-09T18:00:00Z\""),
        "a typed timestamp stays as typed: {body}"
    );
    assert!(
        body.contains("name=\"from.1\" type=\"date\" value=\"2026-04-01\""),
        "{body}"
    );
    assert!(
        body.contains(
            "<ul class=\"error\" id=\"scope-row-1-problems\"><li>System 2: choose a system (or clear the row).</li></ul>"
        ),
        "the reason beside its row: {body}"
    );
    assert!(
        !body.contains("id=\"scope-row-0-problems\""),
        "row 1 is fine: {body}"
    );

    // The use-case's reason lands on the row it concerns, counted on the form.
    let refused = responder
        .post(
            &format!("{room}/scope"),
            &[
                ("csrf", &csrf),
                ("system.0", ""),
                ("from.0", ""),
                ("to.0", ""),
                ("system.1", "billing-db"),
                ("category.1", "name"),
                ("from.1", "2026-03-09"),
                ("to.1", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("The scope was not saved; nothing changed."),
        "{body}"
    );
    assert!(
        body.contains("id=\"scope-row-1-problems\"><li>System 2, to: must not be before"),
        "{body}"
    );
    assert!(
        body.contains("name=\"from.1\" type=\"date\" value=\"2026-03-09\""),
        "{body}"
    );
    let (_, scope) = desk.get("/scope").await;
    assert_eq!(
        scope["systems"],
        serde_json::json!([]),
        "nothing saved: {scope}"
    );

    // A CX lead's post is still refused outright.
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    let csrf = hidden(&page, "csrf");
    let refused = lead
        .post(
            &format!("{room}/scope"),
            &[("csrf", &csrf), ("system.0", "billing-db")],
        )
        .await;
    assert_eq!(refused.status(), 403);
}

/// The incident's first playbook run, from the API.
async fn first_run(desk: &Desk<'_>) -> Value {
    let (status, runs) = desk.get("/playbook").await;
    assert_eq!(status, 200, "{runs}");
    runs[0].clone()
}

#[tokio::test]
async fn the_playbook_section_attaches_gives_steps_to_people_and_a_task_page_closes_its_task() {
    use crate::playbook_runs::{call, step};
    use serde_json::json;

    let app = crate::notices::app_with(|_| {}).await;
    let mut people = numbered(2);
    let mut irish = Person::new("E0001", ("Aoife", "Byrne"), Some("e0001@example.com"));
    irish.home = ("IE", "");
    people.push(irish);
    crate::delivery::inventory(&app, &people).await;
    let desk = Desk::open(&app).await;
    let room = room(&desk);
    let colleague = app
        .add_user("colleague@staff.candor.test", &[Role::Responder])
        .await;
    let cx_id = app.add_user("cx2@staff.candor.test", &[Role::CxLead]).await;

    // An admin sees the attach form disabled with the reason, and is refused.
    let mut admin = Browser::signed_in(&app, "a@staff.candor.test", &[Role::Admin]).await;
    let (_, page) = admin.page(&room).await;
    assert!(
        page.contains("Only responders and CX leads can attach a playbook."),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("playbook", "customer-data-breach"),
    ];
    let refused = admin.post(&format!("{room}/playbook"), &form).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(desk.get("/playbook").await.1, json!([]));

    // A responder attaches it by choosing it.
    let mut responder = Browser::signed_in(&app, "r@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains("<option value=\"customer-data-breach\">"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("playbook", "customer-data-breach"),
    ];
    let attached = responder.post(&format!("{room}/playbook"), &form).await;
    assert_eq!(attached.status(), 303);
    assert_eq!(
        location(&attached),
        format!("{room}?done=attached#playbook")
    );
    let run = first_run(&desk).await;
    assert_eq!(run["playbook_id"], "customer-data-breach", "{run}");
    let run_id = run["id"].as_str().expect("run id").to_owned();

    // Triage goes to a colleague holding its role; the room shows them as its owner.
    let colleague_id = colleague.to_string();
    let assign = format!("{room}/playbook/triage/assign");
    let given = responder
        .post(
            &assign,
            &[("csrf", &csrf), ("run", &run_id), ("user", &colleague_id)],
        )
        .await;
    assert_eq!(given.status(), 303);
    assert_eq!(location(&given), format!("{room}?done=assigned#playbook"));
    let run = first_run(&desk).await;
    assert_eq!(step(&run, "triage")["assignee"], colleague_id.as_str());
    let (_, page) = responder.page(&room).await;
    assert!(
        page.contains("given to colleague@staff.candor.test"),
        "{page}"
    );
    // Not to someone without the role, and not by someone without it.
    let cx = cx_id.to_string();
    let refused = responder
        .post(&assign, &[("csrf", &csrf), ("run", &run_id), ("user", &cx)])
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("can only be given to someone holding the responder role"),
        "{body}"
    );
    let mut lead = Browser::signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("id=\"assign-"), "{page}");
    let lead_csrf = hidden(&page, "csrf");
    let refused = lead
        .post(
            &assign,
            &[("csrf", &lead_csrf), ("run", &run_id), ("user", "")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("takes the responder role")
    );
    let run = first_run(&desk).await;
    assert_eq!(step(&run, "triage")["assignee"], colleague_id.as_str());

    // The playbook runs to its regulator report: a filing task with a draft.
    for id in ["triage", "declare-scope"] {
        if id == "declare-scope" {
            desk.scope(vec![crate::delivery::billing_exposure()]).await;
        }
        let path = format!("/playbook/steps/{id}/complete");
        let (status, body) = call(&desk, &path, json!({})).await;
        assert_eq!(status, 200, "{id}: {body}");
    }
    app.runner.settle().await.expect("settled");
    let (status, body) = call(&desk, "/playbook/steps/assess-risk/complete", json!({})).await;
    assert_eq!(status, 200, "{body}");
    app.runner.settle().await.expect("settled");
    let run = first_run(&desk).await;
    let task = run["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["has_draft"] == true)
        .unwrap_or_else(|| panic!("no task with a draft: {run}"))
        .clone();
    let task_id = task["id"].as_str().expect("task id");
    let task_page = format!("{room}/tasks/{task_id}");
    let (_, page) = responder.page(&room).await;
    assert!(page.contains(&format!("href=\"{task_page}\"")), "{page}");

    // A CX lead reads the draft but may not close it; the refused note is kept.
    let (status, page) = lead.page(&task_page).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<pre class=\"draft\""), "{page}");
    assert!(
        page.contains("Only someone holding the responder role can close this task."),
        "{page}"
    );
    let lead_csrf = hidden(&page, "csrf");
    let close = format!("{task_page}/complete");
    let refused = lead
        .post(
            &close,
            &[("csrf", &lead_csrf), ("note", "Filed by the CX team")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("Closing this task takes the responder role."),
        "{body}"
    );
    assert!(body.contains(">Filed by the CX team</textarea>"), "{body}");

    // A responder closes it with the filing's reference.
    let (_, page) = responder.page(&task_page).await;
    let csrf = hidden(&page, "csrf");
    let closed = responder
        .post(
            &close,
            &[("csrf", &csrf), ("note", "Filed, reference DPC-2026-88")],
        )
        .await;
    assert_eq!(closed.status(), 303);
    assert_eq!(location(&closed), format!("{task_page}?done=closed"));
    let (status, stored) = desk.get(&format!("/playbook/tasks/{task_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(stored["status"], "done", "{stored}");
    assert_eq!(stored["note"], "Filed, reference DPC-2026-88");
    let (_, page) = responder.page(&format!("{task_page}?done=closed")).await;
    assert!(page.contains("The task was closed"), "{page}");
    assert!(page.contains("by r@staff.candor.test"), "{page}");
    // Closed already: the form is gone and a second post is refused.
    let again = responder
        .post(&close, &[("csrf", &csrf), ("note", "again")])
        .await;
    assert_eq!(again.status(), 409);
}
