//! Tests of playbook files: the validator names every problem at its line, the shipped
//! playbooks pass, the embedded copy is the folder, and playbooks attach by `applies_when`.

mod applies;
mod drive;
mod fields;
mod graph;
mod shipped;
mod steps;
mod syntax;

use super::Playbooks;
use crate::notice::templates::TemplateSet;

/// The file name the test playbook must have.
pub(super) const FILE: &str = "test-playbook.toml";

/// A valid playbook using most of the format; each test breaks it in one or more places.
/// Keep the lines where they are: tests name them.
pub(super) const GOOD: &str = r#"id = "test-playbook"
name = "Test playbook"
version = 1
summary = "A playbook for tests."

[applies_when]
severity_at_least = "high"
kinds = ["data_breach"]
categories_any = ["ssn", "payment_card"]

[escalation]
to_commander_after = "2h"

[[steps]]
id = "scope"
title = "Declare the scope"
owner = "responder"
due = "discovered + 24h"
task = ["List the systems", "List the data"]

[[steps]]
id = "decide"
title = "Decide whether data was taken"
owner = "responder"
needs = ["scope"]
gate = "cx_lead"
decides = "exfiltration"

[[steps]]
id = "notify"
title = "Send the notice"
owner = "cx_lead"
needs = ["decide"]
when = "exfiltration"
due = "duty:individuals - 1d"
action = "send_notice"
notice = "initial-notice"

[[steps]]
id = "survey"
title = "Ask how we did"
owner = "cx_lead"
needs = ["notify"]
action = "schedule_survey"
reminder_after = "none"

[[steps]]
id = "record"
title = "Record why no one was told"
owner = "responder"
needs = ["decide"]
when = "not exfiltration"
task = []

[[steps]]
id = "close"
title = "Close"
owner = "responder"
needs = ["survey", "record"]
due = "step:notify + 7d"
action = "close_incident"
"#;

/// `GOOD` with `from` replaced by `to` (which must be there).
pub(super) fn good_with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "the test playbook has no `{from}`");
    GOOD.replacen(from, to, 1)
}

/// The problems of a set of `(file name, content)`, as printed.
pub(super) fn problems_in(files: &[(&str, &str)], templates: &TemplateSet) -> Vec<String> {
    let files = files
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    match Playbooks::from_files(files, templates) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

/// The problems of one file named [`FILE`], against the shipped templates.
pub(super) fn problems(text: &str) -> Vec<String> {
    problems_in(&[(FILE, text)], &TemplateSet::embedded())
}

/// Asserts that `text` has exactly these problems (without the file name prefix).
#[track_caller]
pub(super) fn assert_problems(text: &str, expected: &[&str]) {
    let expected: Vec<String> = expected.iter().map(|e| format!("{FILE}:{e}")).collect();
    assert_eq!(problems(text), expected);
}
