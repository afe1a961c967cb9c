//! Tests of the rules pack and the obligations engine, with shared helpers.

mod deadlines;
mod engine;
mod exemptions;
mod jurisdictions;
mod pack_files;
mod validator;
mod when_any;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};

use super::{Anchor, Duty, Facts, Group, JurisdictionResult, Pack, RiskLikelihood, evaluate};
use crate::domain::CategorySet;

/// The shipped pack, loaded once.
pub(super) fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| match Pack::embedded() {
        Ok(pack) => pack,
        Err(e) => panic!("{e}"),
    })
}

/// An instant from RFC 3339 text.
pub(super) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
}

/// Categories from `;`-separated keys.
pub(super) fn cats(list: &str) -> CategorySet {
    CategorySet::parse_list(list).unwrap_or_else(|e| panic!("{e}"))
}

/// `people` living in `jurisdiction` with `exposed` data, none of it encrypted.
pub(super) fn group(jurisdiction: &str, exposed: &str, people: i64) -> Group {
    Group {
        jurisdiction: jurisdiction.to_owned(),
        in_eu: crate::domain::jurisdiction::residence(
            crate::domain::jurisdiction::country_of(jurisdiction),
            jurisdiction.split_once('-').map(|(_, r)| r).unwrap_or(""),
        )
        .map(|r| r.in_eu)
        .unwrap_or(false),
        exposed: cats(exposed),
        unprotected: cats(exposed),
        people,
    }
}

/// The same group with only `unprotected` outside encryption (key not compromised).
pub(super) fn encrypted(mut g: Group, unprotected: &str) -> Group {
    g.unprotected = cats(unprotected);
    g
}

/// A scenario: the incident's facts around a population.
pub(super) struct Scenario {
    pub discovered_at: DateTime<Utc>,
    pub anchors: BTreeMap<Anchor, DateTime<Utc>>,
    pub traits: BTreeSet<String>,
    pub population: Vec<Group>,
    pub risk: Option<RiskLikelihood>,
}

impl Scenario {
    /// Discovered on Thursday 8 January 2026 at 15:00 UTC, no traits, no assessment.
    pub fn new(population: Vec<Group>) -> Self {
        Scenario {
            discovered_at: at("2026-01-08T15:00:00Z"),
            anchors: BTreeMap::new(),
            traits: BTreeSet::new(),
            population,
            risk: None,
        }
    }

    pub fn with_traits(mut self, traits: &[&str]) -> Self {
        self.traits = traits.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    pub fn with_risk(mut self, risk: RiskLikelihood) -> Self {
        self.risk = Some(risk);
        self
    }

    pub fn with_anchor(mut self, anchor: Anchor, when: &str) -> Self {
        self.anchors.insert(anchor, at(when));
        self
    }

    /// Every jurisdiction's result.
    pub fn run(&self) -> Vec<JurisdictionResult> {
        let facts = Facts {
            discovered_at: self.discovered_at,
            anchors: self.anchors.clone(),
            organization_traits: &self.traits,
            population: &self.population,
            risk: self.risk,
        };
        evaluate(pack(), &facts)
    }

    /// One jurisdiction's result, which must be present.
    pub fn result(&self, code: &str) -> JurisdictionResult {
        let results = self.run();
        let codes: Vec<_> = results.iter().map(|r| r.code.clone()).collect();
        results
            .into_iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("{code} missing; results: {codes:?}"))
    }
}

/// The duty `CODE/id` of a result.
pub(super) fn duty<'r>(result: &'r JurisdictionResult, id: &str) -> &'r Duty {
    let key = format!("{}/{id}", result.code);
    result
        .duties
        .iter()
        .find(|d| d.key == key)
        .unwrap_or_else(|| panic!("no duty {key}"))
}

/// The ids of the required duties, in file order.
pub(super) fn required(result: &JurisdictionResult) -> Vec<String> {
    result
        .duties
        .iter()
        .filter(|d| d.required)
        .map(|d| {
            d.key
                .split_once('/')
                .map(|(_, id)| id.to_owned())
                .unwrap_or_default()
        })
        .collect()
}
