//! The obligations engine: from an incident's facts and its affected population, which laws
//! apply, whom each says must be told, and by when. Pure: no database, no clock, no I/O.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::basis::{self, Scored};
use super::deadline;
use super::model::{Deadline, DutyRule, Jurisdiction};
use super::pack::Pack;
use super::vocab::{Anchor, Recipient, RiskLikelihood, Verification};
use crate::domain::CategorySet;

/// What the engine is told about an incident.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// When the breach was discovered: the `awareness` and `discovery` anchors.
    pub discovered_at: DateTime<Utc>,
    /// Other events already recorded (a determination, the individual notice, …); awareness,
    /// discovery and the end of the discovery year come from `discovered_at`.
    pub anchors: BTreeMap<Anchor, DateTime<Utc>>,
    /// The organization's declared traits (`hipaa_covered_entity`, …).
    pub organization_traits: &'a BTreeSet<String>,
    /// The affected people, grouped.
    pub population: &'a [Group],
    /// The recorded risk assessment, if any. None removes nothing.
    pub risk: Option<RiskLikelihood>,
}

/// People who live in the same place and had the same data exposed the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `US-CA`, `CA-ON`, `DE`, …
    pub jurisdiction: String,
    pub in_eu: bool,
    /// Every category exposed for these people.
    pub exposed: CategorySet,
    /// The part of `exposed` from systems that were not encrypted, or whose key was
    /// compromised: what the encryption safe harbor does not cover.
    pub unprotected: CategorySet,
    pub people: i64,
}

/// One law's verdict on the population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JurisdictionResult {
    pub code: String,
    pub name: String,
    /// The version of this jurisdiction's file.
    pub rules_version: u32,
    pub verification: Verification,
    pub citation: String,
    /// People the law covers (by residence), whatever their data.
    pub people_covered: i64,
    /// Covered people whose exposed data meets at least one trigger set.
    pub people_triggered: i64,
    /// Each trigger set met by someone, with how many.
    pub triggers_matched: Vec<TriggerMatch>,
    /// Whether the law has an encryption safe harbor.
    pub safe_harbor_applies: bool,
    /// Triggered people who no longer meet a set once encrypted data (key not compromised)
    /// is left out.
    pub people_removed_by_safe_harbor: i64,
    /// The recorded risk assessment the result used.
    pub risk_assessment: Option<RiskLikelihood>,
    /// Keys of the duties that assessment removed.
    pub removed_by_risk_assessment: Vec<String>,
    pub duties: Vec<Duty>,
}

/// How many people met one trigger set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TriggerMatch {
    /// The set's category keys (or `any_personal_data`).
    pub categories: Vec<String>,
    /// People whose exposed data holds the whole set.
    pub people: i64,
    /// Of those, people whose unprotected data alone holds it.
    pub people_unprotected: i64,
}

/// One duty to tell someone, decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Duty {
    /// Stable: `US-CA/attorney_general`.
    pub key: String,
    pub jurisdiction: String,
    pub recipient: Recipient,
    pub recipient_name: String,
    pub required: bool,
    /// When it is due; none when the law sets no fixed time, or its anchor event is not
    /// recorded yet (see `waiting_for`).
    pub due_at: Option<DateTime<Utc>>,
    pub due_text: String,
    /// The event the due time (or the duty itself) waits for.
    pub waiting_for: Option<Anchor>,
    /// The people counted for this duty's threshold.
    pub people: i64,
    /// Why, in one plain sentence, with the citation.
    pub basis: String,
}

/// Every jurisdiction that covers someone in the population (and whose organization trait, if
/// any, is declared), in code order.
pub fn evaluate(pack: &Pack, facts: &Facts) -> Vec<JurisdictionResult> {
    pack.jurisdictions()
        .iter()
        .filter_map(|j| evaluate_one(j, facts))
        .collect()
}

fn evaluate_one(j: &Jurisdiction, facts: &Facts) -> Option<JurisdictionResult> {
    if let Some(t) = &j.covers.organization_trait
        && !facts.organization_traits.contains(t)
    {
        return None;
    }
    let groups: Vec<Scored> = facts
        .population
        .iter()
        .filter(|g| g.people > 0 && j.covers.includes(&g.jurisdiction, g.in_eu))
        .map(|g| Scored::new(j, g))
        .collect();
    if groups.is_empty() {
        return None;
    }
    let total = |keep: &dyn Fn(&Scored) -> bool| -> i64 {
        super::basis::people_in(groups.iter().filter(|s| keep(s)).map(|s| s.group.people))
    };
    let triggers_matched = j
        .triggers
        .iter()
        .filter_map(|t| {
            let people = total(&|s| t.met_by(s.group.exposed));
            (people > 0).then(|| TriggerMatch {
                categories: t.keys(),
                people,
                people_unprotected: total(&|s| t.met_by(s.unprotected)),
            })
        })
        .collect();
    let mut removed_by_risk_assessment = Vec::new();
    let mut duties = Vec::new();
    for rule in &j.duties {
        let (duty, by_risk) = decide(j, rule, &groups, facts);
        if by_risk {
            removed_by_risk_assessment.push(duty.key.clone());
        }
        duties.push(duty);
    }
    let removed = if j.safe_harbor.applies {
        total(&|s| s.hit_exposed && !s.hit_unprotected)
    } else {
        0
    };
    Some(JurisdictionResult {
        code: j.code.clone(),
        name: j.name.clone(),
        rules_version: j.version,
        verification: j.verification,
        citation: j.citation.clone(),
        people_covered: total(&|_| true),
        people_triggered: total(&|s| s.hit_exposed),
        triggers_matched,
        safe_harbor_applies: j.safe_harbor.applies,
        people_removed_by_safe_harbor: removed,
        risk_assessment: facts.risk,
        removed_by_risk_assessment,
        duties,
    })
}

/// Decides one duty; the flag says whether the risk assessment removed it.
fn decide(j: &Jurisdiction, rule: &DutyRule, groups: &[Scored], facts: &Facts) -> (Duty, bool) {
    let verdict = basis::verdict(j, rule, groups, facts, |anchor| {
        anchor_time(anchor, facts, j)
    });
    let key = format!("{}/{}", j.code, rule.id);
    let (required, due_at, waiting_for, text, why) = match verdict.deadline {
        Some(dl) => {
            let (due_at, waiting_for) = schedule(j, dl, facts);
            (true, due_at, waiting_for, dl.text.clone(), verdict.why)
        }
        None => (
            false,
            None,
            verdict.waiting_for,
            rule.deadline.text.clone(),
            verdict.why,
        ),
    };
    let due_text = match waiting_for {
        Some(anchor) => format!("{text} Waiting for {}: not recorded yet.", anchor.event()),
        None => text,
    };
    let duty = Duty {
        key,
        jurisdiction: j.code.clone(),
        recipient: rule.recipient,
        recipient_name: rule.recipient_name.clone(),
        required,
        due_at,
        due_text,
        waiting_for,
        people: verdict.people,
        basis: format!("{} ({}).", why, rule.basis),
    };
    (duty, verdict.by_risk)
}

/// The due time of a required duty, or the event it waits for.
fn schedule(
    j: &Jurisdiction,
    dl: &Deadline,
    facts: &Facts,
) -> (Option<DateTime<Utc>>, Option<Anchor>) {
    let Some(period) = dl.period else {
        return (None, None);
    };
    match anchor_time(dl.anchor, facts, j) {
        Some(start) => (Some(deadline::add(start, period, j.time_zone)), None),
        None => (None, Some(dl.anchor)),
    }
}

/// When an anchor event happened, if known.
fn anchor_time(anchor: Anchor, facts: &Facts, j: &Jurisdiction) -> Option<DateTime<Utc>> {
    match anchor {
        Anchor::Awareness | Anchor::Discovery => Some(facts.discovered_at),
        Anchor::DiscoveryYearEnd => Some(deadline::year_end(facts.discovered_at, j.time_zone)),
        other => facts.anchors.get(&other).copied(),
    }
}
