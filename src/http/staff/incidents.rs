//! The incidents list: status, severity, kind, people affected, and the next legal deadline
//! with a countdown, filtered by status and severity.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::{Incident, IncidentStatus, Severity};
use crate::obligation::{self, ObligationError};
use crate::store;
use crate::store::incidents::ListFilter;
use crate::store::mapping::RunStatus;

/// Incidents shown on one page.
const PAGE: u64 = 100;

#[derive(Debug, Deserialize)]
pub(super) struct Filters {
    status: Option<String>,
    severity: Option<String>,
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
    let rows = match store::incidents::list(&state.db, &filter, 0, PAGE).await {
        Ok((rows, _)) => rows,
        Err(e) => return failed(&state, &staff, &e),
    };
    let now = state.clock.now();
    let mut incidents = Vec::with_capacity(rows.len());
    for incident in &rows {
        match row(&state, incident, now).await {
            Ok(row) => incidents.push(row),
            Err(e) => return failed(&state, &staff, &e),
        }
    }
    let options = |all: &[&str], picked: &Option<String>| -> Vec<Value> {
        all.iter()
            .map(|v| json!({ "value": v, "selected": picked.as_deref() == Some(*v) }))
            .collect()
    };
    let statuses: Vec<&str> = IncidentStatus::ALL.iter().map(|s| s.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let data = json!({
        "title": "Incidents",
        "incidents": incidents,
        "filtered": status.is_some() || severity.is_some(),
        "statuses": options(&statuses, &status),
        "severities": options(&severities, &severity),
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
    let next = next_deadline(state, incident, now).await?;
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

/// The earliest required duty not yet done, with its countdown; `null` before a mapping or
/// when nothing is due.
async fn next_deadline(
    state: &AppState,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<Value, sea_orm::DbErr> {
    if incident.status == IncidentStatus::Closed {
        return Ok(Value::Null);
    }
    let computed = match obligation::evaluate_incident(
        &state.db,
        &state.obligations,
        incident.id,
        now,
    )
    .await
    {
        Ok(c) => c,
        Err(ObligationError::Db(e)) => return Err(e),
        Err(_) => return Ok(Value::Null),
    };
    let next = computed
        .duties()
        .filter(|d| d.required && !computed.done.contains_key(&d.key))
        .filter_map(|d| d.due_at.map(|at| (at, d)))
        .min_by_key(|(at, _)| *at);
    Ok(match next {
        Some((at, duty)) => json!({
            "due_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "countdown": countdown(at, now),
            "overdue": at <= now,
            "recipient": duty.recipient_name,
            "jurisdiction": duty.jurisdiction,
        }),
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
