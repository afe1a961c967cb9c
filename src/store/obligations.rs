//! What an incident's obligations depend on besides its mapping: the recorded risk
//! assessment, recorded events (anchors), and duties marked done.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::entities::{duty_records, incident_events, risk_assessments};
use crate::rules::{Anchor, RiskLikelihood};

/// An incident's recorded risk assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskAssessment {
    pub incident_id: Uuid,
    pub likelihood: RiskLikelihood,
    pub notes: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: DateTime<Utc>,
}

/// Records (or replaces) an incident's risk assessment.
pub async fn put_risk_assessment(
    db: &impl ConnectionTrait,
    assessment: &RiskAssessment,
) -> Result<(), DbErr> {
    use risk_assessments::Column as C;
    risk_assessments::Entity::insert(risk_assessments::ActiveModel {
        incident_id: Set(assessment.incident_id),
        likelihood: Set(assessment.likelihood.as_str().to_owned()),
        notes: Set(assessment.notes.clone()),
        decided_by: Set(assessment.decided_by),
        decided_at: Set(assessment.decided_at),
    })
    .on_conflict(
        OnConflict::column(C::IncidentId)
            .update_columns([C::Likelihood, C::Notes, C::DecidedBy, C::DecidedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An incident's risk assessment, if one was recorded.
pub async fn risk_assessment(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Option<RiskAssessment>, DbErr> {
    let Some(m) = risk_assessments::Entity::find_by_id(incident_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let likelihood = RiskLikelihood::parse(&m.likelihood).ok_or_else(|| {
        super::bad_key(
            "risk_assessments.likelihood",
            format!("unknown `{}`", m.likelihood),
        )
    })?;
    Ok(Some(RiskAssessment {
        incident_id: m.incident_id,
        likelihood,
        notes: m.notes,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
    }))
}

/// Records (or moves) the time of an event on an incident.
pub async fn put_event(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    anchor: Anchor,
    at: DateTime<Utc>,
    recorded_by: Option<Uuid>,
    recorded_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use incident_events::Column as C;
    incident_events::Entity::insert(incident_events::ActiveModel {
        incident_id: Set(incident_id),
        anchor: Set(anchor.as_str().to_owned()),
        at: Set(at),
        recorded_by: Set(recorded_by),
        recorded_at: Set(recorded_at),
    })
    .on_conflict(
        OnConflict::columns([C::IncidentId, C::Anchor])
            .update_columns([C::At, C::RecordedBy, C::RecordedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The events recorded on an incident.
pub async fn events(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<BTreeMap<Anchor, DateTime<Utc>>, DbErr> {
    incident_events::Entity::find()
        .filter(incident_events::Column::IncidentId.eq(incident_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let anchor = Anchor::parse(&m.anchor).ok_or_else(|| {
                super::bad_key("incident_events.anchor", format!("unknown `{}`", m.anchor))
            })?;
            Ok((anchor, m.at))
        })
        .collect()
}

/// A duty marked done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyRecord {
    pub incident_id: Uuid,
    pub duty_key: String,
    pub done_at: DateTime<Utc>,
    pub done_by: Option<Uuid>,
    pub reference: String,
    pub evidence: String,
    pub recorded_at: DateTime<Utc>,
}

/// Marks a duty done; false when it already was (nothing is changed then).
pub async fn insert_duty_record(
    db: &impl ConnectionTrait,
    record: &DutyRecord,
) -> Result<bool, DbErr> {
    use duty_records::Column as C;
    let result = duty_records::Entity::insert(duty_records::ActiveModel {
        incident_id: Set(record.incident_id),
        duty_key: Set(record.duty_key.clone()),
        done_at: Set(record.done_at),
        done_by: Set(record.done_by),
        reference: Set(record.reference.clone()),
        evidence: Set(record.evidence.clone()),
        recorded_at: Set(record.recorded_at),
    })
    .on_conflict_do_nothing_on([C::IncidentId, C::DutyKey])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// An incident's duties marked done, by duty key.
pub async fn duty_records(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<BTreeMap<String, DutyRecord>, DbErr> {
    Ok(duty_records::Entity::find()
        .filter(duty_records::Column::IncidentId.eq(incident_id))
        .order_by_asc(duty_records::Column::DutyKey)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let record = DutyRecord {
                incident_id: m.incident_id,
                duty_key: m.duty_key.clone(),
                done_at: m.done_at,
                done_by: m.done_by,
                reference: m.reference,
                evidence: m.evidence,
                recorded_at: m.recorded_at,
            };
            (m.duty_key, record)
        })
        .collect())
}
