//! The staff web app: server-rendered pages for responders and CX leads (sign-in, the
//! incidents list, the incident room), beside the JSON API and over the same use-cases. The
//! session is the API's token in an HttpOnly, SameSite=Strict cookie; every form carries a
//! CSRF token bound to it. A strict Content-Security-Policy allows only Candor's own
//! stylesheet and script (a small progressive enhancement: live countdowns, and progress bars
//! and counts that follow a running mapping or delivery); every page works without it.

mod audit;
mod facts;
mod facts_form;
mod incidents;
mod inventory;
mod login;
mod new_incident;
mod playbook;
mod room;
mod sections;
mod session;
mod tasks;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;

/// The largest form body accepted (a timeline entry may be 20,000 characters).
const FORM_MAX_BYTES: usize = 256 * 1024;

/// The largest pasted forensic list accepted (some 150,000 records, form-encoded).
const FORENSIC_MAX_BYTES: usize = 4 * 1024 * 1024;

const STYLESHEET: &str = include_str!("staff.css");
const SCRIPT: &str = include_str!("staff.js");

/// Headers on every staff page.
const PAGE_HEADERS: [(HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
         connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CACHE_CONTROL, "no-store"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The staff pages and their assets.
pub fn router() -> Router<AppState> {
    view::warm();
    Router::new()
        .route("/", get(|| async { Redirect::to("/incidents") }))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/incidents",
            get(incidents::list).post(new_incident::submit),
        )
        .route("/incidents/new", get(new_incident::form))
        .route("/incidents/{id}", get(room::show))
        .route("/incidents/{id}/facts", post(facts_form::save))
        .route("/incidents/{id}/status", post(room::change_status))
        .route("/incidents/{id}/timeline", post(room::add_entry))
        .route("/incidents/{id}/duties/done", post(room::mark_duty))
        .route(
            "/incidents/{id}/playbook/{step}/{verb}",
            post(playbook::act_on_step),
        )
        .route("/incidents/{id}/playbook", post(playbook::attach))
        .route("/incidents/{id}/tasks/{task}", get(tasks::show))
        .route("/incidents/{id}/tasks/{task}/complete", post(tasks::close))
        .route("/incidents/{id}/audit", get(audit::show))
        .route("/inventory", get(inventory::show))
        .merge(inventory::routes())
        .merge(sections::routes())
        .layer(DefaultBodyLimit::max(FORM_MAX_BYTES))
        // A pasted forensic list may be longer than any other form.
        .route(
            "/incidents/{id}/scope/records",
            post(sections::scope::upload_records).layer(DefaultBodyLimit::max(FORENSIC_MAX_BYTES)),
        )
        // An inventory file may be large: its upload is limited as it is stored.
        .route(
            "/inventory/import",
            post(inventory::import).layer(DefaultBodyLimit::disable()),
        )
        .layer(middleware::map_response(secure))
        // The notice's own HTML for the preview's sandboxed frame, under a policy of its own.
        .route(
            "/incidents/{id}/notices/{nid}/preview.html",
            get(sections::preview::frame),
        )
        .route("/assets/staff.css", get(stylesheet))
        .route("/assets/staff.js", get(script))
}

async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in PAGE_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}
