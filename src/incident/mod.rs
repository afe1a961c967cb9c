//! The incident capability: open an incident, change its facts, move it through its lifecycle,
//! and keep its timeline. Every change commits together with its audit entry.

mod timeline;

pub use timeline::{NewTimelineEntry, add_timeline_entry, timeline};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::incident::{self as rules, FieldProblem, TransitionRefused};
use crate::domain::{
    Incident, IncidentKind, IncidentStatus, Severity, TimelineEntry, TimelineKind,
};
use crate::store;
use crate::store::incidents::ListFilter;

/// Errors of the incident capability.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("no such incident")]
    NotFound,
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    #[error(
        "the incident was changed by someone else (now at version {current}); reload and retry"
    )]
    VersionConflict { current: i32 },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// The facts of a new incident.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub kind: IncidentKind,
    pub discovered_at: DateTime<Utc>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub commander_id: Option<Uuid>,
}

/// Opens an incident in `reported`.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    input: NewIncident,
    now: DateTime<Utc>,
) -> Result<Incident, IncidentError> {
    let mut problems = Vec::new();
    rules::check_title(&input.title, &mut problems);
    rules::check_text("summary", &input.summary, true, &mut problems);
    rules::check_times(
        input.discovered_at,
        input.occurred_from,
        input.occurred_to,
        now,
        &mut problems,
    );
    check_commander(db, input.commander_id, &mut problems).await?;
    if !problems.is_empty() {
        return Err(IncidentError::Invalid(problems));
    }
    let incident = Incident {
        id: Uuid::now_v7(),
        title: input.title.trim().to_owned(),
        summary: input.summary.trim().to_owned(),
        severity: input.severity,
        kind: input.kind,
        status: IncidentStatus::Reported,
        discovered_at: input.discovered_at,
        occurred_from: input.occurred_from,
        occurred_to: input.occurred_to,
        commander_id: input.commander_id,
        created_by: actor.user_id(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let txn = store::begin_write(db).await?;
    store::incidents::insert(&txn, &incident).await?;
    let summary = format!(
        "incident opened: {}, severity {}",
        incident.kind, incident.severity
    );
    audit::record(
        &txn,
        now,
        event(actor, "incident.created", &incident, summary),
    )
    .await?;
    txn.commit().await?;
    Ok(incident)
}

/// One incident.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<Incident, IncidentError> {
    store::incidents::find(db, id)
        .await?
        .ok_or(IncidentError::NotFound)
}

/// A page of incidents, newest first, and the total that match.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ListFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Incident>, u64), IncidentError> {
    Ok(store::incidents::list(db, filter, offset, limit).await?)
}

/// A change to an incident's facts; `None` leaves a field alone, `Some(None)` clears an
/// optional one.
#[derive(Debug, Clone, Default)]
pub struct IncidentChange {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub discovered_at: Option<DateTime<Utc>>,
    pub occurred_from: Option<Option<DateTime<Utc>>>,
    pub occurred_to: Option<Option<DateTime<Utc>>>,
    pub commander_id: Option<Option<Uuid>>,
    /// When given, the change applies only if the incident is still at this version.
    pub expected_version: Option<i32>,
}

/// Changes an incident's facts. Status moves go through [`change_status`].
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    change: IncidentChange,
    now: DateTime<Utc>,
) -> Result<Incident, IncidentError> {
    let txn = store::begin_write(db).await?;
    let current = load_for_change(&txn, id, change.expected_version).await?;
    let mut next = current.clone();
    let mut changed: Vec<&str> = Vec::new();
    // Text is compared as it would be stored, so padding alone is not a change.
    let title = change.title.map(|t| t.trim().to_owned());
    let summary = change.summary.map(|t| t.trim().to_owned());
    macro_rules! apply {
        ($field:ident, $value:expr) => {
            if let Some(value) = $value {
                if next.$field != value {
                    next.$field = value;
                    changed.push(stringify!($field));
                }
            }
        };
    }
    apply!(title, title);
    apply!(summary, summary);
    apply!(severity, change.severity);
    apply!(kind, change.kind);
    apply!(discovered_at, change.discovered_at);
    apply!(occurred_from, change.occurred_from);
    apply!(occurred_to, change.occurred_to);
    apply!(commander_id, change.commander_id);

    let mut problems = Vec::new();
    rules::check_title(&next.title, &mut problems);
    rules::check_text("summary", &next.summary, true, &mut problems);
    rules::check_times(
        next.discovered_at,
        next.occurred_from,
        next.occurred_to,
        now,
        &mut problems,
    );
    if changed.contains(&"commander_id") {
        check_commander(&txn, next.commander_id, &mut problems).await?;
    }
    if !problems.is_empty() {
        return Err(IncidentError::Invalid(problems));
    }
    if changed.is_empty() {
        return Ok(current);
    }
    next.version = current.version + 1;
    next.updated_at = now;
    save(&txn, &next, current.version).await?;
    let mut summary = format!("changed {}", changed.join(", "));
    if changed.contains(&"severity") {
        summary.push_str(&format!(
            "; severity {} -> {}",
            current.severity, next.severity
        ));
    }
    if changed.contains(&"kind") {
        summary.push_str(&format!("; kind {} -> {}", current.kind, next.kind));
    }
    audit::record(&txn, now, event(actor, "incident.changed", &next, summary)).await?;
    txn.commit().await?;
    Ok(next)
}

/// Moves an incident to `to`, recording the move (and the note, if any) on its timeline.
pub async fn change_status(
    db: &DatabaseConnection,
    actor: Actor,
    id: Uuid,
    to: IncidentStatus,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<(Incident, TimelineEntry), IncidentError> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if let Some(text) = &note {
        let mut problems = Vec::new();
        rules::check_text("note", text, true, &mut problems);
        if !problems.is_empty() {
            return Err(IncidentError::Invalid(problems));
        }
    }
    let txn = store::begin_write(db).await?;
    let current = load_for_change(&txn, id, None).await?;
    let from = current.status;
    current.status.transition_to(to)?;
    let mut next = current.clone();
    next.status = to;
    next.version = current.version + 1;
    next.updated_at = now;
    save(&txn, &next, current.version).await?;

    let mut text = format!("Status changed from {from} to {to}.");
    if let Some(note) = note {
        text.push(' ');
        text.push_str(&note);
    }
    let entry = TimelineEntry {
        id: Uuid::now_v7(),
        incident_id: id,
        at: now,
        kind: TimelineKind::StatusChange,
        text,
        author_id: actor.user_id(),
        created_at: now,
    };
    store::timeline::insert(&txn, &entry).await?;
    let summary = format!("status {from} -> {to}");
    audit::record(
        &txn,
        now,
        event(actor, "incident.status_changed", &next, summary),
    )
    .await?;
    txn.commit().await?;
    Ok((next, entry))
}

async fn load_for_change(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<Incident, IncidentError> {
    let current = store::incidents::find(db, id)
        .await?
        .ok_or(IncidentError::NotFound)?;
    match expected_version {
        Some(expected) if expected != current.version => Err(IncidentError::VersionConflict {
            current: current.version,
        }),
        _ => Ok(current),
    }
}

async fn save(
    db: &impl ConnectionTrait,
    next: &Incident,
    expected_version: i32,
) -> Result<(), IncidentError> {
    if store::incidents::update(db, next, expected_version).await? {
        Ok(())
    } else {
        let current = store::incidents::find(db, next.id)
            .await?
            .ok_or(IncidentError::NotFound)?;
        Err(IncidentError::VersionConflict {
            current: current.version,
        })
    }
}

async fn check_commander(
    db: &impl ConnectionTrait,
    commander_id: Option<Uuid>,
    problems: &mut Vec<FieldProblem>,
) -> Result<(), DbErr> {
    if let Some(id) = commander_id {
        match store::users::find_by_id(db, id).await? {
            Some(user) if user.is_active() => {}
            _ => problems.push(FieldProblem::new(
                "commander_id",
                "must be the id of an active user",
            )),
        }
    }
    Ok(())
}

fn event(actor: Actor, action: &'static str, incident: &Incident, summary: String) -> AuditEvent {
    AuditEvent {
        actor,
        action,
        object_type: "incident",
        object_id: incident.id.to_string(),
        incident_id: Some(incident.id),
        summary,
    }
}
