//! An incident's timeline: entries people write, and the status moves Candor writes itself.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::IncidentError;
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::incident::{self as rules, FieldProblem};
use crate::domain::{TimelineEntry, TimelineKind};
use crate::store;

/// A timeline entry as written by a person.
#[derive(Debug, Clone)]
pub struct NewTimelineEntry {
    /// When it happened; defaults to now.
    pub at: Option<DateTime<Utc>>,
    pub kind: TimelineKind,
    pub text: String,
}

/// Adds an entry to an incident's timeline.
pub async fn add_timeline_entry(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    input: NewTimelineEntry,
    now: DateTime<Utc>,
) -> Result<TimelineEntry, IncidentError> {
    let mut problems = Vec::new();
    if !input.kind.is_manual() {
        problems.push(FieldProblem::new(
            "kind",
            "status_change and alert entries are written by Candor itself",
        ));
    }
    rules::check_text("text", &input.text, false, &mut problems);
    let at = input.at.map(crate::domain::clock::to_micros).unwrap_or(now);
    if at > now + chrono::Duration::minutes(5) {
        problems.push(FieldProblem::new("at", "must not be in the future"));
    }
    if !problems.is_empty() {
        return Err(IncidentError::Invalid(problems));
    }
    let txn = store::begin_write(db).await?;
    if store::incidents::find(&txn, incident_id).await?.is_none() {
        return Err(IncidentError::NotFound);
    }
    let entry = TimelineEntry {
        id: Uuid::now_v7(),
        incident_id,
        at,
        kind: input.kind,
        text: input.text.trim().to_owned(),
        author_id: actor.user_id(),
        created_at: now,
    };
    store::timeline::insert(&txn, &entry).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "timeline.entry_added",
            object_type: "timeline_entry",
            object_id: entry.id.to_string(),
            incident_id: Some(incident_id),
            summary: format!("timeline entry added (kind {})", entry.kind),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(entry)
}

/// An incident's timeline, in the order things happened.
pub async fn timeline(
    db: &DatabaseConnection,
    incident_id: Uuid,
) -> Result<Vec<TimelineEntry>, IncidentError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(IncidentError::NotFound);
    }
    Ok(store::timeline::list_for_incident(db, incident_id).await?)
}
