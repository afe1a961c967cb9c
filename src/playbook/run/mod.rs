//! Playbook runs: attaching a playbook to an incident (its file pinned to the run), people
//! completing tasks and approving gates, and the worker's wake-ups when a step falls due or a
//! retry comes round. Every change goes through the pure engine
//! ([`crate::domain::playbook::decide`]); the new state and the effects it calls for (actions
//! to perform, escalations to send) are written in one transaction, so a restart resumes from
//! the rows and an effect is never written twice.

mod apply;
mod escalate;
mod perform;
mod tasks;
mod view;
mod work;

pub use escalate::EscalationConfig;
pub use tasks::TaskView;
pub use view::{RunView, StepView};
pub use work::Settled;

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
    /// Carrying out an action failed for a reason a person can fix.
    #[error("{0}")]
    Action(String),
    #[error("no task {0} on this incident")]
    TaskNotFound(Uuid),
    #[error("closing this task takes the {0} role")]
    TaskRoleNotHeld(Role),
    #[error("the task is already closed")]
    TaskClosed,
    #[error("no active staff member {0}")]
    NoSuchUser(Uuid),
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
    /// Give the step to this staff member, or take it back (`None`).
    Assign {
        to: Option<Uuid>,
    },
}

/// What the actions are carried out with: the capabilities a playbook drives.
#[derive(Clone)]
pub struct Services {
    pub mapping: crate::mapping::Worker,
    pub notices: crate::notice::drafts::NoticeConfig,
    pub sending: crate::delivery::SendSettings,
    pub delivery: crate::delivery::Worker,
    pub surveys: crate::survey::Surveys,
    pub reports: crate::obligation::ReportTemplates,
    pub escalation: EscalationConfig,
}

/// Runs playbooks: the use-cases and the worker's wake-ups.
#[derive(Clone)]
pub struct Runner {
    pub(super) db: DatabaseConnection,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) playbooks: Arc<Playbooks>,
    pub(super) templates: Arc<TemplateSet>,
    pub(super) obligations: ObligationConfig,
    pub(super) services: Services,
    /// Pokes the worker when a decision wrote effects.
    pub(super) wake: Arc<tokio::sync::Notify>,
}

impl Runner {
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        playbooks: Arc<Playbooks>,
        obligations: ObligationConfig,
        services: Services,
    ) -> Result<Self, crate::notice::drafts::NoticeError> {
        let templates = Arc::new(services.notices.base_templates()?);
        Ok(Runner {
            db,
            clock,
            playbooks,
            templates,
            obligations,
            services,
            wake: Arc::new(tokio::sync::Notify::new()),
        })
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
            return Ok((self.view_one(&existing, None, now).await?, false));
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
                return Ok((self.view_one(&existing, None, now).await?, false));
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
        Ok((self.view_one(&row, Some(facts), now).await?, true))
    }

    /// Attaches every playbook whose `applies_when` the incident now meets (its severity, kind
    /// and the categories its scope exposes) and that it does not run yet. Called when an
    /// incident is opened or changed and when its scope is set; returns the runs started.
    pub async fn attach_applicable(
        &self,
        by: Option<Uuid>,
        incident_id: Uuid,
    ) -> Result<Vec<RunView>, RunError> {
        let incident = store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        let exposed = store::scope::list(&self.db, incident_id)
            .await?
            .iter()
            .fold(crate::domain::CategorySet::default(), |all, row| {
                all.union(row.categories)
            });
        let running: Vec<String> = store::playbooks::runs_of(&self.db, incident_id)
            .await?
            .into_iter()
            .map(|r| r.playbook_id)
            .collect();
        let wanted: Vec<String> = self
            .playbooks
            .applicable(incident.severity, incident.kind, exposed)
            .into_iter()
            .filter(|p| !running.contains(&p.id))
            .map(|p| p.id.clone())
            .collect();
        let mut started = Vec::new();
        for id in wanted {
            let (run, created) = self.attach(by, incident_id, &id).await?;
            if created {
                started.push(run);
            }
        }
        Ok(started)
    }

    /// The incident's runs, with every step's status, due time and what blocks it.
    pub async fn view(&self, incident_id: Uuid) -> Result<Vec<RunView>, RunError> {
        let now = self.clock.now();
        store::incidents::find(&self.db, incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        // The incident's facts (its obligations) are read once for all of its runs.
        let facts = self.facts(incident_id, now).await?;
        let extras = self.extras(incident_id).await?;
        store::playbooks::runs_of(&self.db, incident_id)
            .await?
            .iter()
            .map(|row| self.view_of(row, (&facts, &extras), now))
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
                Act::Assign { .. } => "playbook.step_assigned",
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
            Act::Assign { to } => {
                let to = match to {
                    Some(id) => {
                        let user = store::users::find_by_id(&self.db, id)
                            .await?
                            .filter(crate::domain::StaffUser::is_active)
                            .ok_or(RunError::NoSuchUser(id))?;
                        Some((user.id, user.roles))
                    }
                    None => None,
                };
                Event::Assigned {
                    step,
                    by,
                    roles,
                    to,
                }
            }
        };
        let (row, facts) = self.apply(row, &def, (&event, Some(audit)), now).await?;
        self.view_one(&row, Some(facts), now).await
    }

    /// One run as staff see it (the incident's facts read unless given).
    async fn view_one(
        &self,
        row: &RunRow,
        facts: Option<crate::domain::playbook::Facts>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<RunView, RunError> {
        let facts = match facts {
            Some(f) => f,
            None => self.facts(row.incident_id, now).await?,
        };
        let extras = self.extras(row.incident_id).await?;
        self.view_of(row, (&facts, &extras), now)
    }

    /// Ticks every running run whose wake-up time has come; returns how many changed state.
    pub async fn wake_due(&self) -> Result<usize, RunError> {
        let now = self.clock.now();
        let due = store::playbooks::due_runs(&self.db, now, 100).await?;
        let mut changed = 0;
        for row in due {
            let def = self.definition(&row)?;
            let before = row.state.clone();
            match self.apply(row, &def, (&Event::Tick, None), now).await {
                Ok((after, _)) => changed += usize::from(after.state != before),
                Err(RunError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
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
        Act::Assign { to: Some(id) } => format!("step {step} assigned to user {id}"),
        Act::Assign { to: None } => format!("step {step} unassigned"),
    }
}

/// How often the worker looks for runs whose wake-up time has come and effects to carry out
/// when nothing pokes it sooner.
const WAKE_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl Runner {
    /// Passes every few seconds, and at once when a decision writes effects, until aborted.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let runner = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(WAKE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = runner.wake.notified() => {}
                }
                if let Err(e) = runner.pass().await {
                    tracing::error!(error = %e, "the playbook pass failed; it tries again shortly");
                }
            }
        })
    }
}
