//! The worker's side of runs: waking runs whose time has come, and carrying out the effects
//! their decisions wrote (performing actions, sending escalations), each claimed with a lease
//! so that two workers never carry out the same one at once. An action's outcome is fed back
//! to the engine as `ActionSucceeded` or `ActionFailed`.

use serde::Serialize;

use super::escalate::{ESCALATION_ATTEMPTS, Sent};
use super::perform::Outcome;
use super::{RunError, Runner};
use crate::audit::AuditEvent;
use crate::domain::audit::Actor;
use crate::domain::playbook::{Event, StepKind, backoff};
use crate::store;
use crate::store::playbooks::{EFFECT_DONE, EFFECT_FAILED, EffectRow};

/// How long a worker holds an effect it is carrying out.
const LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// How long an effect waits after the database failed under it.
const DB_RETRY: chrono::Duration = chrono::Duration::seconds(30);
/// Effects carried out per pass, at most.
const PER_PASS: u64 = 100;
/// Passes `settle` makes at most (each does at least one thing, or it stops).
const MAX_ROUNDS: usize = 64;

/// What a pass (or a settle) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Settled {
    /// Runs whose state a wake-up changed.
    pub woken: usize,
    /// Actions carried out.
    pub performed: usize,
    /// Actions that failed (their steps retry with backoff).
    pub failed: usize,
    /// Effects left pending: waiting on work elsewhere (a mapping computing) or for a retry
    /// (a chat post that failed). For a settle, those pending at its end.
    pub waiting: usize,
    /// Escalations mailed or posted.
    pub escalations: usize,
}

impl Settled {
    fn did_something(&self) -> bool {
        self.woken + self.performed + self.failed + self.escalations > 0
    }

    fn add(&mut self, other: Settled) {
        self.woken += other.woken;
        self.performed += other.performed;
        self.failed += other.failed;
        self.escalations += other.escalations;
    }
}

/// What became of one effect.
enum Carried {
    Performed,
    Failed,
    Waiting,
    Escalated,
    /// Another worker holds it, or it was already settled.
    Skipped,
}

impl Runner {
    /// One pass of the worker: wakes due runs, then carries out due effects (a mapping is
    /// handed to the mapping worker and looked at again later).
    pub async fn pass(&self) -> Result<Settled, RunError> {
        self.pass_with(false).await
    }

    /// Does everything that can be done now: passes, computing mappings in this task, until
    /// one does nothing. For the demo, the command line and tests with a manual clock.
    pub async fn settle(&self) -> Result<Settled, RunError> {
        let mut total = Settled::default();
        for _ in 0..MAX_ROUNDS {
            let round = self.pass_with(true).await?;
            total.add(round);
            if !round.did_something() {
                break;
            }
        }
        total.waiting = store::playbooks::pending_effects(&self.db).await?;
        Ok(total)
    }

    async fn pass_with(&self, inline: bool) -> Result<Settled, RunError> {
        let mut report = Settled {
            woken: self.wake_due().await?,
            ..Settled::default()
        };
        let now = self.clock.now();
        for effect in store::playbooks::due_effects(&self.db, now, PER_PASS).await? {
            match self.carry(effect, inline).await? {
                Carried::Performed => report.performed += 1,
                Carried::Failed => report.failed += 1,
                Carried::Waiting => report.waiting += 1,
                Carried::Escalated => report.escalations += 1,
                Carried::Skipped => {}
            }
        }
        Ok(report)
    }

    /// Claims and carries out one effect, recording its outcome.
    async fn carry(&self, effect: EffectRow, inline: bool) -> Result<Carried, RunError> {
        let now = self.clock.now();
        if !store::playbooks::claim_effect(&self.db, effect.id, now, now + LEASE).await? {
            return Ok(Carried::Skipped);
        }
        let result = self.carry_claimed(&effect, inline).await;
        if let Err(RunError::Db(_)) = &result {
            // The database failed under it: leave it for a later pass (best effort; the lease
            // frees it anyway).
            let _ = store::playbooks::postpone_effect(
                &self.db,
                effect.id,
                self.clock.now() + DB_RETRY,
                effect.outcome.clone(),
                Some("database error; tried again shortly".into()),
            )
            .await;
        }
        result
    }

    async fn carry_claimed(&self, effect: &EffectRow, inline: bool) -> Result<Carried, RunError> {
        let Some(run) = store::playbooks::run(&self.db, effect.run_id).await? else {
            return Ok(Carried::Skipped);
        };
        let def = self.definition(&run)?;
        let state = super::apply::state_of(&run)?;
        let settled = state
            .steps
            .get(&effect.step_id)
            .is_some_and(|s| s.status.is_settled());
        if effect.kind == "escalate" {
            if settled {
                // Done meanwhile: an overdue warning would now be wrong.
                self.finish(
                    effect,
                    EFFECT_DONE,
                    Some("the step was done first; not sent"),
                    None,
                )
                .await?;
                return Ok(Carried::Skipped);
            }
            return self.escalate(&run, &def, effect).await;
        }
        let Some(StepKind::Action(action)) = def.step(&effect.step_id).map(|s| &s.kind) else {
            self.finish(
                effect,
                EFFECT_FAILED,
                None,
                Some("the step is not an action"),
            )
            .await?;
            return Ok(Carried::Skipped);
        };
        let outcome = match self.carry_out((&run, &def), effect, action, inline).await {
            Ok(outcome) => outcome,
            Err(e @ RunError::Db(_)) => return Err(e),
            Err(e) => Outcome::Failed(e.to_string()),
        };
        let step = effect.step_id.clone();
        match outcome {
            Outcome::Done(what) => {
                let audit = self.action_audit(&run, "playbook.action_performed", &step, &what);
                self.report(&run, Event::ActionSucceeded { step }, audit)
                    .await?;
                self.finish(effect, EFFECT_DONE, Some(&what), None).await?;
                Ok(Carried::Performed)
            }
            Outcome::Failed(why) => {
                let audit = self.action_audit(&run, "playbook.action_failed", &step, &why);
                let event = Event::ActionFailed {
                    step,
                    error: why.clone(),
                };
                self.report(&run, event, audit).await?;
                self.finish(effect, EFFECT_FAILED, None, Some(&why)).await?;
                Ok(Carried::Failed)
            }
            Outcome::Waiting(what, after) => {
                store::playbooks::postpone_effect(
                    &self.db,
                    effect.id,
                    self.clock.now() + after,
                    Some(what),
                    None,
                )
                .await?;
                Ok(Carried::Waiting)
            }
        }
    }

    async fn escalate(
        &self,
        run: &store::playbooks::RunRow,
        def: &crate::domain::playbook::Playbook,
        effect: &EffectRow,
    ) -> Result<Carried, RunError> {
        match self.send_escalation((run, def), effect).await? {
            Sent::Done(what) => {
                self.finish(effect, EFFECT_DONE, Some(&what), None).await?;
                Ok(Carried::Escalated)
            }
            Sent::Retry { progress, error } => {
                let attempts = effect.attempts + 1;
                tracing::warn!(run = %run.id, step = %effect.step_id, attempts, error = %error, "a playbook escalation could not be sent");
                if attempts >= ESCALATION_ATTEMPTS {
                    self.finish(effect, EFFECT_FAILED, progress.as_deref(), Some(&error))
                        .await?;
                    return Ok(Carried::Failed);
                }
                let wait = backoff(u32::try_from(attempts).unwrap_or(1));
                store::playbooks::postpone_effect(
                    &self.db,
                    effect.id,
                    self.clock.now() + wait,
                    progress,
                    Some(error),
                )
                .await?;
                Ok(Carried::Waiting)
            }
        }
    }

    /// Feeds an action's outcome to the run (re-reading it when another writer changed it
    /// meanwhile). A step that moved on (finished by hand) keeps its state.
    async fn report(
        &self,
        run: &store::playbooks::RunRow,
        event: Event,
        audit: AuditEvent,
    ) -> Result<(), RunError> {
        for _ in 0..5 {
            let Some(row) = store::playbooks::run(&self.db, run.id).await? else {
                return Ok(());
            };
            let def = self.definition(&row)?;
            let now = self.clock.now();
            match self
                .apply(row, &def, (&event, Some(audit.clone())), now)
                .await
            {
                Ok(_) | Err(RunError::Refused(_)) => return Ok(()),
                Err(RunError::Conflict) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(RunError::Conflict)
    }

    async fn finish(
        &self,
        effect: &EffectRow,
        status: &str,
        outcome: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), RunError> {
        store::playbooks::settle_effect(
            &self.db,
            effect.id,
            status,
            outcome.map(str::to_owned),
            error.map(str::to_owned),
            self.clock.now(),
        )
        .await?;
        Ok(())
    }

    fn action_audit(
        &self,
        run: &store::playbooks::RunRow,
        action: &'static str,
        step: &str,
        what: &str,
    ) -> AuditEvent {
        AuditEvent {
            actor: Actor::System,
            action,
            object_type: "playbook_run",
            object_id: run.id.to_string(),
            incident_id: Some(run.incident_id),
            summary: format!("{}: step {step}: {what}", run.playbook_id),
        }
    }
}
