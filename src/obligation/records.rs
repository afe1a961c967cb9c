//! The facts people record for the rules: an incident's risk assessment, and the events
//! (anchors) legal clocks count from besides the discovery.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{ObligationError, Problem};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::incident::MAX_TEXT_CHARS;
use crate::rules::{Anchor, RiskLikelihood};
use crate::store;
use crate::store::obligations::RiskAssessment;

/// A risk assessment as decided by a person.
#[derive(Debug, Clone)]
pub struct RiskInput {
    pub likelihood: RiskLikelihood,
    /// Why: the reasoning behind the likelihood (required).
    pub notes: String,
}

// Clocks on a laptop and the server may disagree by a few minutes.
fn in_the_future(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at > now + chrono::Duration::minutes(5)
}

/// Records (or replaces) an incident's risk assessment, decided by `actor` now.
pub async fn record_risk(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    input: RiskInput,
    now: DateTime<Utc>,
) -> Result<RiskAssessment, ObligationError> {
    let notes = input.notes.trim();
    if notes.is_empty() {
        return Err(ObligationError::Invalid(vec![Problem::new(
            "notes",
            "must not be empty: say why harm is this likely",
        )]));
    }
    if notes.chars().count() > MAX_TEXT_CHARS {
        return Err(ObligationError::Invalid(vec![Problem::new(
            "notes",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        )]));
    }
    let txn = store::begin_write(db).await?;
    if store::incidents::find(&txn, incident_id).await?.is_none() {
        return Err(ObligationError::IncidentNotFound);
    }
    let assessment = RiskAssessment {
        incident_id,
        likelihood: input.likelihood,
        notes: notes.to_owned(),
        decided_by: actor.user_id(),
        decided_at: now,
    };
    store::obligations::put_risk_assessment(&txn, &assessment).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "risk.assessed",
            object_type: "risk_assessment",
            object_id: incident_id.to_string(),
            incident_id: Some(incident_id),
            summary: format!("risk of harm assessed as {}", input.likelihood),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(assessment)
}

/// An incident's recorded risk assessment.
pub async fn risk_assessment(
    db: &DatabaseConnection,
    incident_id: Uuid,
) -> Result<RiskAssessment, ObligationError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(ObligationError::IncidentNotFound);
    }
    store::obligations::risk_assessment(db, incident_id)
        .await?
        .ok_or(ObligationError::NotAssessed)
}

/// The anchor named `key`, if it is one a person records (discovery and the end of the
/// discovery year come from the incident itself).
fn recordable_anchor(key: &str) -> Result<Anchor, Problem> {
    let recordable = || {
        Anchor::ALL
            .iter()
            .filter(|a| !computed(**a))
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match Anchor::parse(key) {
        Some(anchor) if computed(anchor) => Err(Problem::new(
            "anchor",
            format!(
                "`{key}` is computed from the incident's discovered_at; record one of {}",
                recordable()
            ),
        )),
        Some(anchor) => Ok(anchor),
        None => Err(Problem::new(
            "anchor",
            format!("unknown anchor `{key}`, expected one of {}", recordable()),
        )),
    }
}

fn computed(anchor: Anchor) -> bool {
    anchor.is_discovery() || anchor == Anchor::DiscoveryYearEnd
}

/// Records when an event happened on an incident (a later call moves it).
pub async fn record_event(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    anchor_key: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Anchor, DateTime<Utc>), ObligationError> {
    let anchor = recordable_anchor(anchor_key).map_err(|p| ObligationError::Invalid(vec![p]))?;
    let at = crate::domain::clock::to_micros(at);
    if in_the_future(at, now) {
        return Err(ObligationError::Invalid(vec![Problem::new(
            "at",
            "must not be in the future",
        )]));
    }
    let txn = store::begin_write(db).await?;
    if store::incidents::find(&txn, incident_id).await?.is_none() {
        return Err(ObligationError::IncidentNotFound);
    }
    store::obligations::put_event(&txn, incident_id, anchor, at, actor.user_id(), now).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "incident.event_recorded",
            object_type: "incident_event",
            object_id: format!("{incident_id}/{anchor}"),
            incident_id: Some(incident_id),
            summary: format!(
                "event {anchor} recorded at {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((anchor, at))
}
