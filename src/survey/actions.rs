//! Follow-up actions: a detractor's score or a comment becomes work owned by a CX lead ("take
//! ownership, fix, report up with the resolution"), closed with a resolution note. Open ones
//! show on the incident, and closing the incident warns about them.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::SurveyError;
use crate::audit::{self, AuditEvent};
use crate::domain::Role;
use crate::domain::audit::Actor;
use crate::domain::survey::{ActionReason, ActionStatus, Answers, is_detractor};
use crate::store;
use crate::store::survey::actions::ActionRow;

/// The longest title or resolution note, in characters.
const TEXT_MAX_CHARS: usize = 4_000;

/// A new follow-up action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// The CX lead who owns it; the person creating it by default.
    pub owner_id: Option<Uuid>,
    /// What is to be done; a default names the reason.
    pub title: Option<String>,
}

/// A change to an action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionChange {
    /// Hand it to another CX lead.
    pub owner_id: Option<Uuid>,
    pub title: Option<String>,
    /// `closed` needs a resolution note (here or already on the action); `open` reopens it.
    pub status: Option<ActionStatus>,
    /// What was done, and what was reported up.
    pub resolution: Option<String>,
}

/// A follow-up action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Action {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub response_id: Uuid,
    pub reason: ActionReason,
    pub title: String,
    pub owner_id: Uuid,
    pub status: ActionStatus,
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Makes a follow-up action of a response with a detractor's score or a comment.
pub async fn create_action(
    db: &DatabaseConnection,
    by: Uuid,
    incident_id: Uuid,
    response_id: Uuid,
    input: NewAction,
    now: DateTime<Utc>,
) -> Result<Action, SurveyError> {
    let txn = store::begin_write(db).await?;
    let response = store::survey::responses::find(&txn, incident_id, response_id)
        .await?
        .ok_or(SurveyError::ResponseNotFound)?;
    let score = response.recommend.and_then(|n| u8::try_from(n).ok());
    let answers = Answers {
        recommend: score,
        clarity: None,
        comment: response.comment.clone(),
    };
    if !answers.calls_for_follow_up() {
        return Err(SurveyError::NothingToFollowUp);
    }
    let reason = match score {
        Some(s) if is_detractor(s) => ActionReason::Detractor,
        _ => ActionReason::Comment,
    };
    let owner = input.owner_id.unwrap_or(by);
    ensure_cx_lead(&txn, owner).await?;
    let title = match input.title {
        Some(t) => text("title", &t)?,
        None => match (reason, score) {
            (ActionReason::Detractor, Some(s)) => format!("Follow up on a score of {s}"),
            _ => "Follow up on a comment".to_owned(),
        },
    };
    let row = ActionRow {
        id: Uuid::new_v4(),
        incident_id,
        response_id,
        reason: reason.as_str().to_owned(),
        title,
        owner_id: owner,
        status: ActionStatus::Open.as_str().to_owned(),
        resolution: None,
        created_by: by,
        created_at: now,
        closed_by: None,
        closed_at: None,
    };
    if let Err(e) = store::survey::actions::insert(&txn, row.clone()).await {
        return Err(match store::is_unique_violation(&e) {
            true => SurveyError::ActionExists,
            false => e.into(),
        });
    }
    record(
        &txn,
        by,
        &row,
        "survey.action_created",
        now,
        "follow-up action opened",
    )
    .await?;
    txn.commit().await?;
    view(row)
}

/// Changes an action: its owner, title, status or resolution.
pub async fn update_action(
    db: &DatabaseConnection,
    by: Uuid,
    incident_id: Uuid,
    action_id: Uuid,
    change: ActionChange,
    now: DateTime<Utc>,
) -> Result<Action, SurveyError> {
    let txn = store::begin_write(db).await?;
    let mut row = store::survey::actions::find(&txn, incident_id, action_id)
        .await?
        .ok_or(SurveyError::ActionNotFound)?;
    let mut what = Vec::new();
    if let Some(owner) = change.owner_id
        && owner != row.owner_id
    {
        ensure_cx_lead(&txn, owner).await?;
        row.owner_id = owner;
        what.push("owner changed");
    }
    if let Some(title) = change.title {
        row.title = text("title", &title)?;
        what.push("title changed");
    }
    if let Some(resolution) = change.resolution {
        row.resolution = Some(text("resolution", &resolution)?);
        what.push("resolution noted");
    }
    match change.status {
        Some(ActionStatus::Closed) if row.status != ActionStatus::Closed.as_str() => {
            if row.resolution.is_none() {
                return Err(SurveyError::ResolutionRequired);
            }
            row.status = ActionStatus::Closed.as_str().to_owned();
            row.closed_by = Some(by);
            row.closed_at = Some(now);
            what.push("closed");
        }
        Some(ActionStatus::Open) if row.status != ActionStatus::Open.as_str() => {
            row.status = ActionStatus::Open.as_str().to_owned();
            row.closed_by = None;
            row.closed_at = None;
            what.push("reopened");
        }
        _ => {}
    }
    if !what.is_empty() {
        store::survey::actions::update(&txn, row.clone()).await?;
        let summary = format!("follow-up action: {}", what.join(", "));
        record(&txn, by, &row, "survey.action_changed", now, &summary).await?;
    }
    txn.commit().await?;
    view(row)
}

/// An incident's follow-up actions, optionally only those in one status.
pub async fn list_actions(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    status: Option<ActionStatus>,
) -> Result<Vec<Action>, SurveyError> {
    store::incidents::find(db, incident_id)
        .await?
        .ok_or(SurveyError::IncidentNotFound)?;
    store::survey::actions::list(db, incident_id, status.map(ActionStatus::as_str))
        .await?
        .into_iter()
        .map(view)
        .collect()
}

/// How many of an incident's follow-up actions are open.
pub async fn open_action_count(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<u64, SurveyError> {
    Ok(store::survey::actions::open_count(db, incident_id).await?)
}

/// What closing the incident should warn about: follow-up actions still open.
pub async fn close_warnings(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<String>, SurveyError> {
    let open = store::survey::actions::open_count(db, incident_id).await?;
    Ok(match open {
        0 => Vec::new(),
        1 => vec!["1 follow-up action from the survey is still open".to_owned()],
        n => vec![format!(
            "{n} follow-up actions from the survey are still open"
        )],
    })
}

async fn ensure_cx_lead(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), SurveyError> {
    match store::users::find_by_id(db, user_id).await? {
        Some(u) if u.is_active() && u.roles.contains(&Role::CxLead) => Ok(()),
        _ => Err(SurveyError::OwnerNotCxLead),
    }
}

fn text(field: &'static str, value: &str) -> Result<String, SurveyError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SurveyError::Invalid {
            field,
            message: "must not be empty".into(),
        });
    }
    if value.chars().count() > TEXT_MAX_CHARS {
        return Err(SurveyError::Invalid {
            field,
            message: format!("must be at most {TEXT_MAX_CHARS} characters"),
        });
    }
    Ok(value.to_owned())
}

async fn record(
    db: &impl ConnectionTrait,
    by: Uuid,
    row: &ActionRow,
    action: &'static str,
    now: DateTime<Utc>,
    summary: &str,
) -> Result<(), SurveyError> {
    audit::record(
        db,
        now,
        AuditEvent {
            actor: Actor::User(by),
            action,
            object_type: "followup_action",
            object_id: row.id.to_string(),
            incident_id: Some(row.incident_id),
            summary: summary.to_owned(),
        },
    )
    .await?;
    Ok(())
}

fn view(row: ActionRow) -> Result<Action, SurveyError> {
    let corrupt = |what: &str| SurveyError::Corrupt(format!("follow-up action {} {what}", row.id));
    Ok(Action {
        reason: row.reason.parse().map_err(|_| corrupt("reason"))?,
        status: row.status.parse().map_err(|_| corrupt("status"))?,
        id: row.id,
        incident_id: row.incident_id,
        response_id: row.response_id,
        title: row.title,
        owner_id: row.owner_id,
        resolution: row.resolution,
        created_by: row.created_by,
        created_at: row.created_at,
        closed_by: row.closed_by,
        closed_at: row.closed_at,
    })
}
