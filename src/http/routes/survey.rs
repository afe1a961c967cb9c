//! The follow-up survey, staff side: its schedule, inviting now, results with NPS, responses
//! and their CSV, follow-up actions, and revoking a person's link. Answers and comments are
//! personal data: only CX leads and admins read them.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::audit::Actor;
use crate::domain::survey::ActionStatus;
use crate::http::auth::{Authorized, CxLeads, IncidentTeam, SurveyReaders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::survey::{
    self, Action, ActionChange, InviteReport, NewAction, ResponseView, Results, Schedule,
    ScheduleInput,
};

/// The survey's results (CX leads and admins): invited, responded, response rate, NPS with its score
/// distribution, the clarity average, all of it by jurisdiction and by tier, the latest
/// comments and how many follow-up actions are open.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/survey", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Results), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_survey(
    State(state): State<AppState>,
    _reader: Authorized<SurveyReaders>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Results>, ApiError> {
    Ok(Json(survey::results(&state.db, id).await?))
}

/// The survey's schedule (incident team); 404 `not_scheduled` when none is set.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/survey/schedule", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Schedule), (status = 404, body = ErrorBody))
)]
pub async fn get_schedule(
    State(state): State<AppState>,
    _member: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Schedule>, ApiError> {
    state.surveys.schedule(id).await?.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_scheduled",
            "the survey has no schedule; PUT one to start it",
        )
    })
}

/// Set the survey's schedule (CX leads): invitations `invite_after_days` (default 7) after
/// each person's notice was delivered, and one reminder `remind_after_days` (default 5; null
/// for none) after the invitation to people who have not answered. The survey worker sends
/// them when due, once an approved `survey-invitation` (and `survey-reminder`) notice exists.
#[utoipa::path(
    put, path = "/api/v1/incidents/{id}/survey/schedule", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = ScheduleInput,
    responses((status = 200, body = Schedule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_schedule(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        state
            .surveys
            .set_schedule((lead.0.user.id, Actor::User(lead.0.user.id)), id, input)
            .await?,
    ))
}

/// Send the survey now (CX leads): invite everyone whose notice was delivered and who has no
/// invitation yet, and remind those the schedule says are due the reminder. People whose
/// notice bounced, who answered, or who asked for legally required notices only are left out;
/// weekly people get theirs in their weekly slot. 409 `no_invitation` without an approved
/// `survey-invitation` notice, `survey_closed` after its closing day.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/survey/invite", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = InviteReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn invite(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<InviteReport>, ApiError> {
    Ok(Json(state.surveys.invite_now(lead.0.user.id, id).await?))
}

/// Which responses to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResponsesQuery {
    /// Only responses with a comment.
    #[serde(default)]
    pub commented: bool,
    /// Responses after this one (the previous page's last id).
    pub after: Option<Uuid>,
    /// Responses per page, 1 to 500 (default 100).
    pub limit: Option<u64>,
}

/// The survey's responses, oldest first (CX leads and admins).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/survey/responses", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ResponsesQuery),
    responses((status = 200, body = Vec<ResponseView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_responses(
    State(state): State<AppState>,
    _reader: Authorized<SurveyReaders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ResponsesQuery>,
) -> Result<Json<Vec<ResponseView>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "limit must be between 1 and 500",
        ));
    }
    Ok(Json(
        survey::responses(&state.db, id, query.after, query.commented, limit).await?,
    ))
}

/// Every response as CSV (CX leads and admins).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/survey/responses.csv", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn responses_csv(
    State(state): State<AppState>,
    _reader: Authorized<SurveyReaders>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let csv = survey::responses_csv(&state.db, id).await?;
    let mut response = Body::from(csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"survey-{id}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Turn a response into a follow-up action (CX leads): for a detractor's score (0–6) or a
/// comment, owned by a CX lead (the caller by default). 201; 409 `action_exists` or
/// `nothing_to_follow_up`; 422 when the owner is not an active CX lead.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/survey/responses/{rid}/action", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("rid" = Uuid, Path, description = "Response id")),
    request_body(content = NewAction, description = "Optional: owner and title"),
    responses((status = 201, body = Action), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_action(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath((id, rid)): ApiPath<(Uuid, Uuid)>,
    body: Option<ApiJson<NewAction>>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    let input = body.map(|b| b.0).unwrap_or_default();
    let action =
        survey::create_action(&state.db, lead.0.user.id, id, rid, input, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(action)))
}

/// Which actions to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActionsQuery {
    /// Only actions in this status.
    pub status: Option<ActionStatus>,
}

/// The incident's follow-up actions, oldest first (CX leads and admins).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/actions", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ActionsQuery),
    responses((status = 200, body = Vec<Action>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_actions(
    State(state): State<AppState>,
    _reader: Authorized<SurveyReaders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ActionsQuery>,
) -> Result<Json<Vec<Action>>, ApiError> {
    Ok(Json(
        survey::list_actions(&state.db, id, query.status).await?,
    ))
}

/// Change a follow-up action (CX leads): hand it to another CX lead, note the resolution,
/// close it (a resolution note is required: 422 `resolution_required`) or reopen it.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/actions/{aid}", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("aid" = Uuid, Path, description = "Action id")),
    request_body = ActionChange,
    responses((status = 200, body = Action), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update_action(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath((id, aid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(change): ApiJson<ActionChange>,
) -> Result<Json<Action>, ApiError> {
    Ok(Json(
        survey::update_action(
            &state.db,
            lead.0.user.id,
            id,
            aid,
            change,
            state.clock.now(),
        )
        .await?,
    ))
}

/// Whose link to revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The person's reference in the inventory.
    pub customer_ref: String,
}

/// What a revocation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub link_id: Uuid,
    /// False when the link was already revoked.
    pub revoked: bool,
}

/// Revoke a person's link (CX leads): their personal page and survey links stop working (for
/// a forwarded notice, say). 404 `no_link` when the person has no message for the incident.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/links/revoke", tag = "survey", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = RevokeRequest,
    responses((status = 200, body = Revoked), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revoke_link(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> Result<Json<Revoked>, ApiError> {
    let (link_id, revoked) = survey::revoke_link(
        &state.db,
        lead.0.user.id,
        id,
        request.customer_ref.trim(),
        state.clock.now(),
    )
    .await?;
    Ok(Json(Revoked { link_id, revoked }))
}
