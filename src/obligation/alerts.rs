//! Alerts for duties due soon or overdue: a background sweep that, for every open incident
//! with a current mapping, writes a timeline entry for each required duty not done that is
//! overdue or due within the alert window, and mails the incident's commander. Each (incident,
//! duty, threshold) alerts once: its row is unique and commits with the timeline entry. Mail
//! goes out after the commit; a failed send is retried on the next sweep.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use lettre::message::Mailbox;
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use super::{Computed, ObligationConfig, ObligationError, evaluate_incident};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::{Clock, TimelineEntry, TimelineKind};
use crate::mail::Mailer;
use crate::rules::Duty;
use crate::store;
use crate::store::duty_alerts::DutyAlert;

/// How often the sweep runs.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How long one sweep holds an alert while it sends its mail.
const SEND_LEASE: chrono::Duration = chrono::Duration::seconds(120);

/// What the alerts are raised with.
#[derive(Clone)]
pub struct AlertConfig {
    /// A duty due within this window raises a `soon` alert.
    pub window: chrono::Duration,
    pub from: Mailbox,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub raised: usize,
    pub sent: usize,
    pub failed: usize,
}

/// Raises duty alerts and sends their mail. Cheap to clone.
#[derive(Clone)]
pub struct AlertWorker {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    obligations: ObligationConfig,
    config: AlertConfig,
    mailer: Mailer,
}

impl AlertWorker {
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        obligations: ObligationConfig,
        config: AlertConfig,
        mailer: Mailer,
    ) -> Self {
        AlertWorker {
            db,
            clock,
            obligations,
            config,
            mailer,
        }
    }

    /// Starts the sweep: at once, then every minute while the service runs.
    pub fn start_sweep(&self) -> tokio::task::JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = worker.sweep().await {
                    tracing::error!(error = %e, "the duty alert sweep failed; it tries again shortly");
                }
            }
        })
    }

    /// One pass: raise the alerts now due, then send every alert mail not yet sent.
    pub async fn sweep(&self) -> Result<SweepReport, DbErr> {
        let mut report = SweepReport::default();
        for incident_id in store::incidents::open_ids(&self.db).await? {
            let now = self.clock.now();
            let computed = match evaluate_incident(&self.db, &self.obligations, incident_id, now)
                .await
            {
                Ok(c) => c,
                Err(ObligationError::NotMapped | ObligationError::IncidentNotFound) => continue,
                Err(ObligationError::Db(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(incident = %incident_id, error = %e, "cannot compute obligations for alerts");
                    continue;
                }
            };
            for (duty, threshold, due_at) in self.due(&computed, now) {
                if self.raise(&computed, duty, threshold, due_at, now).await? {
                    report.raised += 1;
                }
            }
        }
        let (sent, failed) = self.send_pending().await?;
        report.sent = sent;
        report.failed = failed;
        if report != SweepReport::default() {
            tracing::info!(
                raised = report.raised,
                sent = report.sent,
                failed = report.failed,
                "duty alert sweep"
            );
        }
        Ok(report)
    }

    /// Required duties not done that are overdue (`overdue`) or due within the window (`soon`).
    fn due<'a>(
        &self,
        computed: &'a Computed,
        now: DateTime<Utc>,
    ) -> Vec<(&'a Duty, &'static str, DateTime<Utc>)> {
        computed
            .duties()
            .filter(|d| d.required && !computed.done.contains_key(&d.key))
            .filter_map(|d| {
                let due_at = d.due_at?;
                if due_at < now {
                    Some((d, "overdue", due_at))
                } else if due_at - now <= self.config.window {
                    Some((d, "soon", due_at))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Writes one alert with its timeline entry and audit entry, unless it was raised before.
    async fn raise(
        &self,
        computed: &Computed,
        duty: &Duty,
        threshold: &'static str,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let due = due_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let message = match threshold {
            "overdue" => format!(
                "Duty overdue: notice to {} ({}) was due {due} and is not marked done.",
                duty.recipient_name, duty.key
            ),
            _ => format!(
                "Duty due soon: notice to {} ({}) is due {due}.",
                duty.recipient_name, duty.key
            ),
        };
        let entry = TimelineEntry {
            id: Uuid::now_v7(),
            incident_id: computed.incident.id,
            at: now,
            kind: TimelineKind::Alert,
            text: message.clone(),
            author_id: None,
            created_at: now,
        };
        let alert = DutyAlert {
            id: Uuid::now_v7(),
            incident_id: computed.incident.id,
            duty_key: duty.key.clone(),
            threshold: threshold.to_owned(),
            due_at,
            raised_at: now,
            message,
            timeline_entry_id: entry.id,
            recipient_id: computed.incident.commander_id,
            sent_at: None,
        };
        let txn = store::begin_write(&self.db).await?;
        if !store::duty_alerts::insert_if_new(&txn, &alert).await? {
            return Ok(false);
        }
        store::timeline::insert(&txn, &entry).await?;
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: Actor::System,
                action: "duty.alert_raised",
                object_type: "duty_alert",
                object_id: alert.id.to_string(),
                incident_id: Some(alert.incident_id),
                summary: format!("duty {} alert raised: {threshold}", alert.duty_key),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Sends the mail of every alert not yet sent; returns (sent, failed).
    async fn send_pending(&self) -> Result<(usize, usize), DbErr> {
        let (mut sent, mut failed) = (0, 0);
        for alert in store::duty_alerts::unsent(&self.db, self.clock.now()).await? {
            let now = self.clock.now();
            if !store::duty_alerts::claim(&self.db, alert.id, now, now + SEND_LEASE).await? {
                continue;
            }
            match self.send(&alert).await {
                Ok(true) => {
                    store::duty_alerts::mark_sent(&self.db, alert.id, self.clock.now()).await?;
                    sent += 1;
                }
                Ok(false) => {
                    store::duty_alerts::release(&self.db, alert.id).await?;
                }
                Err(e) => {
                    tracing::warn!(alert = %alert.id, incident = %alert.incident_id, error = %e, "duty alert mail failed; retrying on the next sweep");
                    store::duty_alerts::release(&self.db, alert.id).await?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }

    /// Mails one alert to its recipient; false when there is nobody to mail (now).
    async fn send(&self, alert: &DutyAlert) -> Result<bool, SendError> {
        let Some(recipient_id) = alert.recipient_id else {
            return Ok(false);
        };
        let Some(user) = store::users::find_by_id(&self.db, recipient_id)
            .await
            .map_err(SendError::Db)?
            .filter(|u| u.is_active())
        else {
            return Ok(false);
        };
        let incident = store::incidents::find(&self.db, alert.incident_id)
            .await
            .map_err(SendError::Db)?;
        let title = incident.map_or_else(String::new, |i| i.title);
        let label = if alert.threshold == "overdue" {
            "Overdue"
        } else {
            "Due soon"
        };
        let subject = format!("[Candor] {label}: {} ({title})", alert.duty_key);
        let body = format!(
            "{}\n\nIncident: {title}\nIncident id: {}\nDuty: {}\n\nSee the incident's obligations in Candor: \
             GET /api/v1/incidents/{}/obligations\n",
            alert.message, alert.incident_id, alert.duty_key, alert.incident_id
        );
        self.mailer
            .send_text(&self.config.from, user.email.as_str(), &subject, body)
            .await
            .map_err(SendError::Mail)?;
        Ok(true)
    }
}

#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("database error: {0}")]
    Db(DbErr),
    #[error(transparent)]
    Mail(crate::mail::MailError),
}
