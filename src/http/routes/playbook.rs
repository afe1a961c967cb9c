//! Playbooks on an incident: its runs with every step's status, owner, due time and what
//! blocks it; attaching a playbook; completing a task and approving a gate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::http::auth::{AnyStaff, Authorized, IncidentTeam};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::playbook::run::{Act, RunView, TaskView};

/// The incident's playbook runs (any role), oldest first.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/playbook", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Vec<RunView>), (status = 404, body = ErrorBody))
)]
pub async fn get_playbook(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<RunView>>, ApiError> {
    Ok(Json(state.runner.view(id).await?))
}

/// Which playbook to attach.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    pub playbook_id: String,
}

/// Attach a playbook to the incident (incident team): its run starts, pinned to the
/// playbook's current version. 201 with the run; 200 with the run already attached.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/playbook", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = AttachRequest,
    responses((status = 201, body = RunView), (status = 200, body = RunView), (status = 404, body = ErrorBody))
)]
pub async fn attach_playbook(
    State(state): State<AppState>,
    member: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<AttachRequest>,
) -> Result<(StatusCode, Json<RunView>), ApiError> {
    let (run, created) = state
        .runner
        .attach(Some(member.0.user.id), id, request.playbook_id.trim())
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(run)))
}

/// Completing a task.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What was done, with the evidence (links, references).
    pub note: Option<String>,
    /// The run, when the step id is in more than one of the incident's playbooks.
    pub run: Option<Uuid>,
}

/// Complete a task (someone holding the step's owning role), or finish a failed action by
/// hand. 403 without the role; 409 `step_not_ready`, `already_done`, `wrong_kind`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/playbook/steps/{step}/complete", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("step" = String, Path, description = "Step id")),
    request_body(content = CompleteRequest, description = "Optional: a note"),
    responses((status = 200, body = RunView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn complete_step(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath((id, step)): ApiPath<(Uuid, String)>,
    body: Option<ApiJson<CompleteRequest>>,
) -> Result<Json<RunView>, ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    let user = (staff.0.user.id, staff.0.roles.clone());
    let note = note(request.note)?;
    let run = state
        .runner
        .act(user, id, request.run, &step, Act::Complete { note })
        .await?;
    Ok(Json(run))
}

/// Approving a gate.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The answer to the gate's question, when it asks one.
    pub decision: Option<bool>,
    pub note: Option<String>,
    /// The run, when the step id is in more than one of the incident's playbooks.
    pub run: Option<Uuid>,
}

/// Approve a gate (someone holding the gate's role), answering its question when it asks
/// one. 403 without the role; 409 `step_not_ready`, `decision_required`, `wrong_kind`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/playbook/steps/{step}/approve", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("step" = String, Path, description = "Step id")),
    request_body(content = ApproveRequest, description = "Optional: the decision and a note"),
    responses((status = 200, body = RunView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn approve_step(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath((id, step)): ApiPath<(Uuid, String)>,
    body: Option<ApiJson<ApproveRequest>>,
) -> Result<Json<RunView>, ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    let user = (staff.0.user.id, staff.0.roles.clone());
    let act = Act::Approve {
        decision: request.decision,
        note: note(request.note)?,
    };
    Ok(Json(
        state.runner.act(user, id, request.run, &step, act).await?,
    ))
}

/// Giving a step to a person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The staff member (holding the step's role); null takes it back.
    pub user_id: Option<Uuid>,
    /// The run, when the step id is in more than one of the incident's playbooks.
    pub run: Option<Uuid>,
}

/// Give a step to a person holding its role, or take it back (someone holding the role): its
/// overdue warnings then go to them alone before the commander. 403 without the role; 422
/// when the person lacks it; 409 `already_done`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/playbook/steps/{step}/assign", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("step" = String, Path, description = "Step id")),
    request_body = AssignRequest,
    responses((status = 200, body = RunView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn assign_step(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath((id, step)): ApiPath<(Uuid, String)>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<RunView>, ApiError> {
    let user = (staff.0.user.id, staff.0.roles.clone());
    let act = Act::Assign {
        to: request.user_id,
    };
    Ok(Json(
        state.runner.act(user, id, request.run, &step, act).await?,
    ))
}

/// A task a playbook action opened, with its draft (a regulator report in Markdown) when it
/// has one (any role).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/playbook/tasks/{task}", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("task" = Uuid, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody))
)]
pub async fn get_task(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath((id, task)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(state.runner.task(id, task).await?))
}

/// Closing a task.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseTaskRequest {
    /// What was done: the filing's reference, how the call went.
    pub note: Option<String>,
}

/// Close a task (someone holding its role), with a note. 403 without the role; 409
/// `task_closed` when it already is.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/playbook/tasks/{task}/complete", tag = "playbooks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("task" = Uuid, Path, description = "Task id")),
    request_body(content = CloseTaskRequest, description = "Optional: a note"),
    responses((status = 200, body = TaskView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn complete_task(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath((id, task)): ApiPath<(Uuid, Uuid)>,
    body: Option<ApiJson<CloseTaskRequest>>,
) -> Result<Json<TaskView>, ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    let user = (staff.0.user.id, staff.0.roles.clone());
    let note = note(request.note)?;
    Ok(Json(state.runner.close_task(user, id, task, note).await?))
}

/// Attaches the playbooks whose `applies_when` the incident now meets, after a change that
/// may make one apply (opening it, changing it, setting its scope). The change itself stands
/// whatever happens here: a failure is logged, and the next change tries again.
pub(crate) async fn attach_applicable(state: &AppState, by: Uuid, incident_id: Uuid) {
    if !state.playbook_auto_attach {
        return;
    }
    match state.runner.attach_applicable(Some(by), incident_id).await {
        Ok(started) => {
            for run in started {
                tracing::info!(incident = %incident_id, run = %run.id, playbook = %run.playbook_id, "playbook attached by its applies_when");
            }
        }
        Err(e) => {
            tracing::error!(incident = %incident_id, error = %e, "attaching the incident's playbooks failed");
        }
    }
}

/// The longest note, in characters.
const NOTE_MAX_CHARS: usize = 4_000;

fn note(note: Option<String>) -> Result<Option<String>, ApiError> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("note must be at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    Ok(note)
}
