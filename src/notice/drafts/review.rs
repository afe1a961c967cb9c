//! Reading drafts (with approvals checked against what they were given for), and approving.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::binding::{Approval, Binding};
use super::edit::audit_change;
use super::inspect::{build_lint, variants_now};
use super::prepare::{load, prepare, slot_of, template_set, to_notice, to_row};
use super::{Notice, NoticeConfig, NoticeError};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::notice::NoticeStatus;
use crate::notice::audience::audience_hash;
use crate::notice::variants::counts;
use crate::obligation::ObligationConfig;
use crate::store;
use crate::store::mapping::RunStatus;

/// One draft, its approval checked first.
pub async fn get(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    incident_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    let notice = load(db, incident_id, id).await?;
    ensure_current(db, config, obligations, notice, now).await
}

/// Every draft of an incident, approvals checked first.
pub async fn list(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Notice>, NoticeError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(NoticeError::IncidentNotFound);
    }
    let mut out = Vec::new();
    for row in store::notices::list(db, incident_id).await? {
        let notice = to_notice(db, row).await?;
        out.push(ensure_current(db, config, obligations, notice, now).await?);
    }
    Ok(out)
}

/// What the draft's content depends on now.
pub(super) async fn binding_now(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<Binding, NoticeError> {
    let run = store::mapping::latest_run(db, notice.incident_id, &[RunStatus::Succeeded])
        .await?
        .ok_or(NoticeError::NotMapped)?;
    let audience = audience_hash(db, run.id, now).await?;
    let templates = template_set(db, config, notice.id).await?;
    Ok(Binding::of(
        notice.kind,
        &templates,
        &notice.content,
        config,
        audience,
        run.id,
        obligations.pack.version().to_string(),
    ))
}

/// Voids an approval whose templates, audience, rules or content changed since it was given;
/// the draft goes back to review and the void is audited.
pub async fn ensure_current(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    mut notice: Notice,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    // A sent notice went out as approved, from its campaign's snapshot: nothing voids it.
    if notice.status == NoticeStatus::Sent {
        return Ok(notice);
    }
    let Some(approval) = notice.approval.clone() else {
        return Ok(notice);
    };
    let current = binding_now(db, config, obligations, &notice, now).await?;
    let Some(reason) = approval.binding.void_reason(&current) else {
        return Ok(notice);
    };
    let txn = store::begin_write(db).await?;
    let read_version = notice.version;
    notice.status = NoticeStatus::Draft;
    notice.approval = None;
    notice.last_approval = Some(approval);
    notice.voided_at = Some(now);
    notice.voided_reason = Some(format!("Approval void: {reason}."));
    notice.version += 1;
    let row = to_row(&notice, slot_of(notice.kind, notice.id))?;
    if !store::notices::update(&txn, &row, read_version).await? {
        // Someone changed it meanwhile; what they wrote is the truth.
        drop(txn);
        return load(db, notice.incident_id, notice.id).await;
    }
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::System,
            action: "notice.approval_voided",
            object_type: "notice",
            object_id: notice.id.to_string(),
            incident_id: Some(notice.incident_id),
            summary: format!("{} notice approval void: {reason}", notice.kind),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(notice)
}

/// Who approves.
#[derive(Debug, Clone, Copy)]
pub struct Approver {
    pub id: Uuid,
    /// Holds the `cx_lead` role now.
    pub is_cx_lead: bool,
}

/// Approves a draft for exactly its current templates, audience, rules and content. Only a CX
/// lead who did not edit the draft last may approve; lint errors block approval.
pub async fn approve(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    approver: Approver,
    incident_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    if !approver.is_cx_lead {
        return Err(NoticeError::NotCxLead);
    }
    let approver = approver.id;
    let notice = get(db, config, obligations, incident_id, id, now).await?;
    match notice.status {
        NoticeStatus::Approved => return Err(NoticeError::AlreadyApproved),
        NoticeStatus::Sent => return Err(NoticeError::AlreadySent),
        NoticeStatus::Draft => {}
    }
    if notice.edited_by == Some(approver) {
        return Err(NoticeError::OwnEdit);
    }
    let prepared = prepare(db, config, obligations, &notice, now).await?;
    let variants = variants_now(db, &prepared, obligations, &notice).await?;
    let report = build_lint(db, config, obligations, &prepared, &notice, &variants, now).await?;
    store::notices::set_last_lint(db, notice.id, &lint_json(&report)?).await?;
    if !report.passes() {
        return Err(NoticeError::LintErrors(report.errors, Box::new(report)));
    }
    let mapping_id = prepared.computed.mapping_id;
    let audience = audience_hash(db, mapping_id, now).await?;
    let binding = Binding::of(
        notice.kind,
        &prepared.templates,
        &notice.content,
        config,
        audience,
        mapping_id,
        prepared.computed.rules_version.clone(),
    );
    let approval = Approval {
        approved_by: approver,
        approved_at: now,
        binding,
        variants: counts(&variants),
    };
    let txn = store::begin_write(db).await?;
    let mut approved = notice.clone();
    approved.status = NoticeStatus::Approved;
    approved.approval = Some(approval.clone());
    approved.last_approval = Some(approval.clone());
    approved.last_lint = Some(report);
    approved.version += 1;
    let row = to_row(&approved, slot_of(approved.kind, approved.id))?;
    if !store::notices::update(&txn, &row, notice.version).await? {
        return Err(NoticeError::Conflict);
    }
    let b = &approval.binding;
    let summary = format!(
        "{} notice approved for {} people in {} variants; templates {}, audience {}, content {}, rules {}",
        approved.kind,
        b.people,
        approval.variants.len(),
        short(&b.templates_hash),
        short(&b.audience_hash),
        short(&b.content_hash),
        b.rules_version
    );
    audit_change(&txn, now, approver, &approved, "notice.approved", summary).await?;
    txn.commit().await?;
    Ok(approved)
}

/// Writes an approved notice's move to `sent` (the caller's transaction also holds its
/// outbox rows); returns false when the notice changed since it was read.
pub async fn mark_sent(
    db: &impl sea_orm::ConnectionTrait,
    notice: &Notice,
) -> Result<bool, NoticeError> {
    let mut sent = notice.clone();
    sent.status = NoticeStatus::Sent;
    sent.version += 1;
    let row = to_row(&sent, slot_of(sent.kind, sent.id))?;
    Ok(store::notices::update(db, &row, notice.version).await?)
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

pub(super) fn lint_json(report: &crate::notice::lint::LintReport) -> Result<String, NoticeError> {
    serde_json::to_string(report).map_err(|e| NoticeError::Corrupt(e.to_string()))
}
