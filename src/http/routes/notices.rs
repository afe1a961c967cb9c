//! `/api/v1/incidents/{id}/notices`: drafting notices to people, their template files, the
//! lint, previews, the dry run, and approval by a CX lead.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::notice::{Channel, Locale, NoticeKind, NoticeStatus, Part};
use crate::http::auth::{AnyStaff, Authorized, CxLeads, IncidentTeam};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::notice::content::{ContentChange, DraftContent};
use crate::notice::drafts::{self, Approval, Approver, Notice, PreviewOf};
use crate::notice::lint::LintReport;
use crate::notice::variants::{DryRunDiff, VariantView};

/// The lint's counts, as last run.
#[derive(Serialize, ToSchema)]
pub struct LintSummary {
    pub errors: usize,
    pub warnings: usize,
    pub variants_checked: usize,
}

/// A voided approval: when and why.
#[derive(Serialize, ToSchema)]
pub struct VoidedView {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// A notice draft.
#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: NoticeKind,
    /// `draft` or `approved`.
    pub status: NoticeStatus,
    /// Send it back with a change to make sure nobody changed the draft meanwhile.
    pub version: i32,
    pub content: DraftContent,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Who changed it last: they cannot approve it.
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTime<Utc>,
    /// Template files this draft has its own copy of.
    pub edited_files: Vec<String>,
    pub lint: Option<LintSummary>,
    /// The approval in force, with exactly what it was given for.
    pub approval: Option<Approval>,
    /// The last approval that was voided, if the draft went back to review.
    pub voided: Option<VoidedView>,
}

impl From<Notice> for NoticeView {
    fn from(n: Notice) -> Self {
        let voided = match (n.voided_at, n.voided_reason) {
            (Some(at), Some(reason)) if n.status == NoticeStatus::Draft => {
                Some(VoidedView { at, reason })
            }
            _ => None,
        };
        NoticeView {
            id: n.id,
            incident_id: n.incident_id,
            kind: n.kind,
            status: n.status,
            version: n.version,
            content: n.content,
            created_by: n.created_by,
            created_at: n.created_at,
            edited_by: n.edited_by,
            edited_at: n.edited_at,
            edited_files: n.edited_files,
            lint: n.last_lint.map(|l| LintSummary {
                errors: l.errors,
                warnings: l.warnings,
                variants_checked: l.variants_checked,
            }),
            approval: n.approval,
            voided,
        }
    }
}

/// Which notice to draft.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNotice {
    /// `initial-notice`, `update`, `survey-invitation` or `survey-reminder`.
    pub kind: NoticeKind,
}

/// Draft a notice of a kind for the incident's audience (responders and CX leads). The draft
/// starts with the incident's summary as "what happened" and the organization's contact
/// point. 409 `notice_exists` for a second draft of a kind an incident has once (every kind but
/// `update`).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/notices", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    request_body = CreateNotice,
    responses(
        (status = 201, body = NoticeView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_notice(
    State(state): State<AppState>,
    team: Authorized<IncidentTeam>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateNotice>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    let notice = drafts::create(
        &state.db,
        &state.notices,
        team.0.user.id,
        id,
        body.kind,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(notice.into())))
}

/// The incident's notice drafts (any staff), each approval checked against what it was given
/// for.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/notices", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id")),
    responses((status = 200, body = Vec<NoticeView>), (status = 404, body = ErrorBody))
)]
pub async fn list_notices(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<NoticeView>>, ApiError> {
    let list = drafts::list(
        &state.db,
        &state.notices,
        &state.obligations,
        id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(list.into_iter().map(NoticeView::from).collect()))
}

/// One draft (any staff). An approval whose template files, audience (a new mapping), rules
/// or content changed is voided first, and the draft is back in `draft` with the reason.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/notices/{nid}", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    responses((status = 200, body = NoticeView), (status = 404, body = ErrorBody))
)]
pub async fn get_notice(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<NoticeView>, ApiError> {
    let notice = drafts::get(
        &state.db,
        &state.notices,
        &state.obligations,
        id,
        nid,
        state.clock.now(),
    )
    .await?;
    Ok(Json(notice.into()))
}

/// Change the draft's words or settings (responders and CX leads): only the fields given
/// change; `null` clears an optional one. Pass `version` to refuse the change (409
/// `edit_conflict`) if someone changed the draft since you read it. Voids an approval.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/notices/{nid}", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    request_body = ContentChange,
    responses(
        (status = 200, body = NoticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn edit_notice(
    State(state): State<AppState>,
    team: Authorized<IncidentTeam>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<ContentChange>,
) -> Result<Json<NoticeView>, ApiError> {
    let version = body.version;
    let notice = drafts::edit(
        &state.db,
        team.0.user.id,
        id,
        nid,
        body,
        version,
        state.clock.now(),
    )
    .await?;
    Ok(Json(notice.into()))
}

/// A template file as a draft has it.
#[derive(Serialize, ToSchema)]
pub struct TemplateFileView {
    /// Relative to `notice-templates/`: `initial-notice/en/text.hbs`.
    pub path: String,
    pub content: String,
    /// The draft has its own copy of it.
    pub edited: bool,
}

/// The template files the draft's kind uses (the kind's own, the partials and the locale
/// words), as this draft has them (any staff).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/notices/{nid}/templates", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    responses((status = 200, body = Vec<TemplateFileView>), (status = 404, body = ErrorBody))
)]
pub async fn list_templates(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Vec<TemplateFileView>>, ApiError> {
    let files = drafts::templates(&state.db, &state.notices, id, nid).await?;
    Ok(Json(
        files
            .into_iter()
            .map(|f| TemplateFileView {
                path: f.path,
                content: f.content,
                edited: f.edited,
            })
            .collect(),
    ))
}

/// A template file's new content.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateContent {
    pub content: String,
}

/// Keep this draft's own copy of a template file (responders and CX leads). 422
/// `template_invalid` with every problem by file and line when the templates would not
/// compile; nothing is stored then. Voids an approval.
#[utoipa::path(
    put, path = "/api/v1/incidents/{id}/notices/{nid}/templates/{path}", tag = "notices", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id"),
        ("path" = String, Path, description = "The file, percent-encoded: `initial-notice%2Fen%2Ftext.hbs`"),
    ),
    request_body = TemplateContent,
    responses(
        (status = 200, body = NoticeView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_template(
    State(state): State<AppState>,
    team: Authorized<IncidentTeam>,
    ApiPath((id, nid, path)): ApiPath<(Uuid, Uuid, String)>,
    ApiJson(body): ApiJson<TemplateContent>,
) -> Result<Json<NoticeView>, ApiError> {
    let notice = drafts::put_template(
        &state.db,
        &state.notices,
        team.0.user.id,
        id,
        nid,
        (&path, body.content),
        state.clock.now(),
    )
    .await?;
    Ok(Json(notice.into()))
}

/// Drop this draft's copy of a template file, back to the shipped one (responders and CX
/// leads). Voids an approval.
#[utoipa::path(
    delete, path = "/api/v1/incidents/{id}/notices/{nid}/templates/{path}", tag = "notices", security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id"),
        ("path" = String, Path, description = "The file, percent-encoded: `initial-notice%2Fen%2Ftext.hbs`"),
    ),
    responses((status = 200, body = NoticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revert_template(
    State(state): State<AppState>,
    team: Authorized<IncidentTeam>,
    ApiPath((id, nid, path)): ApiPath<(Uuid, Uuid, String)>,
) -> Result<Json<NoticeView>, ApiError> {
    let notice =
        drafts::revert_template(&state.db, team.0.user.id, id, nid, &path, state.clock.now())
            .await?;
    Ok(Json(notice.into()))
}

/// Lint the draft for its whole audience (responders and CX leads): every variant renders in
/// strict mode; each reader's laws get their required elements and none they forbid;
/// readability, tone, links and contact details. `error` findings block approval. The verdict
/// is kept with the draft and audited (`notice.linted`).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/notices/{nid}/lint", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    responses((status = 200, body = LintReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn lint_notice(
    State(state): State<AppState>,
    team: Authorized<IncidentTeam>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<LintReport>, ApiError> {
    let report = drafts::lint(
        &state.db,
        &state.notices,
        &state.obligations,
        team.actor(),
        id,
        nid,
        state.clock.now(),
    )
    .await?;
    Ok(Json(report))
}

/// Whom to preview: one of the two.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// A person the inventory knows.
    pub customer_ref: Option<String>,
    /// A variant key from the dry run: its sample person.
    pub variant: Option<String>,
}

/// A notice as one person would get it.
#[derive(Serialize, ToSchema)]
pub struct PreviewView {
    /// The variant the person is in.
    pub variant: String,
    pub locale: Locale,
    pub channel: Channel,
    /// The laws that call for this person's notice.
    pub laws: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The law elements each part shows.
    pub elements: std::collections::BTreeMap<Part, Vec<String>>,
    /// Links carry a sample token: the real one is signed when the notice is sent.
    pub links_are_samples: bool,
}

/// Preview the draft for one affected person, by `customer_ref`, or for a variant's sample
/// person, by `variant` (responders and CX leads). 404 `not_in_audience` for someone the
/// current mapping did not find.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/notices/{nid}/preview", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id"), PreviewQuery),
    responses(
        (status = 200, body = PreviewView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn preview_notice(
    State(state): State<AppState>,
    _team: Authorized<IncidentTeam>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<Json<PreviewView>, ApiError> {
    let of = match (query.customer_ref, query.variant) {
        (Some(c), None) => PreviewOf::Customer(c),
        (None, Some(v)) => PreviewOf::Variant(v),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "give exactly one of `customer_ref` and `variant`",
            ));
        }
    };
    let p = drafts::preview(
        &state.db,
        &state.notices,
        &state.obligations,
        id,
        nid,
        of,
        state.clock.now(),
    )
    .await?;
    Ok(Json(PreviewView {
        variant: p.variant,
        locale: p.locale,
        channel: p.channel,
        laws: p.laws,
        subject: p.subject,
        text: p.text,
        html: p.html,
        elements: p.elements,
        links_are_samples: true,
    }))
}

/// A dry run.
#[derive(Serialize, ToSchema)]
pub struct DryRunView {
    pub mapping_id: Uuid,
    pub people: i64,
    /// Locale × jurisdiction × exposed data × channel (× the laws behind it), with head counts.
    pub variants: Vec<VariantView>,
    /// When the dry run compared against was approved.
    pub compared_with: Option<DateTime<Utc>>,
    /// The difference from the last approved dry run.
    pub diff: Option<DryRunDiff>,
}

/// The dry run (responders and CX leads): which variants the audience gets and how many
/// people each, against the last approved dry run.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/notices/{nid}/variants", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    responses((status = 200, body = DryRunView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn notice_variants(
    State(state): State<AppState>,
    _team: Authorized<IncidentTeam>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<DryRunView>, ApiError> {
    let d = drafts::dry_run(
        &state.db,
        &state.notices,
        &state.obligations,
        id,
        nid,
        state.clock.now(),
    )
    .await?;
    Ok(Json(DryRunView {
        mapping_id: d.mapping_id,
        people: d.people,
        variants: d.variants,
        compared_with: d.compared_with,
        diff: d.diff,
    }))
}

/// Approve the draft (CX leads only, and not the one who edited it last) for exactly its
/// current template files, audience, rules version and content. 422 `lint_errors` (the
/// errors in `details`) when the lint finds errors; 403 `own_edit` for the last editor; 409
/// `already_approved`.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/notices/{nid}/approve", tag = "notices", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ("nid" = Uuid, Path, description = "Notice id")),
    responses(
        (status = 200, body = NoticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn approve_notice(
    State(state): State<AppState>,
    lead: Authorized<CxLeads>,
    ApiPath((id, nid)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<NoticeView>, ApiError> {
    let notice = drafts::approve(
        &state.db,
        &state.notices,
        &state.obligations,
        Approver {
            id: lead.0.user.id,
            is_cx_lead: lead.0.roles.contains(&crate::domain::Role::CxLead),
        },
        id,
        nid,
        state.clock.now(),
    )
    .await?;
    Ok(Json(notice.into()))
}
