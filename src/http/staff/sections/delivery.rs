//! The incident room's delivery section: a progress bar of messages sent out of all, the
//! counts in each status, each campaign with its state, and the messages that failed or
//! bounced with the relay's reason. Shown to the people working the incident (responders
//! and CX leads), as the API's delivery status is.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::session::Staff;
use crate::app::AppState;
use crate::delivery::{self, Counts, DeliveryError, Message, Overview};
use crate::domain::Role;
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
    let campaigns: Vec<Value> = failed
        .campaigns
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind,
                "wave": c.wave,
                "state": c.state,
                "state_reason": c.state_reason,
                "people": c.people,
                "sent": c.counts.sent,
                "total": total(&c.counts),
                "held": c.counts.held,
                "created_at": stamp(c.created_at),
            })
        })
        .collect();
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

/// The counts and the progress bar's numbers, and whether sending is under way (a running
/// campaign with messages still to try), which is when the page polls for news.
pub(in crate::http::staff) fn progress(overview: &Overview) -> Value {
    let c = &overview.counts;
    let running = overview.campaigns.iter().any(|campaign| {
        let left = campaign.counts.pending + campaign.counts.sending + campaign.counts.retrying;
        campaign.state == "running" && left > 0
    });
    json!({
        "counts": c,
        "total": total(c),
        "sent": c.sent,
        "running": running,
        "any": total(c) > 0,
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
