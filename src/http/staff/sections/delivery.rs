//! The incident room's delivery section: a progress bar of messages sent out of all, the
//! counts in each status, each campaign with its state said plainly (sending, sent, paused by
//! whom or automatically and why, a canary's held rest) and the forms that steer it (pause;
//! resume and release for CX leads, shown disabled with the reason to others), and the
//! messages that failed or bounced with the relay's reason. Shown to the people working the
//! incident (responders and CX leads), as the API's delivery status is.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::session::Staff;
use crate::app::AppState;
use crate::delivery::{self, Campaign, Counts, DeliveryError, Message, Overview};
use crate::domain::Role;
use crate::store;
use crate::store::delivery::outbox::PageFilter;

/// Failed (and, apart, bounced) messages listed at most.
const FAILURES_SHOWN: u64 = 50;

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether this person sees delivery (the API's incident team).
pub(in crate::http::staff) fn sees(staff: &Staff) -> bool {
    staff.has(Role::Responder) || staff.has(Role::CxLead)
}

/// The section's data.
pub(in crate::http::staff) async fn data(
    state: &AppState,
    staff: &Staff,
    incident_id: Uuid,
) -> Result<Value, String> {
    if !sees(staff) {
        return Ok(json!({ "allowed": false }));
    }
    let failed = overview(state, incident_id, Some("failed"), FAILURES_SHOWN).await?;
    let bounced = overview(state, incident_id, Some("bounced"), FAILURES_SHOWN).await?;
    let mut campaigns = Vec::with_capacity(failed.campaigns.len());
    for c in &failed.campaigns {
        campaigns.push(campaign(state, staff, incident_id, c).await?);
    }
    let failures: Vec<Value> = failed
        .messages
        .iter()
        .chain(bounced.messages.iter())
        .map(failure)
        .collect();
    let mut shown = progress(&failed);
    if let Value::Object(map) = &mut shown {
        map.insert("allowed".into(), json!(true));
        map.insert("campaigns".into(), json!(campaigns));
        map.insert("failures".into(), json!(failures));
        map.insert(
            "more_failures".into(),
            json!(failed.next_after.is_some() || bounced.next_after.is_some()),
        );
    }
    Ok(shown)
}

/// One campaign: its counts, its state in words, and the steering forms this person may use.
async fn campaign(
    state: &AppState,
    staff: &Staff,
    incident_id: Uuid,
    c: &Campaign,
) -> Result<Value, String> {
    let paused = c.state == "paused";
    // Who set the state (`None` when the failure-rate guard paused it).
    let by = match store::delivery::find_campaign(&state.db, incident_id, c.id)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|row| row.state_by)
    {
        Some(user) => store::users::find_by_id(&state.db, user)
            .await
            .map_err(|e| e.to_string())?
            .map(|u| u.email.as_str().to_owned()),
        None => None,
    };
    let left = c.counts.pending + c.counts.sending + c.counts.retrying;
    let holding = c.canary_size > 0 && c.released_at.is_none();
    let label = match (paused, by.is_some(), left > 0) {
        (true, false, _) => "Paused automatically",
        (true, true, _) => "Paused",
        (false, _, true) => "Sending",
        (false, _, false) if holding => "Canary sent; the rest held",
        (false, _, false) => "Sent",
    };
    let lead = staff.has(Role::CxLead);
    let lead_why =
        (!lead).then_some("Only a CX lead can do this: they answer for what customers receive.");
    Ok(json!({
        "id": c.id,
        "kind": c.kind,
        "wave": c.wave,
        "state": c.state,
        "label": label,
        "state_reason": c.state_reason,
        "state_at": stamp(c.state_at),
        "paused_by": by.filter(|_| paused),
        "people": c.people,
        "sent": c.counts.sent,
        "total": total(&c.counts),
        "held": c.counts.held,
        "canary_size": c.canary_size,
        "holding": holding,
        "released_at": c.released_at.map(stamp),
        "created_at": stamp(c.created_at),
        "may_pause": !paused,
        "may_resume": paused && lead,
        "may_release": holding && lead,
        "lead_why": lead_why,
    }))
}

/// The incident's delivery with a page of messages in `status`.
pub(in crate::http::staff) async fn overview(
    state: &AppState,
    incident_id: Uuid,
    status: Option<&str>,
    limit: u64,
) -> Result<Overview, String> {
    let filter = PageFilter {
        status: status.map(str::to_owned),
        channel: None,
        campaign_id: None,
        after: None,
        limit,
    };
    delivery::overview(&state.db, incident_id, &filter)
        .await
        .map_err(|e: DeliveryError| e.to_string())
}

fn total(c: &Counts) -> i64 {
    c.held + c.pending + c.sending + c.retrying + c.sent + c.failed + c.bounced
}

/// The counts and the progress bar's numbers, whether sending is under way (a running
/// campaign with messages still to try, which is when the page polls for news), and each
/// campaign's state (paused and why, a canary's rest held).
pub(in crate::http::staff) fn progress(overview: &Overview) -> Value {
    let c = &overview.counts;
    let running = overview.campaigns.iter().any(|campaign| {
        let left = campaign.counts.pending + campaign.counts.sending + campaign.counts.retrying;
        campaign.state == "running" && left > 0
    });
    let campaigns: Vec<Value> = overview
        .campaigns
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "state": c.state,
                "state_reason": c.state_reason,
                "held": c.counts.held,
                "holding": c.canary_size > 0 && c.released_at.is_none(),
            })
        })
        .collect();
    json!({
        "counts": c,
        "total": total(c),
        "sent": c.sent,
        "running": running,
        "any": total(c) > 0,
        "campaigns": campaigns,
    })
}

/// A failed or bounced message: who (by customer reference), how, why; no address.
fn failure(m: &Message) -> Value {
    json!({
        "customer_ref": m.customer_ref,
        "channel": m.channel,
        "status": m.status,
        "attempts": m.attempts,
        "error": m.error,
        "at": stamp(m.bounced_at.unwrap_or(m.updated_at)),
    })
}
