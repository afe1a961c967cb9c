//! The validator on a file's own fields: parse errors, unknown fields, identity, version,
//! `applies_when`, escalation; and on clashes between files.

use chrono::Duration;

use super::{FILE, GOOD, assert_problems, good_with, problems, problems_in};
use crate::domain::notice::NoticeKind;
use crate::domain::playbook::{
    Action, Anchor, AppliesWhen, Due, Escalation, IncidentKind, StepKind,
};
use crate::domain::{DataCategory, Role, Severity};
use crate::notice::templates::TemplateSet;
use crate::playbook::Playbooks;

#[test]
fn the_test_playbook_reads_into_its_definition_with_defaults_filled_in() {
    let files = vec![(FILE.to_owned(), GOOD.to_owned())];
    let set =
        Playbooks::from_files(files, &TemplateSet::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let p = set.get("test-playbook").expect("loaded by id");
    assert_eq!((p.name.as_str(), p.version), ("Test playbook", 1));
    assert_eq!(
        p.applies_when,
        AppliesWhen {
            severity_at_least: Some(Severity::High),
            kinds: vec![IncidentKind::DataBreach],
            categories_any: vec![DataCategory::Ssn, DataCategory::PaymentCard],
            categories_all: vec![],
        }
    );
    assert_eq!(p.escalation.to_commander_after, Duration::hours(2));
    let ids: Vec<_> = p.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["scope", "decide", "notify", "survey", "record", "close"]
    );
    let scope = p.step("scope").expect("scope");
    assert_eq!(scope.owner, Role::Responder);
    assert_eq!(
        scope.kind,
        StepKind::Task {
            checklist: vec!["List the systems".into(), "List the data".into()]
        }
    );
    let decide = p.step("decide").expect("decide");
    assert_eq!(
        decide.kind,
        StepKind::Gate {
            role: Role::CxLead,
            decides: Some("exfiltration".into())
        }
    );
    let notify = p.step("notify").expect("notify");
    assert_eq!(notify.condition, Some(("exfiltration".into(), true)));
    assert_eq!(
        notify.due,
        Some(Due {
            anchor: Anchor::Duty("individuals".into()),
            offset: Duration::days(-1)
        })
    );
    assert_eq!(
        notify.kind,
        StepKind::Action(Action::SendNotice(NoticeKind::InitialNotice))
    );
    assert_eq!(
        p.step("survey").map(|s| &s.kind),
        Some(&StepKind::Action(Action::ScheduleSurvey {
            after: Duration::days(7),
            reminder_after: None
        }))
    );
    let record = p.step("record").expect("record");
    assert_eq!(record.condition, Some(("exfiltration".into(), false)));
    assert_eq!(record.kind, StepKind::Task { checklist: vec![] });
    let close = p.step("close").expect("close");
    assert_eq!(close.needs, ["survey", "record"]);
    assert_eq!(
        close.due.as_ref().map(|d| &d.anchor),
        Some(&Anchor::Step("notify".into()))
    );
}

#[test]
fn omitted_optional_tables_and_parameters_take_their_defaults() {
    let text = GOOD
        .replace("[escalation]\nto_commander_after = \"2h\"\n", "")
        .replace("reminder_after = \"none\"\n", "");
    let files = vec![(FILE.to_owned(), text)];
    let set =
        Playbooks::from_files(files, &TemplateSet::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let p = set.get("test-playbook").expect("loaded");
    assert_eq!(p.escalation, Escalation::default());
    assert_eq!(
        p.step("survey").map(|s| &s.kind),
        Some(&StepKind::Action(Action::ScheduleSurvey {
            after: Duration::days(7),
            reminder_after: Some(Duration::days(5))
        }))
    );
}

#[test]
fn a_file_that_is_not_toml_is_reported_at_its_line() {
    let broken = good_with("version = 1", "version = = 1");
    let found = problems(&broken);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("test-playbook.toml:3: file: "),
        "{found:?}"
    );
}

#[test]
fn an_unknown_field_is_refused_naming_it() {
    let top = good_with("summary = ", "colour = \"red\"\nsummary = ");
    let found = problems(&top);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("test-playbook.toml:4: file: unknown field `colour`"),
        "{found:?}"
    );

    let in_step = good_with("title = \"Close\"", "title = \"Close\"\nnote = \"n\"");
    let found = problems(&in_step);
    assert!(
        found[0].starts_with("test-playbook.toml:58: file: unknown field `note`"),
        "{found:?}"
    );
}

#[test]
fn missing_and_blank_identity_fields_are_each_reported() {
    let text = GOOD
        .replace("name = \"Test playbook\"", "name = \"\"")
        .replace("summary = \"A playbook for tests.\"\n", "")
        .replace("version = 1", "version = 0");
    assert_problems(
        &text,
        &[
            " summary: missing",
            "2: name: must not be blank",
            "3: version: must be 1 or more (raise it with every change)",
        ],
    );
    let no_version = GOOD.replace("version = 1\n", "");
    assert_problems(&no_version, &[" version: missing"]);
    let huge = GOOD.replace("version = 1", "version = 4294967296");
    let negative = GOOD.replace("version = 1", "version = -1");
    assert_problems(
        &negative,
        &["3: version: must be 1 or more (raise it with every change)"],
    );
    assert_problems(
        &huge,
        &["3: version: is too large; versions count changes one by one"],
    );
}

#[test]
fn an_id_must_be_kebab_case_and_the_file_name() {
    assert_problems(
        &good_with("id = \"test-playbook\"", "id = \"other-playbook\""),
        &[
            "1: id: `other-playbook` differs from the file's name; name the file `other-playbook.toml`",
        ],
    );
    assert_problems(
        &good_with("id = \"test-playbook\"", "id = \"Test_Playbook\""),
        &["1: id: `Test_Playbook` is not kebab-case (lowercase words joined by `-`)"],
    );
}

#[test]
fn unknown_words_in_applies_when_are_each_reported() {
    let text = GOOD
        .replace("\"high\"", "\"severe\"")
        .replace("[\"data_breach\"]", "[\"data_breach\", \"flood\"]")
        .replace(
            "[\"ssn\", \"payment_card\"]",
            "[\"ssn\", \"shoe_size\"]\ncategories_all = [\"hair_colour\"]",
        );
    let found = problems(&text);
    let heads: Vec<&str> = found
        .iter()
        .map(|p| p.split(" expected").next().unwrap_or(""))
        .collect();
    assert_eq!(
        heads,
        [
            "test-playbook.toml:7: applies_when.severity_at_least: unknown `severe`;",
            "test-playbook.toml:8: applies_when.kinds: unknown `flood`;",
            "test-playbook.toml:9: applies_when.categories_any: unknown `shoe_size`;",
            "test-playbook.toml:10: applies_when.categories_all: unknown `hair_colour`;",
        ]
    );
    assert!(
        found[1].ends_with("`lost_device`, `ransomware`, `other`"),
        "{found:?}"
    );
}

#[test]
fn a_malformed_escalation_is_reported() {
    assert_problems(
        &good_with("\"2h\"", "\"2 hours\""),
        &[
            "12: escalation.to_commander_after: `2 hours` is not a duration; write a whole number and m, h or d (`4h`, `7d`)",
        ],
    );
}

#[test]
fn a_playbook_without_steps_is_refused() {
    let cut = GOOD.find("[[steps]]").expect("steps");
    assert_problems(
        &GOOD[..cut],
        &[" steps: a playbook needs at least one `[[steps]]` entry"],
    );
}

#[test]
fn two_files_with_one_id_are_refused_naming_the_first_in_name_order() {
    let other = "copy.toml";
    let found = problems_in(&[(FILE, GOOD), (other, GOOD)], &TemplateSet::embedded());
    assert_eq!(
        found,
        [
            "copy.toml:1: id: `test-playbook` differs from the file's name; name the file `test-playbook.toml`",
            "test-playbook.toml:1: id: duplicate id `test-playbook`, already used by copy.toml",
        ]
    );
}

#[test]
fn start_playbook_must_name_a_playbook_of_the_set_and_not_its_own() {
    let start = |target: &str| {
        good_with(
            "action = \"close_incident\"",
            &format!("action = \"start_playbook\"\nplaybook = \"{target}\""),
        )
    };
    assert_problems(
        &start("ghost"),
        &["62: steps.close.playbook: no playbook `ghost` in the set"],
    );
    assert_problems(
        &start("test-playbook"),
        &["62: steps.close.playbook: a playbook cannot start itself"],
    );
    let other = GOOD.replace("test-playbook", "other");
    let found = problems_in(
        &[(FILE, &start("other")), ("other.toml", &other)],
        &TemplateSet::embedded(),
    );
    assert_eq!(found, Vec::<String>::new());
}
