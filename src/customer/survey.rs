//! A person's survey: what their survey page shows (their answers so far, when it closes) and
//! answering it — one response per person and incident, changed in place until it closes.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde_json::{Value, json};
use uuid::Uuid;

use super::notice::{PersonNotice, person_of};
use super::page::main_message;
use super::{CustomerError, Visitor};
use crate::audit::AuditEvent;
use crate::delivery::{LinkKeys, LinkPurpose};
use crate::domain::audit::Actor;
use crate::domain::notice::Locale;
use crate::domain::survey::Answers;
use crate::store;
use crate::store::delivery::outbox::LinkMessage;
use crate::store::survey::responses::{self, ResponseRow};

/// What a person's survey page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyPage {
    pub locale: Locale,
    pub organization: String,
    pub reference: String,
    /// Their answers so far.
    pub answers: Option<Answers>,
    /// When they last answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The last day answers are taken.
    pub closes_on: Option<NaiveDate>,
    /// The survey no longer takes answers.
    pub closed: bool,
    /// The path of their personal page (`/n/{token}`).
    pub page_path: String,
}

/// What answering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Their first answers.
    First,
    /// Their answers changed; `revisions` counts the changes so far.
    Revised { revisions: i32 },
}

/// The message a survey is about: the invitation, else their page's message.
fn survey_message(messages: &[LinkMessage]) -> Option<&LinkMessage> {
    messages
        .iter()
        .find(|m| m.slot == "survey-invitation")
        .or_else(|| main_message(messages))
}

/// When the incident's survey closes, and whether it has at `now`.
async fn closing(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(Option<NaiveDate>, bool), CustomerError> {
    Ok(match crate::survey::closes_at(db, incident_id).await? {
        Some((day, end)) => (Some(day), now >= end),
        None => (None, false),
    })
}

/// The visitor's survey page at `now`.
pub async fn survey_page(
    db: &impl ConnectionTrait,
    keys: &LinkKeys,
    visitor: &Visitor,
    now: DateTime<Utc>,
) -> Result<SurveyPage, CustomerError> {
    let messages = store::delivery::outbox::of_link(db, visitor.link_id).await?;
    let message = survey_message(&messages).ok_or(CustomerError::Invalid)?;
    let page_path = visitor.path(keys, LinkPurpose::Page)?;
    let links = json!({ "personal_page": page_path, "survey": Value::Null });
    let notice = PersonNotice::load(db, message, links).await?;
    let response = responses::of_link(db, visitor.link_id).await?;
    let (closes_on, closed) = closing(db, visitor.incident_id, now).await?;
    Ok(SurveyPage {
        locale: notice.locale,
        organization: notice.text("/organization/name").unwrap_or_default(),
        reference: notice.text("/incident/reference").unwrap_or_default(),
        answered_at: response.as_ref().map(|r| r.updated_at),
        answers: response.map(|r| Answers {
            recommend: r.recommend.and_then(|n| u8::try_from(n).ok()),
            clarity: r.clarity.and_then(|n| u8::try_from(n).ok()),
            comment: r.comment,
        }),
        closes_on,
        closed,
        page_path,
    })
}

/// Records the visitor's answers: the first insert their response, later ones replace it and
/// count a revision. Two submissions racing each other end as one response (the second
/// insert meets the unique link index and becomes an update). Refused once the survey closed.
pub async fn answer(
    db: &DatabaseConnection,
    visitor: &Visitor,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<AnswerOutcome, CustomerError> {
    if let (Some(day), true) = closing(db, visitor.incident_id, now).await? {
        return Err(CustomerError::SurveyClosed(day));
    }
    let messages = store::delivery::outbox::of_link(db, visitor.link_id).await?;
    let message = survey_message(&messages).ok_or(CustomerError::Invalid)?;
    let first = new_response(visitor, message, answers, now)?;
    // A lost race is retried once: the row it lost to is there to update.
    for _ in 0..2 {
        let txn = store::begin_write(db).await?;
        let outcome = match responses::of_link(&txn, visitor.link_id).await? {
            Some(existing) => {
                let (recommend, clarity) = scores(answers);
                let comment = answers.comment.clone();
                responses::update_answers(&txn, existing.id, recommend, clarity, comment, now)
                    .await?;
                AnswerOutcome::Revised {
                    revisions: existing.revisions + 1,
                }
            }
            None => match responses::insert(&txn, first.clone()).await {
                Ok(()) => AnswerOutcome::First,
                Err(e) if store::is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            },
        };
        audit(&txn, visitor, outcome, now).await?;
        txn.commit().await?;
        return Ok(outcome);
    }
    Err(CustomerError::Db(DbErr::Custom(
        "a survey response was neither inserted nor found".into(),
    )))
}

fn scores(answers: &Answers) -> (Option<i16>, Option<i16>) {
    (
        answers.recommend.map(i16::from),
        answers.clarity.map(i16::from),
    )
}

/// A first response, with the person's place and tier as their invitation recorded them.
fn new_response(
    visitor: &Visitor,
    message: &LinkMessage,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<ResponseRow, CustomerError> {
    let person = person_of(message)?;
    let field = |key: &str, default: &str| {
        let value = person.get(key).and_then(Value::as_str).unwrap_or(default);
        value.chars().take(16).collect::<String>()
    };
    let (recommend, clarity) = scores(answers);
    Ok(ResponseRow {
        id: Uuid::now_v7(),
        link_id: visitor.link_id,
        incident_id: visitor.incident_id,
        person_key: visitor.person_key.clone(),
        customer_ref: message.customer_ref.clone(),
        jurisdiction: field("jurisdiction", "unknown"),
        tier: field("tier", "standard"),
        recommend,
        clarity,
        comment: answers.comment.clone(),
        revisions: 0,
        created_at: now,
        updated_at: now,
    })
}

/// The audit entry of an answer: that it happened, never what it said.
async fn audit(
    db: &impl ConnectionTrait,
    visitor: &Visitor,
    outcome: AnswerOutcome,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let summary = match outcome {
        AnswerOutcome::First => "a person answered the survey".to_owned(),
        AnswerOutcome::Revised { revisions } => {
            format!("a person changed their survey answers (revision {revisions})")
        }
    };
    crate::audit::record(
        db,
        now,
        AuditEvent {
            actor: Actor::System,
            action: "survey.answered",
            object_type: "notice_link",
            object_id: visitor.link_id.to_string(),
            incident_id: Some(visitor.incident_id),
            summary,
        },
    )
    .await?;
    Ok(())
}
