//! The incident room's scope and impact section: the declared scope as a form (one row per
//! exposed system, blank rows ignored), the forensic lists and their upload, the newest
//! mapping run with its progress, the impact by jurisdiction and by data category (a table
//! and a server-rendered bar chart of the same numbers), and the affected list as a download.
//! Only responders change the scope or run the mapping; the people working the incident
//! download the list. Buttons a person may not use are shown disabled with the reason; the
//! use-cases and these handlers enforce every rule again.

mod chart;
mod forms;

pub(in crate::http::staff) use forms::{
    download_affected, run_mapping, save_scope, upload_records,
};

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::{Value, json};

use super::super::session::Staff;
use crate::app::AppState;
use crate::domain::{DataCategory, Incident, Role};
use crate::mapping::{self, MappingError};
use crate::store;
use crate::store::mapping::{PHASE_COMPUTING, PHASE_DONE, PHASE_WRITING, RunRow, RunStatus};
use crate::store::scope::ScopeRow;
use axum::Router;
use axum::routing::{get, post};

/// Blank rows the scope form offers beyond the declared systems.
const BLANK_ROWS: usize = 2;

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether this person declares the scope and runs the mapping.
fn scopes(staff: &Staff) -> bool {
    staff.has(Role::Responder)
}

/// Whether this person may download the affected list (the API's incident team).
fn downloads(staff: &Staff) -> bool {
    staff.has(Role::Responder) || staff.has(Role::CxLead)
}

/// The section's data.
pub(in crate::http::staff) async fn data(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
) -> Result<Value, String> {
    let scope = mapping::scope(&state.db, incident.id)
        .await
        .map_err(|e| e.to_string())?;
    let systems = mapping_inventory(state).await?;
    let run = latest_run(state, incident.id).await?;
    let impact = match mapping::impact(&state.db, incident.id).await {
        Ok(impact) => chart::impact_view(&impact),
        Err(MappingError::NotMapped) => Value::Null,
        Err(e) => return Err(e.to_string()),
    };
    let blank = BLANK_ROWS.max(3usize.saturating_sub(scope.systems.len()));
    let rows: Vec<Value> = scope
        .systems
        .iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, blank))
        .enumerate()
        .map(|(i, row)| form_row(i, row, &systems))
        .collect();
    let declared: Vec<Value> = scope.systems.iter().map(declared_row).collect();
    let lists: Vec<Value> = scope
        .forensic_lists
        .iter()
        .map(|(system, records)| json!({ "system": system, "records": records }))
        .collect();
    Ok(json!({
        "declared": declared,
        "rows": rows,
        "no_systems": systems.is_empty(),
        "forensic_lists": lists,
        "mapping": run.as_ref().map(run_view),
        "running": run.as_ref().is_some_and(|r| matches!(r.status, RunStatus::Queued | RunStatus::Running)),
        "impact": impact,
        "open": false,
        "can_scope": scopes(staff),
        "can_download": downloads(staff),
        "live": format!("/incidents/{}/live.json", incident.id),
    }))
}

/// The inventory's system names, for the form's choices.
async fn mapping_inventory(state: &AppState) -> Result<Vec<String>, String> {
    Ok(crate::inventory::list_systems(&state.db)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| s.system.name)
        .collect())
}

/// The incident's newest mapping run, whatever its status.
pub(in crate::http::staff) async fn latest_run(
    state: &AppState,
    incident_id: uuid::Uuid,
) -> Result<Option<RunRow>, String> {
    let every = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Superseded,
        RunStatus::Failed,
    ];
    store::mapping::latest_run(&state.db, incident_id, &every)
        .await
        .map_err(|e| e.to_string())
}

/// The steps a run's progress bar counts: waiting, computing, writing, done.
const STEPS: u8 = 3;

/// A run as the section (and the live updates) show it.
pub(in crate::http::staff) fn run_view(run: &RunRow) -> Value {
    let running = matches!(run.status, RunStatus::Queued | RunStatus::Running);
    let (step, label) = match (run.status, run.phase.as_str()) {
        (RunStatus::Failed, _) => (0, "Failed"),
        (_, PHASE_DONE) => (STEPS, "Done"),
        (_, PHASE_WRITING) => (2, "Writing the people found"),
        (_, PHASE_COMPUTING) => (1, "Computing who is affected"),
        _ => (0, "Waiting to start"),
    };
    json!({
        "id": run.id,
        "status": run.status.as_str(),
        "phase": run.phase,
        "step": step,
        "steps": STEPS,
        "label": label,
        "running": running,
        "failed": run.status == RunStatus::Failed,
        "requested_at": stamp(run.requested_at),
        "finished_at": run.finished_at.map(stamp),
        "affected_people": run.affected_people,
        "unmatched_people": run.unmatched_people,
        "added_people": run.added_people,
        "removed_people": run.removed_people,
        "error": run.error,
    })
}

/// A declared system, for the table of the scope in force.
fn declared_row(row: &ScopeRow) -> Value {
    json!({
        "system": row.system,
        "categories": row.categories.iter().map(label).collect::<Vec<_>>().join(", "),
        "from": stamp(row.exposed_from),
        "to": stamp(row.exposed_to),
        "encrypted": row.encrypted,
        "key_compromised": row.key_compromised,
    })
}

/// A category as staff read it: its key with spaces.
fn label(category: DataCategory) -> String {
    category.as_str().replace('_', " ")
}

/// A date for a form field: the day when the instant is midnight UTC (a date field), the
/// whole timestamp otherwise (a text field, so saving again keeps it).
fn field_date(at: DateTime<Utc>) -> (String, &'static str) {
    if at.num_seconds_from_midnight() == 0 && at.nanosecond() == 0 {
        (at.format("%Y-%m-%d").to_string(), "date")
    } else {
        (stamp(at), "text")
    }
}

/// One row of the scope form: a declared system, or a blank one.
fn form_row(index: usize, row: Option<&ScopeRow>, systems: &[String]) -> Value {
    let chosen = row.map(|r| r.system.as_str());
    let mut options: Vec<Value> = systems
        .iter()
        .map(|name| json!({ "name": name, "selected": chosen == Some(name.as_str()) }))
        .collect();
    // A declared system the inventory no longer has stays choosable, so saving keeps it.
    if let Some(name) = chosen.filter(|c| !systems.iter().any(|s| s == c)) {
        options.push(json!({ "name": name, "selected": true }));
    }
    let categories: Vec<Value> = DataCategory::ALL
        .iter()
        .map(|c| {
            json!({
                "key": c.as_str(),
                "label": label(*c),
                "checked": row.is_some_and(|r| r.categories.contains(*c)),
            })
        })
        .collect();
    let (from, from_type) = row.map_or((String::new(), "date"), |r| field_date(r.exposed_from));
    let (to, to_type) = row.map_or((String::new(), "date"), |r| field_date(r.exposed_to));
    json!({
        "index": index,
        "number": index + 1,
        "systems": options,
        "categories": categories,
        "from": from,
        "from_type": from_type,
        "to": to,
        "to_type": to_type,
        "encrypted": row.is_some_and(|r| r.encrypted),
        "key_compromised": row.is_some_and(|r| r.key_compromised),
        "problems": [],
    })
}

/// One row of the scope form as it was posted and refused: every field as typed, with the
/// row's reasons, so nothing the person typed is lost.
fn posted_row(
    index: usize,
    row: &forms::PostedRow,
    systems: &[String],
    problems: &[String],
) -> Value {
    let chosen = row.system.trim();
    let mut options: Vec<Value> = systems
        .iter()
        .map(|name| json!({ "name": name, "selected": chosen == name.as_str() }))
        .collect();
    if !chosen.is_empty() && !systems.iter().any(|s| s == chosen) {
        options.push(json!({ "name": chosen, "selected": true }));
    }
    let categories: Vec<Value> = DataCategory::ALL
        .iter()
        .map(|c| {
            json!({
                "key": c.as_str(),
                "label": label(*c),
                "checked": row.categories.iter().any(|k| k == c.as_str()),
            })
        })
        .collect();
    // A day stays a date field; anything else typed stays text, so it shows as typed.
    let kind = |value: &str| {
        let day = value.is_empty() || chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok();
        if day { "date" } else { "text" }
    };
    json!({
        "index": index,
        "number": index + 1,
        "systems": options,
        "categories": categories,
        "from": row.from,
        "from_type": kind(&row.from),
        "to": row.to,
        "to_type": kind(&row.to),
        "encrypted": row.encrypted,
        "key_compromised": row.key_compromised,
        "problems": problems,
    })
}

/// The refused form's rows, in their order on the form, each with its reasons.
async fn posted_rows(
    state: &AppState,
    rows: &std::collections::BTreeMap<usize, forms::PostedRow>,
    problems: &[(Option<usize>, String)],
) -> Result<Value, String> {
    let systems = mapping_inventory(state).await?;
    Ok(Value::Array(
        rows.iter()
            .map(|(index, row)| {
                let mine: Vec<String> = problems
                    .iter()
                    .filter(|(number, _)| *number == Some(index + 1))
                    .map(|(_, why)| why.clone())
                    .collect();
                posted_row(*index, row, &systems, &mine)
            })
            .collect(),
    ))
}

/// The scope section's forms and download (the forensic upload is routed apart, under a
/// larger body limit).
pub(in super::super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/scope", post(save_scope))
        .route("/incidents/{id}/mapping", post(run_mapping))
        .route("/incidents/{id}/affected.csv", get(download_affected))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_midnight_is_a_date_field_and_any_other_time_keeps_its_timestamp() {
        let midnight = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert_eq!(field_date(midnight), ("2026-03-01".to_owned(), "date"));
        let later = Utc.with_ymd_and_hms(2026, 3, 1, 14, 30, 0).unwrap();
        assert_eq!(
            field_date(later),
            ("2026-03-01T14:30:00Z".to_owned(), "text")
        );
    }
}
