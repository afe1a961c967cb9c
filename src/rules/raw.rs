//! The pack's files exactly as written: TOML shapes with their places in the file, before any
//! check. Vocabulary fields are plain strings here so that the validator can report every
//! unknown word, not only the first one serde meets.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

/// A value with its byte range in the file.
pub(super) type S<T> = Spanned<T>;

/// `pack.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPackFile {
    pub release: Option<S<String>>,
    pub description: Option<String>,
    #[serde(default)]
    pub traits: BTreeMap<String, S<String>>,
}

/// One jurisdiction's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJurisdiction {
    pub code: Option<S<String>>,
    pub name: Option<S<String>>,
    pub version: Option<S<i64>>,
    pub verified_on: Option<S<Datetime>>,
    pub verification: Option<S<String>>,
    pub citation: Option<S<String>>,
    pub sources: Option<S<Vec<S<String>>>>,
    pub time_zone: Option<S<String>>,
    #[serde(default)]
    pub notes: Vec<String>,
    pub covers: Option<S<RawCovers>>,
    pub triggers: Option<S<RawTriggers>>,
    pub encryption_safe_harbor: Option<S<RawSafeHarbor>>,
    pub risk_of_harm: Option<S<RawRiskOfHarm>>,
    #[serde(default)]
    pub duties: Vec<S<RawDuty>>,
    #[serde(default)]
    pub notice_elements: Vec<S<RawElement>>,
    #[serde(default)]
    pub regulator_notice_elements: Vec<S<RawElement>>,
    #[serde(default)]
    pub forbidden_statements: Vec<S<RawElement>>,
}

/// `[covers]`: whose residence brings them under the law.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCovers {
    #[serde(default)]
    pub people: Vec<S<String>>,
    #[serde(default)]
    pub in_eu: bool,
    pub organization_trait: Option<S<String>>,
    pub noun_singular: Option<S<String>>,
    pub noun_plural: Option<S<String>>,
}

/// A list of category sets, each a list of keys.
pub(super) type RawSets = Vec<S<Vec<S<String>>>>;

/// `[triggers]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTriggers {
    pub sets: Option<S<RawSets>>,
    pub note: Option<String>,
}

/// `[encryption_safe_harbor]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSafeHarbor {
    pub applies: Option<S<bool>>,
    #[serde(default)]
    pub removes: Vec<S<String>>,
    pub note: Option<String>,
}

/// `[risk_of_harm]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRiskOfHarm {
    pub exemption: Option<S<bool>>,
    pub note: Option<String>,
}

/// The deadline fields, shared by a duty and its `below_threshold` alternative.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeadline {
    pub hours: Option<S<i64>>,
    pub days: Option<S<i64>>,
    pub business_days: Option<S<bool>>,
    pub anchor: Option<S<String>>,
    pub due_text: Option<S<String>>,
}

/// One `[[duties]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDuty {
    pub id: Option<S<String>>,
    pub recipient: Option<S<String>>,
    pub recipient_name: Option<S<String>>,
    pub threshold: Option<S<i64>>,
    pub operator: Option<S<String>>,
    pub threshold_scope: Option<S<String>>,
    #[serde(default)]
    pub threshold_waived_for: RawSets,
    pub threshold_waived_by: Option<S<String>>,
    #[serde(default)]
    pub required_at_high_risk: bool,
    pub hours: Option<S<i64>>,
    pub days: Option<S<i64>>,
    pub business_days: Option<S<bool>>,
    pub anchor: Option<S<String>>,
    #[serde(default)]
    pub only_after_anchor: bool,
    pub due_text: Option<S<String>>,
    #[serde(default)]
    pub risk_exempt_when: Vec<S<String>>,
    pub below_threshold: Option<S<RawDeadline>>,
    pub basis: Option<S<String>>,
}

impl RawDuty {
    /// The duty's own deadline fields.
    pub(super) fn deadline(&self) -> RawDeadline {
        RawDeadline {
            hours: self.hours.clone(),
            days: self.days.clone(),
            business_days: self.business_days.clone(),
            anchor: self.anchor.clone(),
            due_text: self.due_text.clone(),
        }
    }
}

/// A notice element or forbidden statement: a short key, its text and, for an element that
/// only some data calls for, the categories that call for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawElement {
    pub key: Option<S<String>>,
    pub text: Option<S<String>>,
    pub when_any: Option<S<Vec<S<String>>>>,
}
