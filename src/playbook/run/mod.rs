//! Playbook runs: attaching a playbook to an incident (its file pinned to the run), people
//! completing tasks and approving gates, and the worker's wake-ups when a step falls due or a
//! retry comes round. Every change goes through the pure engine
//! ([`crate::domain::playbook::decide`]); the new state and the effects it calls for (actions
//! to perform, escalations to send) are written in one transaction, so a restart resumes from
//! the rows and an effect is never written twice.

mod apply;
mod view;

pub use view::{RunView, StepView};

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::Playbooks;
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::playbook::{Event, Playbook, Refusal, RunState};
use crate::domain::{Clock, Role};
use crate::notice::templates::TemplateSet;
use crate::obligation::ObligationConfig;
use crate::store;
use crate::store::playbooks::RunRow;

/// Errors of playbook runs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("no playbook `{0}`")]
    UnknownPlaybook(String),
    #[error("no step `{0}` in the incident's playbooks")]
    UnknownStep(String),
    #[error("step `{0}` is in more than one of the incident's playbooks; name the run")]
    AmbiguousStep(String),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the run changed meanwhile; try again")]
    Conflict,
    #[error("stored playbook data is unreadable: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// What a person does to a step.
#[derive(Debug, Clone)]
pub enum Act {
    Complete {
        note: Option<String>,
    },
    Approve {
        decision: Option<bool>,
        note: Option<String>,
    },
}

/// Runs playbooks: the use-cases and the worker's wake-ups.
#[derive(Clone)]
pub struct Runner {
    pub(super) db: DatabaseConnection,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) playbooks: Arc<Playbooks>,
    pub(super) templates: Arc<TemplateSet>,
    pub(super) obligations: ObligationConfig,
}

impl Runner {
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        playbooks: Arc<Playbooks>,
        templates: Arc<TemplateSet>,
        obligations: ObligationConfig,
    ) -> Self {
        Runner {
            db,
            clock,
            playbooks,
            templates,
            obligations,
        }
    }

    /// Attaches a playbook to an incident and starts its run; attaching one already running
    /// answers with that run (`false`).
    pub async fn attach(
        &self,
        by: Option<Uuid>,
        incident_id: Uuid,
        playbook_id: &str,
    ) -> Result<(RunView, bool), RunError> {
        let now = self.clock.now();
        let incident = store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        let def = self
            .playbooks
            .get(playbook_id)
            .ok_or_else(|| RunError::UnknownPlaybook(playbook_id.to_owned()))?;
        if let Some(existing) = self.run_of(incident_id, playbook_id).await? {
            let facts = self.facts(incident_id, now).await?;
            return Ok((self.view_of(&existing, &facts, now)?, false));
        }
        let (file_name, source) = self
            .playbooks
            .source(playbook_id)
            .ok_or_else(|| RunError::UnknownPlaybook(playbook_id.to_owned()))?;
        let state = RunState::start(def, now);
        let row = RunRow {
            id: Uuid::new_v4(),
            incident_id,
            playbook_id: def.id.clone(),
            version: i32::try_from(def.version).unwrap_or(i32::MAX),
            file_name: file_name.to_owned(),
            source: source.to_owned(),
            state: apply::json(&state)?,
            status: "running".to_owned(),
            wake_at: None,
            started_by: by,
            started_at: now,
            finished_at: None,
            row_version: 0,
        };
        let txn = store::begin_write(&self.db).await?;
        if let Err(e) = store::playbooks::insert_run(&txn, row.clone()).await {
            drop(txn);
            if store::is_unique_violation(&e)
                && let Some(existing) = self.run_of(incident_id, playbook_id).await?
            {
                let facts = self.facts(incident_id, now).await?;
                return Ok((self.view_of(&existing, &facts, now)?, false));
            }
            return Err(e.into());
        }
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: by.map_or(Actor::System, Actor::User),
                action: "playbook.attached",
                object_type: "playbook_run",
                object_id: row.id.to_string(),
                incident_id: Some(incident.id),
                summary: format!("playbook {} v{} attached", def.id, def.version),
            },
        )
        .await?;
        txn.commit().await?;
        // The first steps become ready.
        let (row, facts) = self.apply(row, def, (&Event::Tick, None), now).await?;
        Ok((self.view_of(&row, &facts, now)?, true))
    }

    /// The incident's runs, with every step's status, due time and what blocks it.
    pub async fn view(&self, incident_id: Uuid) -> Result<Vec<RunView>, RunError> {
        let now = self.clock.now();
        store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        // The incident's facts (its obligations) are read once for all of its runs.
        let facts = self.facts(incident_id, now).await?;
        store::playbooks::runs_of(&self.db, incident_id)
            .await?
            .iter()
            .map(|row| self.view_of(row, &facts, now))
            .collect()
    }

    /// A person completes a task or approves a gate of one of the incident's runs (`run`
    /// names it when the step id is in several).
    pub async fn act(
        &self,
        (by, roles): (Uuid, Vec<Role>),
        incident_id: Uuid,
        run: Option<Uuid>,
        step: &str,
        act: Act,
    ) -> Result<RunView, RunError> {
        let now = self.clock.now();
        let row = self.run_with_step(incident_id, run, step).await?;
        let def = self.definition(&row)?;
        let audit = AuditEvent {
            actor: Actor::User(by),
            action: match act {
                Act::Complete { .. } => "playbook.step_completed",
                Act::Approve { .. } => "playbook.gate_approved",
            },
            object_type: "playbook_run",
            object_id: row.id.to_string(),
            incident_id: Some(incident_id),
            summary: format!("{}: {}", row.playbook_id, act_summary(step, &act)),
        };
        let step = step.to_owned();
        let event = match act {
            Act::Complete { note } => Event::Completed {
                step,
                by,
                roles,
                note,
            },
            Act::Approve { decision, note } => Event::Approved {
                step,
                by,
                roles,
                decision,
                note,
            },
        };
        let (row, facts) = self.apply(row, &def, (&event, Some(audit)), now).await?;
        self.view_of(&row, &facts, now)
    }

    /// One pass of the worker: every running run whose wake-up time has come is ticked.
    /// Returns how many were.
    pub async fn wake_due(&self) -> Result<usize, RunError> {
        let now = self.clock.now();
        let due = store::playbooks::due_runs(&self.db, now, 100).await?;
        let count = due.len();
        for row in due {
            let def = self.definition(&row)?;
            match self.apply(row, &def, (&Event::Tick, None), now).await {
                Ok(_) | Err(RunError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(count)
    }

    async fn run_of(
        &self,
        incident_id: Uuid,
        playbook_id: &str,
    ) -> Result<Option<RunRow>, RunError> {
        Ok(store::playbooks::runs_of(&self.db, incident_id)
            .await?
            .into_iter()
            .find(|r| r.playbook_id == playbook_id))
    }

    /// The run holding `step` (the one named, or the only one that has it).
    async fn run_with_step(
        &self,
        incident_id: Uuid,
        run: Option<Uuid>,
        step: &str,
    ) -> Result<RunRow, RunError> {
        let mut holding = Vec::new();
        for row in store::playbooks::runs_of(&self.db, incident_id).await? {
            if run.is_some_and(|r| r != row.id) {
                continue;
            }
            if self.definition(&row)?.step(step).is_some() {
                holding.push(row);
            }
        }
        match holding.len() {
            0 => Err(RunError::UnknownStep(step.to_owned())),
            1 => Ok(holding.remove(0)),
            _ => Err(RunError::AmbiguousStep(step.to_owned())),
        }
    }

    /// The playbook a run follows: the shipped one when its version is the run's, else the
    /// run's own pinned copy.
    fn definition(&self, row: &RunRow) -> Result<Playbook, RunError> {
        if let Some(def) = self.playbooks.get(&row.playbook_id)
            && i64::from(def.version) == i64::from(row.version)
        {
            return Ok(def.clone());
        }
        Playbooks::pinned(
            &row.file_name,
            &row.source,
            &self.templates,
            &self.playbooks,
        )
        .map_err(|e| RunError::Corrupt(format!("run {}: {e}", row.id)))
    }
}

/// What a person did, for the audit log (never their note).
fn act_summary(step: &str, act: &Act) -> String {
    match act {
        Act::Complete { .. } => format!("step {step} completed"),
        Act::Approve {
            decision: Some(true),
            ..
        } => format!("gate {step} approved, answering yes"),
        Act::Approve {
            decision: Some(false),
            ..
        } => format!("gate {step} approved, answering no"),
        Act::Approve { decision: None, .. } => format!("gate {step} approved"),
    }
}

/// How often the worker looks for runs whose wake-up time has come.
const WAKE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl Runner {
    /// Wakes due runs every minute until aborted.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let runner = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WAKE_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = runner.wake_due().await {
                    tracing::error!(error = %e, "the playbook pass failed; it tries again shortly");
                }
            }
        })
    }
}
