//! Writing a draft: creating it for an incident, changing its words, and keeping its own
//! copies of template files. Every change makes the editor the draft's last editor, voids an
//! approval, and is audited in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::prepare::{load, slot_of, template_set, to_row};
use super::{Notice, NoticeConfig, NoticeError};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::notice::content::{ContentChange, DraftContent};
use crate::store;
use crate::store::notices::edits::TemplateEdit;

/// Creates a draft of `kind` for an incident. A kind an incident has once (all but `update`)
/// cannot be created twice: the second request gets the first draft's id in the error.
pub async fn create(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    user: Uuid,
    incident_id: Uuid,
    kind: NoticeKind,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    if !kind.is_for_people() {
        return Err(NoticeError::NotForPeople(kind));
    }
    let incident = store::incidents::find(db, incident_id)
        .await?
        .ok_or(NoticeError::IncidentNotFound)?;
    let mut content = DraftContent {
        what_happened: incident.summary.trim().to_owned(),
        ..DraftContent::default()
    };
    content.contact.name = if config.default_contact.trim().is_empty() {
        config.organization.name.clone()
    } else {
        config.default_contact.trim().to_owned()
    };
    let id = Uuid::now_v7();
    let notice = Notice {
        id,
        incident_id,
        kind,
        status: NoticeStatus::Draft,
        content,
        version: 1,
        created_by: Some(user),
        created_at: now,
        edited_by: Some(user),
        edited_at: now,
        edited_files: Vec::new(),
        last_lint: None,
        approval: None,
        last_approval: None,
        voided_at: None,
        voided_reason: None,
    };
    let slot = slot_of(kind, id);
    let txn = store::begin_write(db).await?;
    if let Some(existing) = store::notices::find_by_slot(&txn, incident_id, &slot).await? {
        return Err(NoticeError::Exists {
            kind,
            id: existing.id,
        });
    }
    match store::notices::insert(&txn, &to_row(&notice, slot.clone())?).await {
        Ok(()) => {}
        Err(e) if store::is_unique_violation(&e) => {
            drop(txn);
            let existing = store::notices::find_by_slot(db, incident_id, &slot).await?;
            return Err(match existing {
                Some(row) => NoticeError::Exists { kind, id: row.id },
                None => NoticeError::Conflict,
            });
        }
        Err(e) => return Err(e.into()),
    }
    audit_change(
        &txn,
        now,
        user,
        &notice,
        "notice.created",
        format!("{kind} notice drafted"),
    )
    .await?;
    txn.commit().await?;
    Ok(notice)
}

/// Changes a draft's words or settings. `expected_version`, when given, must be the version
/// the editor read.
pub async fn edit(
    db: &DatabaseConnection,
    user: Uuid,
    incident_id: Uuid,
    id: Uuid,
    change: ContentChange,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    if change.is_empty() {
        return Err(NoticeError::Invalid(vec![crate::domain::Problem::new(
            "body",
            "names no field to change",
        )]));
    }
    let txn = store::begin_write(db).await?;
    let mut notice = load(&txn, incident_id, id).await?;
    check_version(&notice, expected_version)?;
    let fields = changed_fields(&change);
    let content = change.apply(notice.content.clone());
    let problems = content.problems();
    if !problems.is_empty() {
        return Err(NoticeError::Invalid(problems));
    }
    notice.content = content;
    let summary = format!("{} notice edited: {}", notice.kind, fields.join(", "));
    save_change(
        &txn,
        &mut notice,
        user,
        now,
        "the draft's content was edited",
    )
    .await?;
    audit_change(&txn, now, user, &notice, "notice.edited", summary).await?;
    txn.commit().await?;
    Ok(notice)
}

fn check_version(notice: &Notice, expected: Option<i32>) -> Result<(), NoticeError> {
    match expected {
        Some(v) if v != notice.version => Err(NoticeError::Conflict),
        _ => Ok(()),
    }
}

fn changed_fields(change: &ContentChange) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |set: bool, name: &'static str| {
        if set {
            out.push(name);
        }
    };
    add(change.what_happened.is_some(), "what_happened");
    add(change.what_we_are_doing.is_some(), "what_we_are_doing");
    add(change.likely_consequences.is_some(), "likely_consequences");
    add(change.update.is_some(), "update");
    add(
        change.law_enforcement_delay.is_some(),
        "law_enforcement_delay",
    );
    add(change.offer.is_some(), "offer");
    add(change.contact.is_some(), "contact");
    add(change.password_reset_url.is_some(), "password_reset_url");
    add(change.survey_closes_on.is_some(), "survey_closes_on");
    add(change.vip_route.is_some(), "vip_route");
    add(change.translations.is_some(), "translations");
    out
}

/// One template file a draft uses, with its content for this draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub path: String,
    pub content: String,
    /// The draft has its own copy.
    pub edited: bool,
}

/// The template files a draft's kind uses, as this draft has them.
pub async fn templates(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Vec<TemplateFile>, NoticeError> {
    let notice = load(db, incident_id, id).await?;
    let set = template_set(db, config, id).await?;
    Ok(set
        .kind_files(notice.kind)
        .into_iter()
        .filter_map(|path| {
            Some(TemplateFile {
                path: path.to_owned(),
                content: set.get(path)?.to_owned(),
                edited: notice.edited_files.iter().any(|p| p == path),
            })
        })
        .collect())
}

/// Keeps the draft's own copy of a template file. Refused, with every problem named by file
/// and line, when the draft's templates would no longer compile.
pub async fn put_template(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    user: Uuid,
    incident_id: Uuid,
    id: Uuid,
    (path, content): (&str, String),
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    // Read and compile before the write transaction, so other writers never wait on it; the
    // version check below refuses the edit if the draft changed meanwhile.
    let read = load(db, incident_id, id).await?;
    let current = template_set(db, config, id).await?;
    if !current.kind_files(read.kind).contains(&path) {
        return Err(NoticeError::UnknownTemplateFile(path.to_owned()));
    }
    let next = current.with_overrides([(path.to_owned(), content.clone())])?;
    if let Err(problems) = next.compile() {
        return Err(NoticeError::TemplateInvalid(problems));
    }
    let txn = store::begin_write(db).await?;
    let mut notice = load(&txn, incident_id, id).await?;
    check_version(&notice, Some(read.version))?;
    let edit = TemplateEdit {
        path: path.to_owned(),
        content,
        edited_by: Some(user),
        edited_at: now,
    };
    store::notices::edits::put(&txn, id, &edit).await?;
    if !notice.edited_files.iter().any(|p| p == path) {
        notice.edited_files.push(path.to_owned());
        notice.edited_files.sort();
    }
    save_change(
        &txn,
        &mut notice,
        user,
        now,
        &format!("template file {path} was edited"),
    )
    .await?;
    let summary = format!("{} notice: template {path} edited", notice.kind);
    audit_change(&txn, now, user, &notice, "notice.template_edited", summary).await?;
    txn.commit().await?;
    Ok(notice)
}

/// Drops the draft's own copy of a template file, back to the shipped one.
pub async fn revert_template(
    db: &DatabaseConnection,
    user: Uuid,
    incident_id: Uuid,
    id: Uuid,
    path: &str,
    now: DateTime<Utc>,
) -> Result<Notice, NoticeError> {
    let txn = store::begin_write(db).await?;
    let mut notice = load(&txn, incident_id, id).await?;
    if !store::notices::edits::remove(&txn, id, path).await? {
        return Err(NoticeError::UnknownTemplateFile(path.to_owned()));
    }
    notice.edited_files.retain(|p| p != path);
    save_change(
        &txn,
        &mut notice,
        user,
        now,
        &format!("template file {path} was reverted"),
    )
    .await?;
    let summary = format!("{} notice: template {path} reverted", notice.kind);
    audit_change(
        &txn,
        now,
        user,
        &notice,
        "notice.template_reverted",
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(notice)
}

/// Records a change by `user`: a new version, the last editor, and a void approval.
pub(super) async fn save_change(
    db: &impl ConnectionTrait,
    notice: &mut Notice,
    user: Uuid,
    now: DateTime<Utc>,
    why: &str,
) -> Result<(), NoticeError> {
    if notice.status == NoticeStatus::Sent {
        return Err(NoticeError::AlreadySent);
    }
    let read_version = notice.version;
    notice.version += 1;
    notice.edited_by = Some(user);
    notice.edited_at = now;
    notice.last_lint = None;
    if let Some(approval) = notice.approval.take() {
        notice.last_approval = Some(approval);
        notice.status = NoticeStatus::Draft;
        notice.voided_at = Some(now);
        notice.voided_reason = Some(format!("Approval void: {why}."));
    }
    let row = to_row(notice, slot_of(notice.kind, notice.id))?;
    if !store::notices::update(db, &row, read_version).await? {
        return Err(NoticeError::Conflict);
    }
    Ok(())
}

pub(super) async fn audit_change(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    user: Uuid,
    notice: &Notice,
    action: &'static str,
    summary: String,
) -> Result<(), NoticeError> {
    audit::record(
        db,
        now,
        AuditEvent {
            actor: Actor::User(user),
            action,
            object_type: "notice",
            object_id: notice.id.to_string(),
            incident_id: Some(notice.incident_id),
            summary,
        },
    )
    .await?;
    Ok(())
}
