//! The incident room's survey section: invited and responded counts, the response rate, NPS
//! with its 0–10 distribution (a chart drawn on the server as SVG, and the same numbers in a
//! table), the clarity average, the schedule with its form, and the button sending an
//! invitation wave now with how many it will reach; for CX leads and admins also the latest
//! comments, the follow-up actions with their owners and the responses' CSV. Forms open an
//! action from a response for a chosen owner, hand one over, and close one with its
//! resolution. Answers and comments are personal data: nobody else sees them, and the
//! use-cases check the role again.

mod forms;
mod plan;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::session::Staff;
use crate::app::AppState;
use crate::domain::survey::{ActionStatus, Summary};
use crate::domain::{Incident, Role};
use crate::store;
use crate::survey;

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
    let (comments, actions, owners) = match reads {
        true => {
            let owners = plan::owners(state).await?;
            (
                comments(staff, &results.recent_comments),
                actions(state, staff, incident.id, &owners).await?,
                plan::choices(&owners, staff.user.id),
            )
        }
        false => (Vec::new(), Vec::new(), Vec::new()),
    };
    let posted = forms::posted();
    let current = state
        .surveys
        .schedule(incident.id)
        .await
        .map_err(|e| e.to_string())?;
    let schedule = plan::schedule(state, staff, current.as_ref(), posted.schedule.as_ref()).await?;
    let invite = plan::invite(state, staff, incident.id, current.as_ref()).await?;
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
        "owners": owners,
        "schedule": schedule,
        "invite": invite,
        "wave_result": posted.invited,
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

async fn actions(
    state: &AppState,
    staff: &Staff,
    incident_id: Uuid,
    owners: &[(Uuid, String)],
) -> Result<Vec<Value>, String> {
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
            "may_hand_over": lead && open,
            "owners": plan::choices(owners, a.owner_id),
        }));
    }
    Ok(out)
}

/// The survey section's forms and download.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/incidents/{id}/survey/schedule",
            post(forms::save_schedule),
        )
        .route("/incidents/{id}/survey/invite", post(forms::invite))
        .route(
            "/incidents/{id}/survey/responses/{rid}/action",
            post(forms::create_action),
        )
        .route(
            "/incidents/{id}/survey/actions/{aid}/owner",
            post(forms::reassign_action),
        )
        .route(
            "/incidents/{id}/survey/actions/{aid}/close",
            post(forms::close_action),
        )
        .route(
            "/incidents/{id}/survey/responses.csv",
            get(forms::download_responses),
        )
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
