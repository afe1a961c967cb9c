//! Alerts for duties due soon or overdue: one row per incident, duty and threshold, and the
//! state of the mail that tells the commander.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::entities::duty_alerts;

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyAlert {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub duty_key: String,
    /// `soon` or `overdue`.
    pub threshold: String,
    pub due_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    /// The sentence written to the timeline and mailed (no personal data).
    pub message: String,
    pub timeline_entry_id: Uuid,
    /// Who the mail goes to (the commander when it was raised); none: no mail.
    pub recipient_id: Option<Uuid>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Inserts an alert unless one exists for its incident, duty and threshold; returns whether
/// it was inserted.
pub async fn insert_if_new(db: &impl ConnectionTrait, alert: &DutyAlert) -> Result<bool, DbErr> {
    use duty_alerts::Column as C;
    let result = duty_alerts::Entity::insert(duty_alerts::ActiveModel {
        id: Set(alert.id),
        incident_id: Set(alert.incident_id),
        duty_key: Set(alert.duty_key.clone()),
        threshold: Set(alert.threshold.clone()),
        due_at: Set(alert.due_at),
        raised_at: Set(alert.raised_at),
        message: Set(alert.message.clone()),
        timeline_entry_id: Set(alert.timeline_entry_id),
        recipient_id: Set(alert.recipient_id),
        attempts: Set(0),
        claimed_until: Set(None),
        sent_at: Set(alert.sent_at),
    })
    .on_conflict_do_nothing_on([C::IncidentId, C::DutyKey, C::Threshold])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Alerts whose mail has not gone out and that nobody is sending now, oldest first.
pub async fn unsent(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<DutyAlert>, DbErr> {
    use duty_alerts::Column as C;
    Ok(duty_alerts::Entity::find()
        .filter(C::SentAt.is_null())
        .filter(C::RecipientId.is_not_null())
        .filter(
            Condition::any()
                .add(C::ClaimedUntil.is_null())
                .add(C::ClaimedUntil.lt(now)),
        )
        .order_by_asc(C::RaisedAt)
        .order_by_asc(C::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_alert)
        .collect())
}

/// Takes an unsent alert for sending until `until`; false when it was sent or another sweep
/// holds it.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use duty_alerts::Column as C;
    let result = duty_alerts::Entity::update_many()
        .col_expr(C::ClaimedUntil, Expr::value(until))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .filter(C::Id.eq(id))
        .filter(C::SentAt.is_null())
        .filter(
            Condition::any()
                .add(C::ClaimedUntil.is_null())
                .add(C::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records that an alert's mail went out.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use duty_alerts::Column as C;
    duty_alerts::Entity::update_many()
        .col_expr(C::SentAt, Expr::value(at))
        .col_expr(C::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(C::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Lets another sweep retry an alert whose mail failed.
pub async fn release(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    use duty_alerts::Column as C;
    duty_alerts::Entity::update_many()
        .col_expr(C::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(C::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

fn to_alert(m: duty_alerts::Model) -> DutyAlert {
    DutyAlert {
        id: m.id,
        incident_id: m.incident_id,
        duty_key: m.duty_key,
        threshold: m.threshold,
        due_at: m.due_at,
        raised_at: m.raised_at,
        message: m.message,
        timeline_entry_id: m.timeline_entry_id,
        recipient_id: m.recipient_id,
        sent_at: m.sent_at,
    }
}
