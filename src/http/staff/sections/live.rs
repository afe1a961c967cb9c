//! `GET /incidents/{id}/live.json`: what runs in the background for an incident, for the
//! room's script to update its progress bars and counts without a reload: the newest
//! mapping run (any staff) and the delivery counts (the people working the incident). Under
//! the page session, like the room; without one it redirects to the sign-in page.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::session::Staff;
use super::{delivery, scope};
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::incident::{self, IncidentError};
use axum::Router;
use axum::routing::get;

/// The incident's background work now.
pub(in crate::http::staff) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Response {
    match read(&state, &staff, id).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read(state: &AppState, staff: &Staff, id: Uuid) -> Result<Value, ApiError> {
    match incident::get(&state.db, id).await {
        Ok(_) => {}
        Err(IncidentError::NotFound) => return Err(ApiError::not_found("incident")),
        Err(e) => return Err(ApiError::internal(e)),
    }
    let mapping = scope::latest_run(state, id)
        .await
        .map_err(ApiError::internal)?
        .as_ref()
        .map(scope::run_view);
    let delivery = if delivery::sees(staff) {
        let overview = delivery::overview(state, id, None, 1)
            .await
            .map_err(ApiError::internal)?;
        delivery::progress(&overview)
    } else {
        Value::Null
    };
    let running =
        mapping.as_ref().is_some_and(|m| m["running"] == true) || delivery["running"] == true;
    Ok(json!({ "mapping": mapping, "delivery": delivery, "running": running }))
}

/// The live figures' route.
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/incidents/{id}/live.json", get(show))
}
