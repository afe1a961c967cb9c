//! Telling people a step is overdue, beyond the timeline entry written with the escalation:
//! a mail to the step's owners (everyone active holding its role) or to the incident's
//! commander (every admin when it has none), and a post to the chat webhook when one is set.
//! A mail that went out is not sent again when only the chat post is retried.

use chrono::SecondsFormat;
use lettre::message::Mailbox;
use serde_json::json;

use super::{RunError, Runner};
use crate::domain::playbook::{Playbook, Threshold};
use crate::domain::{Role, StaffUser};
use crate::mail::Mailer;
use crate::store;
use crate::store::playbooks::{EffectRow, RunRow};

/// Where escalations go besides the incident's timeline.
#[derive(Clone)]
pub struct EscalationConfig {
    /// Staff mail (the same relay, or file outbox, as duty alerts).
    pub mailer: Mailer,
    pub from: Mailbox,
    /// A Slack/Teams-compatible incoming webhook; `None`: no chat post.
    pub webhook: Option<url::Url>,
    /// Candor's own address, for the link in the message.
    pub public_url: String,
    /// The client chat posts go through (with its timeout).
    pub http: reqwest::Client,
}

impl EscalationConfig {
    /// How long a chat post may take.
    pub const CHAT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

    /// The HTTP client for chat posts.
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Self::CHAT_TIMEOUT)
            .build()
            .unwrap_or_default()
    }
}

/// How many times an escalation is tried before it is given up as failed.
pub(super) const ESCALATION_ATTEMPTS: i32 = 8;

/// The stored note that an escalation's mail went out.
const MAILED: &str = "mailed";

/// What sending an escalation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Sent {
    /// Everything went; in words.
    Done(String),
    /// Something failed; try again later. `progress` is what already went (kept so it is not
    /// repeated), `error` what failed.
    Retry {
        progress: Option<String>,
        error: String,
    },
}

impl Runner {
    /// Mails and posts one escalation.
    pub(super) async fn send_escalation(
        &self,
        (run, def): (&RunRow, &Playbook),
        effect: &EffectRow,
    ) -> Result<Sent, RunError> {
        let config = &self.services.escalation;
        let to = match effect.detail.as_str() {
            "commander" => Threshold::Commander,
            _ => Threshold::Owner,
        };
        let incident = store::incidents::find(&self.db, run.incident_id)
            .await?
            .ok_or(RunError::IncidentNotFound)?;
        let Some(step) = def.step(&effect.step_id) else {
            return Ok(Sent::Done(format!(
                "the playbook has no step {} any more",
                effect.step_id
            )));
        };
        let due = serde_json::from_str::<serde_json::Value>(&effect.payload)
            .ok()
            .and_then(|p| p.get("due_at").and_then(|d| d.as_str()).map(str::to_owned))
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| {
                d.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(SecondsFormat::Secs, true)
            })
            .unwrap_or_else(|| "earlier".to_owned());
        let whom = match to {
            Threshold::Owner => format!("its owners ({})", step.owner),
            Threshold::Commander => "the incident commander".to_owned(),
        };
        let link = format!(
            "{}/api/v1/incidents/{}/playbook",
            config.public_url.trim_end_matches('/'),
            incident.id
        );
        let line = format!(
            "Overdue playbook step: \"{}\" ({}) on incident \"{}\" was due {due}; escalated to {whom}.",
            step.title, def.name, incident.title
        );
        let mailed_before = effect
            .outcome
            .as_deref()
            .is_some_and(|o| o.starts_with(MAILED));
        let mut done = Vec::new();
        if mailed_before {
            done.push(effect.outcome.clone().unwrap_or_default());
        } else {
            let assignee = super::apply::state_of(run)?
                .steps
                .get(&step.id)
                .and_then(|s| s.assignee);
            let recipients = self
                .recipients(to, (step.owner, assignee), incident.commander_id)
                .await?;
            if recipients.is_empty() {
                done.push("nobody to mail".to_owned());
            } else {
                let subject = format!("[Candor] Overdue: {} ({})", step.title, incident.title);
                let body = format!(
                    "{line}\n\nPlaybook: {} v{}\nStep: {} ({})\nIncident: {}\nIncident id: {}\n\n\
                     See the playbook's progress in Candor: GET {link}\n",
                    def.name, def.version, step.title, step.id, incident.title, incident.id
                );
                if let Err(e) =
                    send_mail(&config.mailer, &config.from, &recipients, &subject, body).await
                {
                    return Ok(Sent::Retry {
                        progress: None,
                        error: format!("mail: {e}"),
                    });
                }
                done.push(format!("{MAILED} {} people", recipients.len()));
            }
        }
        if let Some(webhook) = &config.webhook {
            let text = format!("{line} {link}");
            if let Err(e) = post_chat(&config.http, webhook, &text).await {
                return Ok(Sent::Retry {
                    progress: Some(done.join("; ")),
                    error: format!("chat webhook: {e}"),
                });
            }
            done.push("posted to chat".to_owned());
        }
        Ok(Sent::Done(done.join("; ")))
    }

    /// Whom an escalation is mailed to: the step's assignee, else everyone holding its role;
    /// or the commander (every admin when the incident has none); active accounts only.
    async fn recipients(
        &self,
        to: Threshold,
        (owner, assignee): (Role, Option<uuid::Uuid>),
        commander: Option<uuid::Uuid>,
    ) -> Result<Vec<StaffUser>, RunError> {
        let users = store::users::list(&self.db).await?;
        let active: Vec<StaffUser> = users.into_iter().filter(StaffUser::is_active).collect();
        if to == Threshold::Owner
            && let Some(person) = assignee
            && let Some(user) = active.iter().find(|u| u.id == person)
        {
            return Ok(vec![user.clone()]);
        }
        let active = active.into_iter();
        Ok(match (to, commander) {
            (Threshold::Owner, _) => active.filter(|u| u.roles.contains(&owner)).collect(),
            (Threshold::Commander, Some(id)) => active.filter(|u| u.id == id).collect(),
            (Threshold::Commander, None) => {
                active.filter(|u| u.roles.contains(&Role::Admin)).collect()
            }
        })
    }
}

/// One message to every recipient.
async fn send_mail(
    mailer: &Mailer,
    from: &Mailbox,
    to: &[StaffUser],
    subject: &str,
    body: String,
) -> Result<(), String> {
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN);
    for user in to {
        let mailbox: Mailbox = user
            .email
            .as_str()
            .parse()
            .map_err(|_| "a staff address is not a valid mailbox".to_owned())?;
        builder = builder.to(mailbox);
    }
    let message = builder.body(body).map_err(|e| e.to_string())?;
    mailer.send(message).await.map_err(|e| e.to_string())
}

/// Posts `{"text": …}`, the body Slack and Teams incoming webhooks both take. The error never
/// names the address (it carries the webhook's token).
async fn post_chat(client: &reqwest::Client, webhook: &url::Url, text: &str) -> Result<(), String> {
    let response = client
        .post(webhook.clone())
        .json(&json!({ "text": text }))
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "cannot connect".to_owned()
            } else {
                "the request failed".to_owned()
            }
        })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}
