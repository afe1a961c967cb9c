//! `/api/v1/incidents/{id}/risk-assessment` and `…/events/{anchor}`: the facts people record
//! for the rules.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::http::auth::{AnyStaff, Authorized, Responders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::obligation::{self, RiskInput};
use crate::rules::{Anchor, RiskLikelihood};
use crate::store::obligations::RiskAssessment;

/// A risk assessment to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAssessmentRequest {
    /// `unlikely`, `possible` or `high`.
    pub likelihood: RiskLikelihood,
    /// Why harm is this likely (required).
    pub notes: String,
}

/// An incident's recorded risk assessment.
#[derive(Serialize, ToSchema)]
pub struct RiskAssessmentView {
    pub incident_id: Uuid,
    pub likelihood: RiskLikelihood,
    pub notes: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: DateTime<Utc>,
}

impl From<RiskAssessment> for RiskAssessmentView {
    fn from(r: RiskAssessment) -> Self {
        Self {
            incident_id: r.incident_id,
            likelihood: r.likelihood,
            notes: r.notes,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

/// Record (or replace) the incident's risk assessment (responders). Some laws let a recorded
/// assessment that harm is unlikely remove duties; without one nothing is removed.
#[utoipa::path(
    put, path = "/api/v1/incidents/{id}/risk-assessment", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = RiskAssessmentRequest,
    responses(
        (status = 200, body = RiskAssessmentView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_risk_assessment(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RiskAssessmentRequest>,
) -> Result<Json<RiskAssessmentView>, ApiError> {
    let input = RiskInput {
        likelihood: body.likelihood,
        notes: body.notes,
    };
    let recorded =
        obligation::record_risk(&state.db, responder.actor(), id, input, state.clock.now()).await?;
    Ok(Json(recorded.into()))
}

/// The incident's risk assessment (any staff); 404 `not_assessed` before one is recorded.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/risk-assessment", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = RiskAssessmentView), (status = 404, body = ErrorBody))
)]
pub async fn get_risk_assessment(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RiskAssessmentView>, ApiError> {
    Ok(Json(
        obligation::risk_assessment(&state.db, id).await?.into(),
    ))
}

/// When an event happened.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    pub at: DateTime<Utc>,
}

/// A recorded event.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub anchor: Anchor,
    pub at: DateTime<Utc>,
}

/// Record when an event a legal clock counts from happened (responders): `determination`,
/// `materiality_determination`, `assessment`, `individual_notice`, `regulator_notice`,
/// `extortion_payment` or `malicious_act_suspected`. Recording it again moves it. Discovery
/// comes from the incident's `discovered_at`; an unknown anchor is 422 naming it.
#[utoipa::path(
    put, path = "/api/v1/incidents/{id}/events/{anchor}", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("anchor" = String, Path, description = "The event")),
    request_body = EventRequest,
    responses(
        (status = 200, body = EventView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_event(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath((id, anchor)): ApiPath<(Uuid, String)>,
    ApiJson(body): ApiJson<EventRequest>,
) -> Result<Json<EventView>, ApiError> {
    let (anchor, at) = obligation::record_event(
        &state.db,
        responder.actor(),
        id,
        &anchor,
        body.at,
        state.clock.now(),
    )
    .await?;
    Ok(Json(EventView { anchor, at }))
}
