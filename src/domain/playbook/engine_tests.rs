//! Tests of the playbook engine: flows, conditions, due times, escalation, retries,
//! refusals and determinism.

use super::super::definition::Anchor;
use super::super::state::tests::{action, at, due, facts, gate, playbook, task, when};
use super::*;

fn person() -> Uuid {
    Uuid::from_u128(7)
}

fn completed(step: &str, roles: &[Role]) -> Event {
    let (step, roles) = (step.to_owned(), roles.to_vec());
    Event::Completed {
        step,
        by: person(),
        roles,
        note: Some("done".into()),
    }
}

fn approved(step: &str, roles: &[Role], decision: Option<bool>) -> Event {
    let (step, roles) = (step.to_owned(), roles.to_vec());
    Event::Approved {
        step,
        by: person(),
        roles,
        decision,
        note: None,
    }
}

fn succeeded(step: &str) -> Event {
    Event::ActionSucceeded {
        step: step.to_owned(),
    }
}

fn failed(step: &str) -> Event {
    Event::ActionFailed {
        step: step.to_owned(),
        error: "smtp down".into(),
    }
}

fn perform(step: &str) -> Effect {
    Effect::Perform {
        step: step.to_owned(),
        action: Action::MapAffected,
    }
}

fn escalate(step: &str, to: Threshold, due_at: DateTime<Utc>) -> Effect {
    Effect::Escalate {
        step: step.to_owned(),
        to,
        due_at,
    }
}

/// Applies `event` at `at(minutes)`, which must be accepted.
fn step_on(def: &Playbook, state: &RunState, event: Event, minutes: i64) -> Decision {
    decide(def, state, &facts(), &event, at(minutes)).expect("the event is accepted")
}

/// `task` → CX `gate` → `send` action.
fn linear() -> Playbook {
    playbook(vec![
        task("task", &[]),
        gate("gate", &["task"], None),
        action("send", &["gate"]),
    ])
}

/// The linear flow with its task done and its gate ready.
fn at_the_gate(def: &Playbook) -> RunState {
    let started = step_on(def, &RunState::start(def, at(0)), Event::Tick, 0);
    step_on(
        def,
        &started.state,
        completed("task", &[Role::Responder]),
        1,
    )
    .state
}

#[test]
fn a_linear_task_gate_action_flow_runs_from_start_to_finish() {
    let def = linear();
    let first = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0);
    assert_eq!(first.state.status("task"), StepStatus::Ready);
    assert!(first.effects.is_empty());
    let state = at_the_gate(&def);
    assert_eq!(state.steps["task"].done_by, Some(person()));
    assert_eq!(state.status("gate"), StepStatus::Ready);
    let approved = step_on(&def, &state, approved("gate", &[Role::CxLead], None), 2);
    assert_eq!(approved.state.status("send"), StepStatus::Running);
    assert_eq!(approved.effects, vec![perform("send")]);
    let done = step_on(&def, &approved.state, succeeded("send"), 3);
    assert_eq!(done.effects, vec![Effect::Finished]);
    assert_eq!(done.state.finished_at, Some(at(3)));
    assert_eq!(done.state.steps["send"].done_at, Some(at(3)));
}

/// `assess` decides `taken`; `notify` runs only if yes; `close` needs `notify`.
fn conditional() -> Playbook {
    playbook(vec![
        gate("assess", &[], Some("taken")),
        when(task("notify", &["assess"]), "taken", true),
        task("close", &["notify"]),
    ])
}

#[test]
fn a_question_decided_yes_runs_the_step_that_asks_for_yes() {
    let def = conditional();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    assert_eq!(state.status("notify"), StepStatus::Waiting);
    let state = step_on(
        &def,
        &state,
        approved("assess", &[Role::CxLead], Some(true)),
        1,
    )
    .state;
    assert_eq!(state.steps["assess"].decision, Some(true));
    assert_eq!(state.status("notify"), StepStatus::Ready);
    assert_eq!(state.status("close"), StepStatus::Waiting);
}

#[test]
fn a_question_decided_no_skips_the_step_and_unblocks_the_steps_that_need_it() {
    let def = conditional();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let state = step_on(
        &def,
        &state,
        approved("assess", &[Role::CxLead], Some(false)),
        1,
    )
    .state;
    assert_eq!(state.status("notify"), StepStatus::Skipped);
    assert_eq!(state.steps["notify"].done_at, Some(at(1)));
    assert_eq!(state.status("close"), StepStatus::Ready);
}

#[test]
fn a_step_is_skipped_when_the_gate_that_would_ask_its_question_was_skipped() {
    let def = playbook(vec![
        gate("scope", &[], Some("customers")),
        when(gate("assess", &["scope"], Some("taken")), "customers", true),
        when(task("notify", &["assess"]), "taken", true),
    ]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let done = step_on(
        &def,
        &state,
        approved("scope", &[Role::CxLead], Some(false)),
        1,
    );
    assert_eq!(done.state.status("assess"), StepStatus::Skipped);
    assert_eq!(done.state.status("notify"), StepStatus::Skipped);
    assert_eq!(done.effects, vec![Effect::Finished]);
}

#[test]
fn a_step_due_after_another_step_escalates_only_once_that_step_is_done() {
    let def = playbook(vec![
        task("a", &[]),
        due(task("b", &[]), Anchor::Step("a".into()), 10),
        due(task("c", &[]), Anchor::Duty("individuals".into()), -60),
    ]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let later = step_on(&def, &state, Event::Tick, 23 * 60);
    assert_eq!(
        later.effects,
        vec![escalate("c", Threshold::Owner, at(23 * 60))]
    );
    let state = step_on(
        &def,
        &later.state,
        completed("a", &[Role::Responder]),
        23 * 60,
    )
    .state;
    let effects = step_on(&def, &state, Event::Tick, 23 * 60 + 10).effects;
    assert_eq!(
        effects,
        vec![escalate("b", Threshold::Owner, at(23 * 60 + 10))]
    );
}

#[test]
fn an_overdue_step_escalates_to_its_owner_then_the_commander_exactly_once_each() {
    let def = playbook(vec![due(task("t", &[]), Anchor::Started, 30)]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    assert!(step_on(&def, &state, Event::Tick, 29).effects.is_empty());
    let owner = step_on(&def, &state, Event::Tick, 30);
    assert_eq!(owner.effects, vec![escalate("t", Threshold::Owner, at(30))]);
    let quiet = step_on(&def, &owner.state, Event::Tick, 200);
    assert!(quiet.effects.is_empty());
    let commander = step_on(&def, &quiet.state, Event::Tick, 30 + 4 * 60);
    assert_eq!(
        commander.effects,
        vec![escalate("t", Threshold::Commander, at(30))]
    );
    assert!(
        step_on(&def, &commander.state, Event::Tick, 9_999)
            .effects
            .is_empty()
    );
}

#[test]
fn done_steps_never_escalate() {
    let def = playbook(vec![
        due(task("t", &[]), Anchor::Started, 30),
        task("u", &[]),
    ]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let state = step_on(&def, &state, completed("t", &[Role::Responder]), 10).state;
    assert!(step_on(&def, &state, Event::Tick, 9_999).effects.is_empty());
}

#[test]
fn a_failed_action_is_retried_after_its_backoff_and_then_succeeds() {
    let def = playbook(vec![action("map", &[])]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let state = step_on(&def, &state, failed("map"), 0).state;
    let map = &state.steps["map"];
    assert_eq!((map.status, map.attempts), (StepStatus::Failed, 1));
    assert_eq!(
        (map.retry_at, map.last_error.as_deref()),
        (Some(at(1)), Some("smtp down"))
    );
    let early = step_on(&def, &state, Event::Tick, 0);
    assert!(early.effects.is_empty());
    let retried = step_on(&def, &early.state, Event::Tick, 1);
    assert_eq!(retried.effects, vec![perform("map")]);
    let failed_again = step_on(&def, &retried.state, failed("map"), 1).state;
    assert_eq!(failed_again.steps["map"].retry_at, Some(at(3)));
    let retried = step_on(&def, &failed_again, Event::Tick, 3).state;
    let done = step_on(&def, &retried, succeeded("map"), 4);
    assert_eq!(done.state.status("map"), StepStatus::Done);
    assert_eq!(done.effects, vec![Effect::Finished]);
}

#[test]
fn the_backoff_doubles_per_attempt_and_stops_at_an_hour() {
    let minutes: Vec<i64> = (1..=9).map(|n| backoff(n).num_minutes()).collect();
    assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
}

#[test]
fn the_owner_can_finish_a_failed_action_by_hand() {
    let def = playbook(vec![action("map", &[])]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let state = step_on(&def, &state, failed("map"), 0).state;
    let done = step_on(&def, &state, completed("map", &[Role::Responder]), 0);
    assert_eq!(done.state.status("map"), StepStatus::Done);
    assert_eq!(done.state.steps["map"].note.as_deref(), Some("done"));
    assert_eq!(done.effects, vec![Effect::Finished]);
}

fn refusal(def: &Playbook, state: &RunState, event: Event) -> Refusal {
    decide(def, state, &facts(), &event, at(5)).expect_err("the event is refused")
}

#[test]
fn acting_without_the_owning_or_gate_role_is_refused_even_for_admins() {
    let def = linear();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let refused = refusal(
        &def,
        &state,
        completed("task", &[Role::Admin, Role::CxLead]),
    );
    assert!(matches!(
        refused,
        Refusal::RoleNotHeld {
            role: Role::Responder,
            ..
        }
    ));
    let state = at_the_gate(&def);
    let refused = refusal(
        &def,
        &state,
        approved("gate", &[Role::Admin, Role::Responder], None),
    );
    assert!(matches!(
        refused,
        Refusal::RoleNotHeld {
            role: Role::CxLead,
            ..
        }
    ));
}

#[test]
fn acting_on_a_step_that_is_not_ready_or_already_done_is_refused() {
    let def = linear();
    let state = at_the_gate(&def);
    let refused = refusal(&def, &state, succeeded("send"));
    assert!(matches!(
        refused,
        Refusal::NotReady {
            status: StepStatus::Waiting,
            ..
        }
    ));
    let refused = refusal(&def, &state, completed("task", &[Role::Responder]));
    assert!(matches!(refused, Refusal::AlreadyDone { .. }));
    let refused = refusal(&def, &state, completed("nope", &[Role::Responder]));
    assert_eq!(refused, Refusal::UnknownStep("nope".into()));
}

#[test]
fn completing_a_gate_or_approving_a_task_is_refused_as_the_wrong_kind() {
    let def = linear();
    let state = at_the_gate(&def);
    let refused = refusal(
        &def,
        &state,
        completed("gate", &[Role::Responder, Role::CxLead]),
    );
    assert!(matches!(refused, Refusal::WrongKind { kind: "a gate", .. }));
    let refused = refusal(&def, &state, approved("task", &[Role::Responder], None));
    assert!(matches!(refused, Refusal::WrongKind { kind: "a task", .. }));
    let refused = refusal(&def, &state, failed("gate"));
    assert!(matches!(refused, Refusal::WrongKind { kind: "a gate", .. }));
}

#[test]
fn a_deciding_gate_needs_a_decision_and_other_gates_refuse_one() {
    let def = conditional();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let refused = refusal(&def, &state, approved("assess", &[Role::CxLead], None));
    assert!(matches!(refused, Refusal::DecisionRequired { question, .. } if question == "taken"));
    let def = linear();
    let state = at_the_gate(&def);
    let refused = refusal(&def, &state, approved("gate", &[Role::CxLead], Some(true)));
    assert!(matches!(refused, Refusal::DecisionNotAsked { .. }));
}

#[test]
fn the_same_inputs_give_the_same_decision_and_a_second_tick_gives_no_effects() {
    let def = playbook(vec![
        due(action("b", &[]), Anchor::Started, 0),
        action("a", &[]),
        due(task("c", &[]), Anchor::Discovered, 0),
    ]);
    let start = RunState::start(&def, at(0));
    let first = step_on(&def, &start, Event::Tick, 300);
    assert_eq!(first, step_on(&def, &start, Event::Tick, 300));
    let expected = vec![
        perform("b"),
        escalate("b", Threshold::Owner, at(0)),
        escalate("b", Threshold::Commander, at(0)),
        perform("a"),
        escalate("c", Threshold::Owner, at(-120)),
        escalate("c", Threshold::Commander, at(-120)),
    ];
    assert_eq!(first.effects, expected, "in the definition's step order");
    let second = step_on(&def, &first.state, Event::Tick, 300);
    assert!(second.effects.is_empty());
    assert_eq!(second.state, first.state);
}

#[test]
fn finished_is_emitted_once_and_a_finished_run_refuses_other_events() {
    let def = playbook(vec![task("t", &[])]);
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let done = step_on(&def, &state, completed("t", &[Role::Responder]), 1);
    assert_eq!(done.effects, vec![Effect::Finished]);
    let tick = step_on(&def, &done.state, Event::Tick, 2);
    assert!(tick.effects.is_empty());
    assert_eq!(tick.state.finished_at, Some(at(1)));
    let refused = refusal(&def, &done.state, completed("t", &[Role::Responder]));
    assert_eq!(refused, Refusal::Finished);
}

fn assigned(step: &str, roles: &[Role], to: Option<&[Role]>) -> Event {
    Event::Assigned {
        step: step.to_owned(),
        by: person(),
        roles: roles.to_vec(),
        to: to.map(|r| (Uuid::from_u128(9), r.to_vec())),
    }
}

#[test]
fn a_step_is_given_to_someone_holding_its_role_by_someone_holding_it_and_taken_back() {
    let def = linear();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    // Given in advance: the gate is still waiting for the task.
    let given = step_on(
        &def,
        &state,
        assigned("gate", &[Role::CxLead], Some(&[Role::CxLead])),
        1,
    );
    assert_eq!(given.state.steps["gate"].assignee, Some(Uuid::from_u128(9)));
    assert!(given.effects.is_empty());
    let taken_back = step_on(
        &def,
        &given.state,
        assigned("gate", &[Role::CxLead], None),
        2,
    );
    assert_eq!(taken_back.state.steps["gate"].assignee, None);
}

#[test]
fn a_step_is_not_given_by_or_to_someone_without_its_role_nor_once_done() {
    let def = linear();
    let state = step_on(&def, &RunState::start(&def, at(0)), Event::Tick, 0).state;
    let refused = |state: &RunState, event: Event| {
        decide(&def, state, &facts(), &event, at(1)).expect_err("refused")
    };
    assert_eq!(
        refused(
            &state,
            assigned("gate", &[Role::Responder], Some(&[Role::CxLead]))
        ),
        Refusal::RoleNotHeld {
            step: "gate".into(),
            role: Role::CxLead
        }
    );
    assert_eq!(
        refused(
            &state,
            assigned("gate", &[Role::CxLead], Some(&[Role::Responder]))
        ),
        Refusal::AssigneeLacksRole {
            step: "gate".into(),
            role: Role::CxLead
        }
    );
    let done = at_the_gate(&def);
    assert_eq!(
        refused(&done, assigned("task", &[Role::Responder], None)),
        Refusal::AlreadyDone {
            step: "task".into()
        }
    );
}
