//! What the survey section shows about the survey's plan: its schedule (prefilled in its form,
//! or what was typed when a save was refused), how many people an invitation wave sent now
//! would reach and whether this person may send it, the result of a wave just sent, and the
//! CX leads who may own a follow-up action.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::super::session::Staff;
use crate::app::AppState;
use crate::delivery::Campaign;
use crate::domain::Role;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::domain::survey::{DEFAULT_INVITE_AFTER, DEFAULT_REMIND_AFTER};
use crate::store;
use crate::survey::{self, InviteReport, Schedule};

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The schedule form's fields as the person typed them.
#[derive(Debug, Clone, Default)]
pub(super) struct TypedSchedule {
    pub invite_after: String,
    pub remind_after: String,
}

/// Days as the form shows them: whole days without a decimal point.
fn days(d: f64) -> String {
    match d.fract() == 0.0 {
        true => format!("{d:.0}"),
        false => format!("{d}"),
    }
}

/// The schedule and its form's values: the typed ones after a refusal, else the saved ones,
/// else the defaults a save would use.
pub(super) async fn schedule(
    state: &AppState,
    staff: &Staff,
    current: Option<&Schedule>,
    typed: Option<&TypedSchedule>,
) -> Result<Value, String> {
    let set_by = match current {
        Some(s) => store::users::find_by_id(&state.db, s.set_by)
            .await
            .map_err(|e| e.to_string())?
            .map(|u| u.email.as_str().to_owned()),
        None => None,
    };
    let (invite_after, remind_after) = match (typed, current) {
        (Some(t), _) => (t.invite_after.clone(), t.remind_after.clone()),
        (None, Some(s)) => (
            days(s.invite_after_days),
            s.remind_after_days.map(days).unwrap_or_default(),
        ),
        (None, None) => (
            DEFAULT_INVITE_AFTER.num_days().to_string(),
            DEFAULT_REMIND_AFTER.num_days().to_string(),
        ),
    };
    let may_set = staff.has(Role::CxLead);
    Ok(json!({
        "set": current.is_some(),
        "invite_after_days": current.map(|s| days(s.invite_after_days)),
        "remind_after_days": current.and_then(|s| s.remind_after_days.map(days)),
        "set_by": set_by,
        "set_at": current.map(|s| stamp(s.set_at)),
        "last_run_at": current.and_then(|s| s.last_run_at.map(stamp)),
        "closes_on": current.and_then(|s| s.closes_on.map(|d| d.to_string())),
        "invite_after": invite_after,
        "remind_after": remind_after,
        "typed": typed.is_some(),
        "may_set": may_set,
        "why_not": (!may_set).then_some("Only a CX lead sets the survey's schedule."),
    }))
}

/// Whether the incident's notice of `kind` is approved (or already went out), as the
/// invitation use-case requires.
async fn approved(state: &AppState, incident_id: Uuid, kind: NoticeKind) -> Result<bool, String> {
    let row = store::notices::find_by_slot(&state.db, incident_id, kind.as_str())
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.is_some_and(|r| {
        r.status == NoticeStatus::Approved.as_str() || r.status == NoticeStatus::Sent.as_str()
    }))
}

/// The invitation button: how many people a wave sent now would reach, and whether this
/// person may send it (and why not). The use-case checks all of it again.
pub(super) async fn invite(
    state: &AppState,
    staff: &Staff,
    incident_id: Uuid,
    current: Option<&Schedule>,
) -> Result<Value, String> {
    let db = &state.db;
    let now = state.clock.now();
    let invitations = store::survey::due_invitations(db, incident_id, now)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let remind_after = match current {
        Some(s) => s
            .remind_after_days
            .map(|d| Duration::seconds((d * 86_400.0).round() as i64)),
        None => Some(DEFAULT_REMIND_AFTER),
    };
    let reminders = match remind_after {
        Some(after) if approved(state, incident_id, NoticeKind::SurveyReminder).await? => {
            store::survey::due_reminders(db, incident_id, now - after)
                .await
                .map_err(|e| e.to_string())?
                .len()
        }
        _ => 0,
    };
    let closed = survey::closes_at(db, incident_id)
        .await
        .map_err(|e| e.to_string())?
        .filter(|(_, end)| now >= *end)
        .map(|(day, _)| day);
    let has_invitation = approved(state, incident_id, NoticeKind::SurveyInvitation).await?;
    let why_not = match (staff.has(Role::CxLead), has_invitation, closed) {
        (false, _, _) => Some("Only a CX lead sends survey invitations.".to_owned()),
        (_, false, _) => Some(
            "There is no approved survey invitation yet: draft one and have a CX lead approve it."
                .to_owned(),
        ),
        (_, _, Some(day)) => Some(format!("The survey closed on {day}.")),
        _ if invitations + reminders == 0 => {
            Some("Nobody is due an invitation or a reminder just now.".to_owned())
        }
        _ => None,
    };
    Ok(json!({
        "invitations_due": invitations,
        "reminders_due": reminders,
        "reach": people(invitations + reminders),
        "may_invite": why_not.is_none(),
        "why_not": why_not,
    }))
}

/// "1 person", "3 people".
fn people(n: usize) -> String {
    match n {
        1 => "1 person".to_owned(),
        n => format!("{n} people"),
    }
}

/// What a wave just sent did: how many were queued, and who was left out and why.
pub(super) fn invite_result(report: &InviteReport) -> Value {
    let waves: Vec<Value> = [
        (
            "invitation",
            report.invitations_due,
            &report.invitation_wave,
        ),
        ("reminder", report.reminders_due, &report.reminder_wave),
    ]
    .into_iter()
    .filter(|(_, due, _)| *due > 0)
    .map(|(what, due, campaign)| wave(what, due, campaign.as_ref()))
    .collect();
    json!({ "nothing": waves.is_empty(), "waves": waves })
}

fn wave(what: &str, due: u64, campaign: Option<&Campaign>) -> Value {
    let Some(c) = campaign else {
        let skipped = match due {
            0 => Vec::new(),
            n => vec![json!({
                "count": n,
                "why": "could not be queued now: they wait for their weekly slot, already \
                        had it, or have no way to be reached",
            })],
        };
        return json!({ "what": what, "due": due, "queued": 0, "skipped": skipped });
    };
    let n = &c.counts;
    let queued = n.held + n.pending + n.sending + n.retrying + n.sent + n.failed + n.bounced;
    let waiting = (c.people - queued - c.outreach - c.unreachable - c.declined).max(0);
    let reasons = [
        (waiting, "wait for their weekly slot"),
        (c.declined, "asked to hear only what the law requires"),
        (
            c.unreachable,
            "have neither a usable email nor a postal address",
        ),
        (c.outreach, "are left to their account managers (VIP)"),
    ];
    let skipped: Vec<Value> = reasons
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, why)| json!({ "count": count, "why": why }))
        .collect();
    json!({ "what": what, "due": due, "queued": queued, "skipped": skipped })
}

/// The people who may own a follow-up action: active CX leads, by email.
pub(super) async fn owners(state: &AppState) -> Result<Vec<(Uuid, String)>, String> {
    let users = store::users::list(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    let mut leads: Vec<(Uuid, String)> = users
        .into_iter()
        .filter(|u| u.is_active() && u.roles.contains(&Role::CxLead))
        .map(|u| (u.id, u.email.as_str().to_owned()))
        .collect();
    leads.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(leads)
}

/// The owner choices of a form, `owner` chosen.
pub(super) fn choices(owners: &[(Uuid, String)], owner: Uuid) -> Vec<Value> {
    owners
        .iter()
        .map(|(id, email)| json!({ "id": id, "email": email, "selected": *id == owner }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::days;

    #[test]
    fn whole_days_show_without_a_decimal_point() {
        assert_eq!(days(7.0), "7");
        assert_eq!(days(0.5), "0.5");
    }
}
