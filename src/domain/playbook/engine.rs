//! The playbook engine: from a definition, a run's state, the incident's facts, an event and
//! the time, it decides the run's new state and the effects to carry out (actions to perform,
//! escalations to send, the run's end). The caller stores the state, carries out the effects
//! and feeds their outcomes back as events; nothing here does I/O or reads a clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::definition::{Action, Playbook, Step, StepKind};
use super::state::{
    ConditionState, Facts, RunState, StepState, StepStatus, Threshold, condition_state, due_at,
};
use crate::domain::Role;

/// Something that happened to a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// Time passed: retries fall due, steps become overdue.
    Tick,
    /// A person finished a task (or, by hand, a failed action).
    Completed {
        step: String,
        by: Uuid,
        /// The roles the person holds.
        roles: Vec<Role>,
        note: Option<String>,
    },
    /// A person approved a gate, answering its question when it decides one.
    Approved {
        step: String,
        by: Uuid,
        roles: Vec<Role>,
        decision: Option<bool>,
        note: Option<String>,
    },
    /// Someone holding the step's role gave it to a person (who must hold the role too), or
    /// took it back (`to: None`): overdue warnings then go to the assignee alone.
    Assigned {
        step: String,
        by: Uuid,
        roles: Vec<Role>,
        /// The person and the roles they hold.
        to: Option<(Uuid, Vec<Role>)>,
    },
    /// The caller carried out a step's action.
    ActionSucceeded { step: String },
    /// The caller tried a step's action and it failed.
    ActionFailed { step: String, error: String },
}

/// The engine's answer to an event: the run's new state and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: RunState,
    /// In the definition's step order; `Finished` last.
    pub effects: Vec<Effect>,
}

/// Something the caller must carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Carry out a step's action, then report `ActionSucceeded` or `ActionFailed`.
    Perform { step: String, action: Action },
    /// Tell the step's owner, or the incident's commander, that the step is overdue.
    Escalate {
        step: String,
        to: Threshold,
        due_at: DateTime<Utc>,
    },
    /// Every step is done or skipped.
    Finished,
}

/// Why an event was refused; the state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the playbook has no step `{0}`")]
    UnknownStep(String),
    #[error("step `{step}` cannot be acted on while it is {status:?}")]
    NotReady { step: String, status: StepStatus },
    #[error("step `{step}` is {kind}; that does not apply to it")]
    WrongKind { step: String, kind: &'static str },
    #[error("acting on step `{step}` takes the {role} role")]
    RoleNotHeld { step: String, role: Role },
    #[error("approving step `{step}` answers `{question}`: a yes/no decision is required")]
    DecisionRequired { step: String, question: String },
    #[error("step `{step}` decides no question; send no decision")]
    DecisionNotAsked { step: String },
    #[error("step `{step}` is already done or skipped")]
    AlreadyDone { step: String },
    #[error("the playbook run has finished")]
    Finished,
    #[error("step `{step}` can only be given to someone holding the {role} role")]
    AssigneeLacksRole { step: String, role: Role },
}

/// Decides what `event` at `now` does to a run of `def`: applies it, readies (or skips) every
/// step whose needs are met, retries failed actions that are due, escalates overdue steps, and
/// finishes the run when every step is settled. A finished run accepts only `Tick` (no effects).
pub fn decide(
    def: &Playbook,
    state: &RunState,
    facts: &Facts,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Decision, Refusal> {
    if state.finished_at.is_some() {
        return match event {
            Event::Tick => Ok(Decision {
                state: state.clone(),
                effects: Vec::new(),
            }),
            _ => Err(Refusal::Finished),
        };
    }
    let mut run = Run {
        def,
        facts,
        now,
        state: state.clone(),
        effects: Vec::new(),
    };
    run.apply(event)?;
    run.propagate();
    run.escalate();
    run.finish();
    Ok(run.into_decision())
}

/// How long a failed action waits before its next try: a minute after the first failure,
/// doubling with each one, never more than an hour.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(6);
    Duration::minutes((1_i64 << doublings).min(60))
}

/// One decision being worked out.
struct Run<'a> {
    def: &'a Playbook,
    facts: &'a Facts,
    now: DateTime<Utc>,
    state: RunState,
    /// Each with its step's index in the definition, to sort them by.
    effects: Vec<(usize, Effect)>,
}

impl<'a> Run<'a> {
    fn apply(&mut self, event: &Event) -> Result<(), Refusal> {
        match event {
            Event::Tick => Ok(()),
            Event::Completed {
                step,
                by,
                roles,
                note,
            } => self.complete(step, *by, roles, note),
            Event::Approved {
                step,
                by,
                roles,
                decision,
                note,
            } => self.approve(step, (*by, roles), *decision, note),
            Event::Assigned {
                step,
                by: _,
                roles,
                to,
            } => self.assign(step, roles, to.as_ref()),
            Event::ActionSucceeded { step } => {
                self.action(step)?;
                let now = self.now;
                mark_done(self.step_mut(step), now, None, &None);
                Ok(())
            }
            Event::ActionFailed { step, error } => {
                self.action(step)?;
                let now = self.now;
                let state = self.step_mut(step);
                state.status = StepStatus::Failed;
                state.attempts += 1;
                state.last_error = Some(error.clone());
                state.retry_at = Some(now + backoff(state.attempts));
                Ok(())
            }
        }
    }

    /// A ready task done by its owner, or a failed action finished by hand.
    fn complete(
        &mut self,
        id: &str,
        by: Uuid,
        roles: &[Role],
        note: &Option<String>,
    ) -> Result<(), Refusal> {
        let step = self.lookup(id)?;
        let expected = match step.kind {
            StepKind::Task { .. } => StepStatus::Ready,
            StepKind::Action(_) => StepStatus::Failed,
            StepKind::Gate { .. } => return Err(wrong_kind(step)),
        };
        self.check_status(id, expected)?;
        check_role(id, roles, step.owner)?;
        let now = self.now;
        mark_done(self.step_mut(id), now, Some(by), note);
        Ok(())
    }

    /// A ready gate approved by someone holding its role, answering its question if it asks one.
    fn approve(
        &mut self,
        id: &str,
        (by, roles): (Uuid, &[Role]),
        decision: Option<bool>,
        note: &Option<String>,
    ) -> Result<(), Refusal> {
        let step = self.lookup(id)?;
        let StepKind::Gate { role, decides } = &step.kind else {
            return Err(wrong_kind(step));
        };
        self.check_status(id, StepStatus::Ready)?;
        check_role(id, roles, *role)?;
        match (decides, decision) {
            (Some(question), None) => Err(Refusal::DecisionRequired {
                step: id.to_owned(),
                question: question.clone(),
            }),
            (None, Some(_)) => Err(Refusal::DecisionNotAsked {
                step: id.to_owned(),
            }),
            _ => Ok(()),
        }?;
        let now = self.now;
        let state = self.step_mut(id);
        state.decision = decision;
        mark_done(state, now, Some(by), note);
        Ok(())
    }

    /// A step not yet settled given to a person holding its role (by someone holding it).
    fn assign(
        &mut self,
        id: &str,
        roles: &[Role],
        to: Option<&(Uuid, Vec<Role>)>,
    ) -> Result<(), Refusal> {
        let step = self.lookup(id)?;
        let role = match &step.kind {
            StepKind::Gate { role, .. } => *role,
            _ => step.owner,
        };
        if self.state.status(id).is_settled() {
            return Err(Refusal::AlreadyDone {
                step: id.to_owned(),
            });
        }
        check_role(id, roles, role)?;
        if let Some((_, their_roles)) = to
            && !their_roles.contains(&role)
        {
            return Err(Refusal::AssigneeLacksRole {
                step: id.to_owned(),
                role,
            });
        }
        self.step_mut(id).assignee = to.map(|(person, _)| *person);
        Ok(())
    }

    /// The running action step an outcome is reported for.
    fn action(&self, id: &str) -> Result<(), Refusal> {
        let step = self.lookup(id)?;
        if !matches!(step.kind, StepKind::Action(_)) {
            return Err(wrong_kind(step));
        }
        self.check_status(id, StepStatus::Running)
    }

    fn lookup(&self, id: &str) -> Result<&'a Step, Refusal> {
        self.def
            .step(id)
            .ok_or_else(|| Refusal::UnknownStep(id.to_owned()))
    }

    fn check_status(&self, id: &str, expected: StepStatus) -> Result<(), Refusal> {
        let status = self.state.status(id);
        if status.is_settled() {
            Err(Refusal::AlreadyDone {
                step: id.to_owned(),
            })
        } else if status != expected {
            Err(Refusal::NotReady {
                step: id.to_owned(),
                status,
            })
        } else {
            Ok(())
        }
    }

    fn step_mut(&mut self, id: &str) -> &mut StepState {
        self.state.steps.entry(id.to_owned()).or_default()
    }

    /// Readies, skips and retries steps until nothing changes.
    fn propagate(&mut self) {
        let def = self.def;
        loop {
            let mut changed = false;
            for (index, step) in def.steps.iter().enumerate() {
                changed |= match self.state.status(&step.id) {
                    StepStatus::Waiting => self.unblock(index, step),
                    StepStatus::Failed => self.retry(index, step),
                    _ => false,
                };
            }
            if !changed {
                break;
            }
        }
    }

    /// A waiting step whose needs are settled: skipped, ready, or (an action) running.
    fn unblock(&mut self, index: usize, step: &Step) -> bool {
        if !step.needs.iter().all(|n| self.state.status(n).is_settled()) {
            return false;
        }
        let condition = condition_state(self.def, &self.state, step);
        let now = self.now;
        let state = self.step_mut(&step.id);
        match condition {
            ConditionState::Undecided => return false,
            ConditionState::NotMet => {
                state.status = StepStatus::Skipped;
                state.done_at = Some(now);
            }
            ConditionState::Met => {
                state.status = StepStatus::Ready;
                state.ready_at = Some(now);
                if let StepKind::Action(action) = &step.kind {
                    state.status = StepStatus::Running;
                    self.perform(index, step, action);
                }
            }
        }
        true
    }

    /// A failed action whose retry time has come runs again.
    fn retry(&mut self, index: usize, step: &Step) -> bool {
        let StepKind::Action(action) = &step.kind else {
            return false;
        };
        let now = self.now;
        let state = self.step_mut(&step.id);
        if state.retry_at.is_some_and(|at| at > now) {
            return false;
        }
        state.status = StepStatus::Running;
        state.retry_at = None;
        self.perform(index, step, action);
        true
    }

    fn perform(&mut self, index: usize, step: &Step, action: &Action) {
        let step = step.id.clone();
        let action = action.clone();
        self.effects.push((index, Effect::Perform { step, action }));
    }

    /// Escalates every open, overdue step to its owner, then to the commander, once each.
    fn escalate(&mut self) {
        let (def, now) = (self.def, self.now);
        for (index, step) in def.steps.iter().enumerate() {
            let open = matches!(
                self.state.status(&step.id),
                StepStatus::Ready | StepStatus::Running | StepStatus::Failed
            );
            let Some(due) = due_at(def, &self.state, self.facts, &step.id).filter(|_| open) else {
                continue;
            };
            let commander_at = due.checked_add_signed(def.escalation.to_commander_after);
            for (to, at) in [
                (Threshold::Owner, Some(due)),
                (Threshold::Commander, commander_at),
            ] {
                if at.is_some_and(|at| at <= now) && self.step_mut(&step.id).escalated.insert(to) {
                    let step = step.id.clone();
                    let effect = Effect::Escalate {
                        step,
                        to,
                        due_at: due,
                    };
                    self.effects.push((index, effect));
                }
            }
        }
    }

    fn finish(&mut self) {
        let state = &self.state;
        if self
            .def
            .steps
            .iter()
            .all(|s| state.status(&s.id).is_settled())
        {
            self.state.finished_at = Some(self.now);
            self.effects.push((usize::MAX, Effect::Finished));
        }
    }

    fn into_decision(mut self) -> Decision {
        // Stable: within a step, a `Perform` stays ahead of its escalations.
        self.effects.sort_by_key(|(index, _)| *index);
        let effects = self.effects.into_iter().map(|(_, e)| e).collect();
        Decision {
            state: self.state,
            effects,
        }
    }
}

fn mark_done(state: &mut StepState, now: DateTime<Utc>, by: Option<Uuid>, note: &Option<String>) {
    state.status = StepStatus::Done;
    state.done_at = Some(now);
    state.done_by = by;
    state.note = note.clone();
    state.retry_at = None;
}

fn check_role(step: &str, roles: &[Role], role: Role) -> Result<(), Refusal> {
    if roles.contains(&role) {
        Ok(())
    } else {
        Err(Refusal::RoleNotHeld {
            step: step.to_owned(),
            role,
        })
    }
}

fn wrong_kind(step: &Step) -> Refusal {
    let kind = match step.kind {
        StepKind::Task { .. } => "a task",
        StepKind::Gate { .. } => "a gate",
        StepKind::Action(_) => "an action",
    };
    Refusal::WrongKind {
        step: step.id.clone(),
        kind,
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
