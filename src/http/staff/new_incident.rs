//! The "New incident" page: a form with the facts the incident use-case takes, open to
//! responders (others see it disabled with the reason). A refused form comes back with every
//! field as typed and each refused field's reason; an opened incident goes to its room.

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::facts::{self, FactsForm, Reasons};
use super::incidents::failed;
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::{IncidentKind, Role, Severity};
use crate::http::pages::guard::same_origin;
use crate::incident::{self, IncidentError, NewIncident};

const NOT_RESPONDER: &str = "Only a responder can open an incident.";

/// The empty form: medium severity, a data breach, discovered now (to the minute).
pub(super) async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    let now = state.clock.now();
    let blank = FactsForm {
        severity: Severity::Medium.as_str().to_owned(),
        kind: IncidentKind::DataBreach.as_str().to_owned(),
        discovered_at: now.format("%Y-%m-%dT%H:%M").to_string(),
        ..FactsForm::default()
    };
    show(
        &state,
        &staff,
        StatusCode::OK,
        &blank,
        &Reasons::new(),
        None,
    )
    .await
}

/// The page with the form as given, its reasons and a refusal at the top.
async fn show(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    form: &FactsForm,
    reasons: &Reasons,
    error: Option<&str>,
) -> Response {
    let people = match crate::auth::list_users(&state.db).await {
        Ok(people) => people,
        Err(e) => return failed(state, staff, &e),
    };
    let data = json!({
        "title": "New incident",
        "form": facts::view(form, reasons, &people),
        "can_open": staff.has(Role::Responder),
        "error": error,
    });
    view::page(state, Some(staff), status, "new_incident", data)
}

/// Opens the incident (responders) and goes to its room.
pub(super) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<FactsForm>,
) -> Response {
    let none = Reasons::new();
    if !(same_origin(&headers, &state.notices.public_url)
        && staff.csrf_ok(&state.pepper, form.csrf.as_deref()))
    {
        let why = "That form had expired or came from elsewhere; nothing was saved. Check the \
                   fields and open the incident again.";
        return show(
            &state,
            &staff,
            StatusCode::FORBIDDEN,
            &form,
            &none,
            Some(why),
        )
        .await;
    }
    if !staff.has(Role::Responder) {
        let status = StatusCode::FORBIDDEN;
        return show(&state, &staff, status, &form, &none, Some(NOT_RESPONDER)).await;
    }
    let parsed = match form.parse() {
        Ok(parsed) => parsed,
        Err(reasons) => return refused(&state, &staff, &form, &reasons).await,
    };
    let input = NewIncident {
        title: parsed.title,
        summary: parsed.summary,
        severity: parsed.severity,
        kind: parsed.kind,
        discovered_at: crate::domain::clock::to_micros(parsed.discovered_at),
        occurred_from: parsed.occurred_from.map(crate::domain::clock::to_micros),
        occurred_to: parsed.occurred_to.map(crate::domain::clock::to_micros),
        commander_id: parsed.commander_id,
    };
    let now = state.clock.now();
    match incident::create(&state.db, staff.actor(), input, now).await {
        Ok(created) => {
            crate::http::routes::playbook::attach_applicable(&state, staff.user.id, created.id)
                .await;
            Redirect::to(&format!("/incidents/{}?done=opened", created.id)).into_response()
        }
        Err(IncidentError::Invalid(problems)) => {
            refused(&state, &staff, &form, &facts::reasons_of(&problems)).await
        }
        Err(e) => failed(&state, &staff, &e),
    }
}

async fn refused(state: &AppState, staff: &Staff, form: &FactsForm, reasons: &Reasons) -> Response {
    let why = facts::summary_of(reasons);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show(state, staff, status, form, reasons, Some(&why)).await
}
