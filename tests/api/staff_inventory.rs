//! The staff app's inventory page: importing a file in the background with its progress, and
//! the row-level report of a refused file.

use std::time::Duration;

use candor::domain::{Clock, Role};
use candor::store::entities::audit_entries;
use candor::store::imports::{self, ImportRow};
use candor::store::inventory::list_systems;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::staff_client::{Browser, hidden, location};

const HEADER: &str = "system,description,owner,encrypted_at_rest\n";

/// Uploads `file` from the inventory page's form; returns the job's page path.
async fn start(browser: &mut Browser<'_>, kind: &str, skip_invalid: bool, file: &str) -> String {
    let (_, page) = browser.page("/inventory").await;
    let csrf = hidden(&page, "csrf");
    let mut fields = vec![("csrf", csrf.as_str()), ("kind", kind)];
    if skip_invalid {
        fields.push(("skip_invalid", "1"));
    }
    let response = browser.upload("/inventory/import", &fields, file).await;
    assert_eq!(
        response.status(),
        303,
        "the import is started in the background"
    );
    let job = location(&response).to_owned();
    assert!(job.starts_with("/inventory/imports/"), "{job}");
    job
}

/// The job's progress as JSON, which must answer 200.
async fn progress(browser: &mut Browser<'_>, job: &str) -> Value {
    let response = browser.get(&format!("{job}.json")).await;
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().unwrap();
    assert!(kind.starts_with("application/json"), "{kind}");
    response.json().await.expect("json")
}

/// Follows the job until it is no longer running; its last progress.
async fn finished(browser: &mut Browser<'_>, job: &str) -> Value {
    for _ in 0..600 {
        let now = progress(browser, job).await;
        if now["running"] == false {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import {job} did not finish");
}

async fn row(app: &TestApp, job: &str) -> ImportRow {
    let id: Uuid = job.rsplit('/').next().unwrap().parse().expect("job id");
    imports::find(&app.db, id).await.unwrap().expect("job row")
}

async fn systems(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = list_systems(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.system.name)
        .collect();
    names.sort();
    names
}

fn upload_file(app: &TestApp, id: Uuid) -> std::path::PathBuf {
    app.data_dir
        .path()
        .join("imports")
        .join(format!("{id}.upload"))
}

#[tokio::test]
async fn a_good_file_is_imported_in_the_background_and_its_job_shows_the_counts() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let file = format!(
        "{HEADER}billing-db,Billing,finance,true\ncrm,Customer records,sales,false\nweb,Web shop,it,true\n"
    );
    let job = start(&mut admin, "systems", false, &file).await;
    let (status, page) = admin.page(&job).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Import of systems"), "{page}");

    let last = finished(&mut admin, &job).await;
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(systems(&app).await, ["billing-db", "crm", "web"]);
    let stored = row(&app, &job).await;
    assert_eq!(
        (
            stored.rows_total,
            stored.written,
            stored.unchanged,
            stored.rejected
        ),
        (Some(3), Some(3), Some(0), Some(0))
    );
    assert!(stored.finished_at.is_some());
    assert!(
        !upload_file(&app, stored.id).exists(),
        "the upload is removed when the job ends"
    );

    let (_, page) = admin.page(&job).await;
    assert!(
        page.contains("Imported systems: 3 rows, 3 written, 0 unchanged, 0 skipped"),
        "{page}"
    );
    assert!(!page.contains("<progress"), "a finished job shows no bar");
    let (_, inventory) = admin.page("/inventory").await;
    assert!(
        inventory.contains(&format!("href=\"{job}\"")),
        "{inventory}"
    );
    assert!(inventory.contains("admin@staff.candor.test"), "{inventory}");
    assert!(
        inventory.contains("Imported: 3 rows, 3 written, 0 unchanged, 0 skipped."),
        "{inventory}"
    );

    // The same file again changes nothing.
    let again = start(&mut admin, "systems", false, &file).await;
    assert_eq!(finished(&mut admin, &again).await["status"], "done");
    let stored = row(&app, &again).await;
    assert_eq!((stored.written, stored.unchanged), (Some(0), Some(3)));
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_listed_by_line() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let file =
        format!("{HEADER}billing-db,Billing,finance,true\nweb,Web,it,maybe\n,No name,it,true\n");
    let job = start(&mut admin, "systems", false, &file).await;
    let last = finished(&mut admin, &job).await;
    assert_eq!(last["status"], "rejected", "{last}");
    assert!(systems(&app).await.is_empty(), "nothing is written");

    let (status, page) = admin.page(&job).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Nothing was imported: 2 of 3 rows are bad."),
        "{page}"
    );
    assert!(page.contains("<li>line 3: encrypted_at_rest"), "{page}");
    assert!(page.contains("<li>line 4: system"), "{page}");
    assert!(!page.contains("<li>line 2:"), "{page}");
    assert!(
        !page.contains("/rejects"),
        "no rejects file when refused whole"
    );
    let stored = row(&app, &job).await;
    assert_eq!((stored.rows_total, stored.rejected), (Some(3), Some(2)));
    assert_eq!(stored.written, None);
    assert!(!upload_file(&app, stored.id).exists());
    let (_, inventory) = admin.page("/inventory").await;
    assert!(
        inventory.contains("Refused: 2 of 3 rows are bad; nothing was imported."),
        "{inventory}"
    );
}

#[tokio::test]
async fn skipping_bad_rows_imports_the_good_ones_and_offers_the_rejects() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let file =
        format!("{HEADER}billing-db,Billing,finance,true\nweb,Web,it,maybe\ncrm,CRM,sales,false\n");
    let job = start(&mut admin, "systems", true, &file).await;
    let last = finished(&mut admin, &job).await;
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(systems(&app).await, ["billing-db", "crm"]);
    let stored = row(&app, &job).await;
    assert_eq!((stored.written, stored.rejected), (Some(2), Some(1)));

    let (_, page) = admin.page(&job).await;
    assert!(
        page.contains("Imported systems: 3 rows, 2 written, 0 unchanged, 1 skipped"),
        "{page}"
    );
    assert!(page.contains("<li>line 3: encrypted_at_rest"), "{page}");
    let link = format!("{job}/rejects");
    assert!(page.contains(&format!("href=\"{link}\"")), "{page}");

    let response = admin.get(&link).await;
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().unwrap();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let rejects = response.text().await.unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(
        lines[0],
        "line,reason,system,description,owner,encrypted_at_rest"
    );
    assert_eq!(lines.len(), 2, "{rejects}");
    assert!(lines[1].starts_with("3,"), "{rejects}");
    assert!(lines[1].ends_with(",web,Web,it,maybe"), "{rejects}");

    // Fetching them is recorded, by whom and for which import.
    let audited = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("inventory.rejects_downloaded"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].object_id, stored.id.to_string());
    assert_eq!(audited[0].summary, "1 rejected systems rows downloaded");

    // The rejects hold personal data: a week on, the file is deleted.
    let kept = app
        .data_dir
        .path()
        .join("imports")
        .join(format!("{}-rejects.csv", stored.id));
    assert!(kept.exists());
    app.clock.advance(chrono::Duration::days(8));
    // A week on, the session has expired too: another admin signs in.
    let mut admin = Browser::signed_in(&app, "admin2@staff.candor.test", &[Role::Admin]).await;
    let (_, page) = admin.page("/inventory").await;
    assert!(!kept.exists(), "{page}");
    assert_eq!(admin.get(&link).await.status(), 404);
    let (_, page) = admin.page(&job).await;
    assert!(!page.contains(&link), "{page}");

    // Someone without the role cannot fetch the rejects.
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let refused = responder.get(&link).await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_progress_route_answers_admins_and_refuses_other_roles_and_strangers() {
    let app = spawn_app().await;
    let mut admin = Browser::signed_in(&app, "admin@staff.candor.test", &[Role::Admin]).await;
    let file = format!("{HEADER}billing-db,Billing,finance,true\n");
    let job = start(&mut admin, "systems", false, &file).await;
    let now = progress(&mut admin, &job).await;
    assert_eq!(now["id"], job.rsplit('/').next().unwrap(), "{now}");
    assert!(now["text"].is_string(), "{now}");
    assert_eq!(
        finished(&mut admin, &job).await["summary"],
        "Imported: 1 rows, 1 written, 0 unchanged, 0 skipped."
    );

    for role in [Role::Responder, Role::CxLead] {
        let mut other = Browser::signed_in(
            &app,
            &format!("{}@staff.candor.test", role.as_str()),
            &[role],
        )
        .await;
        let response = other.get(&format!("{job}.json")).await;
        assert_eq!(response.status(), 403, "{role:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
        let (status, _) = other.page(&job).await;
        assert_eq!(status, 403, "{role:?}");
    }
    let mut stranger = Browser::new(&app);
    let response = stranger.get(&format!("{job}.json")).await;
    assert_eq!(response.status(), 303);
    assert!(
        location(&response).starts_with("/login"),
        "{}",
        location(&response)
    );

    let missing = admin
        .get(&format!("/inventory/imports/{}.json", Uuid::new_v4()))
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_non_admin_cannot_start_an_import_and_sees_why() {
    let app = spawn_app().await;
    let mut responder =
        Browser::signed_in(&app, "resp@staff.candor.test", &[Role::Responder]).await;
    let (_, page) = responder.page("/inventory").await;
    assert!(
        page.contains("Only an admin can import the inventory."),
        "{page}"
    );
    assert!(!page.contains("Recent imports"), "{page}");
    let csrf = hidden(&page, "csrf");
    let file = format!("{HEADER}billing-db,Billing,finance,true\n");
    let response = responder
        .upload(
            "/inventory/import",
            &[("csrf", &csrf), ("kind", "systems")],
            &file,
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(imports::recent(&app.db, 10).await.unwrap().is_empty());
    assert!(systems(&app).await.is_empty());
}

#[tokio::test]
async fn a_job_left_running_with_a_stale_heartbeat_shows_as_interrupted() {
    let app = spawn_app().await;
    let admin_id = app
        .add_user("admin@staff.candor.test", &[Role::Admin])
        .await;
    let mut admin = Browser::new(&app);
    let signed = admin
        .sign_in(
            "admin@staff.candor.test",
            crate::helpers::PASSWORD,
            "/inventory",
        )
        .await;
    assert_eq!(signed.status(), 303);
    let now = app.clock.now();
    let job = |id, heartbeat_at| ImportRow {
        id,
        kind: "customers".into(),
        format: "csv".into(),
        file_name: "customers.csv".into(),
        file_bytes: 1 << 20,
        skip_invalid: false,
        started_by: admin_id,
        status: imports::RUNNING.into(),
        phase: "loading".into(),
        rows_done: 5000,
        bytes_read: 0,
        rows_total: Some(20_000),
        written: None,
        unchanged: None,
        rejected: None,
        errors: None,
        message: None,
        has_rejects: false,
        started_at: now - chrono::Duration::minutes(30),
        heartbeat_at,
        finished_at: None,
    };
    let (stale, alive) = (Uuid::now_v7(), Uuid::now_v7());
    imports::insert(&app.db, job(stale, now - chrono::Duration::minutes(10)))
        .await
        .unwrap();
    imports::insert(&app.db, job(alive, now - chrono::Duration::seconds(5)))
        .await
        .unwrap();
    let left = upload_file(&app, stale);
    std::fs::create_dir_all(left.parent().unwrap()).unwrap();
    std::fs::write(&left, "customer_ref\n").unwrap();

    let path = format!("/inventory/imports/{stale}");
    let now_json = progress(&mut admin, &path).await;
    assert_eq!(now_json["status"], "interrupted", "{now_json}");
    assert_eq!(now_json["running"], false);
    let (_, page) = admin.page(&path).await;
    assert!(page.contains("This import was interrupted."), "{page}");
    assert!(
        page.contains("Candor stopped while this import was loading"),
        "{page}"
    );
    let truth = match app.backend {
        Backend::Postgres => "either all of them were written or none",
        Backend::Sqlite => "Some rows may have been written (at most 5000)",
    };
    assert!(page.contains(truth), "{page}");
    assert!(!left.exists(), "the interrupted job's upload is removed");

    let alive = progress(&mut admin, &format!("/inventory/imports/{alive}")).await;
    assert_eq!(
        alive["status"], "running",
        "a recent heartbeat is left alone"
    );
    assert_eq!(alive["percent"], 25, "{alive}");

    // While checking, the share of the file's bytes read is the percentage.
    let checking = Uuid::now_v7();
    let mut row = job(checking, now);
    (row.phase, row.rows_done, row.bytes_read, row.rows_total) =
        ("checking".into(), 3000, 1 << 18, None);
    imports::insert(&app.db, row).await.unwrap();
    let checking = progress(&mut admin, &format!("/inventory/imports/{checking}")).await;
    assert_eq!(checking["percent"], 25, "{checking}");
    assert_eq!(
        checking["text"],
        "Checking the file: 3,000 rows checked so far (25% of the file)."
    );
    let (_, inventory) = admin.page("/inventory").await;
    assert!(
        inventory.contains("Interrupted: Candor stopped while it ran."),
        "{inventory}"
    );
    assert!(
        inventory.contains("Loading rows: 5,000 of 20,000 (25%)."),
        "{inventory}"
    );
}

/// The text of the first element matching `css` once it reads `want` (the script polls every
/// two seconds), or a failure with what it read last.
async fn text_becomes(browser: &crate::browser::Browser, css: &str, want: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        last = browser.text(css).await;
        if last == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{css}` reads {last:?}, not {want:?}");
}

#[tokio::test]
async fn in_a_browser_the_import_page_follows_the_job_without_a_reload() {
    let app = spawn_app().await;
    let (admin_id, browser) = tokio::join!(
        app.add_user("admin@staff.candor.test", &[Role::Admin]),
        crate::browser::Browser::launch()
    );
    browser.open(&app, "/login?next=/inventory").await;
    browser.fill("#email", "admin@staff.candor.test").await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("form.who").await;
    browser.assert_accessible("the inventory page").await;

    let (id, now) = (Uuid::now_v7(), app.clock.now());
    let job = ImportRow {
        id,
        kind: "customers".into(),
        format: "csv".into(),
        file_name: "customers.csv".into(),
        file_bytes: 1 << 20,
        skip_invalid: false,
        started_by: admin_id,
        status: imports::RUNNING.into(),
        phase: "checking".into(),
        rows_done: 0,
        bytes_read: 0,
        rows_total: None,
        written: None,
        unchanged: None,
        rejected: None,
        errors: None,
        message: None,
        has_rejects: false,
        started_at: now,
        heartbeat_at: now,
        finished_at: None,
    };
    imports::insert(&app.db, job).await.unwrap();
    browser
        .open(&app, &format!("/inventory/imports/{id}"))
        .await;
    browser.wait_for("#import-progress").await;
    browser
        .assert_accessible("an import's page while it runs")
        .await;
    // Marks this page: a reload would lose the mark.
    browser
        .script("document.body.dataset.kept = 'yes';", vec![])
        .await;

    imports::record_progress(&app.db, id, "loading", (5000, Some(20_000), 1 << 20), now)
        .await
        .unwrap();
    text_becomes(
        &browser,
        "[data-import-text]",
        "Loading rows: 5,000 of 20,000 (25%).",
    )
    .await;
    let value = browser
        .script(
            "return document.getElementById('import-progress').value;",
            vec![],
        )
        .await;
    assert_eq!(value, 25);

    let outcome = imports::Outcome {
        status: imports::DONE,
        rows_total: Some(20_000),
        written: Some(19_990),
        unchanged: Some(10),
        rejected: Some(0),
        errors: Some("[]".into()),
        ..imports::Outcome::default()
    };
    imports::finish(&app.db, id, outcome, now).await.unwrap();
    browser.wait_for("#import-job .done").await;
    text_becomes(
        &browser,
        "#import-job .done p",
        "Imported customers: 20,000 rows, 19,990 written, 10 unchanged, 0 skipped (0.0 s).",
    )
    .await;
    let kept = browser
        .script("return document.body.dataset.kept || null;", vec![])
        .await;
    assert_eq!(kept, "yes", "the page was not reloaded");
    assert!(browser.attr("#import-job", "data-running").await.is_none());
    browser
        .assert_accessible("an import's page when it is done")
        .await;
    browser.open(&app, "/inventory").await;
    browser.wait_for("#recent-imports").await;
    browser
        .assert_accessible("the inventory page with its recent imports")
        .await;
}
