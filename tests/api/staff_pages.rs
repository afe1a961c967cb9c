//! The staff web app over HTTP (the browser tests drive it in Chromium): signing in with a
//! session cookie (HttpOnly, SameSite=Strict) and a CSRF-protected form, the incidents list,
//! the incident room's sections, forms that act (and are refused without the role or the
//! token, nothing changed), opening an incident from the list, changing its facts from the
//! room's header, the list's deadlines from stored obligations results and its pages, security
//! headers on every page, signing out; on SQLite and PostgreSQL. (The inventory import's page
//! is tested in `staff_inventory.rs`.)

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

/// The API's list of incidents, as `token`'s user.
async fn api_incidents(app: &TestApp, token: &str) -> serde_json::Value {
    let response = app
        .get("/api/v1/incidents?per_page=200")
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_responder_opens_an_incident_from_the_list_and_a_refused_form_keeps_what_was_typed() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let commander = app
        .add_user("commander@staff.candor.test", &[Role::Responder])
        .await;
    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, list) = responder.page("/incidents").await;
    assert!(list.contains("href=\"/incidents/new\""), "{list}");
    let (status, form) = responder.page("/incidents/new").await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form.contains("<label for=\"facts-title\">Title</label>"),
        "{form}"
    );
    assert!(
        form.contains("value=\"2026-11-20T09:00\""),
        "discovered now: {form}"
    );
    let csrf = hidden(&form, "csrf");
    let typed = |title: &'static str, discovered: &'static str| {
        vec![
            ("title", title),
            ("summary", "Tickets were readable by every agent"),
            ("severity", "high"),
            ("kind", "credential_exposure"),
            ("discovered_at", discovered),
            ("occurred_from", ""),
            ("occurred_to", ""),
            ("commander", ""),
        ]
    };

    // A time that is not one is named, and every field comes back as typed.
    let mut fields: Vec<(&str, &str)> = typed("Leaked support keys", "last tuesday");
    fields.push(("csrf", &csrf));
    let refused = responder.post("/incidents", &fields).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("Discovered: is not a date and time"),
        "{page}"
    );
    assert!(page.contains("value=\"last tuesday\""), "{page}");
    assert!(page.contains("value=\"Leaked support keys\""), "{page}");
    assert!(page.contains(">Tickets were readable by every agent</textarea>"));
    assert!(page.contains("<option value=\"high\" selected>"), "{page}");
    assert!(page.contains("<option value=\"credential_exposure\" selected>"));
    assert!(page.contains("aria-invalid=\"true\""), "{page}");

    // The use-case's own rules are named per field too.
    let mut fields: Vec<(&str, &str)> = typed("   ", "2027-01-01T00:00");
    fields.push(("csrf", &csrf));
    let refused = responder.post("/incidents", &fields).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(page.contains("Title: must not be empty."), "{page}");
    assert!(
        page.contains("Discovered: must not be in the future."),
        "{page}"
    );
    assert!(page.contains("value=\"2027-01-01T00:00\""), "{page}");
    assert_eq!(
        api_incidents(&app, &token).await["total"],
        0,
        "nothing opened"
    );

    // A good form opens the incident and goes to its room.
    let commander_id = commander.to_string();
    let mut fields: Vec<(&str, &str)> = typed("Leaked support keys", "2026-11-19T14:30");
    fields.retain(|(k, _)| *k != "commander");
    fields.push(("commander", &commander_id));
    fields.push(("occurred_from", "2026-11-01"));
    fields.retain(|(k, v)| !(*k == "occurred_from" && v.is_empty()));
    fields.push(("csrf", &csrf));
    let opened = responder.post("/incidents", &fields).await;
    assert_eq!(opened.status(), 303);
    let to = location(&opened).to_owned();
    assert!(to.ends_with("?done=opened"), "{to}");
    let listed = api_incidents(&app, &token).await;
    assert_eq!(listed["total"], 1, "{listed}");
    let incident = &listed["items"][0];
    assert_eq!(incident["title"], "Leaked support keys");
    assert_eq!(incident["severity"], "high");
    assert_eq!(incident["kind"], "credential_exposure");
    assert_eq!(incident["status"], "reported");
    assert_eq!(incident["discovered_at"], "2026-11-19T14:30:00Z");
    assert_eq!(incident["occurred_from"], "2026-11-01T00:00:00Z");
    assert_eq!(incident["commander_id"], commander_id.as_str());
    let id = incident["id"].as_str().expect("id");
    assert_eq!(to, format!("/incidents/{id}?done=opened"));
    let (_, room) = responder.page(&to).await;
    assert!(room.contains("The incident was opened."), "{room}");
    assert!(
        room.contains("<dd>commander@staff.candor.test</dd>"),
        "{room}"
    );

    // A CX lead sees the form disabled with the reason; a post is refused, typed values kept.
    let mut lead = signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, list) = lead.page("/incidents").await;
    assert!(
        list.contains("Only a responder can open an incident."),
        "{list}"
    );
    let (_, form) = lead.page("/incidents/new").await;
    assert!(
        form.contains("disabled aria-describedby=\"open-why\""),
        "{form}"
    );
    let csrf = hidden(&form, "csrf");
    let mut fields: Vec<(&str, &str)> = typed("Lead tries", "2026-11-19T14:30");
    fields.push(("csrf", &csrf));
    let refused = lead.post("/incidents", &fields).await;
    assert_eq!(refused.status(), 403);
    let page = refused.text().await.expect("body");
    assert!(
        page.contains("Only a responder can open an incident."),
        "{page}"
    );
    assert!(page.contains("value=\"Lead tries\""), "{page}");
    // Without the form token nothing is opened either.
    let fields = typed("Forged", "2026-11-19T14:30");
    let forged = responder.post("/incidents", &fields).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(api_incidents(&app, &token).await["total"], 1);
}

#[tokio::test]
async fn the_header_form_changes_the_facts_for_a_responder_and_a_refusal_keeps_the_typed_values() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let incident = app.open_incident(&token).await;
    let id = incident["id"].as_str().expect("id");
    let room = format!("/incidents/{id}");
    let lead_id = app
        .add_user("chief@staff.candor.test", &[Role::Responder])
        .await;
    let lead_value = lead_id.to_string();
    let read = |app: &TestApp| {
        let request = app
            .get(&format!("/api/v1/incidents/{id}"))
            .bearer_auth(&token);
        async move {
            let response = request.send().await.expect("request sent");
            response.json::<serde_json::Value>().await.expect("json")
        }
    };

    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page(&room).await;
    assert!(page.contains("Change the incident's facts"), "{page}");
    assert!(
        page.contains("value=\"2026-11-19T14:30\""),
        "the stored facts: {page}"
    );
    assert_eq!(hidden(&page, "version"), "1");
    let csrf = hidden(&page, "csrf");
    let form = |title: &'static str, from: &'static str, version: &'static str| {
        vec![
            ("title", title),
            ("summary", "Now known: the share was open for three weeks"),
            ("severity", "critical"),
            ("kind", "data_breach"),
            ("discovered_at", "2026-11-19T14:30"),
            ("occurred_from", from),
            ("occurred_to", "2026-11-19T12:00"),
            ("version", version),
        ]
    };

    // An exposure that ends before it starts is refused by field, the typed values kept.
    let mut fields: Vec<(&str, &str)> =
        form("Support export on a shared drive", "2026-11-30T00:00", "1");
    fields.push(("commander", &lead_value));
    fields.push(("csrf", &csrf));
    let refused = responder.post(&format!("{room}/facts"), &fields).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.expect("body");
    assert!(
        body.contains("Happened until: must not be before"),
        "{body}"
    );
    assert!(
        body.contains("value=\"Support export on a shared drive\""),
        "{body}"
    );
    assert!(body.contains("value=\"2026-11-30T00:00\""), "{body}");
    assert!(
        body.contains("<option value=\"critical\" selected>"),
        "{body}"
    );
    assert!(body.contains(&format!("<option value=\"{lead_value}\" selected>")));
    assert!(
        body.contains("<details class=\"facts-form\" open>"),
        "{body}"
    );
    assert_eq!(read(&app).await["severity"], "medium", "nothing changed");

    // A good change is saved through the use-case.
    let mut fields: Vec<(&str, &str)> =
        form("Support export on a shared drive", "2026-11-01T00:00", "1");
    fields.push(("commander", &lead_value));
    fields.push(("csrf", &csrf));
    let saved = responder.post(&format!("{room}/facts"), &fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{room}?done=facts#header"));
    let stored = read(&app).await;
    assert_eq!(stored["title"], "Support export on a shared drive");
    assert_eq!(stored["severity"], "critical");
    assert_eq!(stored["commander_id"], lead_value.as_str());
    assert_eq!(stored["version"], 2);
    let (_, page) = responder.page(&format!("{room}?done=facts")).await;
    assert!(
        page.contains("The incident&#x27;s facts were saved."),
        "{page}"
    );
    assert!(page.contains("<dd>chief@staff.candor.test</dd>"), "{page}");

    // A form read before that change is refused, the typed values kept for another try.
    let mut fields: Vec<(&str, &str)> = form("An older idea of the title", "2026-11-01T00:00", "1");
    fields.push(("commander", ""));
    fields.push(("csrf", &csrf));
    let stale = responder.post(&format!("{room}/facts"), &fields).await;
    assert_eq!(stale.status(), 409);
    let body = stale.text().await.expect("body");
    assert!(
        body.contains("Someone else changed this incident"),
        "{body}"
    );
    assert!(
        body.contains("value=\"An older idea of the title\""),
        "{body}"
    );
    assert_eq!(
        hidden(&body, "version"),
        "2",
        "the next try is against version 2"
    );
    assert_eq!(
        read(&app).await["title"],
        "Support export on a shared drive"
    );

    // A CX lead sees the form disabled with the reason and is refused.
    let mut lead = signed_in(&app, "cx@staff.candor.test", &[Role::CxLead]).await;
    let (_, page) = lead.page(&room).await;
    assert!(page.contains("Only a responder can change the incident's facts."));
    let csrf = hidden(&page, "csrf");
    let mut fields: Vec<(&str, &str)> = form("A CX title", "2026-11-01T00:00", "2");
    fields.push(("csrf", &csrf));
    let refused = lead.post(&format!("{room}/facts"), &fields).await;
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.expect("body");
    assert!(body.contains("value=\"A CX title\""), "{body}");
    assert_eq!(read(&app).await["version"], 2, "nothing changed");
}

#[tokio::test]
async fn the_incidents_list_shows_the_next_deadline_from_the_stored_result_and_pages() {
    let app = spawn_app().await;
    let desk = crate::delivery::crowd(&app, 3).await;
    let id = desk
        .incident
        .trim_start_matches("/api/v1/incidents/")
        .to_owned();
    let mut responder = signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, list) = responder.page("/incidents").await;
    assert!(
        list.contains("not worked out yet: open the incident"),
        "{list}"
    );

    // Once the obligations are worked out (and stored), the list shows the earliest
    // required duty not done.
    let (status, obligations) = desk.get("/obligations").await;
    assert_eq!(status, 200, "{obligations}");
    let next = obligations["jurisdictions"]
        .as_array()
        .expect("jurisdictions")
        .iter()
        .flat_map(|j| j["duties"].as_array().expect("duties").iter())
        .filter(|d| d["required"] == true && d["due_at"].is_string() && d["done"].is_null())
        .min_by_key(|d| d["due_at"].as_str().map(str::to_owned))
        .expect("a duty with a due time")
        .clone();
    let (_, list) = responder.page("/incidents").await;
    let due = next["due_at"].as_str().expect("due");
    assert!(
        list.contains(&format!("data-due=\"{due}\"")),
        "{due}: {list}"
    );
    assert!(list.contains(next["recipient_name"].as_str().expect("name")));

    // The list reads the stored result itself: a stored result says what the list shows.
    let stored = r#"[{"duties":[{"key":"XX/test","required":true,"due_at":"2026-11-21T09:00:00Z","recipient_name":"The Test Authority","jurisdiction":"XX"}]}]"#;
    let changed = app
        .exec(&format!(
            // The only incident with a stored result.
            "UPDATE obligation_results SET result = '{stored}'"
        ))
        .await;
    assert_eq!(changed, 1);
    let (_, list) = responder.page("/incidents").await;
    assert!(list.contains("The Test Authority (XX)"), "{list}");
    assert!(list.contains(">in 1 d 0 h</span>"), "{list}");

    // Fifty more incidents make two pages; the filters go with the page links.
    for _ in 0..50 {
        app.open_incident(&desk.token).await;
    }
    let (_, first) = responder.page("/incidents?severity=medium").await;
    assert!(
        first.contains("Incidents 1 to 50 of 51 (page 1 of 2)."),
        "{first}"
    );
    assert!(
        first.contains("href=\"/incidents?page&#x3D;2&amp;severity&#x3D;medium\""),
        "{first}"
    );
    assert!(
        !first.contains(&format!("href=\"/incidents/{id}\"")),
        "oldest on page 2"
    );
    let (_, second) = responder.page("/incidents?page=2&severity=medium").await;
    assert!(
        second.contains("Incidents 51 to 51 of 51 (page 2 of 2)."),
        "{second}"
    );
    assert!(
        second.contains(&format!("href=\"/incidents/{id}\"")),
        "{second}"
    );
    assert!(second.contains("The Test Authority (XX)"), "{second}");
}
