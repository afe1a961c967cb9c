//! `/api/v1/incidents/{id}/mapping`, `…/impact` and `…/affected`: compute who an incident
//! affects in the background, then read the summary and the people.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::DataCategory;
use crate::http::auth::{AnyStaff, Authorized, IncidentTeam, Responders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::mapping::{self, AffectedPerson, Impact};
use crate::store::mapping::RunRow;

/// A queued mapping run.
#[derive(Serialize, ToSchema)]
pub struct MappingStarted {
    pub id: Uuid,
    /// `queued`.
    pub status: String,
}

/// A finished run's counts.
#[derive(Serialize, ToSchema)]
pub struct MappingResultView {
    pub affected_people: i64,
    pub unmatched_people: i64,
    /// People not in the previous mapping (all of them for the first).
    pub added_people: i64,
    /// People of the previous mapping no longer affected.
    pub removed_people: i64,
}

/// A mapping run.
#[derive(Serialize, ToSchema)]
pub struct MappingRunView {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// `queued`, `running`, `succeeded` (the current mapping), `superseded` (replaced by a
    /// newer run) or `failed`.
    pub status: String,
    /// `waiting`, `computing` or `done`; for a failed run, where it stopped.
    pub phase: String,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The counts, once the run has succeeded.
    pub result: Option<MappingResultView>,
    /// Why the run failed (never personal data).
    pub error: Option<String>,
}

impl From<RunRow> for MappingRunView {
    fn from(r: RunRow) -> Self {
        let result = match (r.affected_people, r.unmatched_people) {
            (Some(affected), Some(unmatched)) => Some(MappingResultView {
                affected_people: affected,
                unmatched_people: unmatched,
                added_people: r.added_people.unwrap_or(0),
                removed_people: r.removed_people.unwrap_or(0),
            }),
            _ => None,
        };
        Self {
            id: r.id,
            incident_id: r.incident_id,
            status: r.status.as_str().to_owned(),
            phase: r.phase,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            result,
            error: r.error,
        }
    }
}

/// Start mapping who the incident affects (responders). Answers 202 at once with the run's
/// id; poll `GET …/mapping/{run_id}`. The whole result is computed and swapped in at once
/// (the run goes from `computing` to `done`, its counts appear with it); a run interrupted by
/// a restart is computed again when the service starts. 409 `mapping_in_progress` while
/// another run of the incident is queued or running.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/mapping", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses(
        (status = 202, body = MappingStarted), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn start_mapping(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let run = mapping::request_mapping(&state.db, responder.actor(), id, state.clock.now()).await?;
    state.mapping.spawn(run.id);
    let location = format!("/api/v1/incidents/{id}/mapping/{}", run.id);
    let body = MappingStarted {
        id: run.id,
        status: run.status.as_str().to_owned(),
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// A mapping run: status, phase, counts, error (any staff).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/mapping/{run_id}", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("run_id" = Uuid, Path, description = "Mapping run id")),
    responses((status = 200, body = MappingRunView), (status = 404, body = ErrorBody))
)]
pub async fn get_mapping_run(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath((id, run_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<MappingRunView>, ApiError> {
    Ok(Json(mapping::get_run(&state.db, id, run_id).await?.into()))
}

/// The impact of the current mapping.
#[derive(Serialize, ToSchema)]
pub struct ImpactView {
    pub affected_people: i64,
    pub unmatched_people: i64,
    /// People per jurisdiction (`US-CA`, `CA-ON`, `DE`, `unknown` for unmatched people);
    /// plus `EU`: everyone in an EU country, who is also counted under their country.
    pub by_jurisdiction: BTreeMap<String, i64>,
    /// People per exposed data category (a person counts once per category); categories
    /// nobody has are left out.
    pub by_category: BTreeMap<DataCategory, i64>,
    /// When the current mapping was computed.
    pub mapped_at: DateTime<Utc>,
}

impl From<Impact> for ImpactView {
    fn from(i: Impact) -> Self {
        Self {
            affected_people: i.affected_people,
            unmatched_people: i.unmatched_people,
            by_jurisdiction: i.by_jurisdiction,
            by_category: i.by_category,
            mapped_at: i.mapped_at,
        }
    }
}

/// Who the incident affects, in counts (any staff), from the newest succeeded mapping. 404
/// `not_mapped` when the incident has never been mapped. People in the EU are counted under
/// their country code and again under `EU` (for the GDPR), so `by_jurisdiction` adds up to
/// more than `affected_people` when anyone is in the EU.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/impact", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses(
        (status = 200, body = ImpactView),
        (status = 404, description = "No such incident, or `not_mapped`", body = ErrorBody),
    )
)]
pub async fn get_impact(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ImpactView>, ApiError> {
    Ok(Json(mapping::impact(&state.db, id).await?.into()))
}

/// Paging.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AffectedQuery {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// People per page, 1 to 500 (default 100).
    pub per_page: Option<u64>,
}

/// One affected person.
#[derive(Serialize, ToSchema)]
pub struct AffectedPersonView {
    /// Opaque and stable while the person is known the same way.
    pub id: String,
    pub customer_ref: Option<String>,
    pub name: Option<String>,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub categories: Vec<DataCategory>,
    pub systems: Vec<String>,
    pub record_count: i64,
    /// No customer of the inventory matched their records.
    pub unmatched: bool,
    /// One plain sentence: which of their data, where, when.
    pub why: String,
}

impl From<AffectedPerson> for AffectedPersonView {
    fn from(p: AffectedPerson) -> Self {
        Self {
            id: p.id,
            customer_ref: p.customer_ref,
            name: p.name,
            jurisdiction: p.jurisdiction,
            in_eu: p.in_eu,
            categories: p.categories,
            systems: p.systems,
            record_count: p.record_count,
            unmatched: p.unmatched,
            why: p.why,
        }
    }
}

/// A page of affected people.
#[derive(Serialize, ToSchema)]
pub struct AffectedPageView {
    pub items: Vec<AffectedPersonView>,
    pub page: u64,
    pub per_page: u64,
    pub total: i64,
    pub mapping_id: Uuid,
    pub mapped_at: DateTime<Utc>,
}

/// The people the current mapping found (responders and CX leads), in a stable order. With
/// `Accept: text/csv` the whole list streams as CSV (paging is ignored); the columns are
/// `id,customer_ref,name,jurisdiction,in_eu,categories,systems,record_count,unmatched,why`
/// with `;` between categories and between systems. 404 `not_mapped` when never mapped.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/affected", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), AffectedQuery),
    responses(
        (status = 200, content(
            (AffectedPageView = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn list_affected(
    State(state): State<AppState>,
    _member: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AffectedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if wants_csv(&headers) {
        let export = mapping::affected_csv(&state.db, &state.pepper, id).await?;
        return Ok(csv_download(export, id));
    }
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(100);
    if page == 0 || !(1..=500).contains(&per_page) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "page starts at 1 and per_page must be between 1 and 500",
        ));
    }
    let offset = (page - 1).saturating_mul(per_page);
    let found = mapping::affected_page(&state.db, &state.pepper, id, offset, per_page).await?;
    let body = AffectedPageView {
        items: found.items.into_iter().map(Into::into).collect(),
        page,
        per_page,
        total: found.total,
        mapping_id: found.mapping_id,
        mapped_at: found.mapped_at,
    };
    Ok(Json(body).into_response())
}

fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|mime| {
            let mime = mime.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("text/csv")
        })
}

/// The affected list as a CSV download (`affected-{id}.csv`), streamed.
pub(crate) fn csv_download(export: mapping::CsvExport, id: Uuid) -> Response {
    let disposition = format!("attachment; filename=\"affected-{id}.csv\"");
    let mut response = Body::from_stream(export.into_stream()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
