//! The incident room's sections beyond its header, deadlines, playbook and timeline: each a
//! module giving its data (under its own key of the room's data) and a partial template
//! (`templates/sections/<name>.hbs`, registered in `view.rs`), with its own forms' handlers.

pub(super) mod delivery;
mod line_diff;
pub(super) mod live;
mod notice_edit;
mod notice_words;
pub(super) mod notices;
pub(super) mod preview;
pub(super) mod scope;
mod steering;
pub(super) mod survey;

use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::session::Staff;
use crate::app::AppState;
use crate::domain::Incident;

/// Every section's own form and data routes (each section lists its own).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .merge(notices::routes())
        .merge(preview::routes())
        .merge(survey::routes())
        .merge(scope::routes())
        .merge(live::routes())
}

/// Adds every further section's data to the room's.
pub(super) async fn add(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
    now: DateTime<Utc>,
    data: &mut Map<String, Value>,
) -> Result<(), String> {
    data.insert("scope".into(), scope::data(state, staff, incident).await?);
    data.insert(
        "delivery".into(),
        delivery::data(state, staff, incident.id).await?,
    );
    data.insert(
        "notices".into(),
        notices::data(state, staff, incident, now).await?,
    );
    data.insert("survey".into(), survey::data(state, staff, incident).await?);
    Ok(())
}
