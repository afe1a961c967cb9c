//! A person's own page about an incident, as a view model: what their notice told them (what
//! happened, their data, the steps that fit them, what the company is doing, whom to call),
//! the updates posted since, their contact preferences and their survey.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use super::notice::PersonNotice;
use super::preferences::{self, Preferences, Reachable};
use super::{CustomerError, Visitor};
use crate::delivery::{LinkKeys, LinkPurpose};
use crate::domain::notice::Locale;
use crate::notice::content::DraftContent;
use crate::store;
use crate::store::delivery::outbox::LinkMessage;

/// What a person's page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalPage {
    pub locale: Locale,
    pub organization: String,
    /// The incident's reference (`INC-7F3A2C`).
    pub reference: String,
    pub given_name: Option<String>,
    /// `None` where the person's law forbids saying it (as their notice left it out).
    pub what_happened: Option<String>,
    /// Their exposed data, in their language.
    pub data_involved: Vec<String>,
    pub likely_consequences: Option<String>,
    pub what_we_are_doing: Option<String>,
    /// The `steps` partial as their notice showed it (HTML, values escaped).
    pub steps_html: String,
    /// The `contact` partial as their notice showed it (HTML, values escaped).
    pub contact_html: String,
    /// Newest first.
    pub updates: Vec<Update>,
    pub preferences: Preferences,
    pub reachable: Reachable,
    /// The path of their survey (`/s/{token}`), when they were invited to it.
    pub survey_path: Option<String>,
}

/// News posted since the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub posted_at: DateTime<Utc>,
    pub text: String,
}

/// The message a page is built from: the initial notice, else the earliest.
pub(super) fn main_message(messages: &[LinkMessage]) -> Option<&LinkMessage> {
    messages
        .iter()
        .find(|m| m.slot == "initial-notice")
        .or_else(|| messages.first())
}

/// The visitor's page; `page_link` is where the notice's link to their page points from the
/// page itself (the partials shown may name it).
pub async fn personal_page(
    db: &impl ConnectionTrait,
    keys: &LinkKeys,
    visitor: &Visitor,
    page_link: &str,
) -> Result<PersonalPage, CustomerError> {
    let messages = store::delivery::outbox::of_link(db, visitor.link_id).await?;
    let main = main_message(&messages).ok_or(CustomerError::Invalid)?;
    let invited = messages.iter().any(|m| m.slot == "survey-invitation");
    let survey_path = match invited {
        true => Some(visitor.path(keys, LinkPurpose::Survey)?),
        false => None,
    };
    let links = json!({ "personal_page": page_link, "survey": survey_path });
    let notice = PersonNotice::load(db, main, links).await?;
    let omitted = notice
        .context
        .pointer("/law/omit/what_happened")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(PersonalPage {
        locale: notice.locale,
        organization: notice.text("/organization/name").unwrap_or_default(),
        reference: notice.text("/incident/reference").unwrap_or_default(),
        given_name: notice.text("/person/given_name"),
        what_happened: notice.text("/notice/what_happened").filter(|_| !omitted),
        data_involved: category_words(&notice.context),
        likely_consequences: notice.text("/notice/likely_consequences"),
        what_we_are_doing: notice.text("/notice/what_we_are_doing"),
        steps_html: notice.partial("steps")?,
        contact_html: notice.partial("contact")?,
        updates: updates(db, visitor.incident_id, notice.locale).await?,
        preferences: preferences::current(db, visitor, main).await?,
        reachable: Reachable::of(&messages),
        survey_path,
    })
}

fn category_words(context: &Value) -> Vec<String> {
    context
        .pointer("/exposed/categories")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|c| c.get("words").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The incident's sent updates in `locale`, newest first, each dated by its first campaign.
async fn updates(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    locale: Locale,
) -> Result<Vec<Update>, CustomerError> {
    let mut sent_at: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for campaign in store::delivery::campaigns_of(db, incident_id).await? {
        sent_at
            .entry(campaign.notice_id)
            .or_insert(campaign.created_at);
    }
    let mut updates = Vec::new();
    for notice in store::notices::list(db, incident_id).await? {
        if notice.kind != "update" || notice.status != "sent" {
            continue;
        }
        let Some(posted_at) = sent_at.get(&notice.id).copied() else {
            continue;
        };
        let content: DraftContent = serde_json::from_str(&notice.content).map_err(|e| {
            CustomerError::Corrupt(format!(
                "notice {} content unreadable at line {}",
                notice.id,
                e.line()
            ))
        })?;
        if let Some(text) = content
            .paragraphs(locale)
            .update
            .filter(|t| !t.trim().is_empty())
        {
            updates.push(Update { posted_at, text });
        }
    }
    updates.sort_by_key(|u| std::cmp::Reverse(u.posted_at));
    Ok(updates)
}
