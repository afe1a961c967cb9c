//! The validator on one step: its common fields, its kind, its action's parameters, its due
//! time and condition, and notices checked against the template set.

use super::{FILE, GOOD, assert_problems, good_with, problems_in};
use crate::notice::templates::TemplateSet;

#[test]
fn missing_and_unknown_common_fields_are_reported_at_the_step() {
    let text = GOOD
        .replace("id = \"survey\"\n", "")
        .replace("title = \"Declare the scope\"", "title = \"\"")
        .replace(
            "owner = \"cx_lead\"\nneeds = [\"decide\"]",
            "owner = \"boss\"\nneeds = [\"decide\"]",
        )
        .replace(
            "needs = [\"survey\", \"record\"]",
            "needs = [\"record\", \"Survey\"]",
        );
    assert_problems(
        &text,
        &[
            "16: steps.scope.title: must not be blank",
            "32: steps.notify.owner: unknown `boss`; expected one of `admin`, `responder`, `cx_lead`",
            "39: steps[3].id: missing",
            "58: steps.close.needs: `Survey` is not a step id",
        ],
    );
    assert_problems(
        &good_with("id = \"scope\"", "id = \"Scope\""),
        &[
            "15: steps[0].id: `Scope` is not kebab-case (lowercase words joined by `-`)",
            "25: steps.decide.needs: no step `scope` in this playbook",
        ],
    );
}

#[test]
fn a_step_is_exactly_one_of_task_gate_or_action() {
    assert_problems(
        &good_with("task = []\n", ""),
        &[
            "47: steps.record: say what the step is: `task = [...]`, `gate = \"<role>\"` or `action = \"...\"`",
        ],
    );
    assert_problems(
        &good_with("task = []", "task = []\naction = \"post_update\""),
        &["47: steps.record: a step is one of task, gate or action, not task and action"],
    );
    assert_problems(
        &good_with(
            "task = [\"List the systems\", \"List the data\"]",
            "task = [\"List the systems\", \" \"]",
        ),
        &["19: steps.scope.task: a checklist item must not be blank"],
    );
}

#[test]
fn a_gate_names_a_role_and_only_a_gate_decides() {
    assert_problems(
        &good_with("gate = \"cx_lead\"", "gate = \"legal\""),
        &[
            "26: steps.decide.gate: unknown `legal`; expected one of `admin`, `responder`, `cx_lead`",
        ],
    );
    assert_problems(
        &good_with("decides = \"exfiltration\"", "decides = \"data-taken\""),
        &[
            "27: steps.decide.decides: `data-taken` is not a question key (lowercase letters, digits and `_`)",
            "34: steps.notify.when: no gate among the steps this one needs decides `exfiltration`; add the gate that decides it to `needs` (directly or through another step)",
            "52: steps.record.when: no gate among the steps this one needs decides `exfiltration`; add the gate that decides it to `needs` (directly or through another step)",
        ],
    );
    assert_problems(
        &good_with("task = []", "task = []\ndecides = \"anything\""),
        &[
            "54: steps.record.decides: only a gate decides a question; add `gate = \"<role>\"` or remove `decides`",
        ],
    );
}

#[test]
fn an_unknown_action_is_reported_with_the_actions_there_are() {
    assert_problems(
        &good_with("\"close_incident\"", "\"close\""),
        &[
            "61: steps.close.action: unknown `close`; expected one of `map_affected`, `compute_obligations`, `send_notice`, `notify_regulator`, `personal_outreach`, `schedule_survey`, `post_update`, `close_incident`, `start_playbook`",
        ],
    );
}

#[test]
fn action_parameters_on_the_wrong_action_or_missing_are_refused() {
    let text = GOOD
        .replace(
            "notice = \"initial-notice\"",
            "notice = \"initial-notice\"\ntier = \"vip\"\nplaybook = \"x\"",
        )
        .replace("task = []", "task = []\nafter = \"7d\"")
        .replace(
            "action = \"close_incident\"",
            "action = \"close_incident\"\nreminder_after = \"5d\"\nnotice = \"update\"",
        );
    assert_problems(
        &text,
        &[
            "38: steps.notify.tier: only a `personal_outreach` action takes `tier`",
            "39: steps.notify.playbook: only a `start_playbook` action takes `playbook`",
            "56: steps.record.after: only a `schedule_survey` action takes `after`",
            "65: steps.close.reminder_after: only a `schedule_survey` action takes `reminder_after`",
            "66: steps.close.notice: only a `send_notice` action takes `notice`",
        ],
    );
    assert_problems(
        &good_with("notice = \"initial-notice\"\n", ""),
        &["36: steps.notify.notice: a `send_notice` action needs `notice`"],
    );
    assert_problems(
        &good_with("\"close_incident\"", "\"start_playbook\""),
        &["61: steps.close.playbook: a `start_playbook` action needs `playbook`"],
    );
}

#[test]
fn survey_delays_and_outreach_tiers_are_checked() {
    assert_problems(
        &good_with(
            "reminder_after = \"none\"",
            "after = \"0d\"\nreminder_after = \"soon\"",
        ),
        &[
            "45: steps.survey.after: `0d` is no time at all; durations are at least 1",
            "46: steps.survey.reminder_after: `soon` is not a duration; write a whole number and m, h or d (`4h`, `7d`)",
        ],
    );
    let outreach = |tier: &str| {
        good_with(
            "action = \"close_incident\"",
            &format!("action = \"personal_outreach\"\n{tier}"),
        )
    };
    assert_problems(&outreach(""), &[]);
    assert_problems(&outreach("tier = \"standard\""), &[]);
    assert_problems(
        &outreach("tier = \"VIP\""),
        &["62: steps.close.tier: unknown `VIP`; expected one of `standard`, `vip`"],
    );
}

#[test]
fn a_send_notice_kind_must_be_a_notice_to_people() {
    assert_problems(
        &good_with("\"initial-notice\"", "\"first-notice\""),
        &[
            "37: steps.notify.notice: unknown `first-notice`; expected one of `initial-notice`, `update`, `survey-invitation`, `survey-reminder`, `regulator-report`",
        ],
    );
    assert_problems(
        &good_with("\"initial-notice\"", "\"regulator-report\""),
        &[
            "37: steps.notify.notice: `regulator-report` goes to a regulator, not to people; use the `notify_regulator` action",
        ],
    );
}

#[test]
fn a_send_notice_kind_needs_every_part_in_every_locale_of_the_template_set() {
    let shipped = TemplateSet::embedded();
    let without = |path: &str| {
        assert!(shipped.get(path).is_some(), "{path}");
        TemplateSet::from_files(
            shipped
                .files()
                .iter()
                .filter(|(p, _)| p.as_str() != path)
                .map(|(p, t)| (p.clone(), t.clone())),
        )
    };
    let update = good_with("\"initial-notice\"", "\"update\"");
    assert_eq!(
        problems_in(&[(FILE, &update)], &shipped),
        Vec::<String>::new()
    );
    for missing in ["update/es/html.hbs", "update/en/subject.hbs"] {
        assert_eq!(
            problems_in(&[(FILE, &update)], &without(missing)),
            [
                "test-playbook.toml:37: steps.notify.notice: the notice templates have no complete `update` (a subject, text and html for every locale)"
            ],
            "without {missing}"
        );
    }
    // Another kind's missing file is no concern of this playbook.
    assert_eq!(
        problems_in(&[(FILE, &update)], &without("survey-reminder/es/text.hbs")),
        Vec::<String>::new()
    );
}

#[test]
fn a_malformed_due_time_is_reported_with_what_to_write() {
    let due = |text: &str| good_with("due = \"discovered + 24h\"", &format!("due = \"{text}\""));
    assert_problems(
        &due("tomorrow"),
        &[
            "18: steps.scope.due: unknown anchor `tomorrow`; expected `discovered`, `started`, `step:<id>` or `duty:<recipient>`",
        ],
    );
    assert_problems(
        &due("duty:press - 1d"),
        &[
            "18: steps.scope.due: unknown recipient `press`; expected one of `individuals`, `regulator`, `attorney_general`, `consumer_reporting_agencies`, `media`, `law_enforcement`, `government_agency`",
        ],
    );
    assert_problems(
        &due("discovered + 1 day"),
        &[
            "18: steps.scope.due: `1day` is not a duration; write a whole number and m, h or d (`4h`, `7d`)",
        ],
    );
    assert_problems(&due("duty:consumer_reporting_agencies - 12h"), &[]);
    assert_problems(&due("started"), &[]);
}

#[test]
fn a_malformed_condition_is_reported() {
    assert_problems(
        &good_with(
            "when = \"not exfiltration\"",
            "when = \"unless exfiltration\"",
        ),
        &[
            "52: steps.record.when: `unless exfiltration` is not a condition; write a question (`exfiltration`) or `not` and a question",
        ],
    );
}
