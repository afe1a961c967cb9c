//! The survey section's forms and download: set the schedule, send an invitation wave now,
//! open a follow-up action for a chosen owner, hand one over, close one with its resolution,
//! and download every response as CSV. Each goes through the same use-case as the JSON API,
//! which checks the role again.

use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::plan::{self, TypedSchedule};
use crate::app::AppState;
use crate::domain::Role;
use crate::domain::survey::ActionStatus;
use crate::http::error::ApiError;
use crate::http::staff::incidents::failed;
use crate::http::staff::room::{self, Shown, back, guard, refused};
use crate::http::staff::session::Staff;
use crate::http::staff::view;
use crate::survey::{self, ActionChange, NewAction, ScheduleInput, SurveyError};

tokio::task_local! {
    // The room is rendered by `room.rs` from stored data; what a post adds to it (the schedule
    // as typed when a save was refused, a wave's result) travels with the request's task.
    static POSTED: Posted;
}

/// What the post being answered adds to the survey section.
#[derive(Debug, Clone, Default)]
pub(super) struct Posted {
    /// The schedule form's fields as typed, when saving them was refused.
    pub schedule: Option<TypedSchedule>,
    /// The result of the invitation wave just sent.
    pub invited: Option<Value>,
}

/// What the post being answered adds to the section (nothing for a plain page view).
pub(super) fn posted() -> Posted {
    POSTED.try_with(Clone::clone).unwrap_or_default()
}

/// The room again with the reason, the schedule's fields as typed.
async fn keep_typed(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    typed: TypedSchedule,
    (status, why): (StatusCode, &str),
) -> Response {
    let posted = Posted {
        schedule: Some(typed),
        invited: None,
    };
    POSTED
        .scope(posted, refused(state, staff, id, status, why))
        .await
}

const INVITE_LABEL: &str = "Days after delivery before the invitation";
const REMIND_LABEL: &str = "Days after the invitation before the reminder";

/// The form's words for a use-case's field name.
fn label(field: &str) -> &str {
    match field {
        "invite_after_days" => INVITE_LABEL,
        "remind_after_days" => REMIND_LABEL,
        other => other,
    }
}

/// The schedule as typed, parsed; a sentence naming the field otherwise. An empty reminder
/// field means no reminder.
fn parse_schedule(typed: &TypedSchedule) -> Result<ScheduleInput, String> {
    let whole = |label: &str, text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| format!("{label}: enter a whole number of days, such as 7."))
    };
    let invite = whole(INVITE_LABEL, &typed.invite_after)?;
    let remind = match typed.remind_after.trim() {
        "" => None,
        text => Some(whole(REMIND_LABEL, text)?),
    };
    Ok(ScheduleInput {
        invite_after_days: Some(invite),
        remind_after_days: Some(remind),
    })
}

/// The schedule form.
#[derive(Deserialize)]
pub(in crate::http::staff) struct ScheduleForm {
    csrf: Option<String>,
    #[serde(default)]
    invite_after_days: String,
    #[serde(default)]
    remind_after_days: String,
}

/// Sets the survey's schedule (CX leads); a refusal keeps what was typed.
pub(in crate::http::staff) async fn save_schedule(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<ScheduleForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    let typed = TypedSchedule {
        invite_after: form.invite_after_days,
        remind_after: form.remind_after_days,
    };
    if !staff.has(Role::CxLead) {
        let why = (
            StatusCode::FORBIDDEN,
            "Only a CX lead sets the survey's schedule.",
        );
        return keep_typed(&state, &staff, id, typed, why).await;
    }
    let input = match parse_schedule(&typed) {
        Ok(input) => input,
        Err(why) => {
            let why = (StatusCode::UNPROCESSABLE_ENTITY, why.as_str());
            return keep_typed(&state, &staff, id, typed, why).await;
        }
    };
    let by = (staff.user.id, staff.actor());
    match state.surveys.set_schedule(by, id, input).await {
        Ok(_) => back(id, "survey-scheduled", "survey"),
        Err(SurveyError::Invalid { field, message }) => {
            let why = format!("{}: {message}", label(field));
            let why = (StatusCode::UNPROCESSABLE_ENTITY, why.as_str());
            keep_typed(&state, &staff, id, typed, why).await
        }
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

/// A form with nothing but its token.
#[derive(Deserialize)]
pub(in crate::http::staff) struct TokenForm {
    csrf: Option<String>,
}

/// Sends an invitation wave now (CX leads), and shows the room with what it did.
pub(in crate::http::staff) async fn invite(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead sends survey invitations.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    match state.surveys.invite_now(staff.user.id, id).await {
        Ok(report) => {
            let posted = Posted {
                schedule: None,
                invited: Some(plan::invite_result(&report)),
            };
            let page = room::show(State(state), staff, Path(id), Query(Shown::default()));
            POSTED.scope(posted, page).await
        }
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

/// An owner as chosen on a form: none for the default, an id otherwise.
fn chosen_owner(field: Option<&str>) -> Result<Option<Uuid>, &'static str> {
    match field.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| "Choose the owner from the list of CX leads."),
    }
}

#[derive(Deserialize)]
pub(in crate::http::staff) struct ActionForm {
    csrf: Option<String>,
    title: Option<String>,
    owner_id: Option<String>,
}

/// Opens a follow-up action from a response, owned by the CX lead chosen (the person
/// opening it by default).
pub(in crate::http::staff) async fn create_action(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, rid)): Path<(Uuid, Uuid)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead opens follow-up actions.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let owner_id = match chosen_owner(form.owner_id.as_deref()) {
        Ok(owner) => owner,
        Err(why) => {
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
    };
    let input = NewAction {
        owner_id,
        title: form.title.filter(|t| !t.trim().is_empty()),
    };
    let now = state.clock.now();
    match survey::create_action(&state.db, staff.user.id, id, rid, input, now).await {
        Ok(_) => back(id, "action-created", "survey"),
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(in crate::http::staff) struct OwnerForm {
    csrf: Option<String>,
    owner_id: Option<String>,
}

/// Hands an open follow-up action to another CX lead (CX leads).
pub(in crate::http::staff) async fn reassign_action(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, aid)): Path<(Uuid, Uuid)>,
    Form(form): Form<OwnerForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead hands over follow-up actions.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let owner_id = match chosen_owner(form.owner_id.as_deref()) {
        Ok(Some(owner)) => owner,
        Ok(None) => {
            let why = "Choose who owns the action now.";
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
        Err(why) => {
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
        }
    };
    let change = ActionChange {
        owner_id: Some(owner_id),
        ..ActionChange::default()
    };
    let now = state.clock.now();
    match survey::update_action(&state.db, staff.user.id, id, aid, change, now).await {
        Ok(_) => back(id, "action-reassigned", "survey"),
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

#[derive(Deserialize)]
pub(in crate::http::staff) struct CloseForm {
    csrf: Option<String>,
    resolution: String,
}

/// Closes a follow-up action with what was done (CX leads).
pub(in crate::http::staff) async fn close_action(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, aid)): Path<(Uuid, Uuid)>,
    Form(form): Form<CloseForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !staff.has(Role::CxLead) {
        let why = "Only a CX lead closes follow-up actions.";
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, why).await;
    }
    let change = ActionChange {
        status: Some(ActionStatus::Closed),
        resolution: Some(form.resolution),
        ..ActionChange::default()
    };
    let now = state.clock.now();
    match survey::update_action(&state.db, staff.user.id, id, aid, change, now).await {
        Ok(_) => back(id, "action-closed", "survey"),
        Err(e) => survey_refusal(&state, &staff, id, e).await,
    }
}

/// Every response as CSV (CX leads and admins: answers are personal data).
pub(in crate::http::staff) async fn download_responses(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Response {
    if !super::reader(&staff) {
        let why = "Answers are personal data: only CX leads and admins download them.";
        return view::problem(&state, Some(&staff), StatusCode::FORBIDDEN, why);
    }
    let csv = match survey::responses_csv(&state.db, id).await {
        Ok(csv) => csv,
        Err(SurveyError::IncidentNotFound) => {
            let why = "No such incident.";
            return view::problem(&state, Some(&staff), StatusCode::NOT_FOUND, why);
        }
        Err(e) => return failed(&state, &staff, &e),
    };
    let mut response = Body::from(csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"survey-{id}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The room again with why a survey use-case refused; the failure page for a database error.
async fn survey_refusal(state: &AppState, staff: &Staff, id: Uuid, e: SurveyError) -> Response {
    if matches!(e, SurveyError::Db(_) | SurveyError::Corrupt(_)) {
        return failed(state, staff, &e);
    }
    let why = e.to_string();
    let status = ApiError::from(e).status;
    refused(state, staff, id, status, &why).await
}

#[cfg(test)]
mod tests {
    use super::{TypedSchedule, chosen_owner, parse_schedule};

    fn typed(invite: &str, remind: &str) -> TypedSchedule {
        TypedSchedule {
            invite_after: invite.into(),
            remind_after: remind.into(),
        }
    }

    #[test]
    fn an_empty_reminder_field_means_no_reminder_and_words_are_refused_by_field() {
        let input = parse_schedule(&typed(" 3 ", "")).expect("parses");
        assert_eq!(input.invite_after_days, Some(3));
        assert_eq!(input.remind_after_days, Some(None));
        let input = parse_schedule(&typed("3", "4")).expect("parses");
        assert_eq!(input.remind_after_days, Some(Some(4)));
        let refused = parse_schedule(&typed("a week", "")).expect_err("not a number");
        assert!(refused.starts_with("Days after delivery"), "{refused}");
        let refused = parse_schedule(&typed("7", "-1")).expect_err("not a number");
        assert!(
            refused.starts_with("Days after the invitation"),
            "{refused}"
        );
    }

    #[test]
    fn a_blank_owner_is_the_default_and_a_bad_one_is_refused() {
        assert_eq!(chosen_owner(None), Ok(None));
        assert_eq!(chosen_owner(Some("")), Ok(None));
        assert!(chosen_owner(Some("someone")).is_err());
    }
}
