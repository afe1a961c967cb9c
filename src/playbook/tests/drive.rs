//! Every shipped playbook driven through the engine from start to finish with a manual clock,
//! as the playbook worker would: people complete tasks and approve gates with their roles,
//! actions succeed, and one step is left overdue long enough to escalate to its owner and then
//! the commander, exactly once each.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use super::super::Playbooks;
use crate::domain::Role;
use crate::domain::playbook::{
    Effect, Event, Facts, Playbook, RunState, StepKind, StepStatus, Threshold, decide,
};

/// A run under test: its definition, state and facts, the clock, and what it did.
struct Driver<'p> {
    def: &'p Playbook,
    state: RunState,
    facts: Facts,
    now: DateTime<Utc>,
    /// `(step, action key)` of every `Perform`, in order.
    performed: Vec<(String, &'static str)>,
    escalations: Vec<(String, Threshold)>,
    finished: usize,
}

impl<'p> Driver<'p> {
    fn start(def: &'p Playbook) -> Self {
        let discovered = Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap();
        let due = |days: i64| discovered + Duration::days(days);
        let duty_due = BTreeMap::from([
            ("regulator".to_owned(), discovered + Duration::hours(72)),
            ("individuals".to_owned(), due(30)),
            ("attorney_general".to_owned(), due(30)),
        ]);
        let now = discovered + Duration::hours(1);
        let mut driver = Driver {
            def,
            state: RunState::start(def, now),
            facts: Facts {
                discovered_at: discovered,
                duty_due,
            },
            now,
            performed: Vec::new(),
            escalations: Vec::new(),
            finished: 0,
        };
        driver.send(Event::Tick);
        driver
    }

    /// Applies an event, then carries out its effects (actions succeed at once).
    fn send(&mut self, event: Event) {
        let decision = decide(self.def, &self.state, &self.facts, &event, self.now)
            .unwrap_or_else(|refusal| panic!("{}: {event:?} refused: {refusal}", self.def.id));
        self.state = decision.state;
        for effect in decision.effects {
            match effect {
                Effect::Perform { step, action } => {
                    self.performed.push((step.clone(), action.key()));
                    self.send(Event::ActionSucceeded { step });
                }
                Effect::Escalate { step, to, .. } => self.escalations.push((step, to)),
                Effect::Finished => self.finished += 1,
            }
        }
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
        self.send(Event::Tick);
    }

    /// The first step a person can act on now, in the definition's order.
    fn next_ready(&self) -> Option<&'p crate::domain::playbook::Step> {
        self.def
            .steps
            .iter()
            .find(|s| self.state.steps[&s.id].status == StepStatus::Ready)
    }

    /// Works the run to its end: each ready task is completed and each gate approved by a
    /// person holding the role (answering `decisions`), an hour apart; `slow` is left until
    /// it is overdue past the commander's threshold first.
    fn finish(&mut self, decisions: &BTreeMap<&str, bool>, slow: &str) {
        for _ in 0..200 {
            let Some(step) = self.next_ready() else { break };
            if step.id == slow {
                let due = crate::domain::playbook::due_at(self.def, &self.state, &self.facts, slow)
                    .expect("the slow step has a due time");
                let late = due + self.def.escalation.to_commander_after + Duration::minutes(1);
                while self.now < late {
                    self.advance(Duration::hours(1));
                }
            }
            let (by, roles) = (Uuid::new_v4(), vec![step.owner]);
            let event = match &step.kind {
                StepKind::Task { .. } => Event::Completed {
                    step: step.id.clone(),
                    by,
                    roles,
                    note: Some("Done.".into()),
                },
                StepKind::Gate { role, decides } => Event::Approved {
                    step: step.id.clone(),
                    by,
                    roles: vec![*role],
                    decision: decides.as_deref().map(|q| decisions[q]),
                    note: None,
                },
                StepKind::Action(_) => unreachable!("actions never wait as ready"),
            };
            self.send(event);
            self.advance(Duration::hours(1));
        }
        // Anything left due later (a review a month on) is reached by time alone.
        self.advance(Duration::days(60));
        while let Some(step) = self.next_ready().map(|s| s.id.clone()) {
            let owner = self.def.step(&step).expect("step").owner;
            let event = match &self.def.step(&step).expect("step").kind {
                StepKind::Gate { role, .. } => Event::Approved {
                    step,
                    by: Uuid::new_v4(),
                    roles: vec![*role],
                    decision: None,
                    note: None,
                },
                _ => Event::Completed {
                    step,
                    by: Uuid::new_v4(),
                    roles: vec![owner],
                    note: None,
                },
            };
            self.send(event);
        }
    }

    fn actions(&self) -> Vec<&'static str> {
        self.performed.iter().map(|(_, key)| *key).collect()
    }

    /// Escalations of one step.
    fn escalated(&self, step: &str) -> Vec<Threshold> {
        self.escalations
            .iter()
            .filter(|(s, _)| s == step)
            .map(|(_, t)| *t)
            .collect()
    }
}

fn shipped() -> Playbooks {
    Playbooks::embedded().expect("the shipped playbooks validate")
}

fn assert_finished(d: &Driver<'_>) {
    assert_eq!(d.finished, 1, "{}: Finished exactly once", d.def.id);
    assert!(d.state.finished_at.is_some());
    let settled = d.state.steps.values().all(|s| s.status.is_settled());
    assert!(settled, "{}: {:#?}", d.def.id, d.state.steps);
    let mut once = d.performed.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), d.performed.len(), "an action ran twice");
}

#[test]
fn the_breach_playbook_runs_from_scope_to_close_escalating_a_late_risk_assessment() {
    let set = shipped();
    let mut d = Driver::start(set.get("customer-data-breach").expect("shipped"));
    d.finish(&BTreeMap::new(), "assess-risk");
    assert_finished(&d);
    let actions = d.actions();
    let at = |key: &str| actions.iter().position(|a| *a == key).expect(key);
    let mut sorted = actions.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "close_incident",
            "compute_obligations",
            "map_affected",
            "notify_regulator",
            "personal_outreach",
            "schedule_survey",
            "send_notice",
        ]
    );
    assert!(at("map_affected") < at("compute_obligations"));
    assert!(at("compute_obligations") < at("notify_regulator"));
    assert!(at("send_notice") < at("schedule_survey"));
    assert_eq!(actions.last(), Some(&"close_incident"));
    assert_eq!(
        d.escalated("assess-risk"),
        [Threshold::Owner, Threshold::Commander]
    );
}

#[test]
fn the_credential_playbook_resets_then_tells_people_escalating_a_slow_containment() {
    let set = shipped();
    let mut d = Driver::start(set.get("credential-exposure").expect("shipped"));
    d.finish(&BTreeMap::new(), "contain");
    assert_finished(&d);
    let actions = d.actions();
    assert_eq!(actions.first(), Some(&"map_affected"));
    assert_eq!(actions.last(), Some(&"close_incident"));
    assert!(actions.contains(&"send_notice") && actions.contains(&"schedule_survey"));
    let reset = d.state.steps["force-reset"].done_at.expect("reset done");
    let sent = d.state.steps["send-notice"].done_at.expect("notice sent");
    assert!(reset < sent, "people are told after the forced reset");
    assert_eq!(
        d.escalated("contain"),
        [Threshold::Owner, Threshold::Commander]
    );
}

#[test]
fn a_lost_encrypted_device_with_a_safe_key_is_documented_and_closed_without_a_notice() {
    let set = shipped();
    let mut d = Driver::start(set.get("lost-encrypted-device").expect("shipped"));
    d.finish(
        &BTreeMap::from([("key_compromised", false)]),
        "key-decision",
    );
    assert_finished(&d);
    assert_eq!(d.actions(), ["close_incident"]);
    assert_eq!(
        d.state.steps["start-breach-response"].status,
        StepStatus::Skipped
    );
    assert_eq!(
        d.escalated("key-decision"),
        [Threshold::Owner, Threshold::Commander]
    );
}

#[test]
fn a_lost_device_whose_key_was_compromised_hands_over_to_the_breach_playbook() {
    let set = shipped();
    let mut d = Driver::start(set.get("lost-encrypted-device").expect("shipped"));
    d.finish(&BTreeMap::from([("key_compromised", true)]), "report-loss");
    assert_finished(&d);
    assert_eq!(
        d.actions(),
        ["start_playbook"],
        "no close: the breach run owns it"
    );
    assert_eq!(d.state.steps["close"].status, StepStatus::Skipped);
    assert_eq!(d.escalated("report-loss").len(), 2);
}

#[test]
fn ransomware_without_exfiltration_is_documented_and_closed() {
    let set = shipped();
    let mut d = Driver::start(set.get("ransomware").expect("shipped"));
    d.finish(&BTreeMap::from([("exfiltration", false)]), "isolate");
    assert_finished(&d);
    assert_eq!(d.actions(), ["close_incident"]);
    assert_eq!(
        d.escalated("isolate"),
        [Threshold::Owner, Threshold::Commander]
    );
}

#[test]
fn ransomware_that_took_data_starts_the_breach_playbook() {
    let set = shipped();
    let mut d = Driver::start(set.get("ransomware").expect("shipped"));
    d.finish(
        &BTreeMap::from([("exfiltration", true)]),
        "exfiltration-decision",
    );
    assert_finished(&d);
    assert_eq!(d.actions(), ["start_playbook"]);
    assert_eq!(
        d.escalated("exfiltration-decision"),
        [Threshold::Owner, Threshold::Commander]
    );
}

#[test]
fn a_run_resumed_from_its_stored_state_repeats_no_action() {
    let set = shipped();
    let def = set.get("customer-data-breach").expect("shipped");
    let mut d = Driver::start(def);
    // Work up to the notice being sent, then "restart": the state goes through JSON.
    while d.state.steps["send-notice"].status != StepStatus::Done {
        let step = d.next_ready().expect("a ready step").clone();
        let event = match &step.kind {
            StepKind::Task { .. } => Event::Completed {
                step: step.id.clone(),
                by: Uuid::new_v4(),
                roles: vec![step.owner],
                note: None,
            },
            StepKind::Gate { role, .. } => Event::Approved {
                step: step.id.clone(),
                by: Uuid::new_v4(),
                roles: vec![*role, Role::Admin],
                decision: None,
                note: None,
            },
            StepKind::Action(_) => unreachable!(),
        };
        d.send(event);
    }
    let before = d.performed.len();
    let stored = serde_json::to_string(&d.state).expect("state serializes");
    d.state = serde_json::from_str(&stored).expect("state reads back");
    d.send(Event::Tick);
    d.send(Event::Tick);
    assert_eq!(
        d.performed.len(),
        before,
        "a resumed run performs nothing again"
    );
    d.finish(&BTreeMap::new(), "none");
    assert_finished(&d);
}
