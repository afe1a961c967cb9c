//! People's contact preferences for an incident, and when a weekly person last heard from us.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Statement,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::store::entities::contact_preferences;

pub use contact_preferences::Model as PreferenceRow;

/// Sets a person's preferences (replacing what they chose before).
pub async fn put(db: &impl ConnectionTrait, row: PreferenceRow) -> Result<(), DbErr> {
    contact_preferences::Entity::insert(contact_preferences::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(contact_preferences::Column::LinkId)
                .update_columns([
                    contact_preferences::Column::Channel,
                    contact_preferences::Column::Frequency,
                    contact_preferences::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A person's preferences, by their link.
pub async fn of_link(
    db: &impl ConnectionTrait,
    link_id: Uuid,
) -> Result<Option<PreferenceRow>, DbErr> {
    contact_preferences::Entity::find_by_id(link_id)
        .one(db)
        .await
}

/// Every preference set for an incident, by person key.
pub async fn of_incident(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<HashMap<String, PreferenceRow>, DbErr> {
    Ok(contact_preferences::Entity::find()
        .filter(contact_preferences::Column::IncidentId.eq(incident_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.person_key.clone(), p))
        .collect())
}

#[derive(FromQueryResult)]
struct LastContact {
    person_key: String,
    last: Option<DateTime<Utc>>,
}

/// For each person of an incident who asked for weekly messages: when their latest message
/// was sent, or is due (rows still to send count at their due time).
pub async fn weekly_last_contacts(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<HashMap<String, DateTime<Utc>>, DbErr> {
    let sql = "SELECT o.person_key, MAX(COALESCE(o.sent_at, o.next_attempt_at)) AS last \
         FROM outbox_messages o JOIN contact_preferences c \
           ON c.incident_id = o.incident_id AND c.person_key = o.person_key \
         WHERE o.incident_id = $1 AND c.frequency = 'weekly' \
           AND o.status IN ('held', 'pending', 'sending', 'retrying', 'sent') \
         GROUP BY o.person_key";
    Ok(
        LastContact::find_by_statement(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [incident_id.into()],
        ))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.person_key, r.last?)))
        .collect(),
    )
}
