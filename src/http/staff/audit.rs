//! An incident's audit trail, and (for admins) the whole chain's verification.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::incidents::failed;
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::audit::{self, Verification};
use crate::domain::Role;
use crate::incident::{self, IncidentError};

/// Entries shown, at most.
const LIMIT: u64 = 1_000;

/// The incident's entries, oldest first (admins and responders), and the verification.
pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Response {
    if !(staff.has(Role::Admin) || staff.has(Role::Responder)) {
        let why = "Only admins and responders read the audit trail.";
        return view::problem(&state, Some(&staff), StatusCode::FORBIDDEN, why);
    }
    let incident = match incident::get(&state.db, id).await {
        Ok(i) => i,
        Err(IncidentError::NotFound) => {
            return view::problem(
                &state,
                Some(&staff),
                StatusCode::NOT_FOUND,
                "No such incident.",
            );
        }
        Err(e) => return failed(&state, &staff, &e),
    };
    let entries = match audit::list(&state.db, Some(id), 0, LIMIT).await {
        Ok(e) => e,
        Err(e) => return failed(&state, &staff, &e),
    };
    let verification = if staff.has(Role::Admin) {
        match audit::verify(&state.db).await {
            Ok(Verification::Intact { entries, head_hash }) => {
                json!({ "intact": true, "entries": entries, "head": head_hash })
            }
            Ok(Verification::Broken(problem)) => {
                json!({ "intact": false, "problem": problem.to_string() })
            }
            Err(e) => return failed(&state, &staff, &e),
        }
    } else {
        Value::Null
    };
    let rows: Vec<Value> = entries
        .iter()
        .map(|l| {
            let r = &l.record;
            json!({
                "seq": r.seq,
                "at": r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "actor": r.actor,
                "action": r.action,
                "summary": r.summary,
                "hash": &l.hash[..l.hash.len().min(12)],
            })
        })
        .collect();
    let data = json!({
        "title": format!("Audit: {}", incident.title),
        "incident": { "id": incident.id, "title": incident.title },
        "entries": rows,
        "more": entries.len() as u64 == LIMIT,
        "verification": verification,
    });
    view::page(&state, Some(&staff), StatusCode::OK, "audit", data)
}
