//! `/api/v1/incidents/{id}/scope`: declare which systems, data categories and time window an
//! incident exposed, and upload forensic lists of the exact records taken.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::DataCategory;
use crate::http::auth::{AnyStaff, Authorized, Responders};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, media_type, unsupported_media_type};
use crate::mapping::{self, Scope, ScopeSystemInput};

/// One exposed system.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeSystemRequest {
    /// A system of the inventory, such as `billing-db`.
    pub system: String,
    /// The data categories exposed (at least one); only categories the system also holds for a
    /// person count for them.
    pub categories: Vec<DataCategory>,
    /// Start of the exposure window: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
    pub from: String,
    /// End of the exposure window (inclusive), not before `from`.
    pub to: String,
    /// Whether the exposed data was encrypted. Stored and shown; whether that is a safe harbor
    /// is for the obligations to decide.
    #[serde(default)]
    pub encrypted: bool,
    /// Whether the key was compromised too (only with `encrypted`).
    #[serde(default)]
    pub key_compromised: bool,
}

/// An incident's whole scope.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeRequest {
    /// Replaces the scope as a whole; an empty list clears it.
    pub systems: Vec<ScopeSystemRequest>,
}

/// One exposed system as declared.
#[derive(Serialize, ToSchema)]
pub struct ScopeSystemView {
    pub system: String,
    pub categories: Vec<DataCategory>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub encrypted: bool,
    pub key_compromised: bool,
    /// Records on this system's forensic list; 0 when it has none (then every record held in
    /// the window counts).
    pub forensic_records: i64,
}

/// An incident's scope.
#[derive(Serialize, ToSchema)]
pub struct ScopeView {
    pub systems: Vec<ScopeSystemView>,
    /// Records listed per system, for every system with a forensic list (in scope or not).
    pub forensic_lists: std::collections::BTreeMap<String, i64>,
}

impl From<Scope> for ScopeView {
    fn from(scope: Scope) -> Self {
        let forensic_lists: std::collections::BTreeMap<String, i64> =
            scope.forensic_lists.into_iter().collect();
        Self {
            systems: scope
                .systems
                .into_iter()
                .map(|s| ScopeSystemView {
                    forensic_records: forensic_lists.get(&s.system).copied().unwrap_or(0),
                    categories: s.categories.iter().collect(),
                    system: s.system,
                    from: s.exposed_from,
                    to: s.exposed_to,
                    encrypted: s.encrypted,
                    key_compromised: s.key_compromised,
                })
                .collect(),
            forensic_lists,
        }
    }
}

/// What a forensic list upload changed.
#[derive(Serialize, ToSchema)]
pub struct ForensicListView {
    /// Systems whose list the file replaced.
    pub systems: usize,
    /// Distinct records now listed for those systems.
    pub records: usize,
    /// Lines that repeated a record.
    pub duplicates: usize,
    /// Listed records the inventory does not hold (they match nobody).
    pub not_in_inventory: i64,
}

/// Declare an incident's scope (responders). Replaces the whole scope atomically. An unknown
/// system, an unknown category, no categories, or `from` after `to` is 422 naming the field
/// (`systems[0].system`).
#[utoipa::path(
    put, path = "/api/v1/incidents/{id}/scope", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = ScopeRequest,
    responses(
        (status = 200, body = ScopeView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_scope(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ScopeRequest>,
) -> Result<Json<ScopeView>, ApiError> {
    let input = body
        .systems
        .into_iter()
        .map(|s| ScopeSystemInput {
            system: s.system,
            categories: s.categories,
            from: s.from,
            to: s.to,
            encrypted: s.encrypted,
            key_compromised: s.key_compromised,
        })
        .collect();
    let scope =
        mapping::set_scope(&state.db, responder.actor(), id, input, state.clock.now()).await?;
    super::playbook::attach_applicable(&state, responder.0.user.id, id).await;
    Ok(Json(scope.into()))
}

/// An incident's scope (any staff).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/scope", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = ScopeView), (status = 404, body = ErrorBody))
)]
pub async fn get_scope(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ScopeView>, ApiError> {
    Ok(Json(mapping::scope(&state.db, id).await?.into()))
}

/// Upload a forensic list (responders): `Content-Type: text/csv`, header `system,record_ref`,
/// one record per line. For each system named in the file, the file replaces that system's
/// list (a system with a list counts only its listed records); lists of systems the file
/// does not name are kept. A file with any bad line is rejected whole with 422
/// `invalid_rows`, one detail per bad line (`line N`, reason); nothing is written. The
/// body is limited by `CANDOR_MAX_BODY_BYTES`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/scope/records", tag = "mapping", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = ForensicListView), (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn upload_forensic_list(
    State(state): State<AppState>,
    responder: Authorized<Responders>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ForensicListView>, ApiError> {
    if media_type(&headers).as_deref() != Some("text/csv") {
        return Err(unsupported_media_type(
            "send the list as CSV with `Content-Type: text/csv`",
        ));
    }
    let body = body.map_err(|rejection| {
        ApiError::new(rejection.status(), "bad_body", rejection.body_text())
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_rows",
            "the file is not UTF-8 text",
        )
    })?;
    let summary =
        mapping::replace_forensic_list(&state.db, responder.actor(), id, text, state.clock.now())
            .await?;
    Ok(Json(ForensicListView {
        systems: summary.systems,
        records: summary.records,
        duplicates: summary.duplicates,
        not_in_inventory: summary.not_in_inventory,
    }))
}
