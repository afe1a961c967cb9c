//! A playbook run's state (each step's status, who did it, retries, escalations), the facts
//! about the incident the engine is given with every event, and the read-only questions the
//! API asks of a run: when a step is due, and what a waiting step waits for.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::definition::{Anchor, Playbook, Step, StepKind};

/// Where one run of a playbook stands; the caller stores it (JSON or rows) between events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RunState {
    /// When the playbook was attached to the incident.
    pub started_at: DateTime<Utc>,
    /// Every step of the definition, by id.
    pub steps: BTreeMap<String, StepState>,
    /// When the last step was done or skipped.
    pub finished_at: Option<DateTime<Utc>>,
}

/// Where one step stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepState {
    pub status: StepStatus,
    /// When the steps it needs were all done (it became ready).
    pub ready_at: Option<DateTime<Utc>>,
    /// When it was done or skipped.
    pub done_at: Option<DateTime<Utc>>,
    /// The staff member who completed the task or approved the gate.
    pub done_by: Option<Uuid>,
    pub note: Option<String>,
    /// A deciding gate's answer.
    pub decision: Option<bool>,
    /// How many times its action failed.
    pub attempts: u32,
    pub last_error: Option<String>,
    /// When a failed action is tried again.
    pub retry_at: Option<DateTime<Utc>>,
    /// The escalations already sent for it (each at most once).
    pub escalated: BTreeSet<Threshold>,
    /// The person it was given to, if anyone: they do it, and hear first when it is late.
    #[serde(default)]
    pub assignee: Option<Uuid>,
}

/// A step's status.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Some step it needs is not done yet, or its condition is undecided.
    #[default]
    Waiting,
    /// Its owner (or the gate's role) can act on it.
    Ready,
    /// Candor is carrying out its action.
    Running,
    /// Its action failed; it is tried again at `retry_at`.
    Failed,
    Done,
    /// Its condition was decided the other way; counts as done for `needs`.
    Skipped,
}

impl StepStatus {
    /// Done or skipped: nothing more happens to the step.
    pub fn is_settled(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped)
    }
}

/// Whom an overdue step has been escalated to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// The step's owner, as soon as it is overdue.
    Owner,
    /// The incident's commander, `escalation.to_commander_after` later.
    Commander,
}

/// What the engine needs to know about the incident, given by the caller with every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub discovered_at: DateTime<Utc>,
    /// The earliest due time of the incident's required duties, per recipient key
    /// (`individuals`, `regulator`, …).
    pub duty_due: BTreeMap<String, DateTime<Utc>>,
}

impl RunState {
    /// A new run of `def` started at `now`: every step waiting. Feed it a `Tick` to get going.
    pub fn start(def: &Playbook, now: DateTime<Utc>) -> Self {
        RunState {
            started_at: now,
            steps: def
                .steps
                .iter()
                .map(|step| (step.id.clone(), StepState::default()))
                .collect(),
            finished_at: None,
        }
    }

    /// A step's status; a step the state does not know is waiting.
    pub fn status(&self, step: &str) -> StepStatus {
        self.steps.get(step).map(|s| s.status).unwrap_or_default()
    }
}

/// When `step` is due: its anchor moved by its offset. `None` when it has no due time, or the
/// anchor is not known yet (the anchoring step is not done, the duty is not known).
pub fn due_at(
    def: &Playbook,
    state: &RunState,
    facts: &Facts,
    step: &str,
) -> Option<DateTime<Utc>> {
    let due = def.step(step)?.due.as_ref()?;
    let anchor = match &due.anchor {
        Anchor::Discovered => facts.discovered_at,
        Anchor::Started => state.started_at,
        Anchor::Step(id) => state.steps.get(id)?.done_at?,
        Anchor::Duty(recipient) => *facts.duty_due.get(recipient)?,
    };
    anchor.checked_add_signed(due.offset)
}

/// How a step's condition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConditionState {
    /// No condition, or decided the way it asks.
    Met,
    /// Decided the other way, or the question can no longer be asked (its gates were skipped).
    NotMet,
    Undecided,
}

/// How `step`'s condition stands in `state`.
pub(super) fn condition_state(def: &Playbook, state: &RunState, step: &Step) -> ConditionState {
    let Some((question, wanted)) = &step.condition else {
        return ConditionState::Met;
    };
    let mut still_open = false;
    for gate in def.steps.iter().filter(|s| decides(s, question)) {
        let gate_state = state.steps.get(&gate.id);
        if let Some(decision) = gate_state.and_then(|g| g.decision) {
            return if decision == *wanted {
                ConditionState::Met
            } else {
                ConditionState::NotMet
            };
        }
        still_open |= gate_state.is_none_or(|g| g.status != StepStatus::Skipped);
    }
    if still_open {
        ConditionState::Undecided
    } else {
        ConditionState::NotMet
    }
}

fn decides(step: &Step, question: &str) -> bool {
    matches!(&step.kind, StepKind::Gate { decides: Some(q), .. } if q == question)
}

/// What `step` waits for, in plain words for the API: each step it still needs, an undecided
/// question, or a retry after a failure. Empty when it waits for nothing.
pub fn blocking(def: &Playbook, state: &RunState, step: &str) -> Vec<String> {
    let Some(definition) = def.step(step) else {
        return Vec::new();
    };
    match state.status(step) {
        StepStatus::Waiting => {
            let mut waits: Vec<String> = definition
                .needs
                .iter()
                .filter(|need| !state.status(need).is_settled())
                .map(|need| format!("needs: {need}"))
                .collect();
            if condition_state(def, state, definition) == ConditionState::Undecided
                && let Some((question, _)) = &definition.condition
            {
                waits.push(format!("waits for the decision: {question}"));
            }
            waits
        }
        StepStatus::Failed => vec!["retrying after a failure".to_owned()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::Role;
    use crate::domain::playbook::definition::{Action, Due, Escalation};

    /// 2024-03-01 09:00 UTC plus `minutes`.
    pub fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    /// A step of `kind` owned by responders, needing `needs`.
    pub fn step(id: &str, needs: &[&str], kind: StepKind) -> Step {
        Step {
            id: id.to_owned(),
            title: id.to_owned(),
            owner: Role::Responder,
            needs: needs.iter().map(|n| (*n).to_owned()).collect(),
            due: None,
            condition: None,
            kind,
        }
    }

    pub fn task(id: &str, needs: &[&str]) -> Step {
        step(id, needs, StepKind::Task { checklist: vec![] })
    }

    /// A gate approved by CX leads, deciding `decides` when given.
    pub fn gate(id: &str, needs: &[&str], decides: Option<&str>) -> Step {
        let decides = decides.map(str::to_owned);
        let kind = StepKind::Gate {
            role: Role::CxLead,
            decides,
        };
        step(id, needs, kind)
    }

    pub fn action(id: &str, needs: &[&str]) -> Step {
        step(id, needs, StepKind::Action(Action::MapAffected))
    }

    pub fn due(mut step: Step, anchor: Anchor, offset_minutes: i64) -> Step {
        let offset = Duration::minutes(offset_minutes);
        step.due = Some(Due { anchor, offset });
        step
    }

    pub fn when(mut step: Step, question: &str, yes: bool) -> Step {
        step.condition = Some((question.to_owned(), yes));
        step
    }

    /// A playbook of `steps`, escalating to the commander 4 hours after a step is overdue.
    pub fn playbook(steps: Vec<Step>) -> Playbook {
        Playbook {
            id: "test".to_owned(),
            name: "Test".to_owned(),
            version: 1,
            summary: String::new(),
            applies_when: Default::default(),
            escalation: Escalation::default(),
            steps,
        }
    }

    /// Discovered two hours before `at(0)`; individuals are due a day after `at(0)`.
    pub fn facts() -> Facts {
        Facts {
            discovered_at: at(-120),
            duty_due: BTreeMap::from([("individuals".to_owned(), at(24 * 60))]),
        }
    }

    #[test]
    fn a_new_run_has_every_step_waiting() {
        let def = playbook(vec![task("a", &[]), gate("b", &["a"], None)]);
        let state = RunState::start(&def, at(0));
        assert_eq!(state.steps.len(), 2);
        assert!(
            state
                .steps
                .values()
                .all(|s| s.status == StepStatus::Waiting)
        );
        assert_eq!(state.finished_at, None);
    }

    #[test]
    fn due_times_follow_the_discovered_started_and_duty_anchors() {
        let def = playbook(vec![
            due(task("d", &[]), Anchor::Discovered, 60),
            due(task("s", &[]), Anchor::Started, 30),
            due(task("i", &[]), Anchor::Duty("individuals".into()), -60),
            due(task("r", &[]), Anchor::Duty("regulator".into()), 0),
            task("none", &[]),
        ]);
        let state = RunState::start(&def, at(0));
        let due = |id| due_at(&def, &state, &facts(), id);
        assert_eq!(due("d"), Some(at(-60)));
        assert_eq!(due("s"), Some(at(30)));
        assert_eq!(due("i"), Some(at(23 * 60)));
        assert_eq!(due("r"), None, "no duty to the regulator is known");
        assert_eq!(due("none"), None);
    }

    #[test]
    fn a_step_anchored_due_time_is_known_only_once_that_step_is_done() {
        let def = playbook(vec![
            task("a", &[]),
            due(task("b", &["a"]), Anchor::Step("a".into()), 90),
        ]);
        let mut state = RunState::start(&def, at(0));
        assert_eq!(due_at(&def, &state, &facts(), "b"), None);
        let a = state.steps.get_mut("a").unwrap();
        a.status = StepStatus::Done;
        a.done_at = Some(at(10));
        assert_eq!(due_at(&def, &state, &facts(), "b"), Some(at(100)));
    }

    #[test]
    fn blocking_names_unmet_needs_undecided_questions_and_retries() {
        let def = playbook(vec![
            gate("assess", &[], Some("exfiltration")),
            when(task("notify", &["assess"]), "exfiltration", true),
            action("map", &[]),
        ]);
        let mut state = RunState::start(&def, at(0));
        assert_eq!(
            blocking(&def, &state, "notify"),
            vec!["needs: assess", "waits for the decision: exfiltration"]
        );
        state.steps.get_mut("map").unwrap().status = StepStatus::Failed;
        assert_eq!(
            blocking(&def, &state, "map"),
            vec!["retrying after a failure"]
        );
        assert!(blocking(&def, &state, "assess").is_empty());
    }

    #[test]
    fn a_run_state_survives_a_serde_round_trip() {
        let def = playbook(vec![task("a", &[]), action("b", &["a"])]);
        let mut state = RunState::start(&def, at(0));
        let b = state.steps.get_mut("b").unwrap();
        b.status = StepStatus::Failed;
        b.attempts = 2;
        b.last_error = Some("smtp down".into());
        b.retry_at = Some(at(5));
        b.escalated.insert(Threshold::Owner);
        let json = serde_json::to_string(&state).unwrap();
        assert!(json.contains(r#""status":"failed""#), "{json}");
        let back: RunState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
    }
}
