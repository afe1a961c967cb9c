//! The staff web app over HTTP (the browser tests drive it in Chromium): signing in with a
//! session cookie (HttpOnly, SameSite=Strict) and a CSRF-protected form, the incidents list,
//! the incident room's sections, forms that act (and are refused without the role or the
//! token, nothing changed), security headers on every page, signing out; on SQLite and
//! PostgreSQL.

use candor::domain::Role;

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::staff_client::{Browser, hidden, location};

/// A signed-in browser for a new user holding `roles`.
async fn signed_in<'a>(app: &'a TestApp, email: &str, roles: &[Role]) -> Browser<'a> {
    Browser::signed_in(app, email, roles).await
}

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_session_and_returns_to_the_page_asked_for() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let response = browser
        .client
        .get(app.url("/incidents?status=closed"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(
        location(&response),
        "/login?next=%2Fincidents%3Fstatus%3Dclosed"
    );

    app.add_user("lead@staff.candor.test", &[Role::CxLead])
        .await;
    let wrong = browser
        .sign_in("lead@staff.candor.test", "not the password", "/incidents")
        .await;
    assert_eq!(wrong.status(), 401);
    let body = wrong.text().await.expect("body");
    assert!(
        body.contains("The email or password is not right"),
        "{body}"
    );
    assert!(
        body.contains("value=\"lead@staff.candor.test\""),
        "the email is kept"
    );

    let ok = browser
        .sign_in(
            "lead@staff.candor.test",
            PASSWORD,
            "%2Fincidents%3Fstatus%3Dclosed",
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(location(&ok), "/incidents?status=closed");
    let session = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("candor_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(session.contains("Path=/"), "{session}");

    let (status, page) = browser.page("/incidents").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("lead@staff.candor.test"), "{page}");
    assert!(page.contains("No incidents yet."), "{page}");
}

#[tokio::test]
async fn a_sign_in_without_its_form_token_is_refused() {
    let app = spawn_app().await;
    app.add_user("r@staff.candor.test", &[Role::Responder])
        .await;
    let mut browser = Browser::new(&app);
    let response = browser
        .post(
            "/login",
            &[("email", "r@staff.candor.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(
        !browser.cookies.iter().any(|(k, _)| k == "candor_session"),
        "no session without the token"
    );
}

#[tokio::test]
async fn the_incidents_list_and_the_room_show_the_incident_and_its_sections() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let incident = app.open_incident(&token).await;
    let id = incident["id"].as_str().expect("id");
    let mut browser = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;

    let (status, list) = browser.page("/incidents").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("href=\"/incidents/{id}\"")),
        "{list}"
    );
    assert!(list.contains("Support desk export left on a shared drive"));
    assert!(list.contains("not mapped"), "{list}");
    let (_, filtered) = browser.page("/incidents?status=closed").await;
    assert!(
        filtered.contains("No incident matches these filters."),
        "{filtered}"
    );

    let (status, room) = browser.page(&format!("/incidents/{id}")).await;
    assert_eq!(status, 200, "{room}");
    for section in [
        "id=\"header\"",
        "id=\"deadlines\"",
        "id=\"playbook\"",
        "id=\"timeline\"",
    ] {
        assert!(room.contains(section), "{section} missing");
    }
    assert!(room.contains("Move to investigating"), "{room}");
    assert!(room.contains("hours ago"), "{room}");
    let (status, _) = browser
        .page("/incidents/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn forms_act_for_the_right_role_with_their_token_and_nothing_changes_otherwise() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let incident = app.open_incident(&token).await;
    let id = incident["id"].as_str().expect("id");
    let room = format!("/incidents/{id}");

    // A CX lead sees the status buttons disabled with the reason, and a post is refused.
    let mut lead = signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("Only a responder can change the status."),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let refused = lead
        .post(
            &format!("{room}/status"),
            &[("csrf", &csrf), ("to", "investigating")],
        )
        .await;
    assert_eq!(refused.status(), 403);

    // A responder moves it; without the form token nothing happens.
    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let forged = responder
        .post(&format!("{room}/status"), &[("to", "investigating")])
        .await;
    assert_eq!(forged.status(), 403);
    let cross_site = responder
        .client
        .post(app.url(&format!("{room}/status")))
        .header("cookie", responder.cookie_header())
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("to", "investigating")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(cross_site.status(), 403);
    let (_, page) = responder.page(&room).await;
    assert!(page.contains("badge status-reported"), "still reported");

    let csrf = hidden(&page, "csrf");
    let moved = responder
        .post(
            &format!("{room}/status"),
            &[
                ("csrf", &csrf),
                ("to", "investigating"),
                ("note", "Looking into it."),
            ],
        )
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(location(&moved), format!("{room}?done=status#header"));
    let (_, page) = responder.page(&format!("{room}?done=status")).await;
    assert!(page.contains("The status was changed."), "{page}");
    assert!(page.contains("badge status-investigating"), "{page}");
    assert!(page.contains("Status changed from reported to investigating. Looking into it."));

    // A move the lifecycle does not allow is refused with its reason.
    let skip = responder
        .post(
            &format!("{room}/status"),
            &[("csrf", &csrf), ("to", "notifying")],
        )
        .await;
    assert_eq!(skip.status(), 409);
    let body = skip.text().await.expect("body");
    assert!(body.contains("cannot move from"), "{body}");

    // The timeline takes an entry from a CX lead.
    let (_, page) = lead.page(&room).await;
    let csrf = hidden(&page, "csrf");
    let added = lead
        .post(
            &format!("{room}/timeline"),
            &[
                ("csrf", &csrf),
                ("kind", "communication"),
                ("text", "Support briefed."),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("Support briefed."), "{page}");
}

#[tokio::test]
async fn every_staff_page_carries_the_security_headers_and_signing_out_ends_the_session() {
    let app = spawn_app().await;
    let mut browser = signed_in(&app, "a@staff.candor.test", &[Role::Admin]).await;
    for path in ["/login", "/incidents"] {
        let response = browser
            .client
            .get(app.url(path))
            .header("cookie", browser.cookie_header())
            .send()
            .await
            .expect("request sent");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "same-origin");
        assert_eq!(header("cache-control"), "no-store");
        let body = response.text().await.expect("body");
        assert!(!body.contains("style=\""), "{path}: no inline style");
        assert!(!body.contains("<script>"), "{path}: no inline script");
    }
    let (_, page) = browser.page("/incidents").await;
    let csrf = hidden(&page, "csrf");
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(location(&out), "/login?signed_out=1");
    let (status, _) = browser.page("/incidents").await;
    assert_eq!(status, 303, "signed out");
}

#[tokio::test]
async fn the_deadlines_board_and_the_playbook_progress_take_their_forms() {
    let app = spawn_app().await;
    let desk = crate::delivery::crowd(&app, 3).await;
    let body = serde_json::json!({ "playbook_id": "customer-data-breach" });
    let (status, run) = crate::playbook_runs::call(&desk, "/playbook", body).await;
    assert_eq!(status, 201, "{run}");
    let room = desk.incident.trim_start_matches("/api/v1").to_owned();

    // A CX lead sees the responder's task with its button disabled, and why.
    let mut lead = signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(
        page.contains("Only someone holding the responder role can do this."),
        "{page}"
    );

    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (status, page) = responder.page(&room).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("class=\"countdown"),
        "deadlines with countdowns: {page}"
    );
    let duty = hidden(&page, "duty_key");
    let csrf = hidden(&page, "csrf");
    let done = responder
        .post(
            &format!("{room}/duties/done"),
            &[
                ("csrf", &csrf),
                ("duty_key", &duty),
                ("reference", "AG-2026-114"),
                ("evidence", ""),
            ],
        )
        .await;
    assert_eq!(done.status(), 303);
    let (_, page) = responder.page(&room).await;
    assert!(page.contains("ref. AG-2026-114"), "{page}");

    let run_id = run["id"].as_str().expect("run id");
    let completed = responder
        .post(
            &format!("{room}/playbook/triage/complete"),
            &[("csrf", &csrf), ("run", run_id), ("note", "Contained.")],
        )
        .await;
    assert_eq!(completed.status(), 303);
    assert_eq!(location(&completed), format!("{room}?done=step#playbook"));
    let (_, runs) = desk.get("/playbook").await;
    assert_eq!(
        crate::playbook_runs::step(&runs[0], "triage")["status"],
        "done"
    );
    // Done already: the same form is refused with the engine's reason.
    let again = responder
        .post(
            &format!("{room}/playbook/triage/complete"),
            &[("csrf", &csrf), ("run", run_id)],
        )
        .await;
    assert_eq!(again.status(), 409);
}

/// A multipart body with the form token first, then the fields, then the file.
fn multipart(csrf: &str, kind: &str, file_name: &str, content: &str) -> (String, String) {
    let boundary = "candor-test-boundary-7d3f";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let body = format!(
        "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n",
        part("csrf", csrf),
        part("kind", kind),
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(browser: &mut Browser<'_>, kind: &str, file: &str, content: &str) -> (u16, String) {
    let (_, page) = browser.page("/inventory").await;
    let csrf = hidden(&page, "csrf");
    let (content_type, body) = multipart(&csrf, kind, file, content);
    let response = browser
        .client
        .post(browser.app.url("/inventory/import"))
        .header("cookie", browser.cookie_header())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn an_admin_imports_the_inventory_from_the_browser_and_bad_rows_are_listed_by_line() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let good = "system,description,owner,encrypted_at_rest\nbilling-db,Billing,finance,true\ncrm,Customer records,sales,false\n";
    let (status, page) = upload(&mut admin, "systems", "systems.csv", good).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Imported systems: 2 rows, 2 written"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">billing-db</th>"), "{page}");

    let bad = "system,description,owner,encrypted_at_rest\nweb,Web,it,maybe\n,No name,it,true\n";
    let (status, page) = upload(&mut admin, "systems", "more.csv", bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Nothing was imported: 2 of 2 rows are bad."),
        "{page}"
    );
    assert!(page.contains("line 2:"), "{page}");
    assert!(page.contains("line 3:"), "{page}");
    assert!(
        !page.contains("<th scope=\"row\">web</th>"),
        "nothing written"
    );

    // A responder sees the form disabled, and a post is refused.
    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page("/inventory").await;
    assert!(
        page.contains("Only an admin can import the inventory."),
        "{page}"
    );
    let (status, _) = upload(&mut responder, "systems", "s.csv", good).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_audit_page_lists_the_incident_s_entries_and_admins_see_the_chain_verified() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let incident = app.open_incident(&token).await;
    let id = incident["id"].as_str().expect("id");
    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (status, page) = responder.page(&format!("/incidents/{id}/audit")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("incident.created"), "{page}");
    assert!(page.contains("Only an admin can verify the whole chain."));
    let mut admin = signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let (_, page) = admin.page(&format!("/incidents/{id}/audit")).await;
    assert!(page.contains("The audit chain verifies"), "{page}");
    let mut lead = signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (status, _) = lead.page(&format!("/incidents/{id}/audit")).await;
    assert_eq!(status, 403);
}
