//! The room's playbook section: each run's steps with their owners and who each is given to,
//! the forms that complete a task, approve a gate or give a step to a person holding its role,
//! attaching a playbook, and the tasks the playbook's actions opened (each on a page of its
//! own, see `tasks.rs`). Buttons a person may not use are shown disabled with the reason; the
//! playbook runner checks every role again.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::incidents::failed;
use super::room::{back, guard, refused};
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::{Role, StaffUser};
use crate::playbook::run::{Act, RunError, RunView, StepView};

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether this person may attach a playbook (the API's incident team).
fn attaches(staff: &Staff) -> bool {
    staff.has(Role::Responder) || staff.has(Role::CxLead)
}

/// A person as the section names them.
pub(super) fn email_of(people: &[StaffUser], id: Option<Uuid>) -> Option<String> {
    let id = id?;
    people
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.email.as_str().to_owned())
}

/// The section's data: `runs`, and `attach` (the playbooks not yet on the incident).
pub(super) async fn data(
    state: &AppState,
    staff: &Staff,
    incident_id: Uuid,
    people: &[StaffUser],
) -> Result<(Value, Value), String> {
    let runs = state
        .runner
        .view(incident_id)
        .await
        .map_err(|e| e.to_string())?;
    let choices: Vec<Value> = state
        .playbooks
        .all()
        .filter(|p| !runs.iter().any(|r| r.playbook_id == p.id))
        .map(|p| json!({ "id": p.id, "name": p.name, "summary": p.summary }))
        .collect();
    let attach = json!({
        "choices": choices,
        "may": attaches(staff),
    });
    let runs = runs.iter().map(|r| run_view(r, staff, people)).collect();
    Ok((Value::Array(runs), attach))
}

/// A run as the room shows it: each step, and for a ready task or gate whether this person
/// may act on it (and why not), who it is given to, and its tasks.
fn run_view(run: &RunView, staff: &Staff, people: &[StaffUser]) -> Value {
    let steps: Vec<Value> = run
        .steps
        .iter()
        .map(|s| step_view(run, s, staff, people))
        .collect();
    let done = run.steps.iter().filter(|s| s.status.is_settled()).count();
    let tasks: Vec<Value> = run
        .tasks
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "title": t.title,
                "owner": t.owner,
                "status": t.status,
                "open": t.status == "open",
                "due_at": t.due_at.map(stamp),
                "overdue": t.overdue,
                "has_draft": t.has_draft,
            })
        })
        .collect();
    json!({
        "id": run.id,
        "name": run.name,
        "version": run.version,
        "status": run.status,
        "done": done,
        "total": run.steps.len(),
        "steps": steps,
        "tasks": tasks,
        "open_tasks": run.tasks.iter().filter(|t| t.status == "open").count(),
    })
}

fn step_view(run: &RunView, s: &StepView, staff: &Staff, people: &[StaffUser]) -> Value {
    use crate::domain::playbook::StepStatus;
    let ready = s.status == StepStatus::Ready && s.kind != "action";
    let may = staff.has(s.owner);
    let open = !s.status.is_settled();
    let holders: Vec<Value> = people
        .iter()
        .filter(|u| u.is_active() && u.roles.contains(&s.owner))
        .map(|u| {
            json!({
                "value": u.id,
                "label": u.email.as_str(),
                "selected": s.assignee == Some(u.id),
            })
        })
        .collect();
    let role_words = format!("Only someone holding the {} role can do this.", s.owner);
    json!({
        "id": s.id,
        "run": run.id,
        "title": s.title,
        "owner": s.owner.as_str(),
        "assignee": email_of(people, s.assignee),
        "kind": s.kind,
        "status": format!("{:?}", s.status).to_lowercase(),
        "due_at": s.due_at.map(stamp),
        "overdue": s.overdue,
        "blocking": s.blocking.join("; "),
        "outcome": s.outcome,
        "last_error": s.last_error,
        "actionable": ready,
        "may_act": ready && may,
        "why_not": (ready && !may).then(|| role_words.clone()),
        "is_task": s.kind == "task",
        "decides": s.decides,
        "assignable": open,
        "may_assign": open && may,
        "assign_why_not": (open && !may).then_some(role_words),
        "holders": holders,
    })
}

#[derive(Deserialize)]
pub(super) struct AttachForm {
    csrf: Option<String>,
    #[serde(default)]
    playbook: String,
}

/// Attaches a chosen playbook (responders and CX leads).
pub(super) async fn attach(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<AttachForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !attaches(&staff) {
        let why = "Only responders and CX leads can attach a playbook.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    if form.playbook.trim().is_empty() {
        let why = "Choose a playbook to attach.";
        return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
    }
    let attached = state
        .runner
        .attach(Some(staff.user.id), id, form.playbook.trim())
        .await;
    match attached {
        Ok(_) => back(id, "attached", "playbook"),
        Err(e) => run_refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct StepForm {
    csrf: Option<String>,
    note: Option<String>,
    /// `yes` or `no` for a gate that decides a question.
    decision: Option<String>,
    run: Option<Uuid>,
    /// Whom to give the step to (a user id); empty takes it back.
    user: Option<String>,
}

/// Completes a task, approves a gate or gives a step to a person (the runner checks the
/// role).
pub(super) async fn act_on_step(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, step, verb)): Path<(Uuid, String, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    let note = form.note.filter(|n| !n.trim().is_empty());
    let act = match verb.as_str() {
        "complete" => Act::Complete { note },
        "approve" => Act::Approve {
            decision: match form.decision.as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
            note,
        },
        "assign" => match form.user.as_deref().map(str::trim) {
            None | Some("") => Act::Assign { to: None },
            Some(user) => match user.parse::<Uuid>() {
                Ok(to) => Act::Assign { to: Some(to) },
                Err(_) => {
                    let why = "Choose a person from the list.";
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return refused(&state, &staff, id, status, why).await;
                }
            },
        },
        _ => {
            return view::problem(
                &state,
                Some(&staff),
                StatusCode::NOT_FOUND,
                "No such action.",
            );
        }
    };
    let code = if matches!(act, Act::Assign { .. }) {
        "assigned"
    } else {
        "step"
    };
    let who = (staff.user.id, staff.roles.clone());
    match state.runner.act(who, id, form.run, &step, act).await {
        Ok(_) => back(id, code, "playbook"),
        Err(e) => run_refusal(&state, &staff, id, e).await,
    }
}

/// Why the runner refused, on the room; a database failure is the error page.
async fn run_refusal(state: &AppState, staff: &Staff, id: Uuid, e: RunError) -> Response {
    if let RunError::Db(e) = &e {
        return failed(state, staff, e);
    }
    let why = match &e {
        RunError::NoSuchUser(_) => "That person is not an active member of staff.".to_owned(),
        other => sentence(&other.to_string()),
    };
    let status = crate::http::error::ApiError::from(e).status;
    refused(state, staff, id, status, &why).await
}

/// A use-case's message as a sentence: a capital first letter and a full stop.
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
