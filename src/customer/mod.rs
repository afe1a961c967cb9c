//! The customer's side of an incident: what a person's signed link opens (their personal page
//! and their survey), and the contact preferences they set there.
//!
//! Every use-case starts from a [`Visitor`]: the link token checked for its purpose and the
//! link row it names checked for its incident, expiry and revocation ([`visitor`]). What the
//! visitor then sees or changes is keyed by that link alone, so one person's token never
//! reaches another person's messages, preferences or answers.
//!
//! Names, addresses, person keys, tokens and answers are personal data: they never go into
//! logs, errors or audit summaries.

mod link;
mod notice;
mod page;
mod preferences;
mod survey;

pub use link::{Visitor, visitor};
pub use page::{PersonalPage, Update, personal_page};
pub use preferences::{Preferences, Reachable, set_preferences};
pub use survey::{AnswerOutcome, SurveyPage, answer, survey_page};

use crate::domain::survey::ContactChannel;
use crate::survey::SurveyError;

/// Errors of the customer capability. Their messages name ids at most, never a person.
#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    /// Malformed, forged, for another purpose, or naming no link of its incident.
    #[error("the link is not valid")]
    Invalid,
    /// The token or the link row has expired.
    #[error("the link has expired")]
    Expired,
    /// Staff turned the link off.
    #[error("the link was revoked")]
    Revoked,
    /// The survey no longer takes answers.
    #[error("the survey closed on {0}")]
    SurveyClosed(chrono::NaiveDate),
    /// The person chose a channel Candor has no address for.
    #[error("there is no {0} address for this person")]
    Unreachable(ContactChannel),
    /// A token for another of the person's pages could not be signed.
    #[error("a link could not be signed")]
    Signing,
    /// Stored delivery data (a campaign's snapshot, a variant, a person's part) is unreadable.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Survey(#[from] SurveyError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}
