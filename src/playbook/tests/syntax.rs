//! Durations, due times and conditions as written in playbook files.

use chrono::Duration;

use super::super::syntax::{condition, due, duration, is_kebab};
use crate::domain::playbook::{Anchor, Due};

#[test]
fn durations_are_a_whole_number_of_minutes_hours_or_days() {
    assert_eq!(duration("30m"), Ok(Duration::minutes(30)));
    assert_eq!(duration("4h"), Ok(Duration::hours(4)));
    assert_eq!(duration(" 7d "), Ok(Duration::days(7)));
    for bad in ["", "4", "h", "4 h", "4hours", "-4h", "1.5h", "4w", "4H"] {
        assert!(duration(bad).is_err(), "`{bad}` was accepted");
    }
    assert!(duration("0h").unwrap_err().contains("at least 1"));
    assert!(duration("3651d").unwrap_err().contains("ten years"));
    assert!(duration("99999999999999999999d").is_err());
}

#[test]
fn a_due_time_is_an_anchor_moved_by_an_optional_offset() {
    let due_at = |anchor, offset| Ok(Due { anchor, offset });
    assert_eq!(due("started"), due_at(Anchor::Started, Duration::zero()));
    assert_eq!(
        due("discovered + 24h"),
        due_at(Anchor::Discovered, Duration::hours(24))
    );
    assert_eq!(
        due("duty:individuals - 2d"),
        due_at(Anchor::Duty("individuals".into()), Duration::days(-2))
    );
    assert_eq!(
        due("step:map-affected +30m"),
        due_at(Anchor::Step("map-affected".into()), Duration::minutes(30))
    );
    assert!(due("").unwrap_err().contains("empty"));
    assert!(
        due("discovered+24h")
            .unwrap_err()
            .contains("unknown anchor")
    );
    assert!(due("discovered * 24h").unwrap_err().contains("`+` or `-`"));
    assert!(due("discovered – 2d").unwrap_err().contains("`+` or `-`"));
    assert!(
        due("duty:press")
            .unwrap_err()
            .contains("unknown recipient `press`")
    );
    assert!(
        due("step:Map")
            .unwrap_err()
            .contains("does not name a step")
    );
    assert!(due("discovered + 2 days").is_err());
}

#[test]
fn a_condition_is_a_question_or_not_a_question() {
    assert_eq!(condition("exfiltration"), Ok(("exfiltration".into(), true)));
    assert_eq!(
        condition(" not  key_compromised "),
        Ok(("key_compromised".into(), false))
    );
    for bad in [
        "",
        "not",
        "exfiltration or not",
        "Exfiltration",
        "not data-taken",
    ] {
        assert!(condition(bad).is_err(), "`{bad}` was accepted");
    }
}

#[test]
fn ids_are_kebab_case() {
    for good in ["a", "map-affected", "step-2"] {
        assert!(is_kebab(good), "{good}");
    }
    for bad in [
        "",
        "Map",
        "map_affected",
        "-map",
        "map-",
        "map--affected",
        "2-map",
    ] {
        assert!(!is_kebab(bad), "{bad}");
    }
}
