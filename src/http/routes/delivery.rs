//! Delivery: sending an approved notice, the incident's delivery status with each message's
//! outcome, steering a campaign (pause, resume, release after the canary), the print
//! vendor's manifest, and the bounce webhook a relay reports to.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::delivery::{self, BounceOutcome, Campaign, Overview, SendOptions, Steerer};
use crate::domain::Role;
use crate::domain::audit::Actor;
use crate::domain::delivery::DeliveryStatus;
use crate::http::auth::{Authorized, CurrentUser, CxLeads, IncidentTeam};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::store::delivery::outbox::PageFilter;

/// How to send.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// Send to the first this many people only; the rest wait until a CX lead releases them.
    pub canary: Option<u32>,
}

/// Send an approved notice (incident team): one outbox message per person and channel,
/// written with the notice's move to `sent`. 202 with the new campaign; 200 with the existing
/// one when the notice was already sent (a second click adds nothing); 409 `not_approved`
/// when no approval is in force (a change since it was given voids it).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/notices/{nid}/send", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    request_body(content = SendRequest, description = "Optional: a canary size"),
    responses(
        (status = 202, body = Campaign), (status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn send_notice(
    State(state): State<AppState>,
    member: Authorized<IncidentTeam>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
    body: Option<ApiJson<SendRequest>>,
) -> Result<(StatusCode, Json<Campaign>), ApiError> {
    let request = body.map(|b| b.0).unwrap_or_default();
    if request.canary == Some(0) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "canary must be at least 1 (leave it out to send to everyone)",
        ));
    }
    let sent = delivery::send_notice(
        &state.db,
        &state.notices,
        &state.obligations,
        &state.sending,
        (member.0.user.id, Actor::User(member.0.user.id)),
        id,
        nid,
        SendOptions {
            canary: request.canary,
        },
        state.clock.now(),
    )
    .await?;
    state.delivery.wake();
    let status = if sent.created {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(sent.campaign)))
}

/// Which messages to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only messages in this status.
    #[param(inline)]
    pub status: Option<DeliveryStatus>,
    /// Only `email` or `postal` messages.
    pub channel: Option<String>,
    /// Only one campaign's messages.
    pub campaign: Option<Uuid>,
    /// Messages after this id (the previous page's `next_after`).
    pub after: Option<i64>,
    /// Messages per page, 1 to 500 (default 100).
    pub limit: Option<u64>,
}

/// The incident's delivery (incident team): counts by status over every campaign, each
/// campaign with its state and counts, and a page of messages with the relay's reply.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/delivery", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), DeliveryQuery),
    responses((status = 200, body = Overview), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_delivery(
    State(state): State<AppState>,
    _member: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<Overview>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "limit must be between 1 and 500",
        ));
    }
    if let Some(channel) = &query.channel
        && !matches!(channel.as_str(), "email" | "postal")
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "channel must be `email` or `postal`",
        ));
    }
    let filter = PageFilter {
        status: query.status.map(|s| s.as_str().to_owned()),
        channel: query.channel,
        campaign_id: query.campaign,
        after: query.after,
        limit,
    };
    Ok(Json(delivery::overview(&state.db, id, &filter).await?))
}

/// Why a campaign is paused.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    pub reason: Option<String>,
}

fn steerer(user: &CurrentUser) -> Steerer {
    Steerer {
        id: user.user.id,
        is_cx_lead: user.roles.contains(&Role::CxLead),
    }
}

/// Pause a campaign (incident team): no more of its messages are claimed until a CX lead
/// resumes it. 409 `already_paused`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/delivery/campaigns/{cid}/pause", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("cid" = Uuid, Path, description = "Campaign id")),
    request_body(content = PauseRequest, description = "Optional: why"),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn pause_campaign(
    State(state): State<AppState>,
    member: Authorized<IncidentTeam>,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
    body: Option<ApiJson<PauseRequest>>,
) -> Result<Json<Campaign>, ApiError> {
    let reason = body.and_then(|b| b.0.reason);
    let campaign = delivery::pause(
        &state.db,
        steerer(&member.0),
        id,
        cid,
        reason,
        state.clock.now(),
    )
    .await?;
    Ok(Json(campaign))
}

/// Resume a paused campaign (CX leads). 409 `already_running`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/delivery/campaigns/{cid}/resume", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("cid" = Uuid, Path, description = "Campaign id")),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn resume_campaign(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Campaign>, ApiError> {
    let campaign =
        delivery::resume(&state.db, steerer(&lead.0), id, cid, state.clock.now()).await?;
    state.delivery.forget_failures(cid);
    state.delivery.wake();
    Ok(Json(campaign))
}

/// Release the people held behind a campaign's canary (CX leads). 409 `no_canary` or
/// `already_released`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/delivery/campaigns/{cid}/release", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("cid" = Uuid, Path, description = "Campaign id")),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn release_campaign(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Campaign>, ApiError> {
    let campaign =
        delivery::release(&state.db, steerer(&lead.0), id, cid, state.clock.now()).await?;
    state.delivery.wake();
    Ok(Json(campaign))
}

/// The print vendor's manifest of a campaign's letters (incident team): CSV, one row per
/// letter written, naming its file under the postal outbox.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/delivery/campaigns/{cid}/letters.csv", tag = "delivery", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("cid" = Uuid, Path, description = "Campaign id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody))
)]
pub async fn letters_manifest(
    State(state): State<AppState>,
    _member: Authorized<IncidentTeam>,
    ApiPath((id, cid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let csv = delivery::postal_manifest(&state.db, id, cid).await?;
    let mut response = Body::from(csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"letters-{cid}.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A bounce reported by the relay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BounceReport {
    /// The bounced message's `Message-ID`, with or without angle brackets.
    pub message_id: String,
    /// The receiving side's diagnostic (`550 5.1.1 user unknown`); kept for staff.
    #[serde(default)]
    pub reason: String,
}

/// The bounce webhook: a relay reports a message undeliverable, with the bearer token set in
/// `CANDOR_BOUNCE_WEBHOOK_TOKEN`. The message is marked `bounced` and, when the person has a
/// postal address on record, a letter is queued instead. 404 `not_configured` when the
/// webhook is off, `unknown_message` for a Message-ID Candor did not send.
#[utoipa::path(
    post, path = "/api/v1/delivery/bounces", tag = "delivery", security(("bearer" = [])),
    request_body = BounceReport,
    responses((status = 200, body = BounceOutcome), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn report_bounce(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(report): ApiJson<BounceReport>,
) -> Result<Json<BounceOutcome>, ApiError> {
    let Some(expected) = &state.bounce_token else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_configured",
            "the bounce webhook is off; set CANDOR_BOUNCE_WEBHOOK_TOKEN to turn it on",
        ));
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(presented, secrecy::ExposeSecret::expose_secret(expected)) {
        return Err(ApiError::unauthorized());
    }
    if report.message_id.trim().is_empty() || report.message_id.len() > 998 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "message_id must be a Message-ID",
        ));
    }
    let outcome = delivery::record_bounce(
        &state.db,
        &report.message_id,
        &report.reason,
        state.clock.now(),
    )
    .await?;
    if outcome.postal_queued {
        state.delivery.wake();
    }
    Ok(Json(outcome))
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(presented: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    // Equal-length digests, compared byte by byte without an early exit.
    let (a, b) = (Sha256::digest(presented), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
