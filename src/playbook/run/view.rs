//! A run as staff see it: each step with its owner, status, due time, whether it is overdue,
//! what blocks it, who did it and when.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::TaskView;
use super::{RunError, Runner};
use crate::domain::Role;
use crate::domain::playbook::{Facts, RunState, StepKind, StepStatus, Threshold, blocking, due_at};
use crate::store;
use crate::store::playbooks::{EffectRow, RunRow, TaskRow};

/// A playbook run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunView {
    pub id: Uuid,
    pub playbook_id: String,
    pub name: String,
    /// The playbook's version the run started with (and keeps).
    pub version: i32,
    /// `running` or `finished`.
    pub status: String,
    pub started_by: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub steps: Vec<StepView>,
    /// The tasks its actions opened (reports to file, VIP calls), oldest first.
    pub tasks: Vec<TaskView>,
}

/// One step of a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub owner: Role,
    /// `task`, `gate` or `action`.
    pub kind: &'static str,
    /// A task's checklist.
    pub checklist: Vec<String>,
    /// The action Candor performs (`send_notice`, …).
    pub action: Option<&'static str>,
    /// The yes/no question a gate answers.
    pub decides: Option<String>,
    pub status: StepStatus,
    /// Null when it has no deadline, or its anchor is not known yet.
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// What a waiting step waits for, in plain words.
    pub blocking: Vec<String>,
    pub ready_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    /// The person it was given to; null: anyone holding its role.
    pub assignee: Option<Uuid>,
    pub note: Option<String>,
    pub decision: Option<bool>,
    pub escalated: Vec<Threshold>,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// What its action did, or is waiting for, in words.
    pub outcome: Option<String>,
}

/// What a view shows beside the run's state: the incident's tasks and effects.
pub(super) struct Extras {
    tasks: Vec<TaskRow>,
    effects: Vec<EffectRow>,
}

impl Runner {
    /// The incident's tasks and effects, read once for all of its runs.
    pub(super) async fn extras(&self, incident_id: Uuid) -> Result<Extras, RunError> {
        Ok(Extras {
            tasks: store::playbooks::tasks_of(&self.db, incident_id).await?,
            effects: store::playbooks::effects_of_incident(&self.db, incident_id).await?,
        })
    }
}

impl Runner {
    /// A run as staff see it, its due times measured against the incident's `facts`.
    pub(super) fn view_of(
        &self,
        row: &RunRow,
        (facts, extras): (&Facts, &Extras),
        now: DateTime<Utc>,
    ) -> Result<RunView, RunError> {
        let def = self.definition(row)?;
        let state: RunState = serde_json::from_str(&row.state)
            .map_err(|e| RunError::Corrupt(format!("run {} state: line {}", row.id, e.line())))?;
        let steps = def
            .steps
            .iter()
            .map(|step| {
                let s = state.steps.get(&step.id).cloned().unwrap_or_default();
                let due = due_at(&def, &state, facts, &step.id);
                let (kind, checklist, action, decides) = match &step.kind {
                    StepKind::Task { checklist } => ("task", checklist.clone(), None, None),
                    StepKind::Gate { decides, .. } => ("gate", Vec::new(), None, decides.clone()),
                    StepKind::Action(a) => ("action", Vec::new(), Some(a.key()), None),
                };
                StepView {
                    id: step.id.clone(),
                    title: step.title.clone(),
                    owner: step.owner,
                    kind,
                    checklist,
                    action,
                    decides,
                    overdue: !s.status.is_settled() && due.is_some_and(|d| d <= now),
                    blocking: match s.status {
                        StepStatus::Waiting | StepStatus::Failed => {
                            blocking(&def, &state, &step.id)
                        }
                        _ => Vec::new(),
                    },
                    status: s.status,
                    due_at: due,
                    ready_at: s.ready_at,
                    done_at: s.done_at,
                    done_by: s.done_by,
                    assignee: s.assignee,
                    note: s.note,
                    decision: s.decision,
                    escalated: s.escalated.into_iter().collect(),
                    attempts: s.attempts,
                    last_error: s.last_error,
                    outcome: extras
                        .effects
                        .iter()
                        .rev()
                        .find(|e| e.run_id == row.id && e.step_id == step.id && e.kind == "perform")
                        .and_then(|e| e.outcome.clone()),
                }
            })
            .collect();
        Ok(RunView {
            id: row.id,
            playbook_id: row.playbook_id.clone(),
            name: def.name.clone(),
            version: row.version,
            status: row.status.clone(),
            started_by: row.started_by,
            started_at: row.started_at,
            finished_at: row.finished_at,
            steps,
            tasks: extras
                .tasks
                .iter()
                .filter(|t| t.run_id == row.id)
                .map(|t| TaskView::of(t, now, false))
                .collect(),
        })
    }
}
