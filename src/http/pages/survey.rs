//! `/s/{token}`: a person's follow-up survey (how likely they are to recommend us, how clear
//! the notice was, and what we could have done better), answered and changed until it closes.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::guard::{self, SURVEY_FORM};
use super::problem;
use super::view::{self, Pages};
use crate::app::AppState;
use crate::customer::{self, CustomerError, SurveyPage, Visitor};
use crate::delivery::LinkPurpose;
use crate::domain::survey::{AnswerError, Answers, COMMENT_MAX_CHARS};

/// `?saved=1` after answering.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    saved: Option<String>,
}

/// The survey form; blank fields are unanswered questions.
#[derive(Debug, Deserialize)]
pub(super) struct SurveyForm {
    csrf: Option<String>,
    recommend: Option<String>,
    clarity: Option<String>,
    comment: Option<String>,
}

impl guard::WithCsrf for SurveyForm {
    const NAME: &'static str = SURVEY_FORM;
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// What the person sent that was not accepted, shown again with its problem.
#[derive(Debug, Default)]
struct Entered {
    saved: bool,
    /// The form as sent, when it is shown again.
    input: Option<(Option<String>, Option<String>, Option<String>)>,
    error: Option<AnswerError>,
}

/// `GET /s/{token}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    shown: Result<Query<Shown>, QueryRejection>,
) -> Response {
    let visitor = match guard::visit(&state, &headers, &token, LinkPurpose::Survey).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let saved = shown.is_ok_and(|Query(s)| s.saved.is_some_and(|v| !v.is_empty()));
    let entered = Entered {
        saved,
        ..Entered::default()
    };
    respond(&state, &visitor, &token, entered, StatusCode::OK, &headers).await
}

/// `POST /s/{token}`: records the answers and goes back to the survey (303), shows the form
/// again with its problem (422), or shows that the survey has closed (409).
pub(super) async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<SurveyForm>, FormRejection>,
) -> Response {
    let (visitor, form) =
        match guard::checked(&state, &headers, &token, LinkPurpose::Survey, form).await {
            Ok(checked) => checked,
            Err(page) => return page,
        };
    let (locale, now) = (view::locale_of(&headers), state.clock.now());
    let parsed = Answers::parse(
        form.recommend.as_deref(),
        form.clarity.as_deref(),
        form.comment.as_deref(),
    );
    let answers = match parsed {
        Ok(answers) => answers,
        Err(error) => {
            let entered = Entered {
                saved: false,
                input: Some((form.recommend, form.clarity, form.comment)),
                error: Some(error),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return respond(&state, &visitor, &token, entered, status, &headers).await;
        }
    };
    match customer::answer(&state.db, &visitor, &answers, now).await {
        Ok(_) => Redirect::to(&format!("/s/{token}?saved=1")).into_response(),
        Err(CustomerError::SurveyClosed(_)) => {
            let entered = Entered::default();
            respond(
                &state,
                &visitor,
                &token,
                entered,
                StatusCode::CONFLICT,
                &headers,
            )
            .await
        }
        Err(e) => problem::from_customer(e, locale),
    }
}

/// The survey page with `entered` over it.
async fn respond(
    state: &AppState,
    visitor: &Visitor,
    token: &str,
    entered: Entered,
    status: StatusCode,
    headers: &HeaderMap,
) -> Response {
    let keys = &state.delivery.config().link_keys;
    let now = state.clock.now();
    let page = match customer::survey_page(&state.db, keys, visitor, now).await {
        Ok(page) => page,
        Err(e) => return problem::from_customer(e, view::locale_of(headers)),
    };
    let Some(pages) = Pages::get() else {
        return view::fallback();
    };
    let mut data = survey_values(pages, &page, &entered);
    data["form_action"] = json!(format!("/s/{token}"));
    data["csrf"] = json!(guard::csrf_token(
        &state.pepper,
        SURVEY_FORM,
        visitor.link_id
    ));
    pages.respond(status, "survey", page.locale, data)
}

/// The survey's values for its template.
fn survey_values(pages: &Pages, page: &SurveyPage, entered: &Entered) -> Value {
    let l = page.locale;
    let org = [("org", page.organization.as_str())];
    let phrase_on =
        |key: &str, d: chrono::NaiveDate| pages.phrase(l, key, &[("date", &pages.date(l, d))]);
    // What the form holds: the input sent back, else the stored answers.
    let (recommend, clarity, comment) = match &entered.input {
        Some(input) => input.clone(),
        None => page.answers.as_ref().map_or((None, None, None), |a| {
            (
                a.recommend.map(|n| n.to_string()),
                a.clarity.map(|n| n.to_string()),
                a.comment.clone(),
            )
        }),
    };
    let error = |field: Option<&str>| {
        let e = entered.error.as_ref().filter(|e| e.field() == field)?;
        Some(pages.word(l, &format!("survey.{}", error_key(e))))
    };
    json!({
        "title": pages.word(l, "survey.title"),
        "organization": page.organization,
        "reference": pages.phrase(l, "common.reference", &[("reference", &page.reference)]),
        "saved": entered.saved,
        "closed": page.closed,
        "closed_text": page.closes_on.map(|d| phrase_on("survey.closed", d)),
        "answers": page.answers.as_ref().map(|a| shown_answers(pages, page, a)),
        "intro": pages.phrase(l, "survey.intro", &org),
        "answered_text": page.answered_at.map(|at| phrase_on("survey.answered", at.date_naive())),
        "closes_text": page.closes_on.map(|d| phrase_on("survey.closes", d)),
        // The summary above the form, and the form-wide reason under it (a field's reason
        // is shown beside the field instead).
        "form_error": entered.error.is_some(),
        "form_error_detail": error(None),
        "recommend_legend": pages.phrase(l, "survey.recommend_legend", &org),
        "recommend_error": error(Some("recommend")),
        "clarity_error": error(Some("clarity")),
        "comment_error": error(Some("comment")),
        "recommend": scale(pages, page, "recommend", 0..=10, recommend.as_deref()),
        "clarity": scale(pages, page, "clarity", 1..=5, clarity.as_deref()),
        "comment": comment.unwrap_or_default(),
        "comment_max": COMMENT_MAX_CHARS,
        "page_path": page.page_path,
    })
}

fn error_key(e: &AnswerError) -> &'static str {
    match e {
        AnswerError::Recommend => "error_recommend",
        AnswerError::Clarity => "error_clarity",
        AnswerError::CommentTooLong => "error_comment",
        AnswerError::Empty => "error_empty",
    }
}

/// A question's radios, `chosen` checked (the "no answer" one when nothing is).
fn scale(
    pages: &Pages,
    page: &SurveyPage,
    name: &str,
    range: std::ops::RangeInclusive<u8>,
    chosen: Option<&str>,
) -> Vec<Value> {
    let chosen = chosen.map(str::trim).unwrap_or_default();
    let mut options: Vec<Value> = range
        .map(|n| {
            let value = n.to_string();
            json!({ "id": format!("{name}-{n}"), "checked": chosen == value, "label": value, "value": value })
        })
        .collect();
    options.push(json!({
        "id": format!("{name}-none"),
        "value": "",
        "label": pages.word(page.locale, "survey.no_answer"),
        "checked": chosen.is_empty(),
    }));
    options
}

/// Stored answers as the closed survey lists them.
fn shown_answers(pages: &Pages, page: &SurveyPage, answers: &Answers) -> Value {
    let none = pages.word(page.locale, "survey.not_answered");
    let or_none = |v: Option<String>| v.unwrap_or_else(|| none.clone());
    json!({
        "recommend": or_none(answers.recommend.map(|n| n.to_string())),
        "clarity": or_none(answers.clarity.map(|n| n.to_string())),
        "comment": or_none(answers.comment.clone()),
    })
}
