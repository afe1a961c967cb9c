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
use crate::domain::notice::{Channel, NoticeKind, NoticeStatus};
use crate::domain::survey::{ContactChannel, Frequency, optional_message_at};
use crate::notice::context::{self, Reader};
use crate::notice::drafts::prepare::{Prepared, prepare, reader, slot_of};
use crate::notice::drafts::{self, Notice, NoticeConfig, NoticeError};
use crate::obligation::ObligationConfig;
use crate::store;
use crate::store::delivery::outbox::{self, NewMessage};
use crate::store::delivery::{CampaignRow, LinkRow, VariantRow};
use crate::store::survey::preferences::PreferenceRow;

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

/// Sends an approved notice to its whole audience (see the module docs). Survey invitations
/// and reminders go out in waves instead ([`send_wave`]).
#[allow(clippy::too_many_arguments)]
pub async fn send_notice(
    db: &DatabaseConnection,
    notices: &NoticeConfig,
    obligations: &ObligationConfig,
    settings: &SendSettings,
    (by, actor): (Uuid, Actor),
    incident_id: Uuid,
    notice_id: Uuid,
    options: SendOptions,
    now: DateTime<Utc>,
) -> Result<Sent, DeliveryError> {
    let notice = drafts::get(db, notices, obligations, incident_id, notice_id, now).await?;
    if matches!(
        notice.kind,
        NoticeKind::SurveyInvitation | NoticeKind::SurveyReminder
    ) {
        return Err(DeliveryError::SentBySurvey(notice.kind));
    }
    match notice.status {
        NoticeStatus::Sent => return existing(db, incident_id, notice_id).await,
        NoticeStatus::Draft => return Err(NoticeError::NotApproved.into()),
        NoticeStatus::Approved => {}
    }
    let prepared = ready(db, notices, obligations, &notice, now).await?;
    let job = Job {
        notices,
        obligations,
        settings,
        notice: &notice,
        prepared: &prepared,
        by,
        actor,
        wave: 0,
        canary: options.canary,
        now,
    };
    match write(db, &job, Audience::Everyone).await? {
        Written::Created(row) => Ok(Sent {
            campaign: campaign_view(db, &row).await?,
            created: true,
        }),
        // A concurrent request sent the notice first (or edited it): its outcome stands.
        Written::Raced | Written::Empty => match existing(db, incident_id, notice_id).await {
            Err(DeliveryError::NotFound) => Err(NoticeError::Conflict.into()),
            other => other,
        },
    }
}

/// What a wave queued.
#[derive(Debug, Clone)]
pub struct Wave {
    /// The wave's campaign; `None` when nobody was queued (or a concurrent wave took them).
    pub campaign: Option<Campaign>,
}

/// Sends an approved (or already sent) notice to these people only, as a new campaign of it:
/// a survey invitation or reminder goes out in waves, each to the people due one then. People
/// who already have the notice are skipped by the outbox's unique key.
#[allow(clippy::too_many_arguments)]
pub async fn send_wave(
    db: &DatabaseConnection,
    notices: &NoticeConfig,
    obligations: &ObligationConfig,
    settings: &SendSettings,
    (by, actor): (Uuid, Actor),
    incident_id: Uuid,
    notice_id: Uuid,
    people: Vec<String>,
    now: DateTime<Utc>,
) -> Result<Wave, DeliveryError> {
    if people.is_empty() {
        return Ok(Wave { campaign: None });
    }
    let notice = drafts::get(db, notices, obligations, incident_id, notice_id, now).await?;
    if notice.status == NoticeStatus::Draft {
        return Err(NoticeError::NotApproved.into());
    }
    let prepared = ready(db, notices, obligations, &notice, now).await?;
    let wave = store::delivery::campaigns_of_notice(db, notice.id)
        .await?
        .last()
        .map_or(0, |c| c.wave + 1);
    let job = Job {
        notices,
        obligations,
        settings,
        notice: &notice,
        prepared: &prepared,
        by,
        actor,
        wave,
        canary: None,
        now,
    };
    Ok(Wave {
        campaign: match write(db, &job, Audience::Only(people)).await? {
            Written::Created(row) => Some(campaign_view(db, &row).await?),
            Written::Raced | Written::Empty => None,
        },
    })
}

/// The review inputs of a notice about to be sent, refused when its templates no longer
/// compile.
async fn ready(
    db: &DatabaseConnection,
    notices: &NoticeConfig,
    obligations: &ObligationConfig,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<Prepared, DeliveryError> {
    let prepared = prepare(db, notices, obligations, notice, now).await?;
    if prepared.compiled.is_err() {
        return Err(DeliveryError::Render(
            "the notice's templates no longer compile".into(),
        ));
    }
    Ok(prepared)
}

/// Everything one campaign is written from.
struct Job<'a> {
    notices: &'a NoticeConfig,
    obligations: &'a ObligationConfig,
    settings: &'a SendSettings,
    notice: &'a Notice,
    prepared: &'a Prepared,
    /// The staff member the campaign is credited to.
    by: Uuid,
    /// Who the audit entry names.
    actor: Actor,
    wave: i32,
    canary: Option<u32>,
    now: DateTime<Utc>,
}

/// Whom a campaign is for.
enum Audience {
    /// The notice's whole audience.
    Everyone,
    /// These people of it (person keys, in key order).
    Only(Vec<String>),
}

enum Written {
    Created(Box<CampaignRow>),
    /// Another request wrote this notice's campaign (or wave) first.
    Raced,
    /// A wave found nobody to queue; nothing was written.
    Empty,
}

/// Writes a campaign, its rows and links, and the notice's move to `sent`, in one transaction.
async fn write(
    db: &DatabaseConnection,
    job: &Job<'_>,
    audience: Audience,
) -> Result<Written, DeliveryError> {
    let (notice, now) = (job.notice, job.now);
    let Some(approval) = notice.approval.as_ref() else {
        return Err(NoticeError::NotApproved.into());
    };
    let snapshot = Snapshot {
        kind: notice.kind,
        templates: job.prepared.templates.files().clone(),
        from: job.settings.from.to_string(),
        reply_to: reply_to(notice, job.settings),
        date: now,
        public_url: job.notices.public_url.clone(),
        links_expire_at: now + job.settings.link_ttl,
    };
    let snapshot_json =
        serde_json::to_string(&snapshot).map_err(|e| DeliveryError::Corrupt(e.to_string()))?;
    let campaign_id = Uuid::new_v4();

    let txn = store::begin_write(db).await?;
    let mut row = CampaignRow {
        id: campaign_id,
        incident_id: notice.incident_id,
        notice_id: notice.id,
        kind: notice.kind.as_str().to_owned(),
        slot: slot_of(notice.kind, notice.id),
        snapshot: snapshot_json,
        content_hash: approval.binding.content_hash.clone(),
        templates_hash: approval.binding.templates_hash.clone(),
        audience_hash: approval.binding.audience_hash.clone(),
        people: 0,
        outreach: 0,
        unreachable: 0,
        canary_size: i64::from(job.canary.unwrap_or(0)),
        state: CampaignState::Running.as_str().to_owned(),
        state_reason: None,
        state_by: Some(job.by),
        state_at: now,
        released_by: None,
        released_at: None,
        created_by: job.by,
        created_at: now,
        wave: job.wave,
        declined: 0,
    };
    if let Err(e) = store::delivery::insert_campaign(&txn, row.clone()).await {
        if store::is_unique_violation(&e) {
            return Ok(Written::Raced);
        }
        return Err(e.into());
    }
    let optional = !matches!(notice.kind, NoticeKind::InitialNotice);
    let mut writer = RowWriter {
        job,
        campaign: &row,
        canary_left: job.canary.map(u64::from),
        variants: HashMap::new(),
        counts: Counts::default(),
        preferences: store::survey::preferences::of_incident(&txn, notice.incident_id).await?,
        weekly_last: match optional {
            true => {
                store::survey::preferences::weekly_last_contacts(&txn, notice.incident_id).await?
            }
            false => HashMap::new(),
        },
        optional,
        wave: matches!(audience, Audience::Only(_)),
    };
    let mapping_id = job.prepared.computed.mapping_id;
    let mut queued = 0;
    match &audience {
        Audience::Everyone => {
            let mut after: Option<String> = None;
            loop {
                let page = store::notices::audience::readers_after(
                    &txn,
                    mapping_id,
                    after.as_deref(),
                    PAGE,
                )
                .await?;
                let Some(last) = page.last() else { break };
                after = Some(last.person_key.clone());
                queued += writer.write_page(&txn, page).await?;
            }
        }
        Audience::Only(keys) => {
            for chunk in keys.chunks(WAVE_CHUNK) {
                let page = store::notices::audience::readers_in(&txn, mapping_id, chunk).await?;
                queued += writer.write_page(&txn, page).await?;
            }
        }
    }
    if matches!(audience, Audience::Only(_)) && queued == 0 {
        // Nobody of the wave could be queued (all had it, or have no way to be reached).
        drop(txn);
        return Ok(Written::Empty);
    }
    let counts = writer.counts;
    store::delivery::insert_variants(&txn, campaign_id, writer.variants.into_values().collect())
        .await?;
    row.people = counts.people;
    row.outreach = counts.outreach;
    row.unreachable = counts.unreachable;
    row.declined = counts.declined;
    store::delivery::update_counts(&txn, campaign_id, &counts.as_tuple()).await?;

    if notice.status == NoticeStatus::Approved && !drafts::mark_sent(&txn, notice).await? {
        drop(txn);
        return Ok(Written::Raced);
    }
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: job.actor,
            action: "notice.sent",
            object_type: "notice",
            object_id: notice.id.to_string(),
            incident_id: Some(notice.incident_id),
            summary: summary(notice, job, &counts),
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        campaign = %campaign_id,
        incident = %notice.incident_id,
        wave = job.wave,
        queued = counts.email + counts.postal,
        "notice sent to the outbox"
    );
    Ok(Written::Created(Box::new(row)))
}

/// How many people of a wave are read per query.
const WAVE_CHUNK: usize = 500;

/// The audit summary of a send.
fn summary(notice: &Notice, job: &Job<'_>, counts: &Counts) -> String {
    format!(
        "{} notice sent{}: {} messages queued ({} email, {} postal{}), {} for account managers, \
         {} unreachable{}{}",
        notice.kind,
        match job.wave {
            0 => String::new(),
            n => format!(" (wave {})", n + 1),
        },
        counts.email + counts.postal,
        counts.email,
        counts.postal,
        match job.canary {
            Some(n) => format!("; canary of {n}, the rest held for release"),
            None => String::new(),
        },
        counts.outreach,
        counts.unreachable,
        match counts.declined {
            0 => String::new(),
            n => format!(", {n} asked for legally required notices only"),
        },
        match counts.waiting {
            0 => String::new(),
            n => format!(", {n} wait for their weekly slot"),
        },
    )
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
    declined: i64,
    /// Weekly people of a wave whose slot is still to come: a later wave takes them.
    waiting: i64,
}

impl Counts {
    fn as_tuple(&self) -> (i64, i64, i64, i64) {
        (self.people, self.outreach, self.unreachable, self.declined)
    }
}

/// What makes a variant's shared context: language, channel, place, data and its protection.
type VariantKey = (String, &'static str, String, bool, i64, i64);

struct RowWriter<'a> {
    job: &'a Job<'a>,
    campaign: &'a CampaignRow,
    canary_left: Option<u64>,
    variants: HashMap<VariantKey, VariantRow>,
    counts: Counts,
    /// What people chose on their page, by person key.
    preferences: HashMap<String, PreferenceRow>,
    /// When each weekly person's latest message went or is due.
    weekly_last: HashMap<String, DateTime<Utc>>,
    /// The notice is not one the law requires, so people's frequency applies.
    optional: bool,
    /// A wave: people whose weekly slot is still to come are left for a later wave (which
    /// checks again whether they are due) instead of being queued for later.
    wave: bool,
}

impl RowWriter<'_> {
    /// Writes one page of readers' rows and links; returns how many rows were new.
    async fn write_page(
        &mut self,
        txn: &impl sea_orm::ConnectionTrait,
        page: Vec<crate::store::notices::audience::ReaderRow>,
    ) -> Result<u64, DeliveryError> {
        let (messages, links) = self.rows(page)?;
        store::delivery::insert_links(txn, links).await?;
        Ok(outbox::insert(txn, &messages, self.job.now).await?)
    }

    /// The outbox rows and links of one page of readers.
    fn rows(
        &mut self,
        page: Vec<crate::store::notices::audience::ReaderRow>,
    ) -> Result<(Vec<NewMessage>, Vec<LinkRow>), DeliveryError> {
        let now = self.job.now;
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
            let mut r = reader(row, self.job.notice.content.vip_route);
            let preference = self.preferences.get(&r.person_key);
            let due_at = match (self.optional, preference) {
                (true, Some(p)) => {
                    let frequency = p.frequency.parse().unwrap_or(Frequency::Every);
                    let last = self.weekly_last.get(&r.person_key).copied();
                    match optional_message_at(frequency, last, now) {
                        Some(at) if at > now && self.wave => {
                            self.counts.waiting += 1;
                            continue;
                        }
                        Some(at) => at,
                        None => {
                            self.counts.declined += 1;
                            continue;
                        }
                    }
                }
                _ => now,
            };
            if let Some(p) = preference {
                r.channel = preferred_channel(r.channel, &p.channel, email.is_some(), &r);
            }
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
                created_at: now,
                expires_at: now + self.job.settings.link_ttl,
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
                person: context::person(&r, now.date_naive()).to_string(),
                link_id: link,
                message_id: format!(
                    "candor.{}@{}",
                    Uuid::new_v4().simple(),
                    self.job.settings.from.email.domain()
                ),
                status,
                due_at,
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
        let job = self.job;
        let laws = job.prepared.reader_laws(job.obligations, r);
        let mut context =
            job.prepared
                .context(job.notices, job.notice, r, &laws, job.now.date_naive());
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

/// The channel a person chose on their page, where it can reach them; VIP outreach stays.
/// Text messages are not sent yet: those people keep the channel the inventory gives them.
fn preferred_channel(current: Channel, chosen: &str, has_email: bool, r: &Reader) -> Channel {
    match (current, chosen.parse::<ContactChannel>()) {
        (Channel::Outreach, _) => Channel::Outreach,
        (_, Ok(ContactChannel::Email)) if has_email => Channel::Email,
        (_, Ok(ContactChannel::Postal)) if r.address.is_some() => Channel::Postal,
        (current, _) => current,
    }
}
