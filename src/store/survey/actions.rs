//! Follow-up actions made from survey responses.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::store::entities::followup_actions;

pub use followup_actions::Model as ActionRow;

/// Writes a new action.
pub async fn insert(db: &impl ConnectionTrait, row: ActionRow) -> Result<(), DbErr> {
    followup_actions::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// An action of an incident.
pub async fn find(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    id: Uuid,
) -> Result<Option<ActionRow>, DbErr> {
    followup_actions::Entity::find_by_id(id)
        .filter(followup_actions::Column::IncidentId.eq(incident_id))
        .one(db)
        .await
}

/// The action made from a response.
pub async fn of_response(
    db: &impl ConnectionTrait,
    response_id: Uuid,
) -> Result<Option<ActionRow>, DbErr> {
    followup_actions::Entity::find()
        .filter(followup_actions::Column::ResponseId.eq(response_id))
        .one(db)
        .await
}

/// An incident's actions (only those in `status` when given), oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    status: Option<&str>,
) -> Result<Vec<ActionRow>, DbErr> {
    let mut query = followup_actions::Entity::find()
        .filter(followup_actions::Column::IncidentId.eq(incident_id));
    if let Some(status) = status {
        query = query.filter(followup_actions::Column::Status.eq(status));
    }
    query
        .order_by_asc(followup_actions::Column::CreatedAt)
        .order_by_asc(followup_actions::Column::Id)
        .all(db)
        .await
}

/// How many of an incident's actions are open.
pub async fn open_count(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<u64, DbErr> {
    followup_actions::Entity::find()
        .filter(followup_actions::Column::IncidentId.eq(incident_id))
        .filter(followup_actions::Column::Status.eq("open"))
        .count(db)
        .await
}

/// Writes an action back (owner, status, resolution, closing).
pub async fn update(db: &impl ConnectionTrait, row: ActionRow) -> Result<(), DbErr> {
    followup_actions::ActiveModel::from(row)
        .reset_all()
        .update(db)
        .await?;
    Ok(())
}
