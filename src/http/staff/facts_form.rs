//! The room header's form changing an incident's facts (title, summary, severity, kind,
//! discovery and exposure times, commander) through the same use-case as the API's PATCH,
//! for responders. The form carries the version it was read at, so a change someone else made
//! meanwhile is not overwritten. A refused change shows the room with the form open, every
//! field as typed and each refused field's reason.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::facts::{self, FactsForm, Reasons};
use super::incidents::failed;
use super::room::{back, guard, refused_keeping};
use super::session::Staff;
use crate::app::AppState;
use crate::domain::Role;
use crate::domain::clock::to_micros;
use crate::incident::{self, IncidentChange, IncidentError};

const NOT_RESPONDER: &str = "Only a responder can change the incident's facts.";

/// Saves the header's form (responders).
pub(super) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<FactsForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    let none = Reasons::new();
    if !staff.has(Role::Responder) {
        return again(
            &state,
            &staff,
            id,
            StatusCode::FORBIDDEN,
            &form,
            &none,
            NOT_RESPONDER,
        )
        .await;
    }
    let parsed = match form.parse() {
        Ok(parsed) => parsed,
        Err(reasons) => {
            let why = facts::summary_of(&reasons);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return again(&state, &staff, id, status, &form, &reasons, &why).await;
        }
    };
    // Every field is sent; the use-case records only those that differ.
    let change = IncidentChange {
        title: Some(parsed.title),
        summary: Some(parsed.summary),
        severity: Some(parsed.severity),
        kind: Some(parsed.kind),
        discovered_at: Some(to_micros(parsed.discovered_at)),
        occurred_from: Some(parsed.occurred_from.map(to_micros)),
        occurred_to: Some(parsed.occurred_to.map(to_micros)),
        commander_id: Some(parsed.commander_id),
        expected_version: form.version,
    };
    let now = state.clock.now();
    match incident::update(&state.db, staff.actor(), id, change, now).await {
        Ok(_) => {
            crate::http::routes::playbook::attach_applicable(&state, staff.user.id, id).await;
            back(id, "facts", "header")
        }
        Err(IncidentError::Invalid(problems)) => {
            let reasons = facts::reasons_of(&problems);
            let why = facts::summary_of(&reasons);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            again(&state, &staff, id, status, &form, &reasons, &why).await
        }
        Err(IncidentError::VersionConflict { .. }) => {
            let why = "Someone else changed this incident since you opened the page, so nothing \
                       was saved. Their change shows in the header; your values are kept in the \
                       form below. Check them and save again.";
            // The next save is measured against what is stored now.
            let mut kept = form.clone();
            kept.version = incident::get(&state.db, id).await.ok().map(|i| i.version);
            again(&state, &staff, id, StatusCode::CONFLICT, &kept, &none, why).await
        }
        Err(IncidentError::NotFound) => {
            let status = StatusCode::NOT_FOUND;
            again(
                &state,
                &staff,
                id,
                status,
                &form,
                &none,
                "No such incident.",
            )
            .await
        }
        Err(e) => failed(&state, &staff, &e),
    }
}

/// The room again with the form open, as typed, with its reasons.
async fn again(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    form: &FactsForm,
    reasons: &Reasons,
    why: &str,
) -> Response {
    let people = match crate::auth::list_users(&state.db).await {
        Ok(people) => people,
        Err(e) => return failed(state, staff, &e),
    };
    let facts = json!({
        "form": facts::view(form, reasons, &people),
        "open": true,
        "error": why,
    });
    refused_keeping(state, staff, id, status, why, vec![(&["facts"], facts)]).await
}
