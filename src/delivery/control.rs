//! Steering a campaign: pause and resume, releasing the people held behind a canary, and
//! bounces reported back, which mark a message `bounced` and hand the person to the postal
//! channel when an address is on record. Each change is audited.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::DeliveryError;
use super::status::{Campaign, campaign_view};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::delivery::CampaignState;
use crate::store;
use crate::store::delivery::outbox::{self, NewMessage};

/// Who steers.
#[derive(Debug, Clone, Copy)]
pub struct Steerer {
    pub id: Uuid,
    /// Holds the `cx_lead` role now: only a CX lead resumes or releases.
    pub is_cx_lead: bool,
}

/// Pauses a running campaign: workers claim none of its messages until it is resumed.
pub async fn pause(
    db: &DatabaseConnection,
    by: Steerer,
    incident_id: Uuid,
    campaign_id: Uuid,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Campaign, DeliveryError> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "paused by a member of the incident team".to_owned());
    steer(
        db,
        by,
        incident_id,
        campaign_id,
        CampaignState::Paused,
        Some(reason),
        "delivery.paused",
        now,
    )
    .await
}

/// Resumes a paused campaign (a CX lead's call: they answer for what customers receive).
pub async fn resume(
    db: &DatabaseConnection,
    by: Steerer,
    incident_id: Uuid,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Campaign, DeliveryError> {
    if !by.is_cx_lead {
        return Err(DeliveryError::NotCxLead);
    }
    steer(
        db,
        by,
        incident_id,
        campaign_id,
        CampaignState::Running,
        None,
        "delivery.resumed",
        now,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn steer(
    db: &DatabaseConnection,
    by: Steerer,
    incident_id: Uuid,
    campaign_id: Uuid,
    state: CampaignState,
    reason: Option<String>,
    action: &'static str,
    now: DateTime<Utc>,
) -> Result<Campaign, DeliveryError> {
    let txn = store::begin_write(db).await?;
    let row = store::delivery::find_campaign(&txn, incident_id, campaign_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    if row.state == state.as_str() {
        return Err(DeliveryError::AlreadyInState(state));
    }
    store::delivery::set_state(
        &txn,
        campaign_id,
        state.as_str(),
        reason.clone(),
        Some(by.id),
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::User(by.id),
            action,
            object_type: "campaign",
            object_id: campaign_id.to_string(),
            incident_id: Some(incident_id),
            summary: match &reason {
                Some(r) => format!("{} campaign {state}: {r}", row.kind),
                None => format!("{} campaign {state}", row.kind),
            },
        },
    )
    .await?;
    txn.commit().await?;
    let row = store::delivery::find_campaign(db, incident_id, campaign_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    campaign_view(db, &row).await
}

/// Releases the people held behind a campaign's canary (a CX lead's call, once the canary's
/// messages look right).
pub async fn release(
    db: &DatabaseConnection,
    by: Steerer,
    incident_id: Uuid,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Campaign, DeliveryError> {
    if !by.is_cx_lead {
        return Err(DeliveryError::NotCxLead);
    }
    let txn = store::begin_write(db).await?;
    let row = store::delivery::find_campaign(&txn, incident_id, campaign_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    if row.canary_size == 0 {
        return Err(DeliveryError::NoCanary);
    }
    if !store::delivery::set_released(&txn, campaign_id, by.id, now).await? {
        return Err(DeliveryError::AlreadyReleased);
    }
    let released = outbox::release_held(&txn, campaign_id, now).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::User(by.id),
            action: "delivery.released",
            object_type: "campaign",
            object_id: campaign_id.to_string(),
            incident_id: Some(incident_id),
            summary: format!(
                "{} campaign released after its canary of {}: {released} messages queued",
                row.kind, row.canary_size
            ),
        },
    )
    .await?;
    txn.commit().await?;
    let row = store::delivery::find_campaign(db, incident_id, campaign_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    campaign_view(db, &row).await
}

/// What a bounce report changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BounceOutcome {
    /// The message was sent and is now marked bounced (false: it was already).
    pub bounced: bool,
    /// A letter was queued for the person, who has a postal address on record.
    pub postal_queued: bool,
}

/// Records that a sent message bounced (`message_id` with or without angle brackets).
/// `reason` is the receiving side's report, kept for staff and never logged.
pub async fn record_bounce(
    db: &DatabaseConnection,
    message_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<BounceOutcome, DeliveryError> {
    let message_id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let txn = store::begin_write(db).await?;
    let source = outbox::by_message_id(&txn, message_id)
        .await?
        .ok_or(DeliveryError::UnknownMessage)?;
    let reason: String = format!("bounced: {}", reason.trim())
        .chars()
        .take(2_000)
        .collect();
    let bounced = outbox::mark_bounced(&txn, source.id, &reason, now).await?;
    let mut postal_queued = false;
    if bounced && source.channel == "email" {
        let person: serde_json::Value = serde_json::from_str(&source.person).unwrap_or_default();
        let address = person.get("address").filter(|a| a.is_object());
        if let Some(address) = address {
            let domain = message_id.rsplit('@').next().unwrap_or("candor.invalid");
            postal_queued = outbox::insert(
                &txn,
                &[NewMessage {
                    campaign_id: source.campaign_id,
                    incident_id: source.incident_id,
                    slot: source.slot.clone(),
                    person_key: source.person_key.clone(),
                    customer_ref: source.customer_ref.clone(),
                    channel: "postal",
                    variant_no: source.variant_no,
                    recipient: address.to_string(),
                    person: source.person.clone(),
                    link_id: source.link_id,
                    message_id: format!("candor.{}@{domain}", Uuid::new_v4().simple()),
                    status: "pending",
                    due_at: now,
                }],
                now,
            )
            .await?
                == 1;
        }
    }
    if bounced {
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: Actor::System,
                action: "delivery.bounced",
                object_type: "outbox",
                object_id: source.id.to_string(),
                incident_id: Some(source.incident_id),
                summary: if postal_queued {
                    "an email notice bounced; a letter is queued instead".to_owned()
                } else {
                    "an email notice bounced; no postal address is on record".to_owned()
                },
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(BounceOutcome {
        bounced,
        postal_queued,
    })
}
