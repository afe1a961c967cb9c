//! The customer's side of an incident: people's contact preferences, the survey schedule, who
//! is due an invitation or the reminder, answers, results and follow-up actions.
//!
//! Person keys, answers and comments are personal data: never log them.

pub mod actions;
pub mod preferences;
pub mod responses;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    Statement, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::store::entities::survey_schedules;

pub use survey_schedules::Model as ScheduleRow;

/// Sets an incident's survey schedule (replacing the one it had).
pub async fn put_schedule(db: &impl ConnectionTrait, row: ScheduleRow) -> Result<(), DbErr> {
    survey_schedules::Entity::insert(survey_schedules::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(survey_schedules::Column::IncidentId)
                .update_columns([
                    survey_schedules::Column::InviteAfterSeconds,
                    survey_schedules::Column::RemindAfterSeconds,
                    survey_schedules::Column::SetBy,
                    survey_schedules::Column::SetAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// An incident's survey schedule.
pub async fn schedule(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Option<ScheduleRow>, DbErr> {
    survey_schedules::Entity::find_by_id(incident_id)
        .one(db)
        .await
}

/// Every survey schedule (the survey worker's pass).
pub async fn schedules(db: &impl ConnectionTrait) -> Result<Vec<ScheduleRow>, DbErr> {
    survey_schedules::Entity::find().all(db).await
}

/// Notes when the survey worker last went through an incident's schedule.
pub async fn set_last_run(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    survey_schedules::ActiveModel {
        incident_id: Set(incident_id),
        last_run_at: Set(Some(at)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct Key {
    person_key: String,
}

// People who never get an optional message, people whose notice bounced, and rows of a slot
// a person already has: the conditions both queries below share.
const NOT_DECLINED: &str = "NOT EXISTS (SELECT 1 FROM contact_preferences c \
      WHERE c.incident_id = o.incident_id AND c.person_key = o.person_key \
      AND c.frequency = 'required')";
const NOT_BOUNCED: &str = "NOT EXISTS (SELECT 1 FROM outbox_messages b \
      WHERE b.incident_id = o.incident_id AND b.person_key = o.person_key \
      AND b.status = 'bounced')";

fn has_slot(slot: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM outbox s WHERE s.incident_id = o.incident_id \
         AND s.person_key = o.person_key AND s.slot = '{slot}')"
    )
}

/// People of an incident due a survey invitation: their initial notice was delivered at or
/// before `delivered_by`, none of their messages bounced, they have no invitation yet and did
/// not ask to hear only what the law requires. In key order.
pub async fn due_invitations(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    delivered_by: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let sql = format!(
        "SELECT DISTINCT o.person_key FROM outbox_messages o \
         WHERE o.incident_id = $1 AND o.slot = 'initial-notice' AND o.status = 'sent' \
           AND o.sent_at <= $2 AND NOT {invited} AND {NOT_BOUNCED} AND {NOT_DECLINED} \
         ORDER BY o.person_key",
        invited = has_slot("survey-invitation"),
    );
    keys(db, sql, incident_id, delivered_by).await
}

/// People of an incident due the survey reminder: their invitation was delivered at or before
/// `invited_by`, they have not answered, have no reminder yet, none of their messages bounced
/// and they did not ask to hear only what the law requires. In key order.
pub async fn due_reminders(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    invited_by: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let sql = format!(
        "SELECT DISTINCT o.person_key FROM outbox_messages o \
         WHERE o.incident_id = $1 AND o.slot = 'survey-invitation' AND o.status = 'sent' \
           AND o.sent_at <= $2 AND NOT {reminded} AND {NOT_BOUNCED} AND {NOT_DECLINED} \
           AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.link_id = o.link_id) \
         ORDER BY o.person_key",
        reminded = has_slot("survey-reminder"),
    );
    keys(db, sql, incident_id, invited_by).await
}

async fn keys(
    db: &impl ConnectionTrait,
    sql: String,
    incident_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    Ok(Key::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [incident_id.into(), at.into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|k| k.person_key)
    .collect())
}
