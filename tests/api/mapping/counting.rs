//! What the mapping counts: one row per person across systems, matching by normalized email
//! and phone, the exposure window, exposed categories only, forensic lists, unmatched records.

use candor::domain::CategorySet;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use super::{Desk, customer, exposed, holding, spawn_app, two_systems};

const US_CA: (&str, &str) = ("US", "CA");

#[tokio::test]
async fn a_person_in_two_systems_is_one_row_with_the_union_of_categories_and_both_systems() {
    let app = spawn_app().await;
    two_systems(&app).await;
    customer(
        &app,
        "C1",
        ("Ada", "Lovelace"),
        Some("ada@example.com"),
        Some("+1 415 555 0100"),
        US_CA,
    )
    .await;
    holding("billing-db", "B1")
        .customer("C1")
        .categories("name;payment_card")
        .insert(&app)
        .await;
    // Known to crm by email only, and holding a phone number the scope does not expose.
    holding("crm", "K1")
        .email("ada@example.com")
        .categories("email;phone")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![
        exposed(
            "billing-db",
            &["name", "payment_card"],
            "2026-03-01",
            "2026-03-09",
        ),
        exposed("crm", &["email", "name"], "2026-03-01", "2026-03-09"),
    ])
    .await;
    let run = desk.map().await;
    assert_eq!(
        run["result"],
        json!({ "affected_people": 1, "unmatched_people": 0, "added_people": 1, "removed_people": 0 })
    );
    let people = desk.affected().await;
    assert_eq!(people.len(), 1);
    let ada = &people[0];
    assert_eq!(ada["customer_ref"], "C1");
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["categories"], json!(["name", "email", "payment_card"]));
    assert_eq!(ada["systems"], json!(["billing-db", "crm"]));
    assert_eq!(
        (ada["record_count"].clone(), ada["unmatched"].clone()),
        (json!(2), json!(false))
    );
    assert_eq!(ada["jurisdiction"], "US-CA");

    // Stored once, keyed by the customer's id, with both records and the categories.
    let sql = "SELECT a.person_key, a.records, a.categories, a.unprotected, a.record_count, \
               (SELECT id FROM people WHERE customer_ref = 'C1') FROM affected_people a";
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let id: i64 = row.try_get_by_index(5).unwrap();
    assert_eq!(
        row.try_get_by_index::<String>(0).unwrap(),
        format!("p:{id}")
    );
    let records = row.try_get_by_index::<String>(1).unwrap();
    let mut records: Vec<&str> = records.split('\n').collect();
    records.sort();
    assert_eq!(records, ["billing-db/B1", "crm/K1"]);
    let union = CategorySet::parse_list("name;email;payment_card").unwrap();
    assert_eq!(row.try_get_by_index::<i64>(2).unwrap(), union.mask());
    // Neither system was encrypted: nothing is covered by a safe harbor.
    assert_eq!(row.try_get_by_index::<i64>(3).unwrap(), union.mask());
    assert_eq!(row.try_get_by_index::<i32>(4).unwrap(), 2);
}

#[tokio::test]
async fn emails_and_phones_match_whatever_their_case_spacing_and_punctuation() {
    let app = spawn_app().await;
    two_systems(&app).await;
    customer(
        &app,
        "C1",
        ("Ada", "Lovelace"),
        Some("  Ada@Example.COM "),
        None,
        US_CA,
    )
    .await;
    customer(
        &app,
        "C2",
        ("Alan", "Turing"),
        None,
        Some("+44 20 7946 0000"),
        ("GB", ""),
    )
    .await;
    holding("crm", "K1")
        .email("ADA@example.com ")
        .categories("email")
        .insert(&app)
        .await;
    holding("crm", "K2")
        .phone("+44 (20) 7946-0000")
        .categories("email")
        .insert(&app)
        .await;
    // A later customer with the same email does not take the record: the lowest id wins.
    customer(
        &app,
        "C9",
        ("Ada", "Again"),
        Some("ada@EXAMPLE.com"),
        None,
        US_CA,
    )
    .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed("crm", &["email"], "2026-03-01", "2026-03-09")])
        .await;
    let run = desk.map().await;
    assert_eq!(run["result"]["unmatched_people"], 0, "{run}");
    assert_eq!(desk.person("C1").await["record_count"], 1);
    assert_eq!(desk.person("C2").await["jurisdiction"], "GB");
    assert_eq!(
        desk.affected().await.len(),
        2,
        "C9 holds nothing of its own"
    );
}

#[tokio::test]
async fn only_records_held_during_the_window_count() {
    let app = spawn_app().await;
    two_systems(&app).await;
    let window = ("2026-03-01", "2026-03-09");
    let cases: [(&str, &str, Option<&str>, bool); 6] = [
        ("gone-before", "2025-01-01", Some("2026-02-28"), false),
        ("came-after", "2026-03-10", None, false),
        (
            "ended-on-the-first-day",
            "2025-01-01",
            Some("2026-03-01"),
            true,
        ),
        (
            "began-on-the-last-day",
            "2026-03-09",
            Some("2026-04-01"),
            true,
        ),
        ("still-held", "2025-01-01", None, true),
        ("inside", "2026-03-02", Some("2026-03-03"), true),
    ];
    for (customer_ref, from, to, _) in cases {
        customer(
            &app,
            customer_ref,
            ("Test", customer_ref),
            None,
            None,
            US_CA,
        )
        .await;
        holding("billing-db", customer_ref)
            .customer(customer_ref)
            .categories("name")
            .held(from, to)
            .insert(&app)
            .await;
    }
    let desk = Desk::open(&app).await;
    desk.scope(vec![exposed("billing-db", &["name"], window.0, window.1)])
        .await;
    desk.map().await;
    let mut found: Vec<String> = desk
        .affected()
        .await
        .iter()
        .map(|p| p["customer_ref"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    let mut expected: Vec<&str> = cases.iter().filter(|c| c.3).map(|c| c.0).collect();
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn categories_held_but_not_exposed_do_not_count() {
    let app = spawn_app().await;
    two_systems(&app).await;
    customer(&app, "C1", ("Ada", "Lovelace"), None, None, US_CA).await;
    customer(&app, "C2", ("Alan", "Turing"), None, None, US_CA).await;
    holding("billing-db", "B1")
        .customer("C1")
        .categories("name;phone;ssn")
        .insert(&app)
        .await;
    holding("billing-db", "B2")
        .customer("C2")
        .categories("phone")
        .insert(&app)
        .await;
    // Exposed categories of a system the person is not in do not reach them either.
    holding("crm", "K1")
        .customer("C2")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![
        exposed(
            "billing-db",
            &["name", "ssn", "payment_card"],
            "2026-03-01",
            "2026-03-09",
        ),
        exposed("crm", &["name"], "2026-03-01", "2026-03-09"),
    ])
    .await;
    desk.map().await;
    let people = desk.affected().await;
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0]["customer_ref"], "C1");
    assert_eq!(people[0]["categories"], json!(["name", "ssn"]));
}

#[tokio::test]
async fn a_forensic_list_restricts_its_system_to_the_listed_records() {
    let app = spawn_app().await;
    two_systems(&app).await;
    for (i, customer_ref) in ["C1", "C2", "C3"].iter().enumerate() {
        customer(
            &app,
            customer_ref,
            ("Test", customer_ref),
            None,
            None,
            US_CA,
        )
        .await;
        holding("billing-db", &format!("B{i}"))
            .customer(customer_ref)
            .categories("name")
            .insert(&app)
            .await;
    }
    holding("crm", "K1")
        .customer("C3")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![
        exposed("billing-db", &["name"], "2026-03-01", "2026-03-09"),
        exposed("crm", &["email"], "2026-03-01", "2026-03-09"),
    ])
    .await;
    let (status, _) = desk
        .upload("system,record_ref\nbilling-db,B0\nbilling-db,B-not-held\n")
        .await;
    assert_eq!(status, 200);
    desk.map().await;
    let people = desk.affected().await;
    let summary: Vec<(String, Value)> = people
        .iter()
        .map(|p| {
            (
                p["customer_ref"].as_str().unwrap().to_owned(),
                p["categories"].clone(),
            )
        })
        .collect();
    // C2's record is not on billing-db's list; crm has no list, so all of it counts.
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert!(summary.contains(&("C1".into(), json!(["name"]))));
    assert!(summary.contains(&("C3".into(), json!(["email"]))));
}

#[tokio::test]
async fn unmatched_records_become_people_of_their_own_one_per_email() {
    let app = spawn_app().await;
    two_systems(&app).await;
    holding("billing-db", "B1")
        .email("Grace@Example.com")
        .categories("email;payment_card")
        .insert(&app)
        .await;
    holding("crm", "K1")
        .email("grace@example.com")
        .categories("name")
        .insert(&app)
        .await;
    holding("crm", "K2")
        .phone("415-555-0199")
        .categories("name")
        .insert(&app)
        .await;
    holding("crm", "K3").categories("name").insert(&app).await;
    holding("crm", "K4")
        .customer("no-such-customer")
        .categories("name")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    desk.scope(vec![
        exposed(
            "billing-db",
            &["email", "payment_card"],
            "2026-03-01",
            "2026-03-09",
        ),
        exposed("crm", &["name"], "2026-03-01", "2026-03-09"),
    ])
    .await;
    let run = desk.map().await;
    assert_eq!(run["result"]["affected_people"], 4, "{run}");
    assert_eq!(run["result"]["unmatched_people"], 4);
    let people = desk.affected().await;
    let grace = people
        .iter()
        .find(|p| p["record_count"] == 2)
        .expect("the two grace records");
    assert_eq!(
        grace["categories"],
        json!(["name", "email", "payment_card"])
    );
    assert_eq!(grace["systems"], json!(["billing-db", "crm"]));
    for person in &people {
        assert_eq!(
            (person["unmatched"].clone(), person["jurisdiction"].clone()),
            (json!(true), json!("unknown"))
        );
        assert_eq!(
            (person["name"].clone(), person["customer_ref"].clone()),
            (Value::Null, Value::Null)
        );
        let id = person["id"].as_str().unwrap();
        assert!(
            id.chars().all(|c| c.is_ascii_hexdigit()) && id.len() == 24,
            "{id}"
        );
    }
}

#[tokio::test]
async fn data_from_an_encrypted_system_is_protected_unless_its_key_was_compromised() {
    let app = spawn_app().await;
    two_systems(&app).await;
    customer(&app, "C1", ("Ada", "Lovelace"), None, None, US_CA).await;
    holding("billing-db", "B1")
        .customer("C1")
        .categories("payment_card")
        .insert(&app)
        .await;
    holding("crm", "K1")
        .customer("C1")
        .categories("email")
        .insert(&app)
        .await;
    let desk = Desk::open(&app).await;
    let stored = |compromised: bool| {
        let mut billing = exposed("billing-db", &["payment_card"], "2026-03-01", "2026-03-09");
        billing["encrypted"] = json!(true);
        billing["key_compromised"] = json!(compromised);
        vec![
            billing,
            exposed("crm", &["email"], "2026-03-01", "2026-03-09"),
        ]
    };
    let unprotected = |app: &super::TestApp| {
        let db = app.db.clone();
        async move {
            let backend = db.get_database_backend();
            let row = db
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT a.categories, a.unprotected FROM affected_people a \
                     JOIN mapping_runs m ON m.id = a.mapping_id WHERE m.status = 'succeeded'",
                ))
                .await
                .unwrap()
                .unwrap();
            (
                CategorySet::from_mask(row.try_get_by_index(0).unwrap()).to_list(),
                CategorySet::from_mask(row.try_get_by_index(1).unwrap()).to_list(),
            )
        }
    };

    desk.scope(stored(false)).await;
    desk.map().await;
    assert_eq!(
        unprotected(&app).await,
        ("email;payment_card".to_owned(), "email".to_owned())
    );

    desk.scope(stored(true)).await;
    app.clock.advance(chrono::Duration::minutes(1));
    desk.map().await;
    assert_eq!(
        unprotected(&app).await,
        (
            "email;payment_card".to_owned(),
            "email;payment_card".to_owned()
        )
    );
}
