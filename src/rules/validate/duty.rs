//! `[[duties]]`: recipient, threshold and its waivers, deadline and anchor, risk exemption.

use std::collections::BTreeSet;
use std::ops::Range;

use super::super::model::{DutyRule, Threshold};
use super::super::problem::Problems;
use super::super::raw::{RawDuty, S};
use super::super::vocab::{Anchor, Operator, Recipient, RiskLikelihood, ThresholdScope};
use super::coverage::category_sets;
use super::deadline::deadline;
use super::{is_key, required_text, word};

/// The field path of a duty: `duties.<id>` when it has a usable id, else `duties[i]`.
pub(super) fn path(raw: &RawDuty, index: usize) -> String {
    match &raw.id {
        Some(id) if is_key(id.get_ref()) => format!("duties.{}", id.get_ref()),
        _ => format!("duties[{index}]"),
    }
}

/// Checks every duty; ids must be unique.
pub(super) fn check_all(p: &mut Problems, raws: &[S<RawDuty>]) -> Vec<DutyRule> {
    if raws.is_empty() {
        p.add(
            None,
            "duties",
            "a jurisdiction needs at least one [[duties]] entry",
        );
    }
    let mut ids = BTreeSet::new();
    let mut out = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let here = path(raw.get_ref(), i);
        if let Some(duty) = check(p, &here, raw) {
            if ids.insert(duty.id.clone()) {
                out.push(duty);
            } else {
                let span = raw.get_ref().id.as_ref().map(|id| id.span());
                p.add(
                    span,
                    format!("{here}.id"),
                    format!("`{}` is used twice", duty.id),
                );
            }
        }
    }
    out
}

fn check(p: &mut Problems, here: &str, raw: &S<RawDuty>) -> Option<DutyRule> {
    let at = Some(raw.span());
    let d = raw.get_ref();
    let before = p.count();
    let id = required_text(p, &format!("{here}.id"), d.id.as_ref(), at.clone());
    if let Some(id) = &id
        && !is_key(id)
    {
        p.add(
            at.clone(),
            format!("{here}.id"),
            format!("`{id}`: use lowercase letters, digits and underscores"),
        );
    }
    let recipient = word(
        p,
        &format!("{here}.recipient"),
        d.recipient.as_ref(),
        at.clone(),
        Recipient::parse,
        Recipient::expected,
    );
    let recipient_name = required_text(
        p,
        &format!("{here}.recipient_name"),
        d.recipient_name.as_ref(),
        at.clone(),
    );
    let threshold = threshold(p, here, d, at.clone());
    let due = deadline(p, here, &d.deadline(), at.clone());
    let below_threshold = d.below_threshold.as_ref().and_then(|b| {
        deadline(
            p,
            &format!("{here}.below_threshold"),
            b.get_ref(),
            Some(b.span()),
        )
    });
    if let (Some(t), Some(b)) = (&threshold, &d.below_threshold)
        && threshold_is_any(t)
    {
        p.add(
            Some(b.span()),
            format!("{here}.below_threshold"),
            "never applies: the threshold is met by anyone",
        );
    }
    if d.only_after_anchor
        && let Some(dl) = &due
        && (dl.anchor.is_discovery() || dl.anchor == Anchor::DiscoveryYearEnd)
    {
        p.add(
            at.clone(),
            format!("{here}.only_after_anchor"),
            format!(
                "`{}` is always known, so the duty would never wait for it",
                dl.anchor
            ),
        );
    }
    let risk_exempt_when = risk_exempt_when(p, here, &d.risk_exempt_when);
    let basis = required_text(p, &format!("{here}.basis"), d.basis.as_ref(), at);
    if p.count() > before {
        return None;
    }
    Some(DutyRule {
        id: id?,
        recipient: recipient?,
        recipient_name: recipient_name?,
        threshold: threshold?,
        deadline: due?,
        below_threshold,
        only_after_anchor: d.only_after_anchor,
        risk_exempt_when,
        basis: basis?,
    })
}

fn threshold_is_any(t: &Threshold) -> bool {
    match t.operator {
        Operator::AtLeast => t.count <= 1,
        Operator::MoreThan => t.count <= 0,
    }
}

/// `threshold`, `operator`, `threshold_scope` and the waivers.
fn threshold(
    p: &mut Problems,
    here: &str,
    d: &RawDuty,
    at: Option<Range<usize>>,
) -> Option<Threshold> {
    let operator = word(
        p,
        &format!("{here}.operator"),
        d.operator.as_ref(),
        at.clone(),
        Operator::parse,
        Operator::expected,
    );
    let count = match &d.threshold {
        None => {
            p.add(
                at.clone(),
                format!("{here}.threshold"),
                "missing (use 1 with `>=` for any number of people)",
            );
            None
        }
        Some(t) => {
            let n = *t.get_ref();
            let least = match operator {
                Some(Operator::MoreThan) => 0,
                _ => 1,
            };
            if n < least {
                let hint = if operator == Some(Operator::MoreThan) {
                    "0 or more with `>`"
                } else {
                    "1 or more with `>=`"
                };
                p.add(
                    Some(t.span()),
                    format!("{here}.threshold"),
                    format!("{n} is not a head count: use {hint}"),
                );
                None
            } else {
                Some(n)
            }
        }
    };
    let scope = match &d.threshold_scope {
        None => Some(ThresholdScope::Total),
        Some(_) => word(
            p,
            &format!("{here}.threshold_scope"),
            d.threshold_scope.as_ref(),
            at.clone(),
            ThresholdScope::parse,
            ThresholdScope::expected,
        ),
    };
    let waived_for = category_sets(
        p,
        &format!("{here}.threshold_waived_for"),
        &d.threshold_waived_for,
    );
    let waived_by = match &d.threshold_waived_by {
        None => None,
        Some(raw) => {
            let anchor = word(
                p,
                &format!("{here}.threshold_waived_by"),
                Some(raw),
                at,
                Anchor::parse,
                Anchor::expected,
            );
            if let Some(a) = anchor
                && (a.is_discovery() || a == Anchor::DiscoveryYearEnd)
            {
                p.add(
                    Some(raw.span()),
                    format!("{here}.threshold_waived_by"),
                    format!("`{a}` is always known, so the threshold would never count"),
                );
            }
            anchor
        }
    };
    Some(Threshold {
        count: count?,
        operator: operator?,
        scope: scope?,
        waived_for,
        waived_by,
        waived_at_high_risk: d.required_at_high_risk,
    })
}

/// `risk_exempt_when`: `unlikely` or `possible`; a high likelihood never removes a duty.
fn risk_exempt_when(p: &mut Problems, here: &str, raw: &[S<String>]) -> BTreeSet<RiskLikelihood> {
    let field = format!("{here}.risk_exempt_when");
    let mut out = BTreeSet::new();
    for item in raw {
        match RiskLikelihood::parse(item.get_ref()) {
            Some(RiskLikelihood::High) => {
                p.add(
                    Some(item.span()),
                    &field,
                    "a high likelihood of harm never removes a duty",
                );
            }
            Some(l) => {
                out.insert(l);
            }
            None => p.add(
                Some(item.span()),
                &field,
                format!(
                    "unknown `{}`; expected one of {}",
                    item.get_ref(),
                    RiskLikelihood::expected()
                ),
            ),
        }
    }
    out
}
