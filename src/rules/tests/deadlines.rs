//! Due times: hours and calendar days are plain additions; business days skip weekends in the
//! law's own time zone and keep the local time of day.

use chrono_tz::Tz;

use super::super::Anchor;
use super::super::deadline::{add_business_days, year_end};
use super::{Scenario, at, duty, group};

#[test]
fn an_sec_filing_determined_on_a_thursday_is_due_the_next_wednesday() {
    // Thursday 8 January 2026, 15:00 in New York.
    let result = Scenario::new(vec![group("US-NY", "email", 10)])
        .with_traits(&["sec_registrant"])
        .with_anchor(Anchor::MaterialityDetermination, "2026-01-08T20:00:00Z")
        .result("US-SEC-8K");
    let sec = duty(&result, "sec");
    assert!(sec.required);
    assert_eq!(sec.due_at, Some(at("2026-01-14T20:00:00Z")));
}

#[test]
fn business_days_keep_the_local_time_across_a_daylight_saving_change() {
    // Thursday 5 March 2026, 10:00 EST; clocks move forward on Sunday 8 March.
    let due = add_business_days(at("2026-03-05T15:00:00Z"), 4, Tz::America__New_York);
    assert_eq!(due, at("2026-03-11T14:00:00Z"), "10:00 EDT on Wednesday");
}

#[test]
fn business_days_counted_from_a_saturday_begin_on_monday() {
    // Saturday 10 January 2026, 09:00 in São Paulo (UTC-3).
    let due = add_business_days(at("2026-01-10T12:00:00Z"), 3, Tz::America__Sao_Paulo);
    assert_eq!(due, at("2026-01-14T12:00:00Z"), "Wednesday");
    assert_eq!(
        add_business_days(at("2026-01-10T12:00:00Z"), 0, Tz::America__Sao_Paulo),
        at("2026-01-10T12:00:00Z")
    );
}

#[test]
fn the_weekend_is_the_one_in_the_laws_time_zone() {
    // Friday 20:00 UTC is Friday afternoon in New York but Saturday morning in Tokyo.
    let start = at("2026-01-09T20:00:00Z");
    assert_eq!(
        add_business_days(start, 1, Tz::America__New_York),
        at("2026-01-12T20:00:00Z")
    );
    assert_eq!(
        add_business_days(start, 1, Tz::Asia__Tokyo),
        at("2026-01-11T20:00:00Z")
    );
}

#[test]
fn vermont_counts_14_business_days_from_discovery() {
    let result = Scenario::new(vec![group("US-VT", "name;ssn", 10)]).result("US-VT");
    // Discovered Thursday 8 January 2026 at 15:00 UTC: two weekends and four days later.
    assert_eq!(
        duty(&result, "attorney_general").due_at,
        Some(at("2026-01-28T15:00:00Z"))
    );
    assert_eq!(
        duty(&result, "individuals").due_at,
        Some(at("2026-02-22T15:00:00Z")),
        "45 calendar days"
    );
}

#[test]
fn brazil_counts_3_business_days_over_the_weekend() {
    let result = Scenario::new(vec![group("BR", "email", 10)]).result("BR");
    // Thursday 12:00 in São Paulo → Friday, Monday, Tuesday.
    assert_eq!(
        duty(&result, "anpd").due_at,
        Some(at("2026-01-13T15:00:00Z"))
    );
}

#[test]
fn gdpr_hours_run_through_the_weekend() {
    let mut scenario = Scenario::new(vec![group("DE", "email", 10)]);
    scenario.discovered_at = at("2026-01-09T18:00:00Z"); // a Friday
    let result = scenario.result("EU");
    assert_eq!(
        duty(&result, "supervisory_authority").due_at,
        Some(at("2026-01-12T18:00:00Z"))
    );
}

#[test]
fn calendar_days_are_a_plain_addition() {
    let result = Scenario::new(vec![group("US-CA", "name;ssn", 10)]).result("US-CA");
    assert_eq!(
        duty(&result, "individuals").due_at,
        Some(at("2026-02-07T15:00:00Z"))
    );
}

#[test]
fn the_year_of_discovery_ends_in_the_laws_time_zone() {
    let late = at("2026-12-31T23:00:00Z");
    assert_eq!(
        year_end(late, Tz::America__New_York),
        at("2027-01-01T05:00:00Z")
    );
    assert_eq!(year_end(late, Tz::Asia__Tokyo), at("2027-12-31T15:00:00Z"));
}
