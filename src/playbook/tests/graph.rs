//! The validator on how steps refer to each other: unique ids, known `needs` and `step:`
//! anchors, cycles named, and conditions decided by a gate the step waits for.

use super::{GOOD, assert_problems, good_with};

#[test]
fn a_step_id_used_twice_is_refused_at_the_second() {
    assert_problems(
        &good_with("id = \"record\"", "id = \"notify\""),
        &[
            "48: steps.notify.id: duplicate step id `notify`; an earlier step has it",
            "59: steps.close.needs: no step `record` in this playbook",
        ],
    );
}

#[test]
fn needs_and_step_anchors_must_name_steps_of_the_playbook() {
    assert_problems(
        &good_with(
            "needs = [\"survey\", \"record\"]",
            "needs = [\"survey\", \"recrod\"]",
        ),
        &["59: steps.close.needs: no step `recrod` in this playbook"],
    );
    assert_problems(
        &good_with("\"step:notify + 7d\"", "\"step:notfy + 7d\""),
        &["60: steps.close.due: no step `notfy` in this playbook"],
    );
    assert_problems(
        &good_with("\"step:notify + 7d\"", "\"step:close + 7d\""),
        &["60: steps.close.due: a step cannot be due relative to itself"],
    );
}

#[test]
fn a_cycle_in_needs_is_refused_naming_its_steps() {
    let text = GOOD.replace(
        "id = \"scope\"\ntitle = \"Declare the scope\"\nowner = \"responder\"",
        "id = \"scope\"\ntitle = \"Declare the scope\"\nowner = \"responder\"\nneeds = [\"survey\"]",
    );
    assert_problems(
        &text,
        &[
            "15: steps.scope.needs: the steps need each other in a cycle: scope → survey → notify → decide → scope",
        ],
    );
    assert_problems(
        &good_with(
            "needs = [\"survey\", \"record\"]",
            "needs = [\"survey\", \"close\"]",
        ),
        &["56: steps.close.needs: the steps need each other in a cycle: close → close"],
    );
}

#[test]
fn a_condition_must_be_decided_by_a_gate_the_step_waits_for() {
    // `record` no longer waits for the gate: nothing has decided by the time it is ready.
    assert_problems(
        &good_with(
            "needs = [\"decide\"]\nwhen = \"not exfiltration\"",
            "needs = [\"scope\"]\nwhen = \"not exfiltration\"",
        ),
        &[
            "52: steps.record.when: no gate among the steps this one needs decides `exfiltration`; add the gate that decides it to `needs` (directly or through another step)",
        ],
    );
    // A question no gate decides at all.
    assert_problems(
        &good_with("when = \"exfiltration\"", "when = \"key_compromised\""),
        &[
            "34: steps.notify.when: no gate among the steps this one needs decides `key_compromised`; add the gate that decides it to `needs` (directly or through another step)",
        ],
    );
    // Waiting for the gate through another step is enough.
    assert_problems(
        &good_with(
            "title = \"Close\"",
            "title = \"Close\"\nwhen = \"exfiltration\"",
        ),
        &[],
    );
}
