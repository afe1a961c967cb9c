//! The incident room's survey section: invited and responded counts, the response rate, NPS
//! with its 0–10 distribution (a chart drawn on the server as SVG, and the same numbers in a
//! table), the clarity average; for CX leads and admins also the latest comments and the
//! follow-up actions with their owners, with forms that open an action from a response and
//! close one with its resolution. Answers and comments are personal data: nobody else sees
//! them, and the use-cases check the role again.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::incidents::failed;
use super::super::room::{back, guard, refused};
use super::super::session::Staff;
use crate::app::AppState;
use crate::domain::survey::{ActionStatus, Summary};
use crate::domain::{Incident, Role};
use crate::http::error::ApiError;
use crate::store;
use crate::survey::{self, ActionChange, NewAction, SurveyError};

/// The chart's drawing area, in SVG user units.
const CHART_HEIGHT: u64 = 150;
const BAR_WIDTH: u64 = 28;
const BAR_STEP: u64 = 40;
const BASELINE: u64 = 175;

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether this person reads answers and comments.
fn reader(staff: &Staff) -> bool {
    staff.has(Role::CxLead) || staff.has(Role::Admin)
}

/// The section's data.
pub(super) async fn data(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
) -> Result<Value, String> {
    let results = survey::results(&state.db, incident.id)
        .await
        .map_err(|e| e.to_string())?;
    let s = &results.overall;
    let reads = reader(staff);
    let (comments, actions) = match reads {
        true => (
            comments(staff, &results.recent_comments),
            actions(state, staff, incident.id).await?,
        ),
        false => (Vec::new(), Vec::new()),
    };
    Ok(json!({
        "invited": s.invited,
        "responded": s.responded,
        "response_rate": s.response_rate.map(|r| format!("{:.1}%", r * 100.0)),
        "nps": s.nps.map(|n| format!("{n:.1}")),
        "scored": s.scored,
        "promoters": s.promoters,
        "passives": s.passives,
        "detractors": s.detractors,
        "clarity": s.clarity_average.map(|c| format!("{c:.2}")),
        "chart": chart(s),
        "commented": results.commented,
        "open_actions": results.open_actions,
        "reads": reads,
        "comments": comments,
        "actions": actions,
    }))
}

/// The NPS distribution as bars: one per score, 0 to 10, scaled to the most given score.
fn chart(s: &Summary) -> Vec<Value> {
    let most = s.distribution.iter().copied().max().unwrap_or(0).max(1);
    (0..=10u64)
        .map(|score| {
            let count = usize::try_from(score)
                .ok()
                .and_then(|i| s.distribution.get(i))
                .copied()
                .unwrap_or(0);
            let height = count * CHART_HEIGHT / most;
            let x = 10 + score * BAR_STEP;
            let group = match score {
                0..=6 => "detractor",
                7 | 8 => "passive",
                _ => "promoter",
            };
            json!({
                "score": score,
                "count": count,
                "group": group,
                "x": x,
                "y": BASELINE - height,
                "width": BAR_WIDTH,
                "height": height,
                "middle": x + BAR_WIDTH / 2,
                "count_y": BASELINE - height - 4,
                "label_y": BASELINE + 16,
            })
        })
        .collect()
}

fn comments(staff: &Staff, list: &[survey::ResponseView]) -> Vec<Value> {
    let lead = staff.has(Role::CxLead);
    list.iter()
        .map(|r| {
            json!({
                "id": r.id,
                "customer_ref": r.customer_ref,
                "jurisdiction": r.jurisdiction,
                "recommend": r.recommend.map(|n| n.to_string()),
                "clarity": r.clarity.map(|n| n.to_string()),
                "comment": r.comment,
                "answered_at": stamp(r.updated_at),
                "has_action": r.action_id.is_some(),
                "may_follow_up": lead && r.action_id.is_none(),
            })
        })
        .collect()
}

async fn actions(state: &AppState, staff: &Staff, incident_id: Uuid) -> Result<Vec<Value>, String> {
    let list = survey::list_actions(&state.db, incident_id, None)
        .await
        .map_err(|e| e.to_string())?;
    let lead = staff.has(Role::CxLead);
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        let owner = store::users::find_by_id(&state.db, a.owner_id)
            .await
            .map_err(|e| e.to_string())?
            .map(|u| u.email.as_str().to_owned());
        let open = a.status == ActionStatus::Open;
        out.push(json!({
            "id": a.id,
            "title": a.title,
            "reason": a.reason.as_str(),
            "owner": owner,
            "status": a.status.as_str(),
            "resolution": a.resolution,
            "created_at": stamp(a.created_at),
            "closed_at": a.closed_at.map(stamp),
            "may_close": lead && open,
        }));
    }
    Ok(out)
}

#[derive(Deserialize)]
pub(in super::super) struct ActionForm {
    csrf: Option<String>,
    title: Option<String>,
}

/// Opens a follow-up action from a response, owned by the CX lead who opens it.
pub(in super::super) async fn create_action(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, rid)): Path<(Uuid, Uuid)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead opens follow-up actions.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let input = NewAction {
        owner_id: None,
        title: form.title.filter(|t| !t.trim().is_empty()),
    };
    let now = state.clock.now();
    match survey::create_action(&state.db, staff.user.id, id, rid, input, now).await {
        Ok(_) => back(id, "action-created", "survey"),
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(in super::super) struct CloseForm {
    csrf: Option<String>,
    resolution: String,
}

/// Closes a follow-up action with what was done (CX leads).
pub(in super::super) async fn close_action(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, aid)): Path<(Uuid, Uuid)>,
    Form(form): Form<CloseForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead closes follow-up actions.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let change = ActionChange {
        status: Some(ActionStatus::Closed),
        resolution: Some(form.resolution),
        ..ActionChange::default()
    };
    let now = state.clock.now();
    match survey::update_action(&state.db, staff.user.id, id, aid, change, now).await {
        Ok(_) => back(id, "action-closed", "survey"),
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

async fn survey_refusal(state: &AppState, staff: &Staff, id: Uuid, e: SurveyError) -> Response {
    if matches!(e, SurveyError::Db(_) | SurveyError::Corrupt(_)) {
        return failed(state, staff, &e);
    }
    let why = e.to_string();
    let status = ApiError::from(e).status;
    refused(state, staff, id, status, &why).await
}

#[cfg(test)]
mod tests {
    use crate::domain::survey::Tally;

    #[test]
    fn the_chart_has_a_bar_per_score_scaled_to_the_most_given_one() {
        let mut tally = Tally::default();
        tally.add(Some(10), None);
        tally.add(Some(10), None);
        tally.add(Some(3), None);
        let bars = super::chart(&tally.summary());
        assert_eq!(bars.len(), 11);
        assert_eq!(
            (&bars[10]["height"], &bars[10]["y"]),
            (&150.into(), &25.into())
        );
        assert_eq!(bars[3]["height"], 75);
        assert_eq!(
            (&bars[3]["group"], &bars[7]["group"]),
            (&"detractor".into(), &"passive".into())
        );
        assert_eq!(bars[5]["height"], 0);
        let empty = super::chart(&Tally::default().summary());
        assert!(empty.iter().all(|b| b["height"] == 0 && b["count"] == 0));
    }
}
