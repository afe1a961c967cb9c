//! `/api/v1/audit`: read the audit log and verify its chain.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::{self, Verification};
use crate::domain::audit::StoredLink;
use crate::http::auth::{Admins, Auditors, Authorized};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::ApiQuery;

/// One audit entry.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `user:<id>`, `cli` or `system`.
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub incident_id: Option<Uuid>,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<StoredLink> for AuditEntryView {
    fn from(l: StoredLink) -> Self {
        let r = l.record;
        Self {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            incident_id: r.incident_id,
            summary: r.summary,
            prev_hash: l.prev_hash,
            hash: l.hash,
        }
    }
}

/// Which entries to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries about this incident.
    pub incident: Option<Uuid>,
    /// Only entries after this sequence number (for paging).
    pub after: Option<i64>,
    /// At most this many, 1 to 1000 (default 200).
    pub limit: Option<u64>,
}

/// Audit entries, oldest first.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_audit(
    State(state): State<AppState>,
    _auditor: Authorized<Auditors>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    let limit = query.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "limit must be between 1 and 1000",
        ));
    }
    let links = audit::list(&state.db, query.incident, query.after.unwrap_or(0), limit).await?;
    Ok(Json(links.into_iter().map(AuditEntryView::from).collect()))
}

/// The result of walking the chain.
#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: Option<i64>,
    /// The newest hash (when intact); record it elsewhere to anchor the chain.
    pub head_hash: Option<String>,
    /// The first problem found (when broken).
    pub problem: Option<String>,
}

/// Recompute every hash of the chain (admins).
#[utoipa::path(
    get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = VerificationView), (status = 403, body = ErrorBody))
)]
pub async fn verify_audit(
    State(state): State<AppState>,
    _admin: Authorized<Admins>,
) -> Result<Json<VerificationView>, ApiError> {
    Ok(Json(match audit::verify(&state.db).await? {
        Verification::Intact { entries, head_hash } => VerificationView {
            intact: true,
            entries: Some(entries),
            head_hash: Some(head_hash),
            problem: None,
        },
        Verification::Broken(problem) => VerificationView {
            intact: false,
            entries: None,
            head_hash: None,
            problem: Some(problem.to_string()),
        },
    }))
}
