//! Notice drafts: a notice kind bound to an incident's current audience, edited by the
//! incident team, linted, previewed, and approved by a CX lead who did not edit it last. The
//! approval records the hashes of the template files, the audience, the rules and the draft's
//! own words; when any of them changes the approval is void and the draft goes back to review.
//!
//! Logs, errors and audit summaries carry ids, kinds, counts and file paths, never personal
//! data.

mod binding;
mod edit;
mod inspect;
pub mod prepare;
mod review;

pub use binding::{Approval, Binding};
pub use edit::{TemplateFile, create, edit, put_template, revert_template, templates};
pub use inspect::{DryRun, Preview, PreviewOf, dry_run, lint, preview};
pub use review::{Approver, approve, ensure_current, get, list, mark_sent};

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::content::DraftContent;
use super::context::Organization;
use super::lint::LintReport;
use super::lint::readability::ReadabilityLimits;
use super::lint::tone::ToneList;
use super::templates::{TemplateProblem, TemplateSet, TemplateSetError};
use crate::domain::Problem;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::obligation::ObligationError;

/// Where the base templates come from.
#[derive(Debug, Clone)]
pub enum TemplateSource {
    /// The files built into the binary.
    Embedded,
    /// A folder of the same shape (`CANDOR_NOTICE_TEMPLATES`), read on every use so an edit
    /// on disk is seen (and voids approvals given for the old content).
    Dir(PathBuf),
}

/// What notices are written and checked with.
#[derive(Clone)]
pub struct NoticeConfig {
    pub templates: TemplateSource,
    pub organization: Organization,
    /// Where people's links point: `https://notices.example.org`.
    pub public_url: String,
    /// The contact point a new draft starts with (`CANDOR_ORGANIZATION_CONTACT`).
    pub default_contact: String,
    pub limits: ReadabilityLimits,
    pub tone: Arc<ToneList>,
}

impl NoticeConfig {
    /// The base template set.
    pub fn base_templates(&self) -> Result<TemplateSet, NoticeError> {
        match &self.templates {
            TemplateSource::Embedded => Ok(TemplateSet::embedded()),
            TemplateSource::Dir(dir) => {
                TemplateSet::load_dir(dir).map_err(|e| NoticeError::Templates(e.to_string()))
            }
        }
    }
}

/// A notice draft.
#[derive(Debug, Clone)]
pub struct Notice {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: NoticeKind,
    pub status: NoticeStatus,
    pub content: DraftContent,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
    /// Template files this draft has its own copy of.
    pub edited_files: Vec<String>,
    pub last_lint: Option<LintReport>,
    /// The approval in force.
    pub approval: Option<Approval>,
    /// The last approval given, in force or void: dry runs are compared with its audience.
    pub last_approval: Option<Approval>,
    /// The last voided approval: when and why.
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_reason: Option<String>,
}

/// Errors of the notice capability.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("no such notice")]
    NotFound,
    #[error("this incident has not been mapped yet; start a mapping first")]
    NotMapped,
    #[error("`{0}` is not a notice to people; regulator reports are drafted under /reports")]
    NotForPeople(NoticeKind),
    #[error("this incident already has a `{kind}` notice ({id})")]
    Exists { kind: NoticeKind, id: Uuid },
    #[error("the request has invalid fields")]
    Invalid(Vec<Problem>),
    #[error("the edited template does not compile")]
    TemplateInvalid(Vec<TemplateProblem>),
    #[error("`{0}` is not a template file of this notice's kind")]
    UnknownTemplateFile(String),
    #[error("the notice was changed by someone else; reload it and try again")]
    Conflict,
    #[error("only a CX lead can approve a notice")]
    NotCxLead,
    #[error("you edited this notice last; another CX lead must approve it")]
    OwnEdit,
    #[error("the notice is already approved for its current content and audience")]
    AlreadyApproved,
    #[error("the notice has been sent and can no longer change; post an update instead")]
    AlreadySent,
    #[error("the notice is not approved; a CX lead must approve it before it is sent")]
    NotApproved,
    #[error("the notice has {0} lint error(s); fix them before approval")]
    LintErrors(usize, Box<LintReport>),
    #[error("the person is not in this incident's current audience")]
    NotInAudience,
    #[error("no variant `{0}` in this notice's dry run")]
    UnknownVariant(String),
    #[error("the notice does not render: {0}")]
    Render(String),
    #[error("the notice templates cannot be read: {0}")]
    Templates(String),
    #[error("stored notice data is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Obligations(ObligationError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<ObligationError> for NoticeError {
    fn from(e: ObligationError) -> Self {
        match e {
            ObligationError::IncidentNotFound => NoticeError::IncidentNotFound,
            ObligationError::NotMapped => NoticeError::NotMapped,
            ObligationError::Db(e) => NoticeError::Db(e),
            other => NoticeError::Obligations(other),
        }
    }
}

impl From<TemplateSetError> for NoticeError {
    fn from(e: TemplateSetError) -> Self {
        match e {
            TemplateSetError::UnknownFile { file } => NoticeError::UnknownTemplateFile(file),
            other => NoticeError::Templates(other.to_string()),
        }
    }
}
