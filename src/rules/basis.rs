//! Whether one duty is required, and why in one plain sentence: who is counted, the threshold
//! and what waives it, the safe harbor, a recorded risk assessment, and events still awaited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::evaluate::{Facts, Group};
use super::model::{Deadline, DutyRule, Jurisdiction, Threshold, thousands};
use super::vocab::{Anchor, Operator, Recipient, RiskLikelihood, ThresholdScope};
use crate::domain::CategorySet;

/// A group with what the jurisdiction's triggers make of it.
pub(super) struct Scored<'g> {
    pub group: &'g Group,
    /// The unprotected part of the exposed data.
    pub unprotected: CategorySet,
    /// Some trigger set is met by the exposed data.
    pub hit_exposed: bool,
    /// Some trigger set is met by the unprotected data alone.
    pub hit_unprotected: bool,
}

impl<'g> Scored<'g> {
    pub fn new(j: &Jurisdiction, group: &'g Group) -> Self {
        let unprotected = group.unprotected.intersection(group.exposed);
        Scored {
            group,
            unprotected,
            hit_exposed: j.triggers.iter().any(|t| t.met_by(group.exposed)),
            hit_unprotected: j.triggers.iter().any(|t| t.met_by(unprotected)),
        }
    }
}

/// The decision on one duty.
pub(super) struct Verdict<'r> {
    /// The deadline in force when the duty is required.
    pub deadline: Option<&'r Deadline>,
    pub why: String,
    pub waiting_for: Option<Anchor>,
    /// The recorded risk assessment removed the duty.
    pub by_risk: bool,
    /// People counted for the threshold.
    pub people: i64,
}

impl Verdict<'_> {
    fn not_required(why: String, people: i64) -> Self {
        Verdict {
            deadline: None,
            why,
            waiting_for: None,
            by_risk: false,
            people,
        }
    }
}

/// Decides `rule` for the covered `groups`; `known` tells when an anchor event happened.
pub(super) fn verdict<'r>(
    j: &Jurisdiction,
    rule: &'r DutyRule,
    groups: &[Scored],
    facts: &Facts,
    known: impl Fn(Anchor) -> Option<DateTime<Utc>>,
) -> Verdict<'r> {
    // Under the safe harbor, encrypted data whose key was not compromised does not count.
    let harbored = j.safe_harbor.removes(&rule.id);
    let counted: Vec<(&Scored, CategorySet)> = groups
        .iter()
        .filter(|s| {
            if harbored {
                s.hit_unprotected
            } else {
                s.hit_exposed
            }
        })
        .map(|s| {
            (
                s,
                if harbored {
                    s.unprotected
                } else {
                    s.group.exposed
                },
            )
        })
        .collect();
    let n = people_in(counted.iter().map(|(s, _)| s.group.people));
    if n == 0 {
        let exposed = people_in(
            groups
                .iter()
                .filter(|s| s.hit_exposed)
                .map(|s| s.group.people),
        );
        let why = if harbored && exposed > 0 {
            format!(
                "Not required: the data of {} that meets a trigger set was encrypted and the key was not compromised, so the encryption safe harbor applies",
                j.covers.people(exposed)
            )
        } else {
            "Not required: no one's exposed data meets a trigger set of this law".to_owned()
        };
        return Verdict::not_required(why, 0);
    }
    let anchor = rule.deadline.anchor;
    if rule.only_after_anchor && known(anchor).is_none() {
        let why = format!(
            "Not required yet: it applies only after {}, and none is recorded",
            anchor.event()
        );
        return Verdict {
            waiting_for: Some(anchor),
            ..Verdict::not_required(why, n)
        };
    }
    if let Some(risk) = facts.risk
        && rule.risk_exempt_when.contains(&risk)
    {
        let why = format!(
            "Not required: the recorded risk assessment rates harm as {risk}, which removes this duty"
        );
        return Verdict {
            by_risk: true,
            ..Verdict::not_required(why, n)
        };
    }
    let told = told(j, harbored, n);
    let (met, clause) = threshold(&rule.threshold, &counted, n, facts, &known);
    let (deadline, why) = match (met, &rule.below_threshold) {
        (true, _) => (Some(&rule.deadline), format!("Required: {told}{clause}")),
        (false, Some(below)) => (
            Some(below),
            format!(
                "Required: {told}, not {}, so the deadline for smaller breaches applies",
                phrase(&rule.threshold)
            ),
        ),
        (false, None) => (None, format!("Not required: {told}{clause}")),
    };
    Verdict {
        deadline,
        why,
        waiting_for: None,
        by_risk: false,
        people: n,
    }
}

/// "812 California residents must be told", or, when the count includes people the safe
/// harbor spares from individual notice, "… have exposed data that meets a trigger set".
fn told(j: &Jurisdiction, harbored: bool, n: i64) -> String {
    let individuals = j
        .duties
        .iter()
        .find(|d| d.recipient == Recipient::Individuals)
        .map(|d| j.safe_harbor.removes(&d.id));
    let verb = match individuals {
        Some(h) if h == harbored => "must be told",
        _ if n == 1 => "has exposed data that meets a trigger set",
        _ => "have exposed data that meets a trigger set",
    };
    format!("{} {verb}", j.covers.people(n))
}

/// "more than 500", "500 or more", "any number".
fn phrase(t: &Threshold) -> String {
    match t.operator {
        Operator::AtLeast if t.count <= 1 => "any number".to_owned(),
        Operator::MoreThan if t.count <= 0 => "any number".to_owned(),
        Operator::MoreThan => format!("more than {}", thousands(t.count)),
        Operator::AtLeast => format!("{} or more", thousands(t.count)),
    }
}

/// Whether the threshold is met (or waived), and the clause that says so.
fn threshold(
    t: &Threshold,
    counted: &[(&Scored, CategorySet)],
    n: i64,
    facts: &Facts,
    known: &impl Fn(Anchor) -> Option<DateTime<Utc>>,
) -> (bool, String) {
    let any = phrase(t) == "any number";
    let (met, clause) = match t.scope {
        ThresholdScope::Total if any => (true, String::new()),
        ThresholdScope::Total if t.operator.holds(n, t.count) => (true, format!(", {}", phrase(t))),
        ThresholdScope::Total => (false, format!(", and this duty needs {}", phrase(t))),
        ThresholdScope::EachRegion => by_region(t, counted),
    };
    if met {
        return (met, clause);
    }
    let waiver = if let Some(set) = t
        .waived_for
        .iter()
        .find(|w| counted.iter().any(|(_, data)| w.met_by(*data)))
    {
        Some(format!("exposed data includes {}", set.label()))
    } else if let Some(a) = t.waived_by.filter(|a| known(*a).is_some()) {
        Some(format!("{} is recorded", a.event()))
    } else if t.waived_at_high_risk {
        match facts.risk {
            Some(RiskLikelihood::High) => {
                Some("the recorded risk assessment rates harm as high".to_owned())
            }
            None => Some(
                "no risk assessment is recorded, so a high risk of harm is presumed".to_owned(),
            ),
            Some(_) => None,
        }
    } else {
        None
    };
    match waiver {
        Some(reason) => (
            true,
            format!(
                "; the threshold ({}) does not apply because {reason}",
                phrase(t)
            ),
        ),
        None => (false, clause),
    }
}

/// The people of several groups together. Counts come from the database and never come near
/// `i64::MAX`, but the engine is pure and takes any facts: a sum past it stays at it rather
/// than overflowing (found by the `rules_pack` fuzz target).
pub(crate) fn people_in(counts: impl Iterator<Item = i64>) -> i64 {
    counts.fold(0, i64::saturating_add)
}

/// A per-region threshold: met when any one region meets it.
fn by_region(t: &Threshold, counted: &[(&Scored, CategorySet)]) -> (bool, String) {
    let mut regions: BTreeMap<&str, i64> = BTreeMap::new();
    for (s, _) in counted {
        let n = regions.entry(s.group.jurisdiction.as_str()).or_default();
        *n = n.saturating_add(s.group.people);
    }
    let met: Vec<String> = regions
        .iter()
        .filter(|(_, n)| t.operator.holds(**n, t.count))
        .map(|(code, n)| format!("{code} ({})", thousands(*n)))
        .collect();
    if !met.is_empty() {
        return (
            true,
            format!(
                ", {} in a single state or region: {}",
                phrase(t),
                met.join(", ")
            ),
        );
    }
    let largest = regions
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(code, n)| format!("{code} with {}", thousands(*n)))
        .unwrap_or_default();
    (
        false,
        format!(
            ", but no single state or region has {} (largest: {largest})",
            phrase(t)
        ),
    )
}
