//! Notice drafts, a draft's edited template files, and what the notice capability reads of a
//! mapping's audience.

pub mod audience;
pub mod edits;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entities::notices;

/// A stored draft, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: String,
    /// The kind, or the id for kinds an incident may have many of.
    pub slot: String,
    pub status: String,
    /// The draft's own words and settings, as JSON.
    pub content: String,
    /// Bumped by every change; a write names the version it read.
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
    /// The last lint's findings, as JSON.
    pub last_lint: Option<String>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    /// What the approval was given for, as JSON.
    pub approval: Option<String>,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_reason: Option<String>,
}

/// Stores a new draft. A unique-key violation means the incident already has this slot.
pub async fn insert(db: &impl ConnectionTrait, row: &NoticeRow) -> Result<(), DbErr> {
    notices::Entity::insert(active(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Replaces a draft's row if it still has `expected_version`; false when someone else changed
/// it first.
pub async fn update(
    db: &impl ConnectionTrait,
    row: &NoticeRow,
    expected_version: i32,
) -> Result<bool, DbErr> {
    let mut model = active(row);
    model.id = sea_orm::ActiveValue::NotSet;
    let result = notices::Entity::update_many()
        .set(model)
        .filter(notices::Column::Id.eq(row.id))
        .filter(notices::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One draft of an incident.
pub async fn find(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Option<NoticeRow>, DbErr> {
    Ok(notices::Entity::find_by_id(id)
        .filter(notices::Column::IncidentId.eq(incident_id))
        .one(db)
        .await?
        .map(from_model))
}

/// The draft holding a slot of an incident.
pub async fn find_by_slot(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    slot: &str,
) -> Result<Option<NoticeRow>, DbErr> {
    Ok(notices::Entity::find()
        .filter(notices::Column::IncidentId.eq(incident_id))
        .filter(notices::Column::Slot.eq(slot))
        .one(db)
        .await?
        .map(from_model))
}

/// Every draft of an incident, oldest first.
pub async fn list(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Vec<NoticeRow>, DbErr> {
    Ok(notices::Entity::find()
        .filter(notices::Column::IncidentId.eq(incident_id))
        .order_by_asc(notices::Column::CreatedAt)
        .order_by_asc(notices::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

fn active(row: &NoticeRow) -> notices::ActiveModel {
    notices::ActiveModel {
        id: Set(row.id),
        incident_id: Set(row.incident_id),
        kind: Set(row.kind.clone()),
        slot: Set(row.slot.clone()),
        status: Set(row.status.clone()),
        content: Set(row.content.clone()),
        version: Set(row.version),
        created_by: Set(row.created_by),
        created_at: Set(row.created_at),
        edited_by: Set(row.edited_by),
        edited_at: Set(row.edited_at),
        last_lint: Set(row.last_lint.clone()),
        approved_by: Set(row.approved_by),
        approved_at: Set(row.approved_at),
        approval: Set(row.approval.clone()),
        voided_at: Set(row.voided_at),
        voided_reason: Set(row.voided_reason.clone()),
    }
}

fn from_model(m: notices::Model) -> NoticeRow {
    NoticeRow {
        id: m.id,
        incident_id: m.incident_id,
        kind: m.kind,
        slot: m.slot,
        status: m.status,
        content: m.content,
        version: m.version,
        created_by: m.created_by,
        created_at: m.created_at,
        edited_by: m.edited_by,
        edited_at: m.edited_at,
        last_lint: m.last_lint,
        approved_by: m.approved_by,
        approved_at: m.approved_at,
        approval: m.approval,
        voided_at: m.voided_at,
        voided_reason: m.voided_reason,
    }
}

/// Keeps a draft's last lint report without counting it as a change.
pub async fn set_last_lint(db: &impl ConnectionTrait, id: Uuid, lint: &str) -> Result<(), DbErr> {
    notices::Entity::update_many()
        .col_expr(
            notices::Column::LastLint,
            sea_orm::sea_query::Expr::value(lint),
        )
        .filter(notices::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
