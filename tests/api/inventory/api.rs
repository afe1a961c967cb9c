//! Accepted imports: idempotent re-imports, changed rows, normalization, JSON Lines, skipping
//! bad rows, listing systems, and the audit entry.

use chrono::Duration;
use serde_json::json;

use super::{
    Admin, CUSTOMERS_CSV, SYSTEMS_CSV, all_holdings, all_people, count, holdings_csv, import_audit,
    send, to_jsonl,
};
use crate::helpers::spawn_app;

#[tokio::test]
async fn importing_the_same_files_twice_changes_nothing() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    // More holdings than one batch, so several batches (and statements) are involved.
    admin.import_all(2500).await;
    let (people_before, holdings_before) = (all_people(&app).await, all_holdings(&app).await);
    assert_eq!((people_before.len(), holdings_before.len()), (3, 2500));

    app.clock.advance(Duration::hours(1));
    for (kind, body, rows) in [
        ("systems", SYSTEMS_CSV.to_owned(), 3),
        ("customers", CUSTOMERS_CSV.to_owned(), 3),
        ("holdings", holdings_csv(2500), 2500),
    ] {
        let (status, body) = admin.import(kind, &body).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (
                &body["rows"],
                &body["written"],
                &body["unchanged"],
                &body["rejected"]
            ),
            (&json!(rows), &json!(0), &json!(rows), &json!(0)),
            "{kind}: {body}"
        );
    }
    // Not a row touched: same rows, same ids, same updated_at.
    assert_eq!(all_people(&app).await, people_before);
    assert_eq!(all_holdings(&app).await, holdings_before);
    assert_eq!(count(&app, "systems").await, 3);
    assert_eq!(
        import_audit(&app).await[3..],
        [
            "systems: 3 rows, 0 written, 3 unchanged, 0 rejected",
            "customers: 3 rows, 0 written, 3 unchanged, 0 rejected",
            "holdings: 2500 rows, 0 written, 2500 unchanged, 0 rejected",
        ]
    );
}

#[tokio::test]
async fn a_changed_row_is_the_only_one_written() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import_all(30).await;
    let before = all_holdings(&app).await;

    app.clock.advance(Duration::hours(1));
    let changed = holdings_csv(30).replace(
        "crm,r-3,c-1,,,name;email,2020-01-01T08:00:00Z,",
        "crm,r-3,c-1,,,name;email;payment_card,2020-01-01T08:00:00Z,",
    );
    let (status, body) = admin.import("holdings", &changed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["written"], &body["unchanged"]),
        (&json!(1), &json!(29))
    );

    let after = all_holdings(&app).await;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.created_at, new.created_at);
        if new.record_ref == "r-3" {
            assert_ne!(old.categories, new.categories);
            assert_eq!(new.updated_at, old.updated_at + Duration::hours(1));
        } else {
            assert_eq!(old, new);
        }
    }
}

#[tokio::test]
async fn a_file_mixing_new_and_stored_keys_inserts_the_new_updates_the_changed_and_keeps_the_rest()
{
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import_all(1500).await;
    let before = all_holdings(&app).await;
    app.clock.advance(Duration::hours(1));

    // 3,000 rows, stored and new keys alternating (so every batch holds both kinds), one
    // stored row changed.
    let full = holdings_csv(3000).replace(
        "crm,r-3,c-1,,,name;email,2020-01-01T08:00:00Z,",
        "crm,r-3,c-1,,,name;email;payment_card,2020-01-01T08:00:00Z,",
    );
    let mut lines = full.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (stored, new) = rows.split_at(1500);
    let mut mixed = format!("{header}\n");
    for (old, fresh) in stored.iter().zip(new) {
        mixed.push_str(&format!("{old}\n{fresh}\n"));
    }

    // A bad last row refuses the file whole: nothing it held is written, new or stored.
    let bad = format!("{mixed}crm,r-bad,c-1,,,not_a_category,2020-01-01,\n");
    let (status, body) = admin.import("holdings", &bad).await;
    let named: Vec<String> = super::refusals::details(status, &body)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(named, ["line 3002"]);
    assert_eq!(all_holdings(&app).await, before);

    let (status, body) = admin.import("holdings", &mixed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["rows"], &body["written"], &body["unchanged"]),
        (&json!(3000), &json!(1501), &json!(1499)),
        "{body}"
    );
    let after = all_holdings(&app).await;
    assert_eq!(after.len(), 3000);
    let later = before[0].created_at + Duration::hours(1);
    for row in &after {
        match before.iter().find(|b| b.record_ref == row.record_ref) {
            Some(old) if row.record_ref == "r-3" => {
                assert_ne!(old.categories, row.categories);
                assert_eq!((row.created_at, row.updated_at), (old.created_at, later));
            }
            Some(old) => assert_eq!(old, row),
            None => assert_eq!((row.created_at, row.updated_at), (later, later), "{row:?}"),
        }
    }
}

#[tokio::test]
async fn emails_match_whatever_their_case_and_padding() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import_all(6).await;
    let ada = &all_people(&app).await[0];
    assert_eq!(ada.email.as_deref(), Some("Ada.Lovelace@Example.COM"));
    assert_eq!(ada.email_norm.as_deref(), Some("ada.lovelace@example.com"));
    assert_eq!(ada.phone_norm.as_deref(), Some("+14155550100"));
    assert_eq!((ada.jurisdiction.as_str(), ada.in_eu), ("US-CA", false));
    let chloe = &all_people(&app).await[2];
    assert_eq!(
        (chloe.country.as_str(), chloe.region.as_str()),
        ("CA", "QC")
    );
    assert_eq!(chloe.jurisdiction, "CA-QC");
    assert!(all_people(&app).await[1].in_eu);

    let holdings = all_holdings(&app).await;
    let r0 = holdings.iter().find(|h| h.record_ref == "r-0").unwrap();
    assert_eq!(r0.email_norm.as_deref(), Some("person0@example.com"));
    assert_eq!(r0.customer_ref, None);
    assert_eq!(r0.stored_to, Some("2024-06-30T00:00:00Z".parse().unwrap()));
}

#[tokio::test]
async fn json_lines_import_exactly_as_csv_does() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    for (kind, csv) in [
        ("systems", SYSTEMS_CSV.to_owned()),
        ("customers", CUSTOMERS_CSV.to_owned()),
        ("holdings", holdings_csv(40)),
    ] {
        let jsonl = admin.request(kind, "application/x-ndjson", to_jsonl(&csv));
        let (status, body) = send(jsonl).await;
        assert_eq!(
            (status, &body["written"]),
            (200, &json!(csv.lines().count() - 1)),
            "{body}"
        );
        // The same rows as CSV are already stored exactly: nothing to write.
        let (status, body) = admin.import(kind, &csv).await;
        assert_eq!(
            (status, &body["written"]),
            (200, &json!(0)),
            "{kind}: {body}"
        );
    }
    assert_eq!(
        all_people(&app).await[0].email_norm.as_deref(),
        Some("ada.lovelace@example.com")
    );
}

#[tokio::test]
async fn skip_invalid_imports_the_good_rows_and_lists_the_bad_ones() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    admin.import_all(0).await;
    let file = format!(
        "{}crm,bad-1,,,,name,yesterday,\nhr,bad-2,,,,name,2020-01-01,\n",
        holdings_csv(4)
    );
    let request = admin.request("holdings", "text/csv", file);
    let (status, body) = send(request.query(&[("skip_invalid", "true")])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["rows"], &body["written"], &body["rejected"]),
        (&json!(6), &json!(4), &json!(2))
    );
    assert_eq!(body["rejects"][0]["line"], 6);
    assert!(
        body["rejects"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("stored_from: bad date")
    );
    assert_eq!(
        body["rejects"][1],
        json!({"line": 7, "reason": "system: unknown system `hr`"})
    );
    assert_eq!(count(&app, "holdings").await, 4);
}

#[tokio::test]
async fn any_staff_member_may_list_systems() {
    let app = spawn_app().await;
    Admin::new(&app).await.import("systems", SYSTEMS_CSV).await;
    let responder = app.token(&[candor::domain::Role::Responder]).await;
    let (status, body) = send(app.get("/api/v1/inventory/systems").bearer_auth(responder)).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["system"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["billing-db", "crm", "support-desk"]);
    assert_eq!(body[0]["encrypted_at_rest"], true);
    assert_eq!(body[0]["owner"], "Payments team");
    let (status, _) = send(app.get("/api/v1/inventory/systems")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn each_import_is_audited_with_counts_and_no_personal_data() {
    let app = spawn_app().await;
    Admin::new(&app).await.import_all(5).await;
    let audit = import_audit(&app).await;
    assert_eq!(
        audit,
        [
            "systems: 3 rows, 3 written, 0 unchanged, 0 rejected",
            "customers: 3 rows, 3 written, 0 unchanged, 0 rejected",
            "holdings: 5 rows, 5 written, 0 unchanged, 0 rejected",
        ]
    );
    let verify = app
        .get("/api/v1/audit/verify")
        .bearer_auth(Admin::new(&app).await.token);
    let (status, body) = send(verify).await;
    assert_eq!((status, &body["intact"]), (200, &json!(true)), "{body}");
    assert!(audit.iter().all(|s| !s.contains('@')));
}
