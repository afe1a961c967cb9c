//! `/api/v1/incidents`: open, list, read, change and move incidents.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{Incident, IncidentKind, IncidentStatus, Severity};
use crate::http::auth::{AnyStaff, Authorized, Responders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::routes::timeline::TimelineEntryView;
use crate::incident::{self, IncidentChange, NewIncident};
use crate::store::incidents::ListFilter;

/// An incident.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    /// `data_breach`, `credential_exposure`, `lost_device`, `ransomware` or `other`.
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    /// The moves allowed from the current status.
    pub next_statuses: Vec<IncidentStatus>,
    /// When the company became aware; legal clocks start here.
    pub discovered_at: DateTime<Utc>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub commander_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; send it back as `version` on PATCH to avoid lost updates.
    pub version: i32,
    /// Follow-up actions from the survey still open (on one incident's answers; absent in
    /// lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_follow_up_actions: Option<u64>,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> Self {
        Self {
            next_statuses: i.status.next_allowed().to_vec(),
            id: i.id,
            title: i.title,
            summary: i.summary,
            severity: i.severity,
            kind: i.kind,
            status: i.status,
            discovered_at: i.discovered_at,
            occurred_from: i.occurred_from,
            occurred_to: i.occurred_to,
            commander_id: i.commander_id,
            created_by: i.created_by,
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
            open_follow_up_actions: None,
        }
    }
}

/// A new incident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIncidentRequest {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub severity: Severity,
    /// What sort of incident (default `data_breach`); playbooks attach by kind.
    pub kind: Option<IncidentKind>,
    pub discovered_at: DateTime<Utc>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    /// The user leading the response.
    pub commander_id: Option<Uuid>,
}

/// A change to an incident's facts. Absent fields stay as they are; `null` clears an optional
/// field. The status moves through `POST …/status`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIncidentRequest {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub discovered_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub occurred_from: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub occurred_to: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub commander_id: Option<Option<Uuid>>,
    /// The version you last read; if someone changed the incident since, the answer is 409.
    pub version: Option<i32>,
}

// Distinguishes a field sent as `null` (Some(None): clear it) from one left out (None).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A lifecycle move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: IncidentStatus,
    /// Why; recorded on the timeline.
    pub note: Option<String>,
}

/// The incident after the move and the timeline entry that records it.
#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    pub incident: IncidentView,
    pub timeline_entry: TimelineEntryView,
    /// What the move leaves undone (closing with follow-up actions still open).
    pub warnings: Vec<String>,
}

/// Listing filters and paging.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    pub per_page: Option<u64>,
}

/// One page of incidents, newest first.
#[derive(Serialize, ToSchema)]
pub struct IncidentPage {
    pub items: Vec<IncidentView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

/// List incidents, newest first.
#[utoipa::path(
    get, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = IncidentPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    if page == 0 || !(1..=200).contains(&per_page) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "page starts at 1 and per_page must be between 1 and 200",
        ));
    }
    let filter = ListFilter {
        status: query.status,
        severity: query.severity,
        kind: query.kind,
    };
    let offset = (page - 1).saturating_mul(per_page);
    let (items, total) = incident::list(&state.db, &filter, offset, per_page).await?;
    Ok(Json(IncidentPage {
        items: items.into_iter().map(IncidentView::from).collect(),
        page,
        per_page,
        total,
    }))
}

/// Open an incident (responders).
#[utoipa::path(
    post, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    request_body = CreateIncidentRequest,
    responses(
        (status = 201, body = IncidentView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_incident(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiJson(body): ApiJson<CreateIncidentRequest>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    let input = NewIncident {
        title: body.title,
        summary: body.summary,
        severity: body.severity,
        kind: body.kind.unwrap_or(IncidentKind::DataBreach),
        discovered_at: crate::domain::clock::to_micros(body.discovered_at),
        occurred_from: body.occurred_from.map(crate::domain::clock::to_micros),
        occurred_to: body.occurred_to.map(crate::domain::clock::to_micros),
        commander_id: body.commander_id,
    };
    let created = incident::create(&state.db, responder.actor(), input, state.clock.now()).await?;
    super::playbook::attach_applicable(&state, responder.0.user.id, created.id).await;
    let mut view: IncidentView = created.into();
    view.open_follow_up_actions = Some(0);
    Ok((StatusCode::CREATED, Json(view)))
}

/// Read one incident.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = IncidentView), (status = 404, body = ErrorBody))
)]
pub async fn get_incident(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<IncidentView>, ApiError> {
    let mut view: IncidentView = incident::get(&state.db, id).await?.into();
    view.open_follow_up_actions = Some(crate::survey::open_action_count(&state.db, id).await?);
    Ok(Json(view))
}

/// Change an incident's facts (responders).
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = UpdateIncidentRequest,
    responses(
        (status = 200, body = IncidentView), (status = 404, body = ErrorBody),
        (status = 409, description = "Changed by someone else since `version`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update_incident(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateIncidentRequest>,
) -> Result<Json<IncidentView>, ApiError> {
    use crate::domain::clock::to_micros;
    let change = IncidentChange {
        title: body.title,
        summary: body.summary,
        severity: body.severity,
        kind: body.kind,
        discovered_at: body.discovered_at.map(to_micros),
        occurred_from: body.occurred_from.map(|v| v.map(to_micros)),
        occurred_to: body.occurred_to.map(|v| v.map(to_micros)),
        commander_id: body.commander_id,
        expected_version: body.version,
    };
    let updated =
        incident::update(&state.db, responder.actor(), id, change, state.clock.now()).await?;
    super::playbook::attach_applicable(&state, responder.0.user.id, id).await;
    let mut view: IncidentView = updated.into();
    view.open_follow_up_actions = Some(crate::survey::open_action_count(&state.db, id).await?);
    Ok(Json(view))
}

/// Move an incident through its lifecycle (responders). A move the lifecycle does not allow
/// is 409 `invalid_transition`, naming both states.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/status", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = StatusRequest,
    responses(
        (status = 200, body = StatusResponse), (status = 404, body = ErrorBody),
        (status = 409, description = "Move not allowed from the current status", body = ErrorBody),
    )
)]
pub async fn change_status(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    let (incident, entry) = incident::change_status(
        &state.db,
        responder.actor(),
        id,
        body.status,
        body.note,
        state.clock.now(),
    )
    .await?;
    let warnings = match incident.status {
        IncidentStatus::Closed => crate::survey::close_warnings(&state.db, id).await?,
        _ => Vec::new(),
    };
    let mut view: IncidentView = incident.into();
    view.open_follow_up_actions = Some(crate::survey::open_action_count(&state.db, id).await?);
    Ok(Json(StatusResponse {
        incident: view,
        timeline_entry: entry.into(),
        warnings,
    }))
}
