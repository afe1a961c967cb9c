//! `/api/v1/incidents/{id}/timeline`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{TimelineEntry, TimelineKind};
use crate::http::auth::{AnyStaff, Authorized, IncidentTeam};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::incident::{self, NewTimelineEntry};

/// One timeline entry.
#[derive(Serialize, ToSchema)]
pub struct TimelineEntryView {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// When it happened.
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub text: String,
    /// The user who wrote it.
    pub author_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<TimelineEntry> for TimelineEntryView {
    fn from(e: TimelineEntry) -> Self {
        Self {
            id: e.id,
            incident_id: e.incident_id,
            at: e.at,
            kind: e.kind,
            text: e.text,
            author_id: e.author_id,
            created_at: e.created_at,
        }
    }
}

/// A new entry. `status_change` and `alert` entries are written by Candor itself.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTimelineEntryRequest {
    /// When it happened (default: now).
    pub at: Option<DateTime<Utc>>,
    pub kind: TimelineKind,
    pub text: String,
}

/// An incident's timeline, in the order things happened.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/timeline", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Vec<TimelineEntryView>), (status = 404, body = ErrorBody))
)]
pub async fn list_timeline(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<TimelineEntryView>>, ApiError> {
    let entries = incident::timeline(&state.db, id).await?;
    Ok(Json(
        entries.into_iter().map(TimelineEntryView::from).collect(),
    ))
}

/// Add a timeline entry (responders and CX leads).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/timeline", tag = "incidents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = CreateTimelineEntryRequest,
    responses((status = 201, body = TimelineEntryView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_timeline_entry(
    State(state): State<AppState>,
    member: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateTimelineEntryRequest>,
) -> Result<(StatusCode, Json<TimelineEntryView>), ApiError> {
    let input = NewTimelineEntry {
        at: body.at,
        kind: body.kind,
        text: body.text,
    };
    let entry =
        incident::add_timeline_entry(&state.db, member.actor(), id, input, state.clock.now())
            .await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}
