//! The stored history of an incident's obligations results, each with its rules version.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entities::obligation_results;

/// One stored result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// 1, 2, … per incident.
    pub seq: i32,
    pub mapping_id: Uuid,
    pub rules_version: String,
    pub computed_at: DateTime<Utc>,
    /// The engine's result as JSON.
    pub result: String,
}

/// The newest stored result of an incident.
pub async fn latest(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Option<StoredResult>, DbErr> {
    Ok(obligation_results::Entity::find()
        .filter(obligation_results::Column::IncidentId.eq(incident_id))
        .order_by_desc(obligation_results::Column::Seq)
        .one(db)
        .await?
        .map(to_stored))
}

/// Stores a result. A unique-key violation means another request stored this `seq` first.
pub async fn insert(db: &impl ConnectionTrait, stored: &StoredResult) -> Result<(), DbErr> {
    obligation_results::Entity::insert(obligation_results::ActiveModel {
        id: Set(stored.id),
        incident_id: Set(stored.incident_id),
        seq: Set(stored.seq),
        mapping_id: Set(stored.mapping_id),
        rules_version: Set(stored.rules_version.clone()),
        computed_at: Set(stored.computed_at),
        result: Set(stored.result.clone()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every stored result of an incident, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<StoredResult>, DbErr> {
    Ok(obligation_results::Entity::find()
        .filter(obligation_results::Column::IncidentId.eq(incident_id))
        .order_by_asc(obligation_results::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(to_stored)
        .collect())
}

fn to_stored(m: obligation_results::Model) -> StoredResult {
    StoredResult {
        id: m.id,
        incident_id: m.incident_id,
        seq: m.seq,
        mapping_id: m.mapping_id,
        rules_version: m.rules_version,
        computed_at: m.computed_at,
        result: m.result,
    }
}
