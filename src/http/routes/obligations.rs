//! `/api/v1/incidents/{id}/obligations`: what the law asks and by when, the stored history,
//! and duties done.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::http::auth::{AnyStaff, Authorized, Responders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::obligation::{self, DoneInput, DutyStatus};
use crate::rules::{Duty, JurisdictionResult, RiskLikelihood, TriggerMatch, Verification};
use crate::store::obligations::DutyRecord;

/// Evidence that a duty was done.
#[derive(Serialize, ToSchema)]
pub struct DoneView {
    pub done_at: DateTime<Utc>,
    pub done_by: Option<Uuid>,
    pub reference: String,
    pub evidence: String,
}

impl From<&DutyRecord> for DoneView {
    fn from(r: &DutyRecord) -> Self {
        Self {
            done_at: r.done_at,
            done_by: r.done_by,
            reference: r.reference.clone(),
            evidence: r.evidence.clone(),
        }
    }
}

/// A duty with where it stands.
#[derive(Serialize, ToSchema)]
pub struct TrackedDuty {
    #[serde(flatten)]
    pub duty: Duty,
    /// `pending`, `done`, `overdue`, `not_required` or `waiting` (no due time known).
    pub status: DutyStatus,
    /// Set once the duty is marked done.
    pub done: Option<DoneView>,
}

/// One law's verdict, with its duties tracked.
#[derive(Serialize, ToSchema)]
pub struct JurisdictionView {
    pub code: String,
    pub name: String,
    pub rules_version: u32,
    pub verification: Verification,
    pub citation: String,
    pub people_covered: i64,
    pub people_triggered: i64,
    pub triggers_matched: Vec<TriggerMatch>,
    pub safe_harbor_applies: bool,
    pub people_removed_by_safe_harbor: i64,
    pub risk_assessment: Option<RiskLikelihood>,
    pub removed_by_risk_assessment: Vec<String>,
    pub duties: Vec<TrackedDuty>,
}

/// What the law asks of an incident now.
#[derive(Serialize, ToSchema)]
pub struct ObligationsView {
    /// The rules pack's `RELEASE+HASH`.
    pub rules_version: String,
    /// The mapping whose population was used.
    pub mapping_id: Uuid,
    pub computed_at: DateTime<Utc>,
    pub jurisdictions: Vec<JurisdictionView>,
}

fn jurisdiction_view(
    j: JurisdictionResult,
    done: &std::collections::BTreeMap<String, DutyRecord>,
    now: DateTime<Utc>,
) -> JurisdictionView {
    let duties = j
        .duties
        .into_iter()
        .map(|duty| {
            let record = done.get(&duty.key);
            TrackedDuty {
                status: obligation::duty_status(&duty, record.is_some(), now),
                done: record.map(DoneView::from),
                duty,
            }
        })
        .collect();
    JurisdictionView {
        code: j.code,
        name: j.name,
        rules_version: j.rules_version,
        verification: j.verification,
        citation: j.citation,
        people_covered: j.people_covered,
        people_triggered: j.people_triggered,
        triggers_matched: j.triggers_matched,
        safe_harbor_applies: j.safe_harbor_applies,
        people_removed_by_safe_harbor: j.people_removed_by_safe_harbor,
        risk_assessment: j.risk_assessment,
        removed_by_risk_assessment: j.removed_by_risk_assessment,
        duties,
    }
}

/// The incident's obligations (any staff): for each law covering someone the current mapping
/// found, who is covered, which trigger sets matched, what the safe harbor and the risk
/// assessment removed, and each duty with its due time and `status`. A result that differs from
/// the last one stored (new mapping, events, assessment or rules) is kept in the history with
/// its rules version. 404 `not_mapped` before the first mapping.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/obligations", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses(
        (status = 200, body = ObligationsView),
        (status = 404, description = "No such incident, or `not_mapped`", body = ErrorBody),
    )
)]
pub async fn get_obligations(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ObligationsView>, ApiError> {
    let now = state.clock.now();
    let computed =
        obligation::compute(&state.db, &state.obligations, staff.actor(), id, now).await?;
    let done = computed.done;
    Ok(Json(ObligationsView {
        rules_version: computed.rules_version,
        mapping_id: computed.mapping_id,
        computed_at: computed.computed_at,
        jurisdictions: computed
            .jurisdictions
            .into_iter()
            .map(|j| jurisdiction_view(j, &done, now))
            .collect(),
    }))
}

/// One stored obligations result.
#[derive(Serialize, ToSchema)]
pub struct StoredResultView {
    pub id: Uuid,
    /// 1, 2, … for this incident.
    pub seq: i32,
    pub mapping_id: Uuid,
    pub rules_version: String,
    pub computed_at: DateTime<Utc>,
    /// The engine's verdicts as they were stored (without tracking status).
    #[schema(value_type = Vec<Object>)]
    pub jurisdictions: serde_json::Value,
}

/// Every distinct obligations result computed for the incident, oldest first (any staff).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/obligations/history", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Vec<StoredResultView>), (status = 404, body = ErrorBody))
)]
pub async fn get_obligation_history(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<StoredResultView>>, ApiError> {
    let history = obligation::history(&state.db, id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|h| StoredResultView {
                id: h.id,
                seq: h.seq,
                mapping_id: h.mapping_id,
                rules_version: h.rules_version,
                computed_at: h.computed_at,
                jurisdictions: h.jurisdictions,
            })
            .collect(),
    ))
}

/// Evidence that a duty was done.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneRequest {
    /// The recipient's reference (case number, mailing batch); required.
    pub reference: String,
    /// Where the proof is kept; may be empty.
    #[serde(default)]
    pub evidence: String,
    /// When it was done (default: now).
    pub done_at: Option<DateTime<Utc>>,
}

/// Mark one of the incident's duties done (responders). The key has a `/` in it: send it
/// percent-encoded (`US-CA%2Fattorney_general`). 404 `unknown_duty` for a key the incident's
/// obligations do not list; 409 `already_done` the second time.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/obligations/{duty_key}/done", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("duty_key" = String, Path, description = "`EU/regulator`, percent-encoded")),
    request_body = DoneRequest,
    responses(
        (status = 201, body = DoneView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn mark_duty_done(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath((id, duty_key)): ApiPath<(Uuid, String)>,
    ApiJson(body): ApiJson<DoneRequest>,
) -> Result<(StatusCode, Json<DoneView>), ApiError> {
    let input = DoneInput {
        reference: body.reference,
        evidence: body.evidence,
        done_at: body.done_at,
    };
    let record = obligation::mark_done(
        &state.db,
        &state.obligations,
        responder.actor(),
        id,
        &duty_key,
        input,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(DoneView::from(&record))))
}
