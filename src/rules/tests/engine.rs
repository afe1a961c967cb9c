//! The engine's rules of counting: thresholds and their operators, who is counted, the safe
//! harbor, risk assessments, waivers, anchors, organization traits and order.

use super::super::{Anchor, Recipient};
use super::{Scenario, at, duty, group, required};

fn ca(people: Vec<super::Group>) -> super::super::JurisdictionResult {
    Scenario::new(people).result("US-CA")
}

#[test]
fn california_attorney_general_needs_more_than_500_residents() {
    let at_500 = ca(vec![group("US-CA", "name;ssn", 500)]);
    let ag = duty(&at_500, "attorney_general");
    assert!(!ag.required);
    assert_eq!(ag.people, 500);
    assert!(
        ag.basis
            .contains("500 California residents must be told, and this duty needs more than 500"),
        "{}",
        ag.basis
    );

    let at_501 = ca(vec![group("US-CA", "name;ssn", 501)]);
    let ag = duty(&at_501, "attorney_general");
    assert!(ag.required);
    assert!(
        ag.basis
            .starts_with("Required: 501 California residents must be told, more than 500"),
        "{}",
        ag.basis
    );
    assert!(
        ag.basis.ends_with("(Cal. Civ. Code 1798.82(f))."),
        "{}",
        ag.basis
    );
}

#[test]
fn florida_department_needs_500_or_more_residents() {
    let fl = |n| Scenario::new(vec![group("US-FL", "name;ssn", n)]).result("US-FL");
    assert!(!duty(&fl(499), "department_of_legal_affairs").required);
    assert!(duty(&fl(500), "department_of_legal_affairs").required);
    assert!(
        !duty(&fl(1000), "consumer_reporting_agencies").required,
        "more than 1,000"
    );
    assert!(duty(&fl(1001), "consumer_reporting_agencies").required);
}

#[test]
fn texas_and_maryland_thresholds_count_at_or_above_the_number() {
    let tx = |n| Scenario::new(vec![group("US-TX", "name;ssn", n)]).result("US-TX");
    assert!(!duty(&tx(249), "attorney_general").required);
    assert!(duty(&tx(250), "attorney_general").required);
    let md = |n| Scenario::new(vec![group("US-MD", "name;ssn", n)]).result("US-MD");
    assert!(!duty(&md(999), "consumer_reporting_agencies").required);
    assert!(duty(&md(1000), "consumer_reporting_agencies").required);
}

#[test]
fn thresholds_count_only_people_whose_data_meets_a_trigger_set() {
    let mixed = ca(vec![
        group("US-CA", "name;ssn", 400),
        group("US-CA", "name;email", 5000),
    ]);
    assert_eq!(mixed.people_covered, 5400);
    assert_eq!(mixed.people_triggered, 400);
    assert!(duty(&mixed, "individuals").required);
    assert_eq!(duty(&mixed, "attorney_general").people, 400);
    assert!(!duty(&mixed, "attorney_general").required);
}

#[test]
fn a_person_whose_categories_meet_no_trigger_set_owes_nothing() {
    let result = ca(vec![group("US-CA", "email;phone;purchase_history", 3)]);
    assert_eq!(result.people_covered, 3);
    assert_eq!(result.people_triggered, 0);
    assert!(result.triggers_matched.is_empty());
    assert!(required(&result).is_empty());
    let basis = &duty(&result, "individuals").basis;
    assert!(
        basis.contains("no one's exposed data meets a trigger set"),
        "{basis}"
    );
}

#[test]
fn each_matched_trigger_set_is_counted() {
    let result = ca(vec![
        group("US-CA", "name;ssn;drivers_license", 7),
        group("US-CA", "name;ssn", 5),
    ]);
    let ssn = result
        .triggers_matched
        .iter()
        .find(|m| m.categories == ["name", "ssn"]);
    let dl = result
        .triggers_matched
        .iter()
        .find(|m| m.categories == ["name", "drivers_license"]);
    assert_eq!(ssn.map(|m| m.people), Some(12));
    assert_eq!(dl.map(|m| m.people), Some(7));
    assert_eq!(result.people_triggered, 12);
}

#[test]
fn unknown_anchors_leave_the_due_time_open_and_say_what_they_wait_for() {
    let waiting = ca(vec![group("US-CA", "name;ssn", 600)]);
    let ag = duty(&waiting, "attorney_general");
    assert!(ag.required);
    assert_eq!(ag.due_at, None);
    assert_eq!(ag.waiting_for, Some(Anchor::IndividualNotice));
    assert!(
        ag.due_text
            .contains("Waiting for the notice to individuals")
    );

    let notified = Scenario::new(vec![group("US-CA", "name;ssn", 600)])
        .with_anchor(Anchor::IndividualNotice, "2026-02-01T17:30:00Z")
        .result("US-CA");
    let ag = duty(&notified, "attorney_general");
    assert_eq!(ag.due_at, Some(at("2026-02-16T17:30:00Z")));
    assert_eq!(ag.waiting_for, None);

    let tx = Scenario::new(vec![group("US-TX", "name;ssn", 10)]).result("US-TX");
    assert_eq!(
        duty(&tx, "individuals").waiting_for,
        Some(Anchor::Determination)
    );
    assert_eq!(duty(&tx, "individuals").due_at, None);

    // "Before notifying customers": due no later than the recorded notice.
    let nj = Scenario::new(vec![group("US-NJ", "name;ssn", 10)])
        .with_anchor(Anchor::IndividualNotice, "2026-01-20T12:00:00Z")
        .result("US-NJ");
    assert_eq!(
        duty(&nj, "state_police").due_at,
        Some(at("2026-01-20T12:00:00Z"))
    );
}

#[test]
fn the_sec_filing_waits_for_a_materiality_determination() {
    let pending = Scenario::new(vec![group("US-NY", "email", 10)])
        .with_traits(&["sec_registrant"])
        .result("US-SEC-8K");
    let sec = duty(&pending, "sec");
    assert!(!sec.required);
    assert_eq!(sec.waiting_for, Some(Anchor::MaterialityDetermination));
    assert!(sec.basis.starts_with("Not required yet"), "{}", sec.basis);
}

#[test]
fn hipaa_reports_small_breaches_in_the_annual_log_and_tells_media_per_state() {
    let small = Scenario::new(vec![group("US-TX", "health", 100)])
        .with_traits(&["hipaa_covered_entity"])
        .result("US-HIPAA");
    let hhs = duty(&small, "hhs");
    assert!(hhs.required);
    // 60 days after midnight starting 2027 in New York (05:00 UTC in winter).
    assert_eq!(hhs.due_at, Some(at("2027-03-02T05:00:00Z")));
    assert!(hhs.due_text.starts_with("Fewer than 500"));
    assert!(!duty(&small, "media").required);

    let large = Scenario::new(vec![
        group("US-CA", "health", 501),
        group("US-TX", "health", 400),
    ])
    .with_traits(&["hipaa_covered_entity"])
    .result("US-HIPAA");
    assert!(duty(&large, "hhs").due_text.starts_with("500 or more"));
    let media = duty(&large, "media");
    assert!(media.required);
    assert!(
        media.basis.contains("US-CA (501)") && !media.basis.contains("US-TX"),
        "{}",
        media.basis
    );

    let spread = Scenario::new(vec![
        group("US-CA", "health", 500),
        group("US-TX", "health", 500),
    ])
    .with_traits(&["hipaa_covered_entity"])
    .result("US-HIPAA");
    assert!(
        !duty(&spread, "media").required,
        "1,000 people, but no state above 500"
    );
}

#[test]
fn japan_waives_its_head_count_for_sensitive_data_and_deliberate_acts() {
    let jp = |data: &str, n| Scenario::new(vec![group("JP", data, n)]);
    let card = jp("payment_card", 10).result("JP");
    assert!(duty(&card, "ppc_final").required);
    assert!(
        duty(&card, "ppc_final")
            .basis
            .contains("exposed data includes payment_card")
    );
    assert!(required(&jp("name;email", 1000).result("JP")).is_empty());
    assert_eq!(required(&jp("name;email", 1001).result("JP")).len(), 3);
    let attacked = jp("name;email", 10)
        .with_anchor(Anchor::MaliciousActSuspected, "2026-01-09T00:00:00Z")
        .result("JP");
    assert_eq!(required(&attacked).len(), 3);
}

#[test]
fn sector_regimes_need_their_trait_and_someone_they_cover() {
    let people = vec![group("US-TX", "name;health", 10)];
    let codes = |s: Scenario| s.run().into_iter().map(|r| r.code).collect::<Vec<_>>();
    assert!(!codes(Scenario::new(people.clone())).contains(&"US-HIPAA".to_owned()));
    assert!(
        codes(Scenario::new(people).with_traits(&["hipaa_covered_entity"]))
            .contains(&"US-HIPAA".to_owned())
    );
    let abroad =
        Scenario::new(vec![group("GB", "health", 10)]).with_traits(&["hipaa_covered_entity"]);
    assert!(!codes(abroad).contains(&"US-HIPAA".to_owned()));
}

#[test]
fn only_jurisdictions_present_in_the_population_appear_in_code_order() {
    let people = vec![
        group("US-TX", "name;ssn", 3),
        group("DE", "email", 2),
        group("US-CA", "name;ssn", 1),
        group("US-CA", "name;ssn", 0),
    ];
    let forward = Scenario::new(people.clone()).run();
    let codes: Vec<_> = forward.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["EU", "US-CA", "US-TX"]);
    let mut reversed = people;
    reversed.reverse();
    assert_eq!(Scenario::new(reversed).run(), forward);
}

#[test]
fn duty_keys_are_stable_and_unique_and_recipients_come_from_the_file() {
    let result = Scenario::new(vec![group("US-MA", "name;ssn", 10)]).result("US-MA");
    let keys: Vec<_> = result.duties.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "US-MA/individuals",
            "US-MA/attorney_general",
            "US-MA/ocabr",
            "US-MA/consumer_reporting_agencies"
        ]
    );
    assert_eq!(
        duty(&result, "ocabr").recipient,
        Recipient::GovernmentAgency
    );
    assert_eq!(
        duty(&result, "attorney_general").recipient_name,
        "Massachusetts Attorney General"
    );
}

#[test]
fn results_serialize_with_the_documented_field_names() {
    let result = ca(vec![group("US-CA", "name;ssn", 812)]);
    let json = serde_json::to_value(&result).unwrap_or_default();
    let ag = &json["duties"][1];
    assert_eq!(ag["key"], "US-CA/attorney_general");
    assert_eq!(ag["recipient"], "attorney_general");
    assert_eq!(ag["required"], true);
    assert_eq!(ag["waiting_for"], "individual_notice");
    assert_eq!(json["people_triggered"], 812);
}

#[test]
fn counts_too_large_to_add_stay_at_the_largest_instead_of_overflowing() {
    // Found by the `rules_pack` fuzz target: groups whose counts add up past `i64::MAX`.
    let huge = i64::MAX / 2 + 1;
    let result = ca(vec![
        group("US-CA", "name;ssn", huge),
        group("US-CA", "name;ssn;email", huge),
    ]);
    assert_eq!(result.people_covered, i64::MAX);
    assert_eq!(result.people_triggered, i64::MAX);
    let ag = duty(&result, "attorney_general");
    assert!(ag.required, "{}", ag.basis);
    assert_eq!(ag.people, i64::MAX);
}
