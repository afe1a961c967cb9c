//! What staff see of delivery: an incident's campaigns with their state, counts of messages
//! in each status, and pages of messages with the relay's own reply.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::DeliveryError;
use crate::domain::delivery::DeliveryStatus;
use crate::store;
use crate::store::delivery::CampaignRow;
use crate::store::delivery::outbox::{MessageRow, PageFilter};

/// Messages in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// Behind a canary, waiting for release.
    pub held: i64,
    pub pending: i64,
    pub sending: i64,
    pub retrying: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
}

impl Counts {
    fn from_rows(rows: Vec<(String, i64)>) -> Result<Counts, DeliveryError> {
        let mut c = Counts::default();
        for (status, n) in rows {
            let status: DeliveryStatus = status
                .parse()
                .map_err(|e| DeliveryError::Corrupt(format!("outbox status: {e}")))?;
            *match status {
                DeliveryStatus::Held => &mut c.held,
                DeliveryStatus::Pending => &mut c.pending,
                DeliveryStatus::Sending => &mut c.sending,
                DeliveryStatus::Retrying => &mut c.retrying,
                DeliveryStatus::Sent => &mut c.sent,
                DeliveryStatus::Failed => &mut c.failed,
                DeliveryStatus::Bounced => &mut c.bounced,
            } += n;
        }
        Ok(c)
    }
}

/// One notice's send.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: Uuid,
    pub notice_id: Uuid,
    /// The notice kind.
    pub kind: String,
    /// `running` or `paused`.
    pub state: String,
    /// Why it is paused (by whom, or the failure rate that paused it).
    pub state_reason: Option<String>,
    pub state_at: DateTime<Utc>,
    /// People in the audience it was sent to.
    pub people: i64,
    /// VIP customers left to their account managers (no form notice).
    pub outreach: i64,
    /// People with neither a usable email nor a postal address: substitute notice may apply.
    pub unreachable: i64,
    /// People left out because they asked for legally required notices only.
    pub declined: i64,
    /// 0 for a notice's first campaign; survey invitations and reminders go out in waves.
    pub wave: i32,
    /// The canary's size; 0 when the campaign had none.
    pub canary_size: i64,
    pub released_by: Option<Uuid>,
    pub released_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    /// What the approval was given for.
    pub content_hash: String,
    pub templates_hash: String,
    pub audience_hash: String,
    pub counts: Counts,
}

/// A campaign as staff see it, with its counts.
pub async fn campaign_view(
    db: &impl ConnectionTrait,
    row: &CampaignRow,
) -> Result<Campaign, DeliveryError> {
    let counts = Counts::from_rows(
        store::delivery::outbox::counts(db, row.incident_id, Some(row.id)).await?,
    )?;
    Ok(Campaign {
        id: row.id,
        notice_id: row.notice_id,
        kind: row.kind.clone(),
        declined: row.declined,
        wave: row.wave,
        state: row.state.clone(),
        state_reason: row.state_reason.clone(),
        state_at: row.state_at,
        people: row.people,
        outreach: row.outreach,
        unreachable: row.unreachable,
        canary_size: row.canary_size,
        released_by: row.released_by,
        released_at: row.released_at,
        created_by: row.created_by,
        created_at: row.created_at,
        content_hash: row.content_hash.clone(),
        templates_hash: row.templates_hash.clone(),
        audience_hash: row.audience_hash.clone(),
        counts,
    })
}

/// One message as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Message {
    pub id: i64,
    pub campaign_id: Uuid,
    pub person_key: String,
    pub customer_ref: Option<String>,
    /// `email` or `postal`.
    pub channel: String,
    /// The email address, or the postal address as JSON.
    pub recipient: String,
    /// With angle brackets, as in the message's header.
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    /// When a `pending` or `retrying` message is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The relay's reply when it took the message.
    pub reply: Option<String>,
    /// Why the last attempt failed, or the bounce report.
    pub error: Option<String>,
    pub bounced_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        let due = matches!(r.status.as_str(), "pending" | "retrying");
        Message {
            id: r.id,
            campaign_id: r.campaign_id,
            person_key: r.person_key,
            customer_ref: r.customer_ref,
            channel: r.channel,
            recipient: r.recipient,
            message_id: format!("<{}>", r.message_id),
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: due.then_some(r.next_attempt_at),
            sent_at: r.sent_at,
            reply: r.reply,
            error: r.last_error,
            bounced_at: r.bounced_at,
            updated_at: r.updated_at,
        }
    }
}

/// An incident's delivery: counts over every campaign, the campaigns, and a page of messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub counts: Counts,
    pub campaigns: Vec<Campaign>,
    pub messages: Vec<Message>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<i64>,
}

/// An incident's delivery overview.
pub async fn overview(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    filter: &PageFilter,
) -> Result<Overview, DeliveryError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(DeliveryError::IncidentNotFound);
    }
    let counts = Counts::from_rows(store::delivery::outbox::counts(db, incident_id, None).await?)?;
    let mut campaigns = Vec::new();
    for row in store::delivery::campaigns_of(db, incident_id).await? {
        campaigns.push(campaign_view(db, &row).await?);
    }
    let rows = store::delivery::outbox::page(db, incident_id, filter).await?;
    let next_after = (rows.len() as u64 == filter.limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Overview {
        counts,
        campaigns,
        messages: rows.into_iter().map(Message::from).collect(),
        next_after,
    })
}

/// The print vendor's manifest of a campaign's letters written so far (CSV).
pub async fn postal_manifest(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    campaign_id: Uuid,
) -> Result<Vec<u8>, DeliveryError> {
    use super::transport::{PostalManifestRow, write_manifest};
    store::delivery::find_campaign(db, incident_id, campaign_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let rows = store::delivery::outbox::letters(db, campaign_id).await?;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let manifest = rows.into_iter().map(|r| {
        let address: serde_json::Value = serde_json::from_str(&r.recipient).unwrap_or_default();
        let person: serde_json::Value = serde_json::from_str(&r.person).unwrap_or_default();
        let name = [text(&person, "given_name"), text(&person, "family_name")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let letter_id = r
            .message_id
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        PostalManifestRow {
            file: format!("{campaign_id}/{letter_id}.txt"),
            letter_id,
            name,
            line1: text(&address, "line1"),
            city: text(&address, "city"),
            region: text(&address, "region"),
            postal_code: text(&address, "postal_code"),
            country: text(&address, "country"),
            language: r.locale,
            written_at: r.sent_at.unwrap_or_default(),
        }
    });
    let mut out = Vec::new();
    write_manifest(&mut out, manifest).map_err(|e| DeliveryError::Corrupt(e.to_string()))?;
    Ok(out)
}
