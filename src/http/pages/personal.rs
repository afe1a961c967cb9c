//! `/n/{token}`: a person's own page about the incident, and the form where they choose how
//! and how often they hear about it.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::guard::{self, PREFERENCES_FORM};
use super::problem;
use super::view::{self, Pages};
use crate::app::AppState;
use crate::customer::{self, CustomerError, PersonalPage, Visitor};
use crate::delivery::LinkPurpose;
use crate::domain::survey::{ContactChannel, Frequency};

/// `?saved=preferences` after a save.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    saved: Option<String>,
}

/// The preferences form.
#[derive(Debug, Deserialize)]
pub(super) struct PreferencesForm {
    csrf: Option<String>,
    channel: Option<String>,
    frequency: Option<String>,
}

impl guard::WithCsrf for PreferencesForm {
    const NAME: &'static str = PREFERENCES_FORM;
    fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }
}

/// What the form shows besides the stored choice: the person's input and its problems.
#[derive(Debug, Default)]
struct Entered {
    saved: bool,
    channel: Option<String>,
    frequency: Option<String>,
    channel_error: Option<&'static str>,
    frequency_error: Option<&'static str>,
}

/// `GET /n/{token}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    shown: Result<Query<Shown>, QueryRejection>,
) -> Response {
    let visitor = match guard::visit(&state, &headers, &token, LinkPurpose::Page).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let saved = shown.is_ok_and(|Query(s)| s.saved.as_deref() == Some("preferences"));
    let entered = Entered {
        saved,
        ..Entered::default()
    };
    respond(&state, &visitor, &token, entered, StatusCode::OK, &headers).await
}

/// `POST /n/{token}/preferences`: saves the choice and goes back to the page (303), or shows
/// the form again with its problem (422).
pub(super) async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<PreferencesForm>, FormRejection>,
) -> Response {
    let (visitor, form) =
        match guard::checked(&state, &headers, &token, LinkPurpose::Page, form).await {
            Ok(checked) => checked,
            Err(page) => return page,
        };
    let (locale, now) = (view::locale_of(&headers), state.clock.now());
    let channel = form
        .channel
        .as_deref()
        .and_then(|c| c.parse::<ContactChannel>().ok());
    let frequency = form
        .frequency
        .as_deref()
        .and_then(|f| f.parse::<Frequency>().ok());
    let mut entered = Entered {
        channel_error: channel.is_none().then_some("page.choose_channel"),
        frequency_error: frequency.is_none().then_some("page.choose_frequency"),
        channel: form.channel,
        frequency: form.frequency,
        saved: false,
    };
    let (Some(channel), Some(frequency)) = (channel, frequency) else {
        return respond(
            &state,
            &visitor,
            &token,
            entered,
            StatusCode::UNPROCESSABLE_ENTITY,
            &headers,
        )
        .await;
    };
    match customer::set_preferences(&state.db, &visitor, channel, frequency, now).await {
        Ok(()) => Redirect::to(&format!("/n/{token}?saved=preferences")).into_response(),
        Err(CustomerError::Unreachable(_)) => {
            entered.channel_error = Some("page.unreachable");
            respond(
                &state,
                &visitor,
                &token,
                entered,
                StatusCode::UNPROCESSABLE_ENTITY,
                &headers,
            )
            .await
        }
        Err(e) => problem::from_customer(e, locale),
    }
}

/// The page with `entered` over it.
async fn respond(
    state: &AppState,
    visitor: &Visitor,
    token: &str,
    entered: Entered,
    status: StatusCode,
    headers: &HeaderMap,
) -> Response {
    let keys = &state.delivery.config().link_keys;
    let page_path = format!("/n/{token}");
    // On the page itself, the notice's "a page just for you, with the latest news" points at
    // the news.
    let page = match customer::personal_page(&state.db, keys, visitor, "#updates").await {
        Ok(page) => page,
        Err(e) => return problem::from_customer(e, view::locale_of(headers)),
    };
    let Some(pages) = Pages::get() else {
        return view::fallback();
    };
    let csrf = guard::csrf_token(&state.pepper, PREFERENCES_FORM, visitor.link_id);
    let mut data = page_values(pages, &page, &entered);
    data["form_action"] = json!(format!("{page_path}/preferences"));
    data["csrf"] = json!(csrf);
    pages.respond(status, "personal", page.locale, data)
}

/// The page's values for its template.
fn page_values(pages: &Pages, page: &PersonalPage, entered: &Entered) -> Value {
    let l = page.locale;
    let title = match page.organization.is_empty() {
        true => pages.word(l, "page.title_plain"),
        false => pages.phrase(l, "page.title", &[("org", &page.organization)]),
    };
    let updates: Vec<Value> = page
        .updates
        .iter()
        .map(|u| {
            let date = pages.date(l, u.posted_at.date_naive());
            json!({ "posted": pages.phrase(l, "page.posted_on", &[("date", &date)]), "text": u.text })
        })
        .collect();
    let error = |key: Option<&str>| key.map(|k| pages.word(l, k));
    json!({
        "title": title,
        "organization": page.organization,
        "reference": pages.phrase(l, "common.reference", &[("reference", &page.reference)]),
        "saved": entered.saved,
        "has_errors": entered.channel_error.is_some() || entered.frequency_error.is_some(),
        "hello": page.given_name.as_ref().map(|n| pages.phrase(l, "page.hello", &[("name", n)])),
        "what_happened": page.what_happened,
        "data_involved": page.data_involved,
        "likely_consequences": page.likely_consequences,
        "what_we_are_doing": page.what_we_are_doing,
        "steps_html": page.steps_html,
        "contact_html": page.contact_html,
        "updates": updates,
        "survey_path": page.survey_path,
        "chosen_on": page.preferences.set_at.map(|at| {
            pages.phrase(l, "page.chosen_on", &[("date", &pages.date(l, at.date_naive()))])
        }),
        "channel_error": error(entered.channel_error),
        "frequency_error": error(entered.frequency_error),
        "channels": channel_options(pages, page, entered),
        "frequencies": frequency_options(pages, page, entered),
    })
}

fn channel_options(pages: &Pages, page: &PersonalPage, entered: &Entered) -> Vec<Value> {
    let chosen = entered
        .channel
        .clone()
        .unwrap_or_else(|| page.preferences.channel.as_str().to_owned());
    ContactChannel::ALL
        .iter()
        .filter(|c| page.reachable.allows(**c))
        .map(|c| {
            let value = c.as_str();
            json!({
                "id": format!("channel-{value}"),
                "value": value,
                "label": pages.word(page.locale, &format!("page.channel_{value}")),
                "checked": chosen == value,
                "note": *c == ContactChannel::Sms,
            })
        })
        .collect()
}

fn frequency_options(pages: &Pages, page: &PersonalPage, entered: &Entered) -> Vec<Value> {
    let chosen = entered
        .frequency
        .clone()
        .unwrap_or_else(|| page.preferences.frequency.as_str().to_owned());
    Frequency::ALL
        .iter()
        .map(|f| {
            let value = f.as_str();
            json!({
                "id": format!("frequency-{value}"),
                "value": value,
                "label": pages.word(page.locale, &format!("page.frequency_{value}")),
                "checked": chosen == value,
            })
        })
        .collect()
}
