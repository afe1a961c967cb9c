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

/// The actions made from these responses, by response.
pub async fn of_responses(
    db: &impl ConnectionTrait,
    response_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Uuid>, DbErr> {
    if response_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(followup_actions::Entity::find()
        .filter(followup_actions::Column::ResponseId.is_in(response_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.response_id, a.id))
        .collect())
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
