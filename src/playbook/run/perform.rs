//! Carrying out a step's action. Each action is safe to carry out twice: a worker that stops
//! after the action but before its outcome is recorded leaves the effect pending, and the next
//! worker repeats it; the repeat finds the work already done (the mapping requested since the
//! effect, the notice already sent, the tasks already open) and adds nothing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{RunError, Runner};
use crate::delivery::{self, DeliveryError};
use crate::domain::audit::Actor;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::domain::playbook::{Action, Playbook};
use crate::domain::{IncidentStatus, Role};
use crate::mapping::{self, MappingError};
use crate::notice::drafts::{self, Notice};
use crate::obligation::{self, ObligationError, ReportFormat, ReportRequest};
use crate::rules::Recipient;
use crate::store;
use crate::store::mapping::RunStatus;
use crate::store::playbooks::{EffectRow, RunRow, TASK_OPEN, TaskRow};
use crate::survey::{ScheduleInput, SurveyError};

/// What carrying out an action came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Done; what it did, in words (no personal data).
    Done(String),
    /// Under way elsewhere (a mapping computing); look again after this long.
    Waiting(String, chrono::Duration),
    /// It cannot be done as things stand (no scope, no approved notice…); why, for the person
    /// who can fix it. The engine retries with backoff, or a person finishes the step by hand.
    Failed(String),
}

/// How long a step waits before looking at a mapping another worker computes.
const MAPPING_POLL: chrono::Duration = chrono::Duration::seconds(5);

impl Runner {
    /// Carries out `action` of `step` for the run; `inline` computes a mapping in this task
    /// (the worker hands it to the mapping worker instead and looks again later).
    pub(super) async fn carry_out(
        &self,
        (run, def): (&RunRow, &Playbook),
        effect: &EffectRow,
        action: &Action,
        inline: bool,
    ) -> Result<Outcome, RunError> {
        let now = self.clock.now();
        let incident = run.incident_id;
        match action {
            Action::MapAffected => self.map_affected(incident, effect, inline).await,
            Action::ComputeObligations => self.compute_obligations(incident, now).await,
            Action::SendNotice(kind) => self.send_notice(incident, *kind, effect, now).await,
            Action::PostUpdate => {
                self.send_notice(incident, NoticeKind::Update, effect, now)
                    .await
            }
            Action::NotifyRegulator => self.notify_regulator(run, &effect.step_id, now).await,
            Action::PersonalOutreach { tier } => {
                self.personal_outreach(run, def, &effect.step_id, tier, now)
                    .await
            }
            Action::ScheduleSurvey {
                after,
                reminder_after,
            } => {
                self.schedule_survey(run, effect, (*after, *reminder_after))
                    .await
            }
            Action::CloseIncident => self.close_incident(run, def, now).await,
            Action::StartPlaybook(id) => {
                // Attaching twice answers with the run already there.
                let (view, created) = Box::pin(self.attach(None, incident, id)).await?;
                Ok(Outcome::Done(if created {
                    format!("started playbook {} v{}", view.playbook_id, view.version)
                } else {
                    format!("playbook {} was already running", view.playbook_id)
                }))
            }
        }
    }

    /// The mapping requested since the effect was written, or a new one.
    async fn map_affected(
        &self,
        incident_id: Uuid,
        effect: &EffectRow,
        inline: bool,
    ) -> Result<Outcome, RunError> {
        let all = [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Superseded,
            RunStatus::Failed,
        ];
        let latest = store::mapping::latest_run(&self.db, incident_id, &all).await?;
        let run = match latest.filter(|r| r.requested_at >= effect.created_at) {
            Some(run) => run,
            None => {
                let scope = mapping::scope(&self.db, incident_id)
                    .await
                    .map_err(mapping_error)?;
                if scope.systems.is_empty() {
                    return Ok(Outcome::Failed(
                        "the incident has no scope yet: declare the exposed systems, data and \
                         time window first"
                            .into(),
                    ));
                }
                let now = self.clock.now();
                match mapping::request_mapping(&self.db, Actor::System, incident_id, now).await {
                    Ok(run) => run,
                    // A run asked for before this step: let it finish, then ask for a new one.
                    Err(MappingError::InProgress { status, .. }) => {
                        return Ok(Outcome::Waiting(
                            format!("an earlier mapping is still {status}"),
                            MAPPING_POLL,
                        ));
                    }
                    Err(e) => return Err(mapping_error(e)),
                }
            }
        };
        match run.status {
            RunStatus::Queued | RunStatus::Running => {
                if inline {
                    self.services.mapping.run(run.id).await;
                    let run = store::mapping::find_run(&self.db, run.id).await?;
                    if let Some(run) =
                        run.filter(|r| !matches!(r.status, RunStatus::Queued | RunStatus::Running))
                    {
                        return Ok(mapping_outcome(&run));
                    }
                } else if run.status == RunStatus::Queued {
                    // A run already computing is its worker's; one whose worker stopped is
                    // taken over by the mapping sweep.
                    self.services.mapping.spawn(run.id);
                }
                Ok(Outcome::Waiting(
                    format!("mapping run {} is computing", run.id),
                    MAPPING_POLL,
                ))
            }
            _ => Ok(mapping_outcome(&run)),
        }
    }

    async fn compute_obligations(
        &self,
        incident_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Outcome, RunError> {
        match obligation::compute(&self.db, &self.obligations, Actor::System, incident_id, now)
            .await
        {
            Ok(computed) => {
                let required = computed.duties().filter(|d| d.required).count();
                Ok(Outcome::Done(format!(
                    "{required} required duties under {} laws",
                    computed.jurisdictions.len()
                )))
            }
            Err(ObligationError::NotMapped) => Ok(Outcome::Failed(
                "the incident has not been mapped yet".into(),
            )),
            Err(e) => Err(obligation_error(e)),
        }
    }

    /// Sends the incident's approved notice of `kind`. A notice of the kind sent since the
    /// effect was written (by this action before a restart, or by hand) counts as done.
    async fn send_notice(
        &self,
        incident_id: Uuid,
        kind: NoticeKind,
        effect: &EffectRow,
        now: DateTime<Utc>,
    ) -> Result<Outcome, RunError> {
        let notices = drafts::list(
            &self.db,
            &self.services.notices,
            &self.obligations,
            incident_id,
            now,
        )
        .await
        .map_err(|e| RunError::Action(e.to_string()))?;
        let of_kind: Vec<&Notice> = notices.iter().filter(|n| n.kind == kind).collect();
        let waiting = of_kind
            .iter()
            .filter(|n| n.status == NoticeStatus::Approved)
            .max_by_key(|n| n.approval.as_ref().map(|a| a.approved_at));
        let Some(notice) = waiting else {
            let sent_since = self.sent_since(&of_kind, effect.created_at).await?;
            if let Some(done) = sent_since {
                return Ok(Outcome::Done(done));
            }
            // An initial notice goes out once; one already sent before the step is its notice.
            if kind == NoticeKind::InitialNotice
                && let Some(sent) = of_kind.iter().find(|n| n.status == NoticeStatus::Sent)
            {
                return Ok(Outcome::Done(format!(
                    "the {kind} notice {} had already been sent",
                    sent.id
                )));
            }
            return Ok(Outcome::Failed(format!(
                "the incident has no approved {kind} notice waiting to be sent: draft it and \
                 have a CX lead approve it"
            )));
        };
        let Some(approval) = &notice.approval else {
            return Ok(Outcome::Failed(format!(
                "the {kind} notice {} has no approval in force",
                notice.id
            )));
        };
        // The send is the approver's: the playbook only carries it out.
        let result = delivery::send_notice(
            &self.db,
            &self.services.notices,
            &self.obligations,
            &self.services.sending,
            (approval.approved_by, Actor::System),
            incident_id,
            notice.id,
            delivery::SendOptions::default(),
            now,
        )
        .await;
        match result {
            Ok(sent) => {
                self.services.delivery.wake();
                Ok(Outcome::Done(format!(
                    "{kind} notice {} sent to {} people (campaign {})",
                    notice.id, sent.campaign.people, sent.campaign.id
                )))
            }
            Err(DeliveryError::Db(e)) => Err(e.into()),
            // The approval was voided by a change since, or a concurrent edit: a person acts.
            Err(e) => Ok(Outcome::Failed(format!(
                "the {kind} notice was not sent: {e}"
            ))),
        }
    }

    /// A notice among `notices` whose campaign started at or after `since`, in words.
    async fn sent_since(
        &self,
        notices: &[&Notice],
        since: DateTime<Utc>,
    ) -> Result<Option<String>, RunError> {
        for notice in notices.iter().filter(|n| n.status == NoticeStatus::Sent) {
            if let Some(campaign) = store::delivery::campaign_of_notice(&self.db, notice.id).await?
                && campaign.created_at >= since
            {
                return Ok(Some(format!(
                    "{} notice {} sent (campaign {})",
                    notice.kind, notice.id, campaign.id
                )));
            }
        }
        Ok(None)
    }

    /// Drafts the report to each regulator the law requires telling, and opens a task to
    /// file each one (the draft kept with it).
    async fn notify_regulator(
        &self,
        run: &RunRow,
        step_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Outcome, RunError> {
        let computed =
            match obligation::evaluate_incident(&self.db, &self.obligations, run.incident_id, now)
                .await
            {
                Ok(c) => c,
                Err(ObligationError::NotMapped) => {
                    return Ok(Outcome::Failed(
                        "the incident has not been mapped yet, so its regulators are not known"
                            .into(),
                    ));
                }
                Err(e) => return Err(obligation_error(e)),
            };
        let duties: Vec<_> = computed
            .duties()
            .filter(|d| d.required && d.recipient == Recipient::Regulator)
            .cloned()
            .collect();
        if duties.is_empty() {
            return Ok(Outcome::Done(
                "no law requires telling a regulator about this incident".into(),
            ));
        }
        let mut tasks = Vec::new();
        for duty in &duties {
            let report = obligation::regulator_report(
                &self.db,
                &self.obligations,
                &self.services.reports,
                Actor::System,
                ReportRequest {
                    incident_id: run.incident_id,
                    jurisdiction: duty.jurisdiction.clone(),
                    format: ReportFormat::Markdown,
                },
                now,
            )
            .await
            .map_err(obligation_error)?;
            tasks.push(TaskRow {
                id: Uuid::now_v7(),
                run_id: run.id,
                incident_id: run.incident_id,
                step_id: step_id.to_owned(),
                key: format!("file:{}", duty.key),
                title: format!(
                    "File the breach report with {} ({}), then record it against duty {}",
                    duty.recipient_name, duty.jurisdiction, duty.key
                ),
                detail: Some(report.body),
                owner_role: Role::Responder.as_str().to_owned(),
                person_id: None,
                due_at: duty.due_at,
                status: TASK_OPEN.to_owned(),
                done_by: None,
                done_at: None,
                note: None,
                created_at: now,
            });
        }
        let added = store::playbooks::insert_tasks(&self.db, &tasks).await?;
        Ok(Outcome::Done(format!(
            "{} regulator report(s) drafted; {added} filing task(s) opened",
            duties.len()
        )))
    }

    /// One task per affected person of `tier` for their account manager (a CX lead).
    async fn personal_outreach(
        &self,
        run: &RunRow,
        def: &Playbook,
        step_id: &str,
        tier: &str,
        now: DateTime<Utc>,
    ) -> Result<Outcome, RunError> {
        let Some(mapping) =
            store::mapping::latest_run(&self.db, run.incident_id, &[RunStatus::Succeeded]).await?
        else {
            return Ok(Outcome::Failed(
                "the incident has not been mapped yet, so its people are not known".into(),
            ));
        };
        let people = store::population::people_of_tier(&self.db, mapping.id, tier).await?;
        let owner = def.step(step_id).map_or(Role::CxLead, |s| s.owner);
        let facts = self.facts(run.incident_id, now).await?;
        let due = facts.duty_due.get("individuals").copied();
        let tasks: Vec<TaskRow> = people
            .iter()
            .map(|(person_id, customer_ref)| TaskRow {
                id: Uuid::now_v7(),
                run_id: run.id,
                incident_id: run.incident_id,
                step_id: step_id.to_owned(),
                key: format!("person:{person_id}"),
                title: format!(
                    "Call {tier} customer {customer_ref} before their notice arrives: explain \
                     what happened, what we are doing, and what they can do"
                ),
                detail: None,
                owner_role: owner.as_str().to_owned(),
                person_id: Some(*person_id),
                due_at: due,
                status: TASK_OPEN.to_owned(),
                done_by: None,
                done_at: None,
                note: None,
                created_at: now,
            })
            .collect();
        let added = store::playbooks::insert_tasks(&self.db, &tasks).await?;
        Ok(Outcome::Done(format!(
            "{} {tier} customer(s) affected; {added} call task(s) opened",
            people.len()
        )))
    }

    /// Sets the survey's schedule, unless it was set since the effect was written.
    async fn schedule_survey(
        &self,
        run: &RunRow,
        effect: &EffectRow,
        (after, reminder_after): (chrono::Duration, Option<chrono::Duration>),
    ) -> Result<Outcome, RunError> {
        let surveys = &self.services.surveys;
        if let Some(existing) = surveys
            .schedule(run.incident_id)
            .await
            .map_err(survey_error)?
            .filter(|s| s.set_at >= effect.created_at)
        {
            return Ok(Outcome::Done(format!(
                "the survey was already scheduled: invitations {} days after delivery",
                existing.invite_after_days
            )));
        }
        let Some(by) = self.acting_person(run).await? else {
            return Ok(Outcome::Failed(
                "no staff member has acted on this incident yet to schedule the survey for".into(),
            ));
        };
        let days = |d: chrono::Duration| u32::try_from(d.num_days()).unwrap_or(u32::MAX);
        let input = ScheduleInput {
            invite_after_days: Some(days(after)),
            remind_after_days: Some(reminder_after.map(days)),
        };
        match surveys
            .set_schedule((by, Actor::System), run.incident_id, input)
            .await
        {
            Ok(s) => Ok(Outcome::Done(format!(
                "survey scheduled: invitations {} days after delivery, {}",
                s.invite_after_days,
                match s.remind_after_days {
                    Some(r) => format!("one reminder {r} days later"),
                    None => "no reminder".to_owned(),
                }
            ))),
            Err(e @ SurveyError::Invalid { .. }) => Ok(Outcome::Failed(e.to_string())),
            Err(e) => Err(survey_error(e)),
        }
    }

    /// Moves the incident forward to `closed` along the lifecycle (through monitoring when
    /// it is containing or notifying).
    async fn close_incident(
        &self,
        run: &RunRow,
        def: &Playbook,
        now: DateTime<Utc>,
    ) -> Result<Outcome, RunError> {
        let mut moves = Vec::new();
        loop {
            let incident = store::incidents::find(&self.db, run.incident_id)
                .await?
                .ok_or(RunError::IncidentNotFound)?;
            let from = incident.status;
            if from == IncidentStatus::Closed {
                break;
            }
            let allowed = from.next_allowed();
            let to = [
                IncidentStatus::Closed,
                IncidentStatus::Monitoring,
                IncidentStatus::Contained,
            ]
            .into_iter()
            .find(|s| allowed.contains(s));
            let Some(to) = to.filter(|_| moves.len() < 4) else {
                return Ok(Outcome::Failed(format!(
                    "the incident cannot be closed from `{from}`"
                )));
            };
            let note = format!("By the playbook \"{}\".", def.name);
            crate::incident::change_status(
                &self.db,
                Actor::System,
                run.incident_id,
                to,
                Some(note),
                now,
            )
            .await
            .map_err(|e| RunError::Action(e.to_string()))?;
            moves.push(format!("{from} -> {to}"));
        }
        Ok(Outcome::Done(if moves.is_empty() {
            "the incident was already closed".to_owned()
        } else {
            format!("incident closed ({})", moves.join(", "))
        }))
    }

    /// The staff member an action that must name one is done for: whoever last completed a
    /// step of the run, else who attached it, else the incident's commander.
    async fn acting_person(&self, run: &RunRow) -> Result<Option<Uuid>, RunError> {
        let state: crate::domain::playbook::RunState = serde_json::from_str(&run.state)
            .map_err(|e| RunError::Corrupt(format!("run {} state: line {}", run.id, e.line())))?;
        let last = state
            .steps
            .values()
            .filter(|s| s.done_by.is_some())
            .max_by_key(|s| s.done_at)
            .and_then(|s| s.done_by);
        if last.is_some() || run.started_by.is_some() {
            return Ok(last.or(run.started_by));
        }
        Ok(store::incidents::find(&self.db, run.incident_id)
            .await?
            .and_then(|i| i.commander_id))
    }
}

/// A finished mapping run as the step's outcome.
fn mapping_outcome(run: &store::mapping::RunRow) -> Outcome {
    match run.status {
        RunStatus::Succeeded | RunStatus::Superseded => Outcome::Done(format!(
            "mapping run {}: {} people affected ({} unmatched)",
            run.id,
            run.affected_people.unwrap_or(0),
            run.unmatched_people.unwrap_or(0)
        )),
        _ => Outcome::Failed(format!(
            "mapping run {} failed: {}",
            run.id,
            run.error.as_deref().unwrap_or("no reason recorded")
        )),
    }
}

fn mapping_error(e: MappingError) -> RunError {
    match e {
        MappingError::Db(e) => RunError::Db(e),
        MappingError::IncidentNotFound => RunError::IncidentNotFound,
        other => RunError::Action(other.to_string()),
    }
}

fn obligation_error(e: ObligationError) -> RunError {
    match e {
        ObligationError::Db(e) => RunError::Db(e),
        ObligationError::IncidentNotFound => RunError::IncidentNotFound,
        other => RunError::Action(other.to_string()),
    }
}

fn survey_error(e: SurveyError) -> RunError {
    match e {
        SurveyError::IncidentNotFound => RunError::IncidentNotFound,
        SurveyError::Db(e) => RunError::Db(e),
        other => RunError::Action(other.to_string()),
    }
}
