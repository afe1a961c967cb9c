//! `GET /healthz` (the process is up) and `GET /readyz` (it can reach its database).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::store;

/// How long `/readyz` waits for the database.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A probe's answer.
#[derive(Serialize, ToSchema)]
pub struct ProbeView {
    /// `ok`, `ready` or `unavailable`.
    pub status: &'static str,
}

/// Liveness: answers while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = ProbeView)))]
pub async fn healthz() -> Json<ProbeView> {
    Json(ProbeView { status: "ok" })
}

/// Readiness: 200 when the database answers, else 503.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses((status = 200, body = ProbeView), (status = 503, body = ProbeView))
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<ProbeView>) {
    // A lost database makes the pool wait its whole acquire timeout (10 s); a probe answers
    // sooner than orchestrators' probe timeouts, so "not ready" is not read as "hung".
    let answered = tokio::time::timeout(PING_TIMEOUT, store::ping(&state.db)).await;
    match answered.unwrap_or_else(|_| Err(sea_orm::DbErr::Custom("ping timed out".into()))) {
        Ok(()) => (StatusCode::OK, Json(ProbeView { status: "ready" })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(ProbeView {
                    status: "unavailable",
                }),
            )
        }
    }
}
