//! The dry run: who would get which variant, with head counts, and how a new mapping differs
//! from the dry run that was approved.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{app, approved, clean_draft, dry_run, lead, mapped, notice};
use crate::mapping::{Desk, customer, holding};

fn counts(run: &Value) -> BTreeMap<String, i64> {
    let variants = run["variants"]
        .as_array()
        .unwrap_or_else(|| panic!("{run}"));
    variants
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap().to_owned(),
                v["people"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Adds a customer of `billing-db` with name, email and SSN exposed (the incident's scope).
async fn add_exposed(desk: &Desk<'_>, customer_ref: &str, name: (&str, &str), home: (&str, &str)) {
    let email = format!("{}@example.com", customer_ref.to_lowercase());
    customer(desk.app, customer_ref, name, Some(&email), None, home).await;
    let record = holding("billing-db", customer_ref).customer(customer_ref);
    record.categories("name;email;ssn").insert(desk.app).await;
}

#[tokio::test]
async fn the_dry_run_counts_people_by_variant_under_stable_keys() {
    let app = app().await;
    let desk = mapped(&app).await;
    add_exposed(&desk, "CA2", ("Alan", "Turing"), ("US", "CA")).await;
    desk.map().await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;

    let first = dry_run(&writer, &nid).await;
    assert_eq!(first["people"], 3);
    assert_eq!(first["compared_with"], json!(null));
    assert_eq!(first["diff"], json!(null));
    let ca = first["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["jurisdiction"] == "US-CA")
        .expect("a Californian variant");
    assert_eq!(
        ca["people"], 2,
        "both Californians get the same notice: {first}"
    );
    assert_eq!(ca["locale"], "en");
    assert_eq!(ca["channel"], "email");
    assert_eq!(ca["outreach_first"], false);
    assert_eq!(ca["laws"], json!(["US-CA"]));
    assert_eq!(ca["categories"], json!(["name", "email", "ssn"]));
    let by_key = counts(&first);
    assert_eq!(by_key.len(), 2, "{first}");
    assert_eq!(
        by_key.values().sum::<i64>(),
        3,
        "head counts add up to the audience"
    );

    let second = dry_run(&writer, &nid).await;
    assert_eq!(counts(&second), by_key, "keys are stable across dry runs");
    desk.map().await;
    let remapped = dry_run(&writer, &nid).await;
    assert_ne!(remapped["mapping_id"], first["mapping_id"]);
    assert_eq!(
        counts(&remapped),
        by_key,
        "and across mappings of the same people"
    );
}

#[tokio::test]
async fn after_an_approval_the_dry_run_shows_what_a_new_mapping_changed() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let (_, approver) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let approval = approved(&approver, &nid).await["approval"].clone();
    let before = counts(&dry_run(&writer, &nid).await);
    assert_eq!(
        serde_json::to_value(&before).unwrap(),
        approval["variants"],
        "the approval keeps the dry run it was given for"
    );

    add_exposed(&desk, "CA2", ("Alan", "Turing"), ("US", "CA")).await;
    add_exposed(&desk, "NY1", ("Grace", "Hopper"), ("US", "NY")).await;
    desk.map().await;
    let run = dry_run(&writer, &nid).await;
    assert_eq!(run["people"], 4);
    assert_eq!(run["compared_with"], approval["approved_at"]);
    let diff = &run["diff"];
    let ca_key = before.keys().find(|k| k.contains("/US-CA/")).unwrap();
    assert_eq!(diff["changed"], json!({ ca_key.as_str(): [1, 2] }), "{run}");
    let added = diff["added"].as_object().unwrap();
    assert_eq!(added.len(), 1, "{run}");
    let (ny_key, ny_people) = added.iter().next().unwrap();
    assert!(ny_key.starts_with("en/US-NY/"), "{ny_key}");
    assert_eq!(ny_people, &json!(1));
    assert_eq!(diff["removed"], json!({}));
    assert_eq!(
        notice(&writer, &nid).await["status"],
        "draft",
        "the new audience voids the approval"
    );
}
