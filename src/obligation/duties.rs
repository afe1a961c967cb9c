//! Tracking duties: marking one done, with evidence.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{ObligationConfig, ObligationError, Problem, evaluate_incident};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::incident::MAX_TEXT_CHARS;
use crate::store;
use crate::store::obligations::DutyRecord;

/// The longest reference accepted, in characters.
const MAX_REFERENCE_CHARS: usize = 200;

/// Evidence that a duty was done.
#[derive(Debug, Clone)]
pub struct DoneInput {
    /// The recipient's reference (a case number, a mailing batch id); required.
    pub reference: String,
    /// What shows it was done (where the filing or notice is kept); may be empty.
    pub evidence: String,
    /// When it was done; defaults to now.
    pub done_at: Option<DateTime<Utc>>,
}

fn check(input: &DoneInput, now: DateTime<Utc>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let reference = input.reference.trim().chars().count();
    if reference == 0 {
        problems.push(Problem::new("reference", "must not be empty"));
    } else if reference > MAX_REFERENCE_CHARS {
        problems.push(Problem::new(
            "reference",
            format!("must be at most {MAX_REFERENCE_CHARS} characters"),
        ));
    }
    if input.evidence.trim().chars().count() > MAX_TEXT_CHARS {
        problems.push(Problem::new(
            "evidence",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    if input
        .done_at
        .is_some_and(|at| at > now + chrono::Duration::minutes(5))
    {
        problems.push(Problem::new("done_at", "must not be in the future"));
    }
    problems
}

/// Marks one of the incident's duties done. The key must be one of the duties its current
/// obligations list; a duty is marked done once.
pub async fn mark_done(
    db: &DatabaseConnection,
    config: &ObligationConfig,
    actor: Actor,
    incident_id: Uuid,
    duty_key: &str,
    input: DoneInput,
    now: DateTime<Utc>,
) -> Result<DutyRecord, ObligationError> {
    let problems = check(&input, now);
    if !problems.is_empty() {
        return Err(ObligationError::Invalid(problems));
    }
    let computed = evaluate_incident(db, config, incident_id, now).await?;
    if !computed.duties().any(|d| d.key == duty_key) {
        return Err(ObligationError::UnknownDuty(duty_key.to_owned()));
    }
    let record = DutyRecord {
        incident_id,
        duty_key: duty_key.to_owned(),
        done_at: input
            .done_at
            .map(crate::domain::clock::to_micros)
            .unwrap_or(now),
        done_by: actor.user_id(),
        reference: input.reference.trim().to_owned(),
        evidence: input.evidence.trim().to_owned(),
        recorded_at: now,
    };
    let txn = store::begin_write(db).await?;
    if !store::obligations::insert_duty_record(&txn, &record).await? {
        return Err(ObligationError::AlreadyDone(duty_key.to_owned()));
    }
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "duty.done",
            object_type: "duty",
            object_id: format!("{incident_id}/{duty_key}"),
            incident_id: Some(incident_id),
            summary: format!("duty {duty_key} marked done"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(record)
}
