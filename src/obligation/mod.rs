//! The obligation capability: what the law asks of an incident and by when. It feeds the
//! rules engine the incident's facts (discovery, recorded events, the organization's traits,
//! the current mapping's population, the recorded risk assessment), keeps every distinct
//! result with its rules version, tracks duties done, raises alerts for duties due soon or
//! overdue, and drafts the report for a supervisory authority.
//!
//! Logs, errors and audit summaries carry ids, keys and counts, never personal data.

mod alerts;
mod compute;
mod duties;
mod records;
mod report;
mod status;

pub use alerts::{AlertConfig, AlertWorker, SweepReport};
pub use compute::{Computed, History, compute, evaluate_incident, history};
pub use duties::{DoneInput, mark_done};
pub use records::{RiskInput, record_event, record_risk, risk_assessment};
pub use report::{
    Report, ReportFormat, ReportRequest, ReportTemplates, regulator_report,
    sample_context as sample_report_context,
};
pub use status::{DutyStatus, duty_status};

use std::collections::BTreeSet;
use std::sync::Arc;

use sea_orm::DbErr;

use crate::rules::Pack;

/// What obligations are computed with: the rules pack and what the organization declares.
#[derive(Debug, Clone)]
pub struct ObligationConfig {
    pub pack: Arc<Pack>,
    /// The organization traits in force (`CANDOR_ORGANIZATION_TRAITS`), checked against the
    /// pack at startup.
    pub traits: Arc<BTreeSet<String>>,
    /// The contact point reports name (`CANDOR_ORGANIZATION_CONTACT`); empty when not set.
    pub contact: String,
}

pub use crate::domain::Problem;

/// Errors of the obligation capability.
#[derive(Debug, thiserror::Error)]
pub enum ObligationError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("this incident has not been mapped yet; start a mapping first")]
    NotMapped,
    #[error("no risk assessment has been recorded for this incident")]
    NotAssessed,
    #[error("the request has invalid fields")]
    Invalid(Vec<Problem>),
    #[error("duty `{0}` is not among this incident's obligations")]
    UnknownDuty(String),
    #[error("duty `{0}` is already marked done")]
    AlreadyDone(String),
    #[error("jurisdiction `{0}` is not in the rules pack")]
    UnknownJurisdiction(String),
    #[error("jurisdiction `{0}` covers nobody affected by this incident")]
    JurisdictionNotApplicable(String),
    #[error("the report template failed: {0}")]
    Render(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}
