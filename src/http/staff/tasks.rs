//! A task a playbook's action opened (a report to file with an authority, a call to a VIP
//! customer) on a page of its own: what it asks, whose it is, its draft when it has one, and a
//! form closing it with a note for those holding its role. A refused close shows the page
//! again with the reason and the note as typed.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::incidents::failed;
use super::playbook::{email_of, sentence};
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::Role;
use crate::http::pages::guard::same_origin;
use crate::playbook::run::RunError;

/// The longest note, in characters (as the API).
const NOTE_MAX_CHARS: usize = 4_000;

#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    done: Option<String>,
}

/// The task's page.
pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, task)): Path<(Uuid, Uuid)>,
    Query(shown): Query<Shown>,
) -> Response {
    let done = shown
        .done
        .is_some()
        .then_some("The task was closed; the playbook goes on.");
    let page = Page {
        status: StatusCode::OK,
        done,
        error: None,
        note: "",
    };
    render(&state, &staff, (id, task), page).await
}

/// What the page shows beside the task.
struct Page<'a> {
    status: StatusCode,
    done: Option<&'a str>,
    error: Option<&'a str>,
    /// The note as typed, kept after a refusal.
    note: &'a str,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    (id, task): (Uuid, Uuid),
    page: Page<'_>,
) -> Response {
    let view = match state.runner.task(id, task).await {
        Ok(view) => view,
        Err(RunError::IncidentNotFound | RunError::TaskNotFound(_)) => {
            let why = "No such task on this incident.";
            return view::problem(state, Some(staff), StatusCode::NOT_FOUND, why);
        }
        Err(e) => return failed(state, staff, &e),
    };
    let people = match crate::auth::list_users(&state.db).await {
        Ok(people) => people,
        Err(e) => return failed(state, staff, &e),
    };
    let incident = match crate::incident::get(&state.db, id).await {
        Ok(incident) => incident,
        Err(e) => return failed(state, staff, &e),
    };
    let holds = view.owner.parse::<Role>().is_ok_and(|r| staff.has(r));
    let open = view.status == "open";
    let stamp = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let data = json!({
        "title": view.title,
        "incident": { "id": id, "title": incident.title },
        "task": {
            "id": view.id,
            "title": view.title,
            "step": view.step_id,
            "owner": view.owner,
            "status": view.status,
            "open": open,
            "due_at": view.due_at.map(stamp),
            "overdue": view.overdue,
            "draft": view.draft,
            "done_by": email_of(&people, view.done_by),
            "done_at": view.done_at.map(stamp),
            "note": view.note,
        },
        "may_close": open && holds,
        "why_not": (open && !holds).then(|| format!("Only someone holding the {} role can close this task.", view.owner)),
        "typed_note": page.note,
        "done": page.done,
        "error": page.error,
    });
    view::page(state, Some(staff), page.status, "task", data)
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    csrf: Option<String>,
    #[serde(default)]
    note: String,
}

/// Closes the task with a note (someone holding its role).
pub(super) async fn close(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, task)): Path<(Uuid, Uuid)>,
    Form(form): Form<CloseForm>,
) -> Response {
    let kept = (&state, &staff, (id, task), form.note.as_str());
    if !(same_origin(&headers, &state.notices.public_url)
        && staff.csrf_ok(&state.pepper, form.csrf.as_deref()))
    {
        let why = "That form had expired or came from elsewhere; nothing was changed. Try again.";
        return refuse(kept, StatusCode::FORBIDDEN, why).await;
    }
    let note = form.note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        let why = format!("The note must be at most {NOTE_MAX_CHARS} characters.");
        return refuse(kept, StatusCode::UNPROCESSABLE_ENTITY, &why).await;
    }
    let note = (!note.is_empty()).then(|| note.to_owned());
    let who = (staff.user.id, staff.roles.clone());
    match state.runner.close_task(who, id, task, note).await {
        Ok(_) => Redirect::to(&format!("/incidents/{id}/tasks/{task}?done=closed")).into_response(),
        Err(RunError::Db(e)) => failed(&state, &staff, &e),
        Err(e) => {
            let why = sentence(&e.to_string());
            let status = crate::http::error::ApiError::from(e).status;
            refuse(kept, status, &why).await
        }
    }
}

/// The task's page again with the refusal and the note as typed.
async fn refuse(
    (state, staff, ids, note): (&AppState, &Staff, (Uuid, Uuid), &str),
    status: StatusCode,
    why: &str,
) -> Response {
    let page = Page {
        status,
        done: None,
        error: Some(why),
        note,
    };
    render(state, staff, ids, page).await
}
