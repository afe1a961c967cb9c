//! The validated rules: a jurisdiction, whom it covers, its safe harbor and risk exemption,
//! its duties with their thresholds and deadlines, and its notice content.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{CategorySet, DataCategory};

use super::vocab::{
    Anchor, Operator, Recipient, RiskLikelihood, ThresholdScope, Trigger, Verification,
};

/// One law or regime, validated.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    /// `EU`, `US-CA`, `US-HIPAA`, …
    pub code: String,
    pub name: String,
    /// The version of this file's rules.
    pub version: u32,
    pub verified_on: NaiveDate,
    pub verification: Verification,
    pub citation: String,
    pub sources: Vec<String>,
    /// Where business days are counted.
    pub time_zone: Tz,
    pub notes: Vec<String>,
    pub covers: Coverage,
    /// Any one full set triggers the law.
    pub triggers: Vec<Trigger>,
    pub triggers_note: Option<String>,
    pub safe_harbor: SafeHarbor,
    pub risk_of_harm: RiskOfHarm,
    pub duties: Vec<DutyRule>,
    /// Required content of the individual notice.
    pub notice_elements: Vec<NoticeElement>,
    /// Content the regulator's notice asks for (used for report drafts).
    pub regulator_notice_elements: Vec<NoticeElement>,
    /// What the individual notice must not say.
    pub forbidden_statements: Vec<NoticeElement>,
    /// The file it came from.
    pub file: String,
}

/// Whose residence brings them under a law.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub people: Vec<Selector>,
    /// Everyone living in an EU member state.
    pub in_eu: bool,
    /// The law applies only to organizations that declare this trait.
    pub organization_trait: Option<String>,
    /// "California resident".
    pub noun_singular: String,
    /// "California residents".
    pub noun_plural: String,
}

impl Coverage {
    /// Whether a person living in `jurisdiction` (with EU membership `in_eu`) is covered.
    pub fn includes(&self, jurisdiction: &str, in_eu: bool) -> bool {
        (self.in_eu && in_eu) || self.people.iter().any(|s| s.matches(jurisdiction))
    }

    /// "1 California resident", "812 California residents".
    pub fn people(&self, count: i64) -> String {
        let noun = if count == 1 {
            &self.noun_singular
        } else {
            &self.noun_plural
        };
        format!("{} {noun}", thousands(count))
    }
}

/// A residence pattern: everyone, every region of a country, or one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// `*`
    Everyone,
    /// `US-*`: every code under this country.
    RegionsOf(String),
    /// `US-CA`, `GB`.
    Code(String),
}

impl Selector {
    /// Whether a person's jurisdiction code matches.
    pub fn matches(&self, jurisdiction: &str) -> bool {
        match self {
            Selector::Everyone => true,
            Selector::RegionsOf(country) => jurisdiction
                .strip_prefix(country.as_str())
                .is_some_and(|rest| rest.starts_with('-')),
            Selector::Code(code) => jurisdiction == code,
        }
    }
}

/// The encryption safe harbor: encrypted data whose key was not compromised does not count
/// for the duties it removes.
#[derive(Debug, Clone)]
pub struct SafeHarbor {
    pub applies: bool,
    /// Ids of the duties it removes.
    pub removes: BTreeSet<String>,
    pub note: Option<String>,
}

impl SafeHarbor {
    /// Whether encrypted data is left out when counting for this duty.
    pub fn removes(&self, duty_id: &str) -> bool {
        self.applies && self.removes.contains(duty_id)
    }
}

/// Whether a recorded risk assessment can remove duties (which ones: each duty's
/// `risk_exempt_when`).
#[derive(Debug, Clone)]
pub struct RiskOfHarm {
    pub exemption: bool,
    pub note: Option<String>,
}

/// One duty to tell someone.
#[derive(Debug, Clone)]
pub struct DutyRule {
    /// Unique within the file; the duty's key is `CODE/id`.
    pub id: String,
    pub recipient: Recipient,
    /// "California Attorney General".
    pub recipient_name: String,
    pub threshold: Threshold,
    pub deadline: Deadline,
    /// The deadline when the threshold is not met (the duty then still applies).
    pub below_threshold: Option<Deadline>,
    /// The duty applies only once its anchor event is recorded (SEC materiality).
    pub only_after_anchor: bool,
    /// Recorded likelihoods that remove the duty.
    pub risk_exempt_when: BTreeSet<RiskLikelihood>,
    /// Citation for this duty.
    pub basis: String,
}

/// How many people a duty needs, and what waives that need.
#[derive(Debug, Clone)]
pub struct Threshold {
    pub count: i64,
    pub operator: Operator,
    pub scope: ThresholdScope,
    /// Anyone whose data meets one of these sets makes the duty apply whatever the count.
    pub waived_for: Vec<Trigger>,
    /// A recorded event that makes the duty apply whatever the count.
    pub waived_by: Option<Anchor>,
    /// A high risk of harm (recorded, or presumed when none is recorded) waives the count.
    pub waived_at_high_risk: bool,
}

/// When a duty is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub anchor: Anchor,
    /// `None`: no fixed count ("without unreasonable delay").
    pub period: Option<Period>,
    /// The standard in words.
    pub text: String,
}

/// A fixed time after the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hours(u32),
    /// Calendar days; `Days(0)` means "no later than the anchor event".
    Days(u32),
    /// Days that skip Saturdays and Sundays in the law's time zone.
    BusinessDays(u32),
}

/// A required (or forbidden) piece of notice content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NoticeElement {
    /// Short, stable key (`breach_date`).
    pub key: String,
    pub text: String,
    /// The element is required only when the exposed data includes one of these categories
    /// (in vocabulary order, never empty); `None`: whatever the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when_any: Option<Vec<DataCategory>>,
}

impl NoticeElement {
    /// Whether the element is required for someone whose exposed data is `exposed`: always
    /// when it has no `when_any`, else when `exposed` holds one of its categories.
    pub fn applies_to(&self, exposed: CategorySet) -> bool {
        self.when_any
            .as_ref()
            .is_none_or(|any| any.iter().any(|c| exposed.contains(*c)))
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}
