//! The incident room's sending forms: sending an approved notice (to everyone, or to the
//! first few as a canary with the rest held), and steering a campaign in the delivery section
//! (pause, resume, release the people held behind its canary). Each goes through the same
//! use-case as the API, with the same roles: the incident team sends and pauses, only a CX
//! lead resumes and releases. A second send adds nothing and says so. Also what the notices
//! section shows of sending: an approved notice's send form, a sent notice's campaign.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use uuid::Uuid;

use super::super::incidents::failed;
use super::super::room::{back, guard, refused};
use super::super::session::Staff;
use super::notices::on_team;
use crate::app::AppState;
use crate::delivery::{self, DeliveryError, SendOptions, Steerer};
use crate::domain::Role;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::http::error::ApiError;
use crate::notice::drafts::{self, Notice, NoticeError};
use crate::store;
use chrono::SecondsFormat;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub(in super::super) struct SendForm {
    csrf: Option<String>,
    /// The canary's size; empty: everyone.
    #[serde(default)]
    canary: String,
    /// The head count the person confirmed (the ticked box's value).
    confirm: Option<String>,
}

/// Reads the canary field: empty is none; otherwise a whole number of people, at least 1.
fn canary(typed: &str) -> Result<Option<u32>, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match typed.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(
            "The canary must be a whole number of people, at least 1 (leave it empty \
                  to send to everyone). Nothing was sent.",
        ),
    }
}

/// Sends an approved notice (the incident team), after the person confirmed its head count.
pub(in super::super) async fn send(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(form): Form<SendForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !on_team(&staff) {
        let why = "Only responders and CX leads send notices.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let canary = match canary(&form.canary) {
        Ok(c) => c,
        Err(why) => {
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
    };
    let (config, rules, now) = (&state.notices, &state.obligations, state.clock.now());
    let notice = match drafts::get(&state.db, config, rules, id, nid, now).await {
        Ok(n) => n,
        Err(e) => return refusal(&state, &staff, id, e.into()).await,
    };
    // The person confirms the head count they were shown; an audience that changed since
    // (which voids the approval anyway) is not sent on an old confirmation.
    if let (NoticeStatus::Approved, Some(approval)) = (notice.status, &notice.approval) {
        let people = approval.binding.people;
        if form.confirm.as_deref().map(str::trim) != Some(people.to_string().as_str()) {
            let why = format!(
                "Tick the box confirming that the notice goes to {people} people. Nothing was sent."
            );
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, &why).await;
        }
    }
    let who = (staff.user.id, staff.actor());
    let options = SendOptions { canary };
    let sending = &state.sending;
    let sent = delivery::send_notice(
        &state.db, config, rules, sending, who, id, nid, options, now,
    )
    .await;
    match sent {
        Ok(sent) if sent.created => {
            state.delivery.wake();
            back(id, "notice-sent", "delivery")
        }
        Ok(sent) => {
            let c = &sent.campaign;
            let why = format!(
                "This notice was already sent: it was queued for {} people at {}. Nothing more \
                 was queued.",
                c.people,
                c.created_at.format("%Y-%m-%d %H:%M UTC")
            );
            refused(&state, &staff, id, StatusCode::OK, &why).await
        }
        Err(e) => refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(in super::super) struct SteerForm {
    csrf: Option<String>,
    /// Why the campaign is paused (pause only; optional).
    reason: Option<String>,
}

/// Pauses, resumes or releases a campaign (`verb`); the use-cases check who may.
pub(in super::super) async fn steer(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, cid, verb)): Path<(Uuid, Uuid, String)>,
    Form(form): Form<SteerForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !on_team(&staff) {
        let why = "Only responders and CX leads steer delivery.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let by = Steerer {
        id: staff.user.id,
        is_cx_lead: staff.has(Role::CxLead),
    };
    let (db, now) = (&state.db, state.clock.now());
    let (done, result) = match verb.as_str() {
        "pause" => (
            "campaign-paused",
            delivery::pause(db, by, id, cid, form.reason, now).await,
        ),
        "resume" => (
            "campaign-resumed",
            delivery::resume(db, by, id, cid, now).await,
        ),
        "release" => (
            "campaign-released",
            delivery::release(db, by, id, cid, now).await,
        ),
        _ => {
            let why = "No such delivery action.";
            return refused(&state, &staff, id, StatusCode::NOT_FOUND, why).await;
        }
    };
    match result {
        Ok(_) => {
            if verb == "resume" {
                // As the API does: the failure-rate guard starts afresh.
                state.delivery.forget_failures(cid);
            }
            state.delivery.wake();
            back(id, done, "delivery")
        }
        Err(e) => refusal(&state, &staff, id, e).await,
    }
}

/// The room again with the reason a send or a steer was refused.
async fn refusal(state: &AppState, staff: &Staff, id: Uuid, e: DeliveryError) -> Response {
    let why = match &e {
        DeliveryError::Db(_) | DeliveryError::Corrupt(_) | DeliveryError::Task(_) => {
            return failed(state, staff, &e);
        }
        DeliveryError::Notice(NoticeError::Db(_) | NoticeError::Corrupt(_)) => {
            return failed(state, staff, &e);
        }
        DeliveryError::NotCxLead => {
            "Only a CX lead can resume a campaign or release its held messages: they answer \
             for what customers receive."
                .to_owned()
        }
        DeliveryError::NotFound => "No such campaign in this incident.".to_owned(),
        other => format!("Nothing was changed: {other}."),
    };
    let status = ApiError::from(e).status;
    refused(state, staff, id, status, &why).await
}

/// Survey notices go out with the survey, not from the send form.
pub(super) fn by_survey(kind: NoticeKind) -> bool {
    matches!(
        kind,
        NoticeKind::SurveyInvitation | NoticeKind::SurveyReminder
    )
}

/// The send form of an approved notice: how many people it goes to, and who may send it.
pub(super) fn send_view(staff: &Staff, n: &Notice) -> Value {
    let Some(approval) = n
        .approval
        .as_ref()
        .filter(|_| n.status == NoticeStatus::Approved)
    else {
        return Value::Null;
    };
    let why_not = if by_survey(n.kind) {
        Some("Survey invitations and reminders go out with the survey, from its section.")
    } else if !on_team(staff) {
        Some("Only responders and CX leads send notices.")
    } else {
        None
    };
    json!({
        "people": approval.binding.people,
        "may": why_not.is_none(),
        "why_not": why_not,
    })
}

/// A sent notice's campaign: when it was queued, for how many, and its canary.
pub(super) async fn sent_view(state: &AppState, n: &Notice) -> Result<Value, String> {
    if n.status != NoticeStatus::Sent {
        return Ok(Value::Null);
    }
    let campaigns = store::delivery::campaigns_of_notice(&state.db, n.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(match campaigns.first() {
        Some(c) => json!({
            "at": stamp(c.created_at),
            "people": c.people,
            "canary": c.canary_size,
        }),
        None => json!({ "at": null, "people": null, "canary": 0 }),
    })
}

/// The sending and steering forms.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/notices/{nid}/send", post(send))
        .route(
            "/incidents/{id}/delivery/campaigns/{cid}/{verb}",
            post(steer),
        )
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
