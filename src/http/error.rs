//! One error type for the whole API: every failure becomes a status and the stable body
//! `{"error": {"code": "…", "message": "…", "details": [...]}}`.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::AuditError;
use crate::auth::{LoginError, UserError};
use crate::incident::IncidentError;
use crate::inventory::InventoryError;
use crate::mapping::{MappingError, Problem};
use crate::notice::drafts::NoticeError;
use crate::obligation::ObligationError;

/// A problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldDetail {
    /// The field's path, such as `severity` or `items[2].at`.
    pub field: String,
    pub message: String,
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorContent {
    /// A stable machine-readable code, such as `validation_failed` or `invalid_transition`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldDetail>,
}

/// An API failure.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldDetail>,
    pub retry_after_seconds: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_seconds: None,
        }
    }

    pub fn with_details(mut self, details: Vec<FieldDetail>) -> Self {
        self.details = details;
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your roles do not allow this action",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// A failure the caller cannot fix; the cause is logged (it holds no personal data: store
    /// errors carry SQL and ids, never bound values) and not sent back.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        )
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "database unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database is not reachable right now; try again shortly",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorContent {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn db_error(err: sea_orm::DbErr) -> ApiError {
    use sea_orm::DbErr;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => ApiError::unavailable(err),
        other => ApiError::internal(other),
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        db_error(err)
    }
}

impl From<IncidentError> for ApiError {
    fn from(err: IncidentError) -> Self {
        match err {
            IncidentError::NotFound => ApiError::not_found("incident"),
            IncidentError::Invalid(problems) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(
                problems
                    .into_iter()
                    .map(|p| FieldDetail {
                        field: p.field.to_owned(),
                        message: p.message,
                    })
                    .collect(),
            ),
            IncidentError::Transition(refused) => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                refused.to_string(),
            ),
            e @ IncidentError::VersionConflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", e.to_string())
            }
            IncidentError::Db(e) => db_error(e),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                err.to_string(),
            ),
            LoginError::RateLimited {
                retry_after_seconds,
            } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    err.to_string(),
                );
                e.retry_after_seconds = Some(retry_after_seconds);
                e
            }
            LoginError::Db(e) => db_error(e),
            LoginError::Internal(e) => ApiError::internal(e),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(err: UserError) -> Self {
        let field = |field: &str, message: String| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(vec![FieldDetail {
                field: field.to_owned(),
                message,
            }])
        };
        match err {
            UserError::Email(e) => field("email", e.to_string()),
            UserError::Password(crate::auth::password::PasswordError::Hash(e)) => {
                ApiError::internal(e)
            }
            UserError::Password(e) => field("password", e.to_string()),
            UserError::NoRoles => field("roles", "at least one role is required".into()),
            UserError::Duplicate => {
                ApiError::new(StatusCode::CONFLICT, "duplicate", err.to_string())
            }
            UserError::NotFound => ApiError::not_found("user"),
            UserError::SelfLockout => {
                ApiError::new(StatusCode::CONFLICT, "self_lockout", err.to_string())
            }
            UserError::Db(e) => db_error(e),
            UserError::Internal(e) => ApiError::internal(e),
        }
    }
}

impl From<AuditError> for ApiError {
    fn from(err: AuditError) -> Self {
        match err {
            AuditError::Db(e) => db_error(e),
        }
    }
}

impl From<MappingError> for ApiError {
    fn from(err: MappingError) -> Self {
        let problems = |status, code, message: String, problems: Vec<Problem>| {
            ApiError::new(status, code, message).with_details(
                problems
                    .into_iter()
                    .map(|p| FieldDetail {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            )
        };
        match err {
            MappingError::IncidentNotFound => ApiError::not_found("incident"),
            MappingError::RunNotFound => ApiError::not_found("mapping run"),
            MappingError::NotMapped => {
                ApiError::new(StatusCode::NOT_FOUND, "not_mapped", err.to_string())
            }
            MappingError::Invalid(list) => problems(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid".into(),
                list,
            ),
            MappingError::BadFile(list) => {
                // The first few lines in the message itself, as `line N: reason`.
                let lines: Vec<String> = list
                    .iter()
                    .take(5)
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect();
                let more = if list.len() > 5 { "; …" } else { "" };
                let count = if list.len() == 1 {
                    "1 line is".to_owned()
                } else {
                    format!("{} lines are", list.len())
                };
                let message = format!("{count} not valid: {}{more}", lines.join("; "));
                problems(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_rows",
                    message,
                    list,
                )
            }
            MappingError::InProgress { .. } => {
                ApiError::new(StatusCode::CONFLICT, "mapping_in_progress", err.to_string())
            }
            MappingError::Db(e) => db_error(e),
        }
    }
}

impl From<ObligationError> for ApiError {
    fn from(err: ObligationError) -> Self {
        let message = err.to_string();
        match err {
            ObligationError::IncidentNotFound => ApiError::not_found("incident"),
            ObligationError::NotMapped => {
                ApiError::new(StatusCode::NOT_FOUND, "not_mapped", message)
            }
            ObligationError::NotAssessed => {
                ApiError::new(StatusCode::NOT_FOUND, "not_assessed", message)
            }
            ObligationError::Invalid(list) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(
                list.into_iter()
                    .map(|p| FieldDetail {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            ),
            ObligationError::UnknownDuty(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_duty", message)
            }
            ObligationError::AlreadyDone(_) => {
                ApiError::new(StatusCode::CONFLICT, "already_done", message)
            }
            ObligationError::UnknownJurisdiction(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_jurisdiction", message)
            }
            ObligationError::JurisdictionNotApplicable(_) => ApiError::new(
                StatusCode::NOT_FOUND,
                "jurisdiction_not_applicable",
                message,
            ),
            e @ ObligationError::Render(_) => ApiError::internal(e),
            ObligationError::Db(e) => db_error(e),
        }
    }
}

impl From<InventoryError> for ApiError {
    fn from(err: InventoryError) -> Self {
        match err {
            InventoryError::Rejected(rejection) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_rows",
                rejection.message(),
            )
            .with_details(
                rejection
                    .errors
                    .into_iter()
                    .map(|e| FieldDetail {
                        field: format!("line {}", e.line),
                        message: e.reason,
                    })
                    .collect(),
            ),
            e @ InventoryError::UnknownFormat => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                e.to_string(),
            ),
            e @ InventoryError::Changed => {
                ApiError::new(StatusCode::CONFLICT, "file_changed", e.to_string())
            }
            InventoryError::Db(e) => db_error(e),
            e
            @ (InventoryError::Read(_) | InventoryError::Rejects(_) | InventoryError::Task(_)) => {
                ApiError::internal(e)
            }
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_path", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_query", rejection.body_text())
    }
}

impl From<crate::delivery::DeliveryError> for ApiError {
    fn from(err: crate::delivery::DeliveryError) -> Self {
        use crate::delivery::DeliveryError as E;
        let message = err.to_string();
        match err {
            E::IncidentNotFound => ApiError::not_found("incident"),
            E::NotFound => ApiError::not_found("campaign"),
            E::UnknownMessage => ApiError::new(StatusCode::NOT_FOUND, "unknown_message", message),
            E::NotCxLead => ApiError::forbidden(),
            E::AlreadyInState(state) => {
                let code = match state {
                    crate::domain::delivery::CampaignState::Running => "already_running",
                    crate::domain::delivery::CampaignState::Paused => "already_paused",
                };
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            E::NoCanary => ApiError::new(StatusCode::CONFLICT, "no_canary", message),
            E::AlreadyReleased => ApiError::new(StatusCode::CONFLICT, "already_released", message),
            E::SentBySurvey(_) => ApiError::new(StatusCode::CONFLICT, "sent_by_survey", message),
            E::Render(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "render_failed", message)
            }
            E::Notice(e) => e.into(),
            E::Db(e) => db_error(e),
            e @ (E::Corrupt(_) | E::Task(_)) => ApiError::internal(e),
        }
    }
}

impl From<crate::survey::SurveyError> for ApiError {
    fn from(err: crate::survey::SurveyError) -> Self {
        use crate::survey::SurveyError as E;
        let message = err.to_string();
        match err {
            E::IncidentNotFound => ApiError::not_found("incident"),
            E::ResponseNotFound => ApiError::not_found("response"),
            E::ActionNotFound => ApiError::not_found("follow-up action"),
            E::NoLink => ApiError::new(StatusCode::NOT_FOUND, "no_link", message),
            E::NotCxLead => ApiError::forbidden(),
            E::NoInvitation => ApiError::new(StatusCode::CONFLICT, "no_invitation", message),
            E::Closed(_) => ApiError::new(StatusCode::CONFLICT, "survey_closed", message),
            E::NothingToFollowUp => {
                ApiError::new(StatusCode::CONFLICT, "nothing_to_follow_up", message)
            }
            E::ActionExists => ApiError::new(StatusCode::CONFLICT, "action_exists", message),
            E::OwnerNotCxLead => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(vec![FieldDetail {
                field: "owner_id".into(),
                message,
            }]),
            E::ResolutionRequired => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "resolution_required",
                message,
            ),
            E::Invalid { field, message } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(vec![FieldDetail {
                field: field.into(),
                message,
            }]),
            E::Delivery(e) => e.into(),
            E::Db(e) => db_error(e),
            e @ E::Corrupt(_) => ApiError::internal(e),
        }
    }
}

impl From<crate::playbook::run::RunError> for ApiError {
    fn from(err: crate::playbook::run::RunError) -> Self {
        use crate::domain::playbook::Refusal as R;
        use crate::playbook::run::RunError as E;
        let message = err.to_string();
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code, message.clone());
        match err {
            E::IncidentNotFound => ApiError::not_found("incident"),
            E::UnknownPlaybook(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_playbook", message)
            }
            E::UnknownStep(_) | E::Refused(R::UnknownStep(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_step", message)
            }
            E::AmbiguousStep(_) => conflict("ambiguous_step"),
            E::Refused(R::RoleNotHeld { .. }) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            E::Refused(R::NotReady { .. }) => conflict("step_not_ready"),
            E::Refused(R::WrongKind { .. }) => conflict("wrong_kind"),
            E::Refused(R::DecisionRequired { .. }) => conflict("decision_required"),
            E::Refused(R::DecisionNotAsked { .. }) => conflict("decision_not_asked"),
            E::Refused(R::AlreadyDone { .. }) => conflict("already_done"),
            E::Refused(R::Finished) => conflict("run_finished"),
            E::Refused(R::AssigneeLacksRole { .. }) | E::NoSuchUser(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message,
            ),
            E::Conflict => conflict("edit_conflict"),
            E::TaskNotFound(_) => ApiError::not_found("task"),
            E::TaskRoleNotHeld(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            E::TaskClosed => conflict("task_closed"),
            E::Action(_) => conflict("action_failed"),
            E::Db(e) => db_error(e),
            e @ E::Corrupt(_) => ApiError::internal(e),
        }
    }
}

impl From<NoticeError> for ApiError {
    fn from(err: NoticeError) -> Self {
        let message = err.to_string();
        match err {
            NoticeError::IncidentNotFound => ApiError::not_found("incident"),
            NoticeError::NotFound => ApiError::not_found("notice"),
            NoticeError::NotMapped => ApiError::new(StatusCode::NOT_FOUND, "not_mapped", message),
            NoticeError::NotForPeople(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_for_people", message)
            }
            NoticeError::Exists { .. } => {
                ApiError::new(StatusCode::CONFLICT, "notice_exists", message)
            }
            NoticeError::Invalid(list) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(
                list.into_iter()
                    .map(|p| FieldDetail {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            ),
            NoticeError::TemplateInvalid(list) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "template_invalid",
                message,
            )
            .with_details(
                list.into_iter()
                    .map(|p| FieldDetail {
                        field: match (p.line, p.column) {
                            (Some(l), Some(c)) => format!("{}:{l}:{c}", p.file),
                            (Some(l), None) => format!("{}:{l}", p.file),
                            _ => p.file,
                        },
                        message: p.message,
                    })
                    .collect(),
            ),
            NoticeError::UnknownTemplateFile(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_template_file", message)
            }
            NoticeError::Conflict => ApiError::new(StatusCode::CONFLICT, "edit_conflict", message),
            NoticeError::NotCxLead => ApiError::forbidden(),
            NoticeError::OwnEdit => ApiError::new(StatusCode::FORBIDDEN, "own_edit", message),
            NoticeError::AlreadyApproved => {
                ApiError::new(StatusCode::CONFLICT, "already_approved", message)
            }
            NoticeError::AlreadySent => {
                ApiError::new(StatusCode::CONFLICT, "already_sent", message)
            }
            NoticeError::NotApproved => {
                ApiError::new(StatusCode::CONFLICT, "not_approved", message)
            }
            NoticeError::LintErrors(_, report) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "lint_errors", message)
                    .with_details(
                        report
                            .findings
                            .into_iter()
                            .filter(|f| {
                                f.finding.severity == crate::domain::notice::FindingSeverity::Error
                            })
                            .map(|f| FieldDetail {
                                field: f
                                    .finding
                                    .location
                                    .file
                                    .clone()
                                    .unwrap_or_else(|| f.finding.code.clone()),
                                message: format!("{}: {}", f.finding.code, f.finding.message),
                            })
                            .collect(),
                    )
            }
            NoticeError::NotInAudience => {
                ApiError::new(StatusCode::NOT_FOUND, "not_in_audience", message)
            }
            NoticeError::UnknownVariant(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_variant", message)
            }
            NoticeError::Render(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "render_failed", message)
            }
            e @ (NoticeError::Templates(_) | NoticeError::Corrupt(_)) => ApiError::internal(e),
            NoticeError::Obligations(e) => e.into(),
            NoticeError::Db(e) => db_error(e),
        }
    }
}
