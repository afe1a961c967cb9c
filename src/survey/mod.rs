//! The follow-up survey, staff side: its schedule, the invitation and reminder waves (sent by
//! the survey worker when due, or at once on request), results with NPS by place and tier,
//! the responses and their CSV export, and follow-up actions owned by CX leads.
//!
//! Answers and comments are personal data: only CX leads and admins read them, and they never
//! go into logs or errors.

mod actions;
mod links;
mod results;
mod schedule;

pub use actions::{
    Action, ActionChange, NewAction, close_warnings, create_action, list_actions,
    open_action_count, update_action,
};
pub use links::revoke_link;
pub use results::{Breakdown, ResponseView, Results, responses, responses_csv, results};
pub use schedule::{InviteReport, Schedule, ScheduleInput, Surveys};

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::delivery::DeliveryError;
use crate::notice::content::DraftContent;
use crate::store;

/// Errors of the survey capability.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("no such response")]
    ResponseNotFound,
    #[error("no such follow-up action")]
    ActionNotFound,
    #[error("that person has no message, and so no link, for this incident")]
    NoLink,
    #[error("only a CX lead can do this")]
    NotCxLead,
    #[error(
        "the incident has no approved survey invitation; draft one and have a CX lead approve it"
    )]
    NoInvitation,
    #[error("the survey closed on {0}")]
    Closed(chrono::NaiveDate),
    #[error("this response has no detractor score and no comment; there is nothing to follow up")]
    NothingToFollowUp,
    #[error("this response already has a follow-up action")]
    ActionExists,
    #[error("the owner must be an active CX lead")]
    OwnerNotCxLead,
    #[error("closing an action needs a resolution note")]
    ResolutionRequired,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("stored survey data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// When an incident's survey closes: at the end (UTC) of the day its invitation names in
/// `survey_closes_on`; `None` while the invitation names no day (or there is none).
pub async fn closes_at(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Option<(chrono::NaiveDate, DateTime<Utc>)>, SurveyError> {
    let Some(row) = store::notices::find_by_slot(db, incident_id, "survey-invitation").await?
    else {
        return Ok(None);
    };
    let content: DraftContent = serde_json::from_str(&row.content).map_err(|e| {
        SurveyError::Corrupt(format!(
            "notice {} content: unreadable at line {}",
            row.id,
            e.line()
        ))
    })?;
    Ok(content.survey_closes_on.map(|day| {
        let end = day
            .succ_opt()
            .unwrap_or(day)
            .and_time(NaiveTime::MIN)
            .and_utc();
        (day, end)
    }))
}
