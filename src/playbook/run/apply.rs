//! Applying one event to a stored run: the incident's facts read, the engine's decision, and
//! the new state with the effects it calls for written in one transaction (guarded by the
//! run's row version, so two writers never both apply).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{RunError, Runner};
use crate::audit::{self, AuditEvent};
use crate::domain::playbook::{
    Action, Effect, Event, Facts, Playbook, RunState, StepStatus, Threshold, decide, due_at,
};
use crate::domain::{TimelineEntry, TimelineKind};
use crate::obligation::{self, ObligationError};
use crate::store;
use crate::store::playbooks::{NewEffect, RunRow};

/// The longest a running run goes without being looked at.
const RECHECK: chrono::Duration = chrono::Duration::minutes(15);

impl Runner {
    /// Applies `event` to the run and writes the outcome, with `audit` when a person acted;
    /// returns the run as written and the incident's facts it was judged by.
    pub(super) async fn apply(
        &self,
        mut row: RunRow,
        def: &Playbook,
        (event, audit): (&Event, Option<AuditEvent>),
        now: DateTime<Utc>,
    ) -> Result<(RunRow, Facts), RunError> {
        let state = state_of(&row)?;
        let facts = self.facts(row.incident_id, now).await?;
        let decision = decide(def, &state, &facts, event, now)?;
        let effects = decision
            .effects
            .iter()
            .filter_map(|e| effect_row(&row, &decision.state, e))
            .collect::<Vec<_>>();
        let alerts: Vec<TimelineEntry> = decision
            .effects
            .iter()
            .filter_map(|e| escalation_entry(def, row.incident_id, e, now))
            .collect();
        let expected = row.row_version;
        row.state = json(&decision.state)?;
        row.finished_at = decision.state.finished_at;
        row.status = match decision.state.finished_at {
            Some(_) => "finished".to_owned(),
            None => "running".to_owned(),
        };
        // Due times move with the facts (a mapping, an event recorded), so a running run is
        // looked at again at least every RECHECK.
        row.wake_at = match decision.state.finished_at {
            Some(_) => None,
            None => Some(
                next_wake(def, &decision.state, &facts)
                    .map_or(now + RECHECK, |t| t.min(now + RECHECK)),
            ),
        };
        row.row_version = expected + 1;
        let txn = store::begin_write(&self.db).await?;
        if !store::playbooks::update_run(&txn, &row, expected).await? {
            return Err(RunError::Conflict);
        }
        store::playbooks::insert_effects(&txn, &effects, now).await?;
        for entry in &alerts {
            store::timeline::insert(&txn, entry).await?;
        }
        if let Some(event) = audit {
            audit::record(&txn, now, event).await?;
        }
        txn.commit().await?;
        if !effects.is_empty() {
            // Carry them out now rather than on the worker's next round.
            self.wake.notify_one();
        }
        Ok((row, facts))
    }

    /// What the engine needs of the incident: its discovery and, per recipient, the earliest
    /// due time of its required duties (none before a mapping).
    pub(super) async fn facts(
        &self,
        incident_id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<Facts, RunError> {
        let incident = store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        let mut duty_due: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        match obligation::evaluate_incident(&self.db, &self.obligations, incident_id, now).await {
            Ok(computed) => {
                for duty in computed.duties().filter(|d| d.required) {
                    if let Some(at) = duty.due_at {
                        duty_due
                            .entry(duty.recipient.as_str().to_owned())
                            .and_modify(|d| *d = (*d).min(at))
                            .or_insert(at);
                    }
                }
            }
            Err(ObligationError::NotMapped) => {}
            Err(ObligationError::Db(e)) => return Err(e.into()),
            Err(e) => return Err(RunError::Corrupt(format!("obligations: {e}"))),
        }
        Ok(Facts {
            discovered_at: incident.discovered_at,
            duty_due,
        })
    }
}

/// The incident timeline's record of an escalation (written once, with the effect's row).
fn escalation_entry(
    def: &Playbook,
    incident_id: uuid::Uuid,
    effect: &Effect,
    now: DateTime<Utc>,
) -> Option<TimelineEntry> {
    let Effect::Escalate { step, to, due_at } = effect else {
        return None;
    };
    let step = def.step(step)?;
    let due = due_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let whom = match to {
        Threshold::Owner => format!("its owner ({})", step.owner),
        Threshold::Commander => "the incident commander".to_owned(),
    };
    Some(TimelineEntry {
        id: uuid::Uuid::now_v7(),
        incident_id,
        at: now,
        kind: TimelineKind::Alert,
        text: format!(
            "Playbook step overdue: \"{}\" ({}) was due {due}; escalated to {whom}.",
            step.title, def.name
        ),
        author_id: None,
        created_at: now,
    })
}

/// The row an effect is written as; `Finished` is the run's status, not a row.
fn effect_row(run: &RunRow, state: &RunState, effect: &Effect) -> Option<NewEffect> {
    let new = |step: &str, kind, detail: String, payload: serde_json::Value| NewEffect {
        run_id: run.id,
        incident_id: run.incident_id,
        step_id: step.to_owned(),
        kind,
        detail,
        payload: payload.to_string(),
    };
    match effect {
        Effect::Perform { step, action } => {
            let attempt = state.steps.get(step).map_or(0, |s| s.attempts) + 1;
            let detail = format!("{}#{attempt}", action.key());
            Some(new(step, "perform", detail, action_payload(action)))
        }
        Effect::Escalate { step, to, due_at } => {
            let to = threshold_key(*to);
            Some(new(
                step,
                "escalate",
                to.to_owned(),
                json!({ "due_at": due_at }),
            ))
        }
        Effect::Finished => None,
    }
}

/// What carrying out an action needs, as the effect row keeps it.
fn action_payload(action: &Action) -> serde_json::Value {
    match action {
        Action::SendNotice(kind) => json!({ "action": action.key(), "notice": kind.as_str() }),
        Action::PersonalOutreach { tier } => json!({ "action": action.key(), "tier": tier }),
        Action::ScheduleSurvey {
            after,
            reminder_after,
        } => json!({
            "action": action.key(),
            "after_days": after.num_days(),
            "reminder_after_days": reminder_after.map(|d| d.num_days()),
        }),
        Action::StartPlaybook(id) => json!({ "action": action.key(), "playbook": id }),
        other => json!({ "action": other.key() }),
    }
}

/// The stored key of a threshold.
pub(super) fn threshold_key(t: Threshold) -> &'static str {
    match t {
        Threshold::Owner => "owner",
        Threshold::Commander => "commander",
    }
}

/// When the worker must look at the run next: the earliest escalation still to send or
/// retry to make; `None` when nothing is timed.
fn next_wake(def: &Playbook, state: &RunState, facts: &Facts) -> Option<DateTime<Utc>> {
    if state.finished_at.is_some() {
        return None;
    }
    let mut times = Vec::new();
    for step in &def.steps {
        let Some(s) = state.steps.get(&step.id) else {
            continue;
        };
        if s.status.is_settled() || s.status == StepStatus::Waiting {
            continue;
        }
        if let Some(due) = due_at(def, state, facts, &step.id) {
            if !s.escalated.contains(&Threshold::Owner) {
                times.push(due);
            } else if !s.escalated.contains(&Threshold::Commander) {
                times.push(due + def.escalation.to_commander_after);
            }
        }
        if s.status == StepStatus::Failed
            && let Some(retry) = s.retry_at
        {
            times.push(retry);
        }
    }
    times.into_iter().min()
}

/// A run's stored state.
pub(super) fn state_of(row: &RunRow) -> Result<RunState, RunError> {
    serde_json::from_str(&row.state)
        .map_err(|e| RunError::Corrupt(format!("run {} state: line {}", row.id, e.line())))
}

/// A value as stored JSON.
pub(super) fn json<T: serde::Serialize>(value: &T) -> Result<String, RunError> {
    serde_json::to_string(value).map_err(|e| RunError::Corrupt(e.to_string()))
}
