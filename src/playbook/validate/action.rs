//! A step's action: its key, the parameters it takes (and those it does not), and the notice
//! kind checked against the template set.

use std::str::FromStr;

use super::super::problem::Problems;
use super::super::raw::{RawStep, S};
use super::super::syntax::{duration, is_kebab};
use super::{Context, expected, word};
use crate::domain::inventory::Tier;
use crate::domain::notice::NoticeKind;
use crate::domain::playbook::Action;

/// Every action key, for error messages.
const ACTIONS: &str = "`map_affected`, `compute_obligations`, `send_notice`, `notify_regulator`, \
     `personal_outreach`, `schedule_survey`, `post_update`, `close_incident`, `start_playbook`";

/// The action parameters, each with the one action that takes it.
const PARAMETERS: [(&str, &str); 5] = [
    ("notice", "send_notice"),
    ("tier", "personal_outreach"),
    ("after", "schedule_survey"),
    ("reminder_after", "schedule_survey"),
    ("playbook", "start_playbook"),
];

/// Reports each parameter given to an action that does not take it.
pub(super) fn wrong_parameters(p: &mut Problems, field: &str, raw: &RawStep, action: Option<&str>) {
    let given = [
        raw.notice.as_ref(),
        raw.tier.as_ref(),
        raw.after.as_ref(),
        raw.reminder_after.as_ref(),
        raw.playbook.as_ref(),
    ];
    for ((name, owner), value) in PARAMETERS.iter().zip(given) {
        if let Some(value) = value
            && action != Some(owner)
        {
            p.add(
                Some(value.span()),
                format!("{field}.{name}"),
                format!("only a `{owner}` action takes `{name}`"),
            );
        }
    }
}

/// `action` and its parameters.
pub(super) fn action(
    p: &mut Problems,
    field: &str,
    raw: &RawStep,
    ctx: &Context,
) -> Option<Action> {
    let key = raw.action.as_ref()?;
    let at = |name: &str| format!("{field}.{name}");
    let missing = |p: &mut Problems, name: &str| {
        p.add(
            Some(key.span()),
            at(name),
            format!("a `{}` action needs `{name}`", key.get_ref()),
        );
    };
    match key.get_ref().as_str() {
        "map_affected" => Some(Action::MapAffected),
        "compute_obligations" => Some(Action::ComputeObligations),
        "notify_regulator" => Some(Action::NotifyRegulator),
        "post_update" => Some(Action::PostUpdate),
        "close_incident" => Some(Action::CloseIncident),
        "send_notice" => match &raw.notice {
            Some(kind) => notice(p, &at("notice"), kind, ctx).map(Action::SendNotice),
            None => {
                missing(p, "notice");
                None
            }
        },
        "personal_outreach" => tier(p, &at("tier"), raw.tier.as_ref()),
        "schedule_survey" => survey(p, field, raw),
        "start_playbook" => match &raw.playbook {
            Some(id) => start(p, &at("playbook"), id),
            None => {
                missing(p, "playbook");
                None
            }
        },
        other => {
            p.add(
                Some(key.span()),
                at("action"),
                format!("unknown `{other}`; expected one of {ACTIONS}"),
            );
            None
        }
    }
}

/// `start_playbook`'s playbook: an id (whether the set has it is checked with the set).
fn start(p: &mut Problems, field: &str, raw: &S<String>) -> Option<Action> {
    let id = raw.get_ref();
    if is_kebab(id) {
        return Some(Action::StartPlaybook(id.clone()));
    }
    p.add(
        Some(raw.span()),
        field,
        format!("`{id}` is not a playbook id"),
    );
    None
}

/// A `send_notice` kind: a notice to people that the template set can render.
fn notice(p: &mut Problems, field: &str, raw: &S<String>, ctx: &Context) -> Option<NoticeKind> {
    let kind = word(
        p,
        field,
        raw,
        NoticeKind::from_str,
        &expected(NoticeKind::ALL),
    )?;
    let reason = if !kind.is_for_people() {
        format!("`{kind}` goes to a regulator, not to people; use the `notify_regulator` action")
    } else if !ctx.notice_kinds.contains(&kind) {
        format!(
            "the notice templates have no complete `{kind}` (a subject, text and html for every locale)"
        )
    } else {
        return Some(kind);
    };
    p.add(Some(raw.span()), field, reason);
    None
}

/// `personal_outreach`'s tier, `vip` by default.
fn tier(p: &mut Problems, field: &str, raw: Option<&S<String>>) -> Option<Action> {
    let Some(raw) = raw else {
        return Some(Action::PersonalOutreach {
            tier: Tier::Vip.as_str().to_owned(),
        });
    };
    let value = raw.get_ref();
    match Tier::parse(value).filter(|t| t.as_str() == value) {
        Some(t) => Some(Action::PersonalOutreach {
            tier: t.as_str().to_owned(),
        }),
        None => {
            p.add(
                Some(raw.span()),
                field,
                format!("unknown `{value}`; expected one of `standard`, `vip`"),
            );
            None
        }
    }
}

/// `schedule_survey`'s delays: `after` (7d by default) and `reminder_after` (5d, or `none`).
fn survey(p: &mut Problems, field: &str, raw: &RawStep) -> Option<Action> {
    let mut read = |name: &str, value: Option<&S<String>>, default: &str| {
        let text = value.map(|v| v.get_ref().as_str()).unwrap_or(default);
        if name == "reminder_after" && text == "none" {
            return Some(None);
        }
        match duration(text) {
            Ok(d) => Some(Some(d)),
            Err(reason) => {
                p.add(value.map(S::span), format!("{field}.{name}"), reason);
                None
            }
        }
    };
    let after = read("after", raw.after.as_ref(), "7d");
    let reminder_after = read("reminder_after", raw.reminder_after.as_ref(), "5d");
    Some(Action::ScheduleSurvey {
        after: after??,
        reminder_after: reminder_after?,
    })
}
