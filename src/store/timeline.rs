//! Incident timeline entries.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entities::timeline_entries;
use crate::domain::TimelineEntry;

/// Appends an entry.
pub async fn insert(db: &impl ConnectionTrait, entry: &TimelineEntry) -> Result<(), DbErr> {
    timeline_entries::Entity::insert(timeline_entries::ActiveModel {
        id: Set(entry.id),
        incident_id: Set(entry.incident_id),
        at: Set(entry.at),
        kind: Set(entry.kind.as_str().to_owned()),
        text: Set(entry.text.clone()),
        author_id: Set(entry.author_id),
        created_at: Set(entry.created_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An incident's entries in the order things happened.
pub async fn list_for_incident(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<TimelineEntry>, DbErr> {
    timeline_entries::Entity::find()
        .filter(timeline_entries::Column::IncidentId.eq(incident_id))
        .order_by_asc(timeline_entries::Column::At)
        .order_by_asc(timeline_entries::Column::CreatedAt)
        .order_by_asc(timeline_entries::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(TimelineEntry {
                id: m.id,
                incident_id: m.incident_id,
                at: m.at,
                kind: m
                    .kind
                    .parse()
                    .map_err(|e| super::bad_key("timeline_entries.kind", e))?,
                text: m.text,
                author_id: m.author_id,
                created_at: m.created_at,
            })
        })
        .collect()
}
