//! The incident room's notices section: the incident's drafts with their status, the last
//! lint's findings and where each was seen, the dry run's variants, the approval in force with
//! the hashes it binds, and the forms that draft, edit the words (see `notice_edit`), lint,
//! approve (a CX lead who did not edit the draft last) and send an approved notice (see
//! `steering`). The buttons a person may not use are shown disabled with the reason; the
//! use-cases enforce every rule again.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::incidents::failed;
use super::super::room::{back, guard, refused};
use super::super::session::Staff;
use super::notice_words::edit_form;
use super::steering::{send_view, sent_view};
use crate::app::AppState;
use crate::domain::notice::{NoticeKind, NoticeStatus};
use crate::domain::{Incident, Role};
use crate::http::error::ApiError;
use crate::notice::drafts::{self, Approver, Notice};
use crate::notice::drafts::{DryRun, NoticeError};
use crate::notice::lint::{LintReport, ReportedFinding};
use crate::store;
use axum::Router;
use axum::routing::post;

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether this person drafts, lints and previews notices (the incident team).
pub(super) fn on_team(staff: &Staff) -> bool {
    staff.has(Role::Responder) || staff.has(Role::CxLead)
}

/// The section's data: the drafts, and what this person may do with them.
pub(super) async fn data(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    let list = drafts::list(
        &state.db,
        &state.notices,
        &state.obligations,
        incident.id,
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let team = on_team(staff);
    let mut shown = Vec::with_capacity(list.len());
    for notice in list {
        let dry_run = match team {
            true => dry_run(state, &notice, now).await?,
            false => no_dry_run(None),
        };
        shown.push(draft(state, staff, notice, dry_run).await?);
    }
    let kinds: Vec<&str> = NoticeKind::ALL
        .iter()
        .filter(|k| k.is_for_people())
        .map(|k| k.as_str())
        .collect();
    Ok(json!({
        "drafts": shown,
        "kinds": kinds,
        "can_create": team,
        "can_preview": team,
        "team_why": (!team).then_some("Only responders and CX leads draft, lint and preview notices."),
    }))
}

/// One draft as the section shows it.
async fn draft(
    state: &AppState,
    staff: &Staff,
    n: Notice,
    dry_run: Value,
) -> Result<Value, String> {
    let lead = staff.has(Role::CxLead);
    let why_not = match n.status {
        NoticeStatus::Draft if !lead => Some("Only a CX lead can approve a notice."),
        NoticeStatus::Draft if n.edited_by == Some(staff.user.id) => {
            Some("You edited this notice last; another CX lead must approve it.")
        }
        _ => None,
    };
    let approval = match &n.approval {
        Some(a) => {
            let by = store::users::find_by_id(&state.db, a.approved_by)
                .await
                .map_err(|e| e.to_string())?
                .map(|u| u.email.as_str().to_owned());
            let b = &a.binding;
            json!({
                "by": by,
                "at": stamp(a.approved_at),
                "content_hash": b.content_hash,
                "templates_hash": b.templates_hash,
                "audience_hash": b.audience_hash,
                "people": b.people,
                "rules_version": b.rules_version,
            })
        }
        None => Value::Null,
    };
    let send = send_view(staff, &n);
    let sent = sent_view(state, &n).await?;
    let edit_form = (n.status != NoticeStatus::Sent).then(|| edit_form(staff, &n, None));
    let voided = match (n.status, n.voided_reason) {
        (NoticeStatus::Draft, Some(reason)) => Some(reason),
        _ => None,
    };
    Ok(json!({
        "id": n.id,
        "kind": n.kind.as_str(),
        "status": n.status.as_str(),
        "version": n.version,
        "edited_at": stamp(n.edited_at),
        "edited_files": n.edited_files,
        "lint": n.last_lint.as_ref().map(lint),
        "approval": approval,
        "voided": voided,
        "approvable": n.status == NoticeStatus::Draft,
        "may_approve": n.status == NoticeStatus::Draft && why_not.is_none(),
        "why_not": why_not,
        "lintable": n.status != NoticeStatus::Sent && on_team(staff),
        "dry_run": dry_run,
        "send": send,
        "sent": sent,
        "edit_form": edit_form,
    }))
}

/// The last lint's counts and findings, each with where it was seen.
fn lint(report: &LintReport) -> Value {
    json!({
        "errors": report.errors,
        "warnings": report.warnings,
        "variants_checked": report.variants_checked,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
    })
}

fn finding(f: &ReportedFinding) -> Value {
    let l = &f.finding.location;
    let place = match (&l.file, l.line) {
        (Some(file), Some(line)) => Some(format!("{file}, line {line}")),
        (Some(file), None) => Some(file.clone()),
        _ => None,
    };
    json!({
        "severity": f.finding.severity.as_str(),
        "code": f.finding.code,
        "message": f.finding.message,
        "place": place,
        "part": l.part.map(|p| p.as_str()),
        "excerpt": l.excerpt,
        "suggestion": f.finding.suggestion,
        "variants": f.variants,
    })
}

/// The dry run's variants; `null` before a mapping, the reason when it cannot be run.
async fn dry_run(state: &AppState, n: &Notice, now: DateTime<Utc>) -> Result<Value, String> {
    let run: DryRun = match drafts::dry_run(
        &state.db,
        &state.notices,
        &state.obligations,
        n.incident_id,
        n.id,
        now,
    )
    .await
    {
        Ok(run) => run,
        Err(NoticeError::NotMapped) => return Ok(no_dry_run(None)),
        Err(e @ NoticeError::Db(_)) => return Err(e.to_string()),
        Err(e) => return Ok(no_dry_run(Some(e.to_string()))),
    };
    let variants: Vec<Value> = run
        .variants
        .iter()
        .map(|v| {
            json!({
                "key": v.key,
                "locale": v.locale.as_str(),
                "jurisdiction": v.jurisdiction,
                "categories": v.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                "channel": v.channel.as_str(),
                "laws": v.laws.join(", "),
                "people": v.people,
            })
        })
        .collect();
    Ok(json!({
        "shown": true,
        "problem": null,
        "people": run.people,
        "count": variants.len(),
        "variants": variants,
    }))
}

/// No dry run to show: before a mapping, to someone outside the team, or with its reason.
fn no_dry_run(problem: Option<String>) -> Value {
    let shown = problem.is_some();
    json!({ "shown": shown, "problem": problem, "people": 0, "count": 0, "variants": [] })
}

#[derive(Deserialize)]
pub(in super::super) struct KindForm {
    csrf: Option<String>,
    kind: String,
}

/// Drafts a notice of a kind (responders and CX leads).
pub(in super::super) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<KindForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !on_team(&staff) {
        let why = "Only responders and CX leads draft notices.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let Ok(kind) = form.kind.parse::<NoticeKind>() else {
        let why = "That is not a kind of notice.";
        return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
    };
    let now = state.clock.now();
    match drafts::create(&state.db, &state.notices, staff.user.id, id, kind, now).await {
        Ok(_) => back(id, "notice-created", "notices"),
        Err(e) => notice_refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(in super::super) struct TokenForm {
    csrf: Option<String>,
}

/// Lints a draft for its whole audience (responders and CX leads).
pub(in super::super) async fn run_lint(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !on_team(&staff) {
        let why = "Only responders and CX leads lint notices.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let (db, now) = (&state.db, state.clock.now());
    let linted = drafts::lint(
        db,
        &state.notices,
        &state.obligations,
        staff.actor(),
        id,
        nid,
        now,
    )
    .await;
    match linted {
        Ok(_) => back(id, "notice-linted", &format!("notice-{nid}")),
        Err(e) => notice_refusal(&state, &staff, id, e).await,
    }
}

/// Approves a draft (a CX lead who did not edit it last; the use-case checks both).
pub(in super::super) async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    let approver = Approver {
        id: staff.user.id,
        is_cx_lead: staff.has(Role::CxLead),
    };
    let now = state.clock.now();
    let (config, rules) = (&state.notices, &state.obligations);
    match drafts::approve(&state.db, config, rules, approver, id, nid, now).await {
        Ok(_) => back(id, "notice-approved", &format!("notice-{nid}")),
        Err(e) => notice_refusal(&state, &staff, id, e).await,
    }
}

/// The room again with the reason a notice change was refused.
async fn notice_refusal(state: &AppState, staff: &Staff, id: Uuid, e: NoticeError) -> Response {
    let why = match &e {
        NoticeError::Db(_) | NoticeError::Templates(_) | NoticeError::Corrupt(_) => {
            return failed(state, staff, &e);
        }
        NoticeError::NotCxLead => "Only a CX lead can approve a notice.".to_owned(),
        NoticeError::LintErrors(_, report) => {
            let first: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.finding.severity.as_str() == "error")
                .take(3)
                .map(|f| f.finding.message.clone())
                .collect();
            format!("{e} {}", first.join("; "))
        }
        other => other.to_string(),
    };
    let status = ApiError::from(e).status;
    refused(state, staff, id, status, &why).await
}

/// The notices section's forms.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/notices", post(create))
        .route("/incidents/{id}/notices/{nid}/lint", post(run_lint))
        .route("/incidents/{id}/notices/{nid}/approve", post(approve))
        .merge(super::notice_edit::routes())
        .merge(super::steering::routes())
}
