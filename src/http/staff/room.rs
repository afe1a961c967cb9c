//! The incident room: one page with the incident's header (status and the moves allowed next,
//! severity, commander, hours since discovery, and a form changing its facts), its deadlines
//! board, its playbook progress and its timeline, with the forms that act on them. Every form
//! posts back here (CSRF-checked, same-origin), the server enforces every rule, and a refused
//! change shows the page again with the reason and, where a form was filled in, what was typed.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::facts::FactsForm;
use super::incidents::{countdown, failed};
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::{Incident, IncidentStatus, Role, TimelineKind};
use crate::http::pages::guard::same_origin;
use crate::incident::{self, IncidentError, NewTimelineEntry};
use crate::obligation::{self, DoneInput, ObligationError};
use crate::store;

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    /// What the last change did, to confirm it.
    done: Option<String>,
}

/// The room.
pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Query(shown): Query<Shown>,
) -> Response {
    let done = shown.done.as_deref().and_then(confirmation);
    render(&state, &staff, id, StatusCode::OK, (done, None), Vec::new()).await
}

/// The words confirming a change (the codes the forms redirect with).
fn confirmation(code: &str) -> Option<&'static str> {
    Some(match code {
        "status" => "The status was changed.",
        "timeline" => "The entry was added to the timeline.",
        "duty" => "The duty was marked done.",
        "step" => "The playbook step was recorded.",
        "assigned" => "The step's owner was recorded.",
        "attached" => "The playbook was attached; its first steps show below.",
        "opened" => {
            "The incident was opened. Declare its scope once you know which systems are involved."
        }
        "facts" => "The incident's facts were saved.",
        "scope" => "The scope was saved.",
        "records" => "The forensic list was saved.",
        "mapping" => "The mapping was started; its progress shows below.",
        "notice-created" => "The notice was drafted.",
        "notice-linted" => "The notice was linted.",
        "notice-approved" => "The notice was approved.",
        "notice-sent" => "The notice was sent; its progress shows under Delivery.",
        "campaign-paused" => "Sending was paused; nothing more goes out until it is resumed.",
        "campaign-resumed" => "Sending was resumed.",
        "campaign-released" => {
            "The rest of the audience was released; their notices are going out."
        }
        "action-created" => "The follow-up action was opened.",
        "action-closed" => "The follow-up action was closed.",
        "action-reassigned" => "The follow-up action was handed over.",
        "survey-scheduled" => "The survey's schedule was saved.",
        _ => return None,
    })
}

/// What a refused form put back into the room's data, so nothing typed is lost: the value
/// at each path of keys (`["scope", "rows"]`) replaces the stored one.
pub(super) type Kept = Vec<(&'static [&'static str], Value)>;

/// Puts `value` at `path` in `map`, making objects on the way.
fn put(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            map.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = map
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                put(inner, rest, value);
            }
        }
    }
}

/// The room, with a confirmation or a refusal at the top, and a refused form's values.
async fn render(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    (done, error): (Option<&str>, Option<&str>),
    kept: Kept,
) -> Response {
    let incident = match incident::get(&state.db, id).await {
        Ok(i) => i,
        Err(IncidentError::NotFound) => {
            return view::problem(
                state,
                Some(staff),
                StatusCode::NOT_FOUND,
                "No such incident.",
            );
        }
        Err(e) => return failed(state, staff, &e),
    };
    let now = state.clock.now();
    let mut data = match sections(state, staff, &incident, now).await {
        Ok(data) => data,
        Err(e) => return failed(state, staff, &e),
    };
    if let Value::Object(map) = &mut data {
        map.insert("done".into(), json!(done));
        map.insert("error".into(), json!(error));
        if let Err(e) = super::sections::add(state, staff, &incident, now, map).await {
            return failed(state, staff, &e);
        }
        for (path, value) in kept {
            put(map, path, value);
        }
    }
    view::page(state, Some(staff), status, "room", data)
}

async fn sections(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    let commander = match incident.commander_id {
        Some(id) => store::users::find_by_id(&state.db, id)
            .await
            .map_err(|e| e.to_string())?
            .map(|u| u.email.as_str().to_owned()),
        None => None,
    };
    let responder = staff.has(Role::Responder);
    let moves: Vec<&str> = incident
        .status
        .next_allowed()
        .iter()
        .map(|s| s.as_str())
        .collect();
    let timeline = incident::timeline(&state.db, incident.id)
        .await
        .map_err(|e| e.to_string())?;
    let entries: Vec<Value> = timeline
        .iter()
        .map(|e| json!({ "at": stamp(e.at), "kind": e.kind.as_str(), "text": e.text }))
        .collect();
    let manual: Vec<&str> = TimelineKind::ALL
        .iter()
        .filter(|k| k.is_manual())
        .map(|k| k.as_str())
        .collect();
    let people = crate::auth::list_users(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    let (runs, attach) = super::playbook::data(state, staff, incident.id, &people).await?;
    let facts = json!({
        "form": super::facts::view(&FactsForm::of(incident), &Default::default(), &people),
        "open": false,
        "error": null,
    });
    Ok(json!({
        "title": incident.title,
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "summary": incident.summary,
            "status": incident.status.as_str(),
            "severity": incident.severity.as_str(),
            "kind": incident.kind.as_str(),
            "commander": commander,
            "discovered_at": stamp(incident.discovered_at),
            "hours_since": (now - incident.discovered_at).num_hours(),
        },
        "moves": moves,
        "can_move": responder,
        "deadlines": deadlines(state, staff, incident, now).await?,
        "can_mark_done": responder,
        "runs": runs,
        "attach": attach,
        "facts": facts,
        "can_edit": responder,
        "timeline": entries,
        "entry_kinds": manual,
        "can_write": staff.has(Role::Responder) || staff.has(Role::CxLead),
    }))
}

/// Every duty of the incident, by due time (none last); `null` before a mapping. A result that
/// differs from the last one stored is kept (as the API's obligations do), so the incidents
/// list reads current deadlines without working them out itself.
async fn deadlines(
    state: &AppState,
    staff: &Staff,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    let computed = match obligation::compute(
        &state.db,
        &state.obligations,
        staff.actor(),
        incident.id,
        now,
    )
    .await
    {
        Ok(c) => c,
        Err(ObligationError::NotMapped) => return Ok(Value::Null),
        Err(e) => return Err(e.to_string()),
    };
    let mut duties: Vec<_> = computed.duties().collect();
    duties.sort_by_key(|d| (d.due_at.is_none(), d.due_at, d.key.clone()));
    Ok(Value::Array(
        duties
            .into_iter()
            .map(|d| {
                let record = computed.done.get(&d.key);
                json!({
                    "key": d.key,
                    "jurisdiction": d.jurisdiction,
                    "recipient": d.recipient_name,
                    "required": d.required,
                    "due_at": d.due_at.map(stamp),
                    "due_text": d.due_text,
                    "countdown": d.due_at.map(|at| countdown(at, now)),
                    "overdue": record.is_none() && d.due_at.is_some_and(|at| at <= now),
                    "done": record.map(|r| json!({ "at": stamp(r.done_at), "reference": r.reference })),
                    "basis": d.basis,
                })
            })
            .collect(),
    ))
}

/// Checks a form's origin and token; the refusal page otherwise.
pub(super) async fn guard(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    id: Uuid,
    csrf: Option<&str>,
) -> Result<(), Response> {
    if same_origin(headers, &state.notices.public_url) && staff.csrf_ok(&state.pepper, csrf) {
        return Ok(());
    }
    let refusal = "That form had expired or came from elsewhere; nothing was changed. Try again.";
    Err(render(
        state,
        staff,
        id,
        StatusCode::FORBIDDEN,
        (None, Some(refusal)),
        Vec::new(),
    )
    .await)
}

/// Back to the room, confirming `code`, at `section`.
pub(super) fn back(id: Uuid, code: &str, section: &str) -> Response {
    Redirect::to(&format!("/incidents/{id}?done={code}#{section}")).into_response()
}

/// The room with a refusal at the top.
pub(super) async fn refused(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    why: &str,
) -> Response {
    render(state, staff, id, status, (None, Some(why)), Vec::new()).await
}

/// The room with a refusal, keeping what a form's person typed (see [`Kept`]).
pub(super) async fn refused_keeping(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    status: StatusCode,
    why: &str,
    kept: Kept,
) -> Response {
    render(state, staff, id, status, (None, Some(why)), kept).await
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    csrf: Option<String>,
    to: String,
    note: Option<String>,
}

/// Moves the incident (responders).
pub(super) async fn change_status(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<StatusForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::Responder) {
        let why = "Only a responder can change the status.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let Ok(to) = form.to.parse::<IncidentStatus>() else {
        let why = "That is not a status.";
        return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
    };
    let note = form.note.filter(|n| !n.trim().is_empty());
    let now = state.clock.now();
    match incident::change_status(&state.db, staff.actor(), id, to, note, now).await {
        Ok(_) => back(id, "status", "header"),
        Err(e) => incident_refusal(&state, &staff, id, &e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct EntryForm {
    csrf: Option<String>,
    kind: String,
    text: String,
}

/// Adds a timeline entry (responders and CX leads).
pub(super) async fn add_entry(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<EntryForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !(staff.has(Role::Responder) || staff.has(Role::CxLead)) {
        let why = "Only responders and CX leads write the timeline.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let Ok(kind) = form.kind.parse::<TimelineKind>() else {
        let why = "That is not a kind of timeline entry.";
        return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
    };
    let entry = NewTimelineEntry {
        at: None,
        kind,
        text: form.text,
    };
    let now = state.clock.now();
    match incident::add_timeline_entry(&state.db, staff.actor(), id, entry, now).await {
        Ok(_) => back(id, "timeline", "timeline"),
        Err(e) => incident_refusal(&state, &staff, id, &e).await,
    }
}

async fn incident_refusal(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    e: &IncidentError,
) -> Response {
    let (status, why) = match e {
        IncidentError::NotFound => (StatusCode::NOT_FOUND, "No such incident.".to_owned()),
        IncidentError::Invalid(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        IncidentError::Transition(t) => (StatusCode::CONFLICT, t.to_string()),
        IncidentError::VersionConflict { .. } => (StatusCode::CONFLICT, e.to_string()),
        IncidentError::Db(_) => return failed(state, staff, e),
    };
    refused(state, staff, id, status, &why).await
}

#[derive(Deserialize)]
pub(super) struct DutyForm {
    csrf: Option<String>,
    duty_key: String,
    reference: String,
    #[serde(default)]
    evidence: String,
}

/// Marks a duty done with its reference and evidence (responders).
pub(super) async fn mark_duty(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<DutyForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::Responder) {
        let why = "Only a responder can mark a duty done.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let input = DoneInput {
        reference: form.reference,
        evidence: form.evidence,
        done_at: None,
    };
    let now = state.clock.now();
    let result = obligation::mark_done(
        &state.db,
        &state.obligations,
        staff.actor(),
        id,
        &form.duty_key,
        input,
        now,
    )
    .await;
    match result {
        Ok(_) => back(id, "duty", "deadlines"),
        Err(ObligationError::Db(e)) => failed(&state, &staff, &e),
        Err(e) => {
            let status = match e {
                ObligationError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            let why = match &e {
                ObligationError::Invalid(problems) => problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            refused(&state, &staff, id, status, &why).await
        }
    }
}
