//! Sending an approved notice: one outbox row per person and channel, written with the
//! campaign and the notice's move to `sent` in one transaction. The approval is checked
//! against the templates, audience, rules and words as they are now (a change since voids it,
//! and the send is refused); a notice already sent answers with its campaign and adds nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use uuid::Uuid;

use super::links::link_id;
use super::snapshot::Snapshot;
use super::status::{Campaign, campaign_view};
use super::{DeliveryError, SendSettings};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::delivery::CampaignState;
use crate::domain::notice::{Channel, NoticeStatus};
use crate::notice::context;
use crate::notice::drafts::prepare::{Prepared, prepare, reader, slot_of};
use crate::notice::drafts::{self, Notice, NoticeConfig, NoticeError};
use crate::obligation::ObligationConfig;
use crate::store;
use crate::store::delivery::outbox::{self, NewMessage};
use crate::store::delivery::{CampaignRow, LinkRow, VariantRow};

/// How a notice is sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct SendOptions {
    /// Send to the first this many people only, and hold the rest until a CX lead releases
    /// them.
    pub canary: Option<u32>,
}

/// The campaign of a send request, and whether this request created it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub campaign: Campaign,
    pub created: bool,
}

/// How many people a send reads from the database at a time.
const PAGE: u64 = 2_000;

/// Sends an approved notice (see the module docs).
#[allow(clippy::too_many_arguments)]
pub async fn send_notice(
    db: &DatabaseConnection,
    notices: &NoticeConfig,
    obligations: &ObligationConfig,
    settings: &SendSettings,
    actor: Uuid,
    incident_id: Uuid,
    notice_id: Uuid,
    options: SendOptions,
    now: DateTime<Utc>,
) -> Result<Sent, DeliveryError> {
    let notice = drafts::get(db, notices, obligations, incident_id, notice_id, now).await?;
    match notice.status {
        NoticeStatus::Sent => return existing(db, incident_id, notice_id).await,
        NoticeStatus::Draft => return Err(NoticeError::NotApproved.into()),
        NoticeStatus::Approved => {}
    }
    let Some(approval) = notice.approval.clone() else {
        return Err(NoticeError::NotApproved.into());
    };
    let prepared = prepare(db, notices, obligations, &notice, now).await?;
    if prepared.compiled.is_err() {
        return Err(DeliveryError::Render(
            "the notice's templates no longer compile".into(),
        ));
    }
    let campaign_id = Uuid::new_v4();
    let snapshot = Snapshot {
        kind: notice.kind,
        templates: prepared.templates.files().clone(),
        from: settings.from.to_string(),
        reply_to: reply_to(&notice, settings),
        date: now,
        public_url: notices.public_url.clone(),
        links_expire_at: now + settings.link_ttl,
    };
    let snapshot_json =
        serde_json::to_string(&snapshot).map_err(|e| DeliveryError::Corrupt(e.to_string()))?;

    let txn = store::begin_write(db).await?;
    let mut row = CampaignRow {
        id: campaign_id,
        incident_id,
        notice_id,
        kind: notice.kind.as_str().to_owned(),
        slot: slot_of(notice.kind, notice.id),
        snapshot: snapshot_json,
        content_hash: approval.binding.content_hash.clone(),
        templates_hash: approval.binding.templates_hash.clone(),
        audience_hash: approval.binding.audience_hash.clone(),
        people: 0,
        outreach: 0,
        unreachable: 0,
        canary_size: i64::from(options.canary.unwrap_or(0)),
        state: CampaignState::Running.as_str().to_owned(),
        state_reason: None,
        state_by: Some(actor),
        state_at: now,
        released_by: None,
        released_at: None,
        created_by: actor,
        created_at: now,
    };
    if let Err(e) = store::delivery::insert_campaign(&txn, row.clone()).await {
        if store::is_unique_violation(&e) {
            // A concurrent request sent the notice first: its campaign is the answer.
            drop(txn);
            return existing(db, incident_id, notice_id).await;
        }
        return Err(e.into());
    }
    let mut writer = RowWriter {
        notices,
        obligations,
        prepared: &prepared,
        notice: &notice,
        campaign: &row,
        settings,
        canary_left: options.canary.map(u64::from),
        variants: HashMap::new(),
        counts: Counts::default(),
        now,
    };
    let mapping_id = prepared.computed.mapping_id;
    let mut after: Option<String> = None;
    loop {
        let page =
            store::notices::audience::readers_after(&txn, mapping_id, after.as_deref(), PAGE)
                .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.person_key.clone());
        let (messages, links) = writer.rows(page)?;
        store::delivery::insert_links(&txn, links).await?;
        outbox::insert(&txn, &messages, now).await?;
    }
    let counts = writer.counts;
    store::delivery::insert_variants(&txn, campaign_id, writer.variants.into_values().collect())
        .await?;
    row.people = counts.people;
    row.outreach = counts.outreach;
    row.unreachable = counts.unreachable;
    store::delivery::update_counts(&txn, campaign_id, &counts.as_tuple()).await?;

    if !drafts::mark_sent(&txn, &notice).await? {
        // Someone sent (or edited) it meanwhile; their outcome stands.
        drop(txn);
        return match existing(db, incident_id, notice_id).await {
            Err(DeliveryError::NotFound) => Err(NoticeError::Conflict.into()),
            other => other,
        };
    }
    let summary = format!(
        "{} notice sent: {} messages queued ({} email, {} postal{}), {} for account managers, {} unreachable",
        notice.kind,
        counts.email + counts.postal,
        counts.email,
        counts.postal,
        match options.canary {
            Some(n) => format!("; canary of {n}, the rest held for release"),
            None => String::new(),
        },
        counts.outreach,
        counts.unreachable,
    );
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::User(actor),
            action: "notice.sent",
            object_type: "notice",
            object_id: notice.id.to_string(),
            incident_id: Some(incident_id),
            summary,
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        campaign = %campaign_id,
        incident = %incident_id,
        queued = counts.email + counts.postal,
        "notice sent to the outbox"
    );
    Ok(Sent {
        campaign: campaign_view(db, &row).await?,
        created: true,
    })
}

async fn existing(
    db: &DatabaseConnection,
    incident_id: Uuid,
    notice_id: Uuid,
) -> Result<Sent, DeliveryError> {
    let row = store::delivery::campaign_of_notice(db, notice_id)
        .await?
        .filter(|c| c.incident_id == incident_id)
        .ok_or(DeliveryError::NotFound)?;
    Ok(Sent {
        campaign: campaign_view(db, &row).await?,
        created: false,
    })
}

/// Replies go to the draft's contact point when it has an email address, else the sender.
fn reply_to(notice: &Notice, settings: &SendSettings) -> String {
    notice
        .content
        .contact
        .email
        .as_deref()
        .and_then(|e| e.trim().parse::<lettre::Address>().ok())
        .map(|address| {
            lettre::message::Mailbox::new(Some(notice.content.contact.name.clone()), address)
                .to_string()
        })
        .unwrap_or_else(|| settings.from.to_string())
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    people: i64,
    email: i64,
    postal: i64,
    outreach: i64,
    unreachable: i64,
}

impl Counts {
    fn as_tuple(&self) -> (i64, i64, i64) {
        (self.people, self.outreach, self.unreachable)
    }
}

/// What makes a variant's shared context: language, channel, place, data and its protection.
type VariantKey = (String, &'static str, String, bool, i64, i64);

struct RowWriter<'a> {
    notices: &'a NoticeConfig,
    obligations: &'a ObligationConfig,
    prepared: &'a Prepared,
    notice: &'a Notice,
    campaign: &'a CampaignRow,
    settings: &'a SendSettings,
    canary_left: Option<u64>,
    variants: HashMap<VariantKey, VariantRow>,
    counts: Counts,
    now: DateTime<Utc>,
}

impl RowWriter<'_> {
    /// The outbox rows and links of one page of readers.
    fn rows(
        &mut self,
        page: Vec<crate::store::notices::audience::ReaderRow>,
    ) -> Result<(Vec<NewMessage>, Vec<LinkRow>), DeliveryError> {
        let today = self.now.date_naive();
        let mut messages = Vec::with_capacity(page.len());
        let mut links = Vec::with_capacity(page.len());
        for row in page {
            self.counts.people += 1;
            let email = row
                .email
                .clone()
                .filter(|e| !e.trim().is_empty())
                .or_else(|| {
                    row.person_key
                        .strip_prefix("u:e:")
                        .map(str::to_owned)
                        .filter(|_| row.customer_ref.is_none())
                });
            let r = reader(row, self.notice.content.vip_route);
            let (channel, recipient) = match (r.channel, &r.address, email) {
                (Channel::Email, _, Some(email)) => ("email", email),
                (Channel::Postal, Some(a), _) => (
                    "postal",
                    serde_json::json!({
                        "line1": a.line1, "city": a.city, "region": a.region,
                        "postal_code": a.postal_code, "country": a.country,
                    })
                    .to_string(),
                ),
                (Channel::Outreach, _, _) => {
                    self.counts.outreach += 1;
                    continue;
                }
                _ => {
                    self.counts.unreachable += 1;
                    continue;
                }
            };
            if channel == "email" {
                self.counts.email += 1;
            } else {
                self.counts.postal += 1;
            }
            let variant_no = self.variant_no(&r, channel)?;
            let link = link_id(self.campaign.incident_id, &r.person_key);
            links.push(LinkRow {
                id: link,
                incident_id: self.campaign.incident_id,
                person_key: r.person_key.clone(),
                created_at: self.now,
                expires_at: self.now + self.settings.link_ttl,
                revoked_at: None,
            });
            let status = match &mut self.canary_left {
                Some(0) => "held",
                Some(n) => {
                    *n -= 1;
                    "pending"
                }
                None => "pending",
            };
            messages.push(NewMessage {
                campaign_id: self.campaign.id,
                incident_id: self.campaign.incident_id,
                slot: self.campaign.slot.clone(),
                customer_ref: r.customer_ref.clone(),
                channel,
                variant_no,
                recipient,
                person: context::person(&r, today).to_string(),
                link_id: link,
                message_id: format!(
                    "candor.{}@{}",
                    Uuid::new_v4().simple(),
                    self.settings.from.email.domain()
                ),
                status,
                person_key: r.person_key,
            });
        }
        Ok((messages, links))
    }

    /// The number of a reader's variant, its shared context made on first sight.
    fn variant_no(
        &mut self,
        r: &crate::notice::context::Reader,
        channel: &'static str,
    ) -> Result<i32, DeliveryError> {
        let key: VariantKey = (
            r.locale.as_str().to_owned(),
            channel,
            r.jurisdiction.clone(),
            r.in_eu,
            r.exposed.mask(),
            r.unprotected.mask(),
        );
        if let Some(v) = self.variants.get(&key) {
            return Ok(v.variant_no);
        }
        let laws = self.prepared.reader_laws(self.obligations, r);
        let mut context =
            self.prepared
                .context(self.notices, self.notice, r, &laws, self.now.date_naive());
        if let Value::Object(map) = &mut context {
            // The person and their links are the row's own.
            map.remove("person");
        }
        let variant_no = i32::try_from(self.variants.len())
            .map_err(|_| DeliveryError::Corrupt("too many variants".into()))?;
        self.variants.insert(
            key,
            VariantRow {
                variant_no,
                locale: r.locale.as_str().to_owned(),
                context: context.to_string(),
            },
        );
        Ok(variant_no)
    }
}
