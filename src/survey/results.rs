//! Survey results for staff: invited, responded, response rate, NPS with its distribution and
//! the clarity average, overall and by jurisdiction and tier; the responses themselves, paged
//! and as CSV.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::SurveyError;
use crate::domain::survey::{Summary, Tally};
use crate::store;
use crate::store::survey::responses::ResponseRow;

/// Survey results of an incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    #[serde(flatten)]
    pub overall: Summary,
    /// Responses with a comment.
    pub commented: u64,
    /// Follow-up actions still open.
    pub open_actions: u64,
    pub by_jurisdiction: Vec<Breakdown>,
    pub by_tier: Vec<Breakdown>,
    /// The latest comments (at most 20), newest first; page through all with
    /// `GET …/survey/responses?commented=true`.
    pub recent_comments: Vec<ResponseView>,
}

/// The results of one jurisdiction or tier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Breakdown {
    /// `US-CA`, `DE`, … or `standard`, `vip`.
    pub key: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// One person's answers as staff see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseView {
    pub id: Uuid,
    /// The inventory's reference for the person; null for people known only by a record.
    pub customer_ref: Option<String>,
    pub jurisdiction: String,
    pub tier: String,
    /// 0–10.
    pub recommend: Option<i16>,
    /// 1–5.
    pub clarity: Option<i16>,
    pub comment: Option<String>,
    /// How many times the person changed their answers.
    pub revisions: i32,
    pub answered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The follow-up action made from it, if any.
    pub action_id: Option<Uuid>,
}

/// How many comments the results show.
const RECENT_COMMENTS: u64 = 20;

/// The results of an incident's survey.
pub async fn results(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Results, SurveyError> {
    store::incidents::find(db, incident_id)
        .await?
        .ok_or(SurveyError::IncidentNotFound)?;
    let mut overall = Tally::default();
    let mut places: BTreeMap<String, Tally> = BTreeMap::new();
    let mut tiers: BTreeMap<String, Tally> = BTreeMap::new();
    for group in store::survey::responses::invited_counts(db, incident_id).await? {
        let n = u64::try_from(group.people).unwrap_or(0);
        overall.invited(n);
        places.entry(group.jurisdiction).or_default().invited(n);
        tiers.entry(group.tier).or_default().invited(n);
    }
    for group in store::survey::responses::answer_counts(db, incident_id).await? {
        let score = |v: Option<i16>| v.and_then(|n| u8::try_from(n).ok());
        let (recommend, clarity) = (score(group.recommend), score(group.clarity));
        let n = u64::try_from(group.people).unwrap_or(0);
        overall.add_many(recommend, clarity, n);
        places
            .entry(group.jurisdiction)
            .or_default()
            .add_many(recommend, clarity, n);
        tiers
            .entry(group.tier)
            .or_default()
            .add_many(recommend, clarity, n);
    }
    let (recent, commented) =
        store::survey::responses::latest_commented(db, incident_id, RECENT_COMMENTS).await?;
    let breakdown = |map: BTreeMap<String, Tally>| {
        map.into_iter()
            .map(|(key, tally)| Breakdown {
                key,
                summary: tally.summary(),
            })
            .collect()
    };
    Ok(Results {
        overall: overall.summary(),
        commented,
        open_actions: store::survey::actions::open_count(db, incident_id).await?,
        by_jurisdiction: breakdown(places),
        by_tier: breakdown(tiers),
        recent_comments: views(db, recent).await?,
    })
}

/// A page of an incident's responses, oldest first, after the response `after`.
pub async fn responses(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    after: Option<Uuid>,
    commented: bool,
    limit: u64,
) -> Result<Vec<ResponseView>, SurveyError> {
    store::incidents::find(db, incident_id)
        .await?
        .ok_or(SurveyError::IncidentNotFound)?;
    let after = match after {
        Some(id) => {
            let row = store::survey::responses::find(db, incident_id, id)
                .await?
                .ok_or(SurveyError::ResponseNotFound)?;
            Some((row.created_at, row.id))
        }
        None => None,
    };
    let rows = store::survey::responses::page(db, incident_id, after, commented, limit).await?;
    views(db, rows).await
}

async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<ResponseRow>,
) -> Result<Vec<ResponseView>, SurveyError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let actions = store::survey::actions::of_responses(db, &ids).await?;
    let mut views = Vec::with_capacity(rows.len());
    for r in rows {
        let action_id = actions.get(&r.id).copied();
        views.push(ResponseView {
            id: r.id,
            customer_ref: r.customer_ref,
            jurisdiction: r.jurisdiction,
            tier: r.tier,
            recommend: r.recommend,
            clarity: r.clarity,
            comment: r.comment,
            revisions: r.revisions,
            answered_at: r.created_at,
            updated_at: r.updated_at,
            action_id,
        });
    }
    Ok(views)
}

/// Every response of an incident as CSV, oldest first. Text a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@` first) is quoted with a leading `'`.
pub async fn responses_csv(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<String, SurveyError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "response_id",
        "customer_ref",
        "jurisdiction",
        "tier",
        "recommend",
        "clarity",
        "comment",
        "revisions",
        "answered_at",
        "updated_at",
        "action_id",
    ];
    let corrupt = |e: csv::Error| SurveyError::Corrupt(format!("CSV: {e}"));
    out.write_record(header).map_err(corrupt)?;
    let mut after = None;
    loop {
        let page = responses(db, incident_id, after, false, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for r in page {
            let number = |v: Option<i16>| v.map(|n| n.to_string()).unwrap_or_default();
            out.write_record([
                r.id.to_string(),
                defuse(r.customer_ref.as_deref().unwrap_or_default()),
                r.jurisdiction,
                r.tier,
                number(r.recommend),
                number(r.clarity),
                defuse(r.comment.as_deref().unwrap_or_default()),
                r.revisions.to_string(),
                r.answered_at.to_rfc3339(),
                r.updated_at.to_rfc3339(),
                r.action_id.map(|a| a.to_string()).unwrap_or_default(),
            ])
            .map_err(corrupt)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| SurveyError::Corrupt(format!("CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| SurveyError::Corrupt(format!("CSV: {e}")))
}

/// Text that a spreadsheet would not take for a formula.
fn defuse(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_like_text_is_quoted_for_spreadsheets() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1"), "'-1");
        assert_eq!(defuse("Fine, thanks"), "Fine, thanks");
        assert_eq!(defuse(""), "");
    }
}
