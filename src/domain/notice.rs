//! Notices to people: their kinds, languages, channels and parts, where a draft stands, and
//! what the notice linter reports.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::keyed::keyed_enum;

keyed_enum! {
    /// What a notice is for. Each kind has its own templates in `notice-templates/<kind>/`.
    NoticeKind, "notice kind" {
        /// The first notice of a breach to the people it affected.
        InitialNotice => "initial-notice",
        /// A later development the affected people should hear about.
        Update => "update",
        /// The follow-up survey's invitation.
        SurveyInvitation => "survey-invitation",
        /// The one reminder to people who did not answer the survey.
        SurveyReminder => "survey-reminder",
        /// The report to a supervisory authority or attorney general.
        RegulatorReport => "regulator-report",
    }
}

impl NoticeKind {
    /// Whether the kind is written to affected people (and so drafted for an audience).
    pub fn is_for_people(self) -> bool {
        !matches!(self, NoticeKind::RegulatorReport)
    }
}

keyed_enum! {
    /// A language Candor has templates for. A person gets theirs, else English.
    Locale, "locale" {
        En => "en",
        Es => "es",
    }
}

impl Locale {
    /// The locale for a person's stored preference (`es`, `es-MX`, `ES_es`, …); English when
    /// Candor has no templates for it.
    pub fn for_person(preference: &str) -> Locale {
        let language = preference
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        Locale::ALL
            .iter()
            .copied()
            .find(|l| l.as_str() == language)
            .unwrap_or(Locale::En)
    }
}

keyed_enum! {
    /// How a notice reaches a person.
    Channel, "channel" {
        /// Email: the HTML body with the text body beside it.
        Email => "email",
        /// A printed letter: the text body, sent by a print-and-mail vendor.
        Postal => "postal",
        /// A task for the person's account manager instead of a form notice (VIP routing).
        Outreach => "outreach",
        /// No usable email or postal address: the law may call for substitute notice.
        Unreachable => "unreachable",
    }
}

keyed_enum! {
    /// One rendered part of a notice.
    Part, "notice part" {
        Subject => "subject",
        Text => "text",
        Html => "html",
    }
}

keyed_enum! {
    /// Where a notice draft stands.
    NoticeStatus, "notice status" {
        /// Being written or reviewed; a voided approval sends a draft back here.
        Draft => "draft",
        /// Approved by a CX lead for exactly the content and audience recorded with the
        /// approval.
        Approved => "approved",
        /// Sent: its messages are in the outbox, rendered from a snapshot taken when it was
        /// sent. The draft is frozen; a later development is a new `update` notice.
        Sent => "sent",
    }
}

keyed_enum! {
    /// How VIP customers are told.
    VipRoute, "VIP route" {
        /// Like everyone else.
        Notice => "notice",
        /// Their account manager reaches out first; the notice follows.
        OutreachThenNotice => "outreach_then_notice",
        /// Their account manager reaches out instead of the form notice.
        OutreachOnly => "outreach_only",
    }
}

// Written out because `keyed_enum!` derives a fixed list of traits for every enum it makes.
#[allow(clippy::derivable_impls)]
impl Default for VipRoute {
    fn default() -> Self {
        VipRoute::Notice
    }
}

keyed_enum! {
    /// The check behind a lint finding.
    LintRule, "lint rule" {
        /// A template does not compile or render in strict mode.
        Rendering => "rendering",
        /// A law's required element is missing, or a forbidden statement present.
        Law => "law",
        /// The text is too hard to read.
        Readability => "readability",
        /// A phrase hides, shifts blame or sounds like a form letter.
        Tone => "tone",
        /// A link or contact detail is missing or malformed.
        Links => "links",
        /// Readers get text in a language other than their own.
        Language => "language",
    }
}

keyed_enum! {
    /// Whether a finding blocks approval.
    FindingSeverity, "finding severity" {
        /// Blocks approval.
        Error => "error",
        /// Worth fixing; does not block approval.
        Warning => "warning",
    }
}

/// Where a finding was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct Location {
    /// The template file (relative to `notice-templates/`) or the draft field
    /// (`draft.what_happened`) the text comes from, when known.
    pub file: Option<String>,
    /// The line in that file, from 1.
    pub line: Option<u32>,
    /// The rendered part it was seen in.
    pub part: Option<Part>,
    /// A short quote of the text concerned.
    pub excerpt: Option<String>,
}

/// One thing the linter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub rule: LintRule,
    pub severity: FindingSeverity,
    /// A stable key for the check (`law.missing.cra_contacts`, `tone.abundance_of_caution`).
    pub code: String,
    pub message: String,
    pub location: Location,
    /// How to fix it.
    pub suggestion: String,
}
