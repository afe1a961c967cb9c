//! The survey's schedule and its waves. An incident's schedule says how long after a person's
//! notice was delivered they are invited, and how long after that the one reminder goes to
//! those who have not answered. The survey worker goes through every schedule each minute and
//! sends a wave of the approved invitation (or reminder) to the people due one then; a CX lead
//! can also invite everyone whose notice was delivered at once. Each wave is a campaign of its
//! notice, so every message is an outbox row first, with the outbox's unique key against
//! doubles; people whose notice bounced, who answered, or who asked for legally required
//! notices only are left out, and weekly people wait for their weekly slot.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{SurveyError, closes_at};
use crate::audit::{self, AuditEvent};
use crate::delivery::{self, Campaign, SendSettings};
use crate::domain::Clock;
use crate::domain::audit::Actor;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::domain::survey::{DEFAULT_INVITE_AFTER, DEFAULT_REMIND_AFTER};
use crate::notice::drafts::NoticeConfig;
use crate::obligation::ObligationConfig;
use crate::store;
use crate::store::survey::ScheduleRow;

/// How often the survey worker looks for people due an invitation or the reminder.
const PASS_EVERY: StdDuration = StdDuration::from_secs(60);

/// The longest wait a schedule may set, in days.
const MAX_DAYS: u32 = 365;

/// A schedule as the API sets it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Days after a person's notice was delivered before they are invited (default 7).
    pub invite_after_days: Option<u32>,
    /// Days after the invitation before the one reminder to people who have not answered
    /// (default 5); `null` sends no reminder.
    #[serde(default, with = "crate::notice::content::double_option")]
    #[schema(value_type = Option<u32>)]
    pub remind_after_days: Option<Option<u32>>,
}

/// An incident's survey schedule.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Schedule {
    pub incident_id: Uuid,
    pub invite_after_days: f64,
    /// Null: no reminder.
    pub remind_after_days: Option<f64>,
    pub set_by: Uuid,
    pub set_at: DateTime<Utc>,
    /// When the survey worker last went through it.
    pub last_run_at: Option<DateTime<Utc>>,
    /// The last day answers are taken (the invitation's `survey_closes_on`), if set.
    pub closes_on: Option<chrono::NaiveDate>,
}

/// What an invitation or reminder pass queued.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct InviteReport {
    /// People found due an invitation.
    pub invitations_due: u64,
    /// The invitation wave written, if anybody could be queued.
    pub invitation_wave: Option<Campaign>,
    /// People found due the reminder.
    pub reminders_due: u64,
    /// The reminder wave written, if anybody could be queued.
    pub reminder_wave: Option<Campaign>,
}

/// The survey worker, and the use-cases that send waves.
#[derive(Clone)]
pub struct Surveys {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    notices: NoticeConfig,
    obligations: ObligationConfig,
    sending: SendSettings,
    delivery: delivery::Worker,
}

impl Surveys {
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        notices: NoticeConfig,
        obligations: ObligationConfig,
        sending: SendSettings,
        delivery: delivery::Worker,
    ) -> Self {
        Surveys {
            inner: Arc::new(Inner {
                db,
                clock,
                notices,
                obligations,
                sending,
                delivery,
            }),
        }
    }

    /// Runs a pass every minute until aborted.
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let surveys = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PASS_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = surveys.pass().await {
                    tracing::error!(error = %e, "the survey pass failed; it tries again shortly");
                }
            }
        })
    }

    /// One pass over every schedule: the invitations and reminders now due. An incident whose
    /// pass fails is logged and left for the next pass; the others go on.
    pub async fn pass(&self) -> Result<Vec<(Uuid, InviteReport)>, SurveyError> {
        let mut reports = Vec::new();
        for schedule in store::survey::schedules(&self.inner.db).await? {
            let now = self.inner.clock.now();
            let due = Due {
                invitations_by: Some(now - Duration::seconds(schedule.invite_after_seconds)),
                reminders_by: schedule
                    .remind_after_seconds
                    .map(|s| now - Duration::seconds(s)),
            };
            let by = (schedule.set_by, Actor::System);
            match self.run(schedule.incident_id, by, due, now).await {
                Ok(report) => reports.push((schedule.incident_id, report)),
                Err(SurveyError::NoInvitation | SurveyError::Closed(_)) => {}
                Err(e) => {
                    tracing::warn!(incident = %schedule.incident_id, error = %e, "survey pass failed for an incident");
                }
            }
            store::survey::set_last_run(&self.inner.db, schedule.incident_id, now).await?;
        }
        Ok(reports)
    }

    /// Invites now everyone whose notice was delivered and who has no invitation yet (the
    /// playbook normally lets the schedule do it), and reminds those the schedule says are
    /// due one.
    pub async fn invite_now(
        &self,
        by: Uuid,
        incident_id: Uuid,
    ) -> Result<InviteReport, SurveyError> {
        let now = self.inner.clock.now();
        store::incidents::find(&self.inner.db, incident_id)
            .await?
            .ok_or(SurveyError::IncidentNotFound)?;
        let schedule = store::survey::schedule(&self.inner.db, incident_id).await?;
        let due = Due {
            invitations_by: Some(now),
            reminders_by: match &schedule {
                Some(s) => s.remind_after_seconds.map(|s| now - Duration::seconds(s)),
                None => Some(now - DEFAULT_REMIND_AFTER),
            },
        };
        self.run(incident_id, (by, Actor::User(by)), due, now).await
    }

    /// Sets an incident's schedule, as `by` (the audit names `actor`: the person, or the
    /// playbook acting for them).
    pub async fn set_schedule(
        &self,
        (by, actor): (Uuid, Actor),
        incident_id: Uuid,
        input: ScheduleInput,
    ) -> Result<Schedule, SurveyError> {
        let now = self.inner.clock.now();
        let days = |field: &'static str, d: u32| {
            if d > MAX_DAYS {
                return Err(SurveyError::Invalid {
                    field,
                    message: format!("must be at most {MAX_DAYS} days"),
                });
            }
            Ok(i64::from(d) * 86_400)
        };
        let invite = match input.invite_after_days {
            Some(d) => days("invite_after_days", d)?,
            None => DEFAULT_INVITE_AFTER.num_seconds(),
        };
        let remind = match input.remind_after_days {
            Some(Some(d)) => Some(days("remind_after_days", d)?),
            Some(None) => None,
            None => Some(DEFAULT_REMIND_AFTER.num_seconds()),
        };
        let txn = store::begin_write(&self.inner.db).await?;
        store::incidents::find(&txn, incident_id)
            .await?
            .ok_or(SurveyError::IncidentNotFound)?;
        let row = ScheduleRow {
            incident_id,
            invite_after_seconds: invite,
            remind_after_seconds: remind,
            set_by: by,
            set_at: now,
            last_run_at: None,
        };
        store::survey::put_schedule(&txn, row).await?;
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor,
                action: "survey.scheduled",
                object_type: "incident",
                object_id: incident_id.to_string(),
                incident_id: Some(incident_id),
                summary: format!(
                    "survey scheduled: invitations {} days after delivery, {}",
                    invite / 86_400,
                    match remind {
                        Some(r) => format!("one reminder {} days later", r / 86_400),
                        None => "no reminder".to_owned(),
                    }
                ),
            },
        )
        .await?;
        txn.commit().await?;
        self.schedule(incident_id)
            .await?
            .ok_or(SurveyError::IncidentNotFound)
    }

    /// An incident's schedule, if one is set.
    pub async fn schedule(&self, incident_id: Uuid) -> Result<Option<Schedule>, SurveyError> {
        let db = &self.inner.db;
        let Some(row) = store::survey::schedule(db, incident_id).await? else {
            return Ok(None);
        };
        let closes_on = closes_at(db, incident_id).await?.map(|(day, _)| day);
        Ok(Some(Schedule {
            incident_id,
            invite_after_days: row.invite_after_seconds as f64 / 86_400.0,
            remind_after_days: row.remind_after_seconds.map(|s| s as f64 / 86_400.0),
            set_by: row.set_by,
            set_at: row.set_at,
            last_run_at: row.last_run_at,
            closes_on,
        }))
    }

    /// Sends the waves due: invitations, then reminders.
    async fn run(
        &self,
        incident_id: Uuid,
        by: (Uuid, Actor),
        due: Due,
        now: DateTime<Utc>,
    ) -> Result<InviteReport, SurveyError> {
        let db = &self.inner.db;
        if let Some((day, end)) = closes_at(db, incident_id).await?
            && now >= end
        {
            return Err(SurveyError::Closed(day));
        }
        let mut report = InviteReport::default();
        if let Some(cutoff) = due.invitations_by {
            let invitation = self
                .approved(incident_id, NoticeKind::SurveyInvitation)
                .await?
                .ok_or(SurveyError::NoInvitation)?;
            let people = store::survey::due_invitations(db, incident_id, cutoff).await?;
            report.invitations_due = people.len() as u64;
            report.invitation_wave = self.wave(by, incident_id, invitation, people, now).await?;
        }
        if let Some(cutoff) = due.reminders_by
            && let Some(reminder) = self
                .approved(incident_id, NoticeKind::SurveyReminder)
                .await?
        {
            let people = store::survey::due_reminders(db, incident_id, cutoff).await?;
            report.reminders_due = people.len() as u64;
            report.reminder_wave = self.wave(by, incident_id, reminder, people, now).await?;
        }
        if report.invitation_wave.is_some() || report.reminder_wave.is_some() {
            self.inner.delivery.wake();
        }
        Ok(report)
    }

    /// The incident's notice of `kind` when a CX lead approved it (or it went out before).
    async fn approved(
        &self,
        incident_id: Uuid,
        kind: NoticeKind,
    ) -> Result<Option<Uuid>, SurveyError> {
        let row = store::notices::find_by_slot(&self.inner.db, incident_id, kind.as_str()).await?;
        Ok(row
            .filter(|r| {
                r.status == NoticeStatus::Approved.as_str()
                    || r.status == NoticeStatus::Sent.as_str()
            })
            .map(|r| r.id))
    }

    async fn wave(
        &self,
        by: (Uuid, Actor),
        incident_id: Uuid,
        notice_id: Uuid,
        people: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<Option<Campaign>, SurveyError> {
        let i = &self.inner;
        let wave = delivery::send_wave(
            &i.db,
            &i.notices,
            &i.obligations,
            &i.sending,
            by,
            incident_id,
            notice_id,
            people,
            now,
        )
        .await?;
        Ok(wave.campaign)
    }
}

/// Who is due now: people delivered (or invited) at or before these times.
struct Due {
    invitations_by: Option<DateTime<Utc>>,
    reminders_by: Option<DateTime<Utc>>,
}
