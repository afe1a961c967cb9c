//! What every review step starts from: the draft as stored, the incident with its computed
//! obligations, the draft's template set compiled, and the readers of its audience with the
//! context each is rendered with.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use uuid::Uuid;

use super::{Approval, Notice, NoticeConfig, NoticeError};
use crate::domain::notice::{Channel, Locale, NoticeKind, NoticeStatus, VipRoute};
use crate::domain::{CategorySet, DataCategory};
use crate::notice::context::{self, Address, ContextInput, IncidentFacts, Links, Reader};
use crate::notice::laws::{NoticeLaws, ReaderLaws, element_keys};
use crate::notice::templates::{Compiled, TemplateProblem, TemplateSet};
use crate::obligation::{self, Computed, ObligationConfig};
use crate::store;
use crate::store::notices::NoticeRow;
use crate::store::notices::audience::ReaderRow;

/// A stored row as a draft.
pub(super) async fn to_notice(
    db: &impl ConnectionTrait,
    row: NoticeRow,
) -> Result<Notice, NoticeError> {
    // Stored JSON holds the draft's words and contact details: the error names where the JSON
    // broke, never what it says.
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        NoticeError::Corrupt(format!("notice {} {what}: {e}", row.id))
    };
    let unreadable = |what: &str, e: serde_json::Error| {
        NoticeError::Corrupt(format!(
            "notice {} {what}: unreadable JSON ({:?} at line {}, column {})",
            row.id,
            e.classify(),
            e.line(),
            e.column()
        ))
    };
    let kind: NoticeKind = row.kind.parse().map_err(|e| corrupt("kind", &e))?;
    let status: NoticeStatus = row.status.parse().map_err(|e| corrupt("status", &e))?;
    let content = serde_json::from_str(&row.content).map_err(|e| unreadable("content", e))?;
    let last_lint = match &row.last_lint {
        Some(text) => Some(serde_json::from_str(text).map_err(|e| unreadable("lint", e))?),
        None => None,
    };
    let approval: Option<Approval> = match &row.approval {
        Some(text) => Some(serde_json::from_str(text).map_err(|e| unreadable("approval", e))?),
        None => None,
    };
    let edited_files = store::notices::edits::list(db, row.id)
        .await?
        .into_iter()
        .map(|e| e.path)
        .collect();
    Ok(Notice {
        id: row.id,
        incident_id: row.incident_id,
        kind,
        status,
        content,
        version: row.version,
        created_by: row.created_by,
        created_at: row.created_at,
        edited_by: row.edited_by,
        edited_at: row.edited_at,
        edited_files,
        last_lint,
        approval: approval
            .clone()
            .filter(|_| matches!(status, NoticeStatus::Approved | NoticeStatus::Sent)),
        last_approval: approval,
        voided_at: row.voided_at,
        voided_reason: row.voided_reason,
    })
}

/// A draft as a row, for writing back.
pub(super) fn to_row(notice: &Notice, slot: String) -> Result<NoticeRow, NoticeError> {
    let last = notice.approval.as_ref().or(notice.last_approval.as_ref());
    Ok(NoticeRow {
        id: notice.id,
        incident_id: notice.incident_id,
        kind: notice.kind.as_str().to_owned(),
        slot,
        status: notice.status.as_str().to_owned(),
        content: json(&notice.content)?,
        version: notice.version,
        created_by: notice.created_by,
        created_at: notice.created_at,
        edited_by: notice.edited_by,
        edited_at: notice.edited_at,
        last_lint: notice.last_lint.as_ref().map(json).transpose()?,
        approved_by: last.map(|a| a.approved_by),
        approved_at: last.map(|a| a.approved_at),
        approval: last.map(json).transpose()?,
        voided_at: notice.voided_at,
        voided_reason: notice.voided_reason.clone(),
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, NoticeError> {
    serde_json::to_string(value).map_err(|e| NoticeError::Corrupt(e.to_string()))
}

/// The slot a kind takes in its incident: once per kind, except updates.
pub fn slot_of(kind: NoticeKind, id: Uuid) -> String {
    match kind {
        NoticeKind::Update => id.to_string(),
        other => other.as_str().to_owned(),
    }
}

/// Loads a draft of an incident.
pub(super) async fn load(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Notice, NoticeError> {
    let row = store::notices::find(db, incident_id, id)
        .await?
        .ok_or(NoticeError::NotFound)?;
    to_notice(db, row).await
}

/// The draft's template set: the base files with its own copies over them.
pub(super) async fn template_set(
    db: &impl ConnectionTrait,
    config: &NoticeConfig,
    notice_id: Uuid,
) -> Result<TemplateSet, NoticeError> {
    let base = config.base_templates()?;
    let edits = store::notices::edits::list(db, notice_id).await?;
    Ok(base.with_overrides(edits.into_iter().map(|e| (e.path, e.content)))?)
}

/// Everything a review step needs.
pub struct Prepared {
    pub computed: Computed,
    pub facts: IncidentFacts,
    pub templates: TemplateSet,
    pub compiled: Result<Compiled, Vec<TemplateProblem>>,
    pub laws: NoticeLaws,
    pub element_keys: BTreeSet<String>,
}

/// Everything a review step (or a send) starts from.
pub async fn prepare(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<Prepared, NoticeError> {
    let computed = obligation::evaluate_incident(db, obligations, notice.incident_id, now).await?;
    let templates = template_set(db, config, notice.id).await?;
    let compiled = templates.compile();
    let incident = &computed.incident;
    let facts = IncidentFacts {
        id: incident.id,
        discovered_on: incident.discovered_at.date_naive(),
        occurred_from: incident.occurred_from.map(|t| t.date_naive()),
        occurred_to: incident.occurred_to.map(|t| t.date_naive()),
    };
    Ok(Prepared {
        laws: NoticeLaws::from_results(&computed.jurisdictions),
        element_keys: element_keys(&obligations.pack),
        computed,
        facts,
        templates,
        compiled,
    })
}

/// A reader from their stored row, with the draft's VIP routing applied.
pub fn reader(row: ReaderRow, vip_route: VipRoute) -> Reader {
    let vip = row.tier.as_deref() == Some("vip");
    let mut channel = match row.channel.as_str() {
        "email" => Channel::Email,
        "postal" => Channel::Postal,
        _ => Channel::Unreachable,
    };
    if vip && vip_route == VipRoute::OutreachOnly {
        channel = Channel::Outreach;
    }
    let address = match (&row.address_line1, &row.city) {
        (Some(line1), Some(city)) if !line1.is_empty() => Some(Address {
            line1: line1.clone(),
            city: city.clone(),
            region: row.region.clone().unwrap_or_default(),
            postal_code: row.postal_code.clone().unwrap_or_default(),
            country: row.country.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    Reader {
        person_key: row.person_key,
        customer_ref: row.customer_ref,
        given_name: blank(row.given_name),
        family_name: blank(row.family_name),
        locale: Locale::for_person(row.locale.as_deref().unwrap_or("")),
        vip,
        customer_since: row.customer_since,
        jurisdiction: row.jurisdiction,
        in_eu: row.in_eu,
        exposed: CategorySet::from_mask(row.categories),
        unprotected: CategorySet::from_mask(row.unprotected),
        channel,
        address,
    }
}

/// The links a preview shows: the real ones carry a signed token made when the notice is
/// sent.
pub(super) fn sample_links(config: &NoticeConfig, kind: NoticeKind) -> Links {
    let base = config.public_url.trim_end_matches('/');
    let survey = matches!(
        kind,
        NoticeKind::SurveyInvitation | NoticeKind::SurveyReminder
    )
    .then(|| format!("{base}/s/PREVIEW"));
    Links {
        personal_page: format!("{base}/n/PREVIEW"),
        survey,
    }
}

impl Prepared {
    /// The laws behind a reader's notice.
    pub fn reader_laws<'p>(&self, obligations: &'p ObligationConfig, r: &Reader) -> ReaderLaws<'p> {
        self.laws.for_reader(
            &obligations.pack,
            &r.jurisdiction,
            r.in_eu,
            r.exposed,
            r.unprotected,
        )
    }

    /// The render context of one reader.
    pub fn context(
        &self,
        config: &NoticeConfig,
        notice: &Notice,
        reader: &Reader,
        laws: &ReaderLaws,
        today: chrono::NaiveDate,
    ) -> Value {
        let compiled = self.compiled.as_ref().ok();
        let words = |locale: Locale, c: DataCategory| {
            compiled.and_then(|k| k.category_words(locale, c.as_str()).map(str::to_owned))
        };
        context::build(&ContextInput {
            kind: notice.kind,
            reader,
            incident: &self.facts,
            content: &notice.content,
            laws,
            element_keys: &self.element_keys,
            organization: &config.organization,
            links: &sample_links(config, notice.kind),
            today,
            words: &words,
        })
    }
}
