//! The incidents list: status, severity, kind, people affected, and the next legal deadline
//! with a countdown, filtered by status and severity, a page at a time. The deadline comes from
//! the obligations result last stored for the incident (the room and the API store a result
//! whenever it changes), so the list never runs the rules engine: a page costs a few reads
//! per incident whatever the incident's size. A result older than the newest mapping says so.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::try_join_all;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::{Incident, IncidentStatus, Role, Severity};
use crate::store;
use crate::store::incidents::ListFilter;
use crate::store::mapping::RunStatus;

/// Incidents shown on one page.
const PAGE: u64 = 50;

#[derive(Debug, Deserialize)]
pub(super) struct Filters {
    status: Option<String>,
    severity: Option<String>,
    /// 1-based page number.
    page: Option<String>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(filters): Query<Filters>,
) -> Response {
    let chosen = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let (status, severity) = (chosen(&filters.status), chosen(&filters.severity));
    let filter = ListFilter {
        status: status.as_deref().and_then(|s| s.parse().ok()),
        severity: severity.as_deref().and_then(|s| s.parse().ok()),
        kind: None,
    };
    let page = filters
        .page
        .as_deref()
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let offset = (page - 1).saturating_mul(PAGE);
    let (rows, total) = match store::incidents::list(&state.db, &filter, offset, PAGE).await {
        Ok(found) => found,
        Err(e) => return failed(&state, &staff, &e),
    };
    let now = state.clock.now();
    let lines = try_join_all(rows.iter().map(|incident| row(&state, incident, now))).await;
    let incidents = match lines {
        Ok(lines) => lines,
        Err(e) => return failed(&state, &staff, &e),
    };
    let options = |all: &[&str], picked: &Option<String>| -> Vec<Value> {
        all.iter()
            .map(|v| json!({ "value": v, "selected": picked.as_deref() == Some(*v) }))
            .collect()
    };
    let statuses: Vec<&str> = IncidentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let pages = total.div_ceil(PAGE).max(1);
    let link = |to: u64| {
        let mut query = vec![format!("page={to}")];
        if let Some(s) = &status {
            query.push(format!("status={s}"));
        }
        if let Some(s) = &severity {
            query.push(format!("severity={s}"));
        }
        format!("/incidents?{}", query.join("&"))
    };
    let data = json!({
        "title": "Incidents",
        "incidents": incidents,
        "filtered": status.is_some() || severity.is_some(),
        "statuses": options(&statuses, &status),
        "severities": options(&severities, &severity),
        "can_open": staff.has(Role::Responder),
        "paging": {
            "page": page,
            "pages": pages,
            "total": total,
            "first": offset + 1,
            "last": offset + incidents.len() as u64,
            "several": pages > 1,
            "previous": (page > 1).then(|| link(page - 1)),
            "next": (page < pages).then(|| link(page + 1)),
        },
    });
    view::page(&state, Some(&staff), StatusCode::OK, "incidents", data)
}

/// One incident's line: its people affected (latest mapping) and next deadline.
async fn row(
    state: &AppState,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<Value, sea_orm::DbErr> {
    let mapping =
        store::mapping::latest_run(&state.db, incident.id, &[RunStatus::Succeeded]).await?;
    let next = match (&mapping, incident.status) {
        (Some(mapping), status) if status != IncidentStatus::Closed => {
            next_deadline(state, incident, mapping.id, now).await?
        }
        _ => Value::Null,
    };
    Ok(json!({
        "id": incident.id,
        "title": incident.title,
        "status": incident.status.as_str(),
        "severity": incident.severity.as_str(),
        "kind": incident.kind.as_str(),
        "affected": mapping.and_then(|m| m.affected_people),
        "deadline": next,
    }))
}

/// A duty of a stored result, as far as the list needs it.
#[derive(Debug, Deserialize)]
struct StoredDuty {
    key: String,
    #[serde(default)]
    required: bool,
    due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    recipient_name: String,
    #[serde(default)]
    jurisdiction: String,
}

/// A jurisdiction of a stored result: only its duties.
#[derive(Debug, Deserialize)]
struct StoredJurisdiction {
    #[serde(default)]
    duties: Vec<StoredDuty>,
}

/// The earliest required duty of the stored result not yet done, with its countdown; `null`
/// when nothing is due. A stored result from an earlier mapping than `mapping_id` is marked
/// `stale`; an incident mapped but never worked out says `unknown`.
async fn next_deadline(
    state: &AppState,
    incident: &Incident,
    mapping_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Value, sea_orm::DbErr> {
    let Some(stored) = store::obligation_results::latest(&state.db, incident.id).await? else {
        return Ok(json!({ "unknown": true }));
    };
    let jurisdictions: Vec<StoredJurisdiction> = match serde_json::from_str(&stored.result) {
        Ok(j) => j,
        Err(e) => {
            tracing::warn!(incident = %incident.id, result = %stored.id, error = %e, "a stored obligations result is unreadable");
            return Ok(json!({ "unknown": true }));
        }
    };
    let done = store::obligations::duty_records(&state.db, incident.id).await?;
    let next = jurisdictions
        .iter()
        .flat_map(|j| j.duties.iter())
        .filter(|d| d.required && !done.contains_key(&d.key))
        .filter_map(|d| d.due_at.map(|at| (at, d)))
        .min_by_key(|(at, _)| *at);
    let stale = stored.mapping_id != mapping_id;
    Ok(match next {
        Some((at, duty)) => json!({
            "due_at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "countdown": countdown(at, now),
            "overdue": at <= now,
            "recipient": duty.recipient_name,
            "jurisdiction": duty.jurisdiction,
            "stale": stale,
            "unknown": false,
        }),
        None if stale => json!({ "stale": true, "unknown": false, "due_at": null }),
        None => Value::Null,
    })
}

/// "in 2 d 4 h", "in 35 min", "3 h overdue".
pub(super) fn countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = due - now;
    let span = left.abs();
    let (days, hours, minutes) = (
        span.num_days(),
        span.num_hours() % 24,
        span.num_minutes() % 60,
    );
    let text = if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    };
    if left > chrono::Duration::zero() {
        format!("in {text}")
    } else {
        format!("{text} overdue")
    }
}

pub(super) fn failed(state: &AppState, staff: &Staff, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "a staff page could not read its data");
    view::problem(
        state,
        Some(staff),
        StatusCode::SERVICE_UNAVAILABLE,
        "Candor could not read this page's data just now. Try again in a moment.",
    )
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[test]
    fn countdowns_read_in_days_hours_or_minutes_and_say_when_overdue() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let at = |h: i64, m: i64| now + chrono::Duration::hours(h) + chrono::Duration::minutes(m);
        assert_eq!(super::countdown(at(52, 0), now), "in 2 d 4 h");
        assert_eq!(super::countdown(at(3, 20), now), "in 3 h 20 min");
        assert_eq!(super::countdown(at(0, 35), now), "in 35 min");
        assert_eq!(super::countdown(at(-3, 0), now), "3 h 0 min overdue");
    }
}
