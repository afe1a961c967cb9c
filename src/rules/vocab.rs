//! The rules pack's closed vocabularies: who is told, what starts a clock, how likely harm is,
//! how a threshold compares, how well a rule was verified, and what a trigger set is.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::CategorySet;

/// Declares a string-keyed vocabulary: the enum, its keys, parsing and display.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $key)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The key used in pack files and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The value with this key, if any.
            pub fn parse(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == key)
            }

            /// Every key, quoted and comma-separated, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Who a duty says must be told.
    Recipient {
        /// The affected people themselves.
        Individuals => "individuals",
        /// A data protection authority or sector regulator (ICO, HHS, FTC, SEC, PDPC, …).
        Regulator => "regulator",
        /// A state attorney general (or the office that acts as one).
        AttorneyGeneral => "attorney_general",
        /// The nationwide consumer reporting (credit) agencies.
        ConsumerReportingAgencies => "consumer_reporting_agencies",
        /// Prominent media outlets.
        Media => "media",
        /// A police body (such as a state police division).
        LawEnforcement => "law_enforcement",
        /// Another named government office (consumer affairs, homeland security, …).
        GovernmentAgency => "government_agency",
    }
}

vocabulary! {
    /// The event a deadline counts from.
    Anchor {
        /// Becoming aware of the breach: the incident's `discovered_at`.
        Awareness => "awareness",
        /// Discovering the breach (or being told of it): the incident's `discovered_at`.
        Discovery => "discovery",
        /// Determining that a breach occurred (some laws' clocks start here, not at discovery).
        Determination => "determination",
        /// Determining that the incident is material (SEC).
        MaterialityDetermination => "materiality_determination",
        /// Assessing the breach as notifiable.
        Assessment => "assessment",
        /// Notifying the affected individuals.
        IndividualNotice => "individual_notice",
        /// Notifying the regulator.
        RegulatorNotice => "regulator_notice",
        /// The end of the calendar year of discovery, in the law's time zone (computed, never
        /// recorded).
        DiscoveryYearEnd => "discovery_year_end",
        /// Making an extortion (ransom) payment.
        ExtortionPayment => "extortion_payment",
        /// Recording a suspicion that the breach was caused on purpose (an attack, theft or
        /// misuse).
        MaliciousActSuspected => "malicious_act_suspected",
    }
}

impl Anchor {
    /// Whether this anchor is the incident's `discovered_at`.
    pub fn is_discovery(self) -> bool {
        matches!(self, Anchor::Awareness | Anchor::Discovery)
    }

    /// The event in plain words, as it reads after "after" or "waiting for".
    pub fn event(self) -> &'static str {
        match self {
            Anchor::Awareness => "becoming aware of the breach",
            Anchor::Discovery => "discovery of the breach",
            Anchor::Determination => "the determination that a breach or incident occurred",
            Anchor::MaterialityDetermination => "the determination that the incident is material",
            Anchor::Assessment => "the assessment that the breach is notifiable",
            Anchor::IndividualNotice => "the notice to individuals",
            Anchor::RegulatorNotice => "the notice to the regulator",
            Anchor::DiscoveryYearEnd => "the end of the calendar year of discovery",
            Anchor::ExtortionPayment => "an extortion payment",
            Anchor::MaliciousActSuspected => "a suspicion that the breach was deliberate",
        }
    }
}

vocabulary! {
    /// How likely harm is, as a recorded risk assessment rates it.
    RiskLikelihood {
        Unlikely => "unlikely",
        Possible => "possible",
        High => "high",
    }
}

vocabulary! {
    /// How a head count is compared with a threshold.
    Operator {
        /// More than the threshold.
        MoreThan => ">",
        /// The threshold or more.
        AtLeast => ">=",
    }
}

impl Operator {
    /// Whether `count` meets `threshold`.
    pub fn holds(self, count: i64, threshold: i64) -> bool {
        match self {
            Operator::MoreThan => count > threshold,
            Operator::AtLeast => count >= threshold,
        }
    }
}

vocabulary! {
    /// How well a jurisdiction's facts were checked against their sources.
    Verification {
        Verified => "verified",
        PartiallyVerified => "partially_verified",
        Unverified => "unverified",
    }
}

vocabulary! {
    /// What a threshold counts.
    ThresholdScope {
        /// Everyone the jurisdiction covers, together.
        Total => "total",
        /// Each region (state, country) on its own: met when any one region meets it.
        EachRegion => "each_region",
    }
}

/// The keyword, in a set of its own, that stands for any personal data at all.
pub const ANY_PERSONAL_DATA: &str = "any_personal_data";

/// A set of data categories whose exposure, all together, triggers a law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Any exposed category.
    AnyPersonalData,
    /// Every one of these categories.
    AllOf(CategorySet),
}

impl Trigger {
    /// Whether `data` holds the whole set.
    pub fn met_by(self, data: CategorySet) -> bool {
        match self {
            Trigger::AnyPersonalData => !data.is_empty(),
            Trigger::AllOf(set) => !set.is_empty() && data.intersection(set) == set,
        }
    }

    /// The set's keys, as written in the pack.
    pub fn keys(self) -> Vec<String> {
        match self {
            Trigger::AnyPersonalData => vec![ANY_PERSONAL_DATA.to_owned()],
            Trigger::AllOf(set) => set.iter().map(|c| c.as_str().to_owned()).collect(),
        }
    }

    /// The set as one label, keys joined with ` + ` (`name + ssn`).
    pub fn label(self) -> String {
        self.keys().join(" + ")
    }
}
