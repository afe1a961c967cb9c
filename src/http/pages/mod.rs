//! Server-rendered pages for customers: the personal incident page (`/n/{token}`) and the
//! follow-up survey (`/s/{token}`), with their stylesheet. No JavaScript; every answer carries
//! a strict Content-Security-Policy and is never cached, indexed or framed, and no page sends
//! a referrer (the token is in the address).

pub(crate) mod guard;
mod personal;
mod problem;
mod survey;
mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;

/// The largest form body accepted. A comment may be 2,000 characters, and a character can
/// take 12 bytes once percent-encoded, so this leaves room for the longest allowed answer.
const FORM_MAX_BYTES: usize = 32 * 1024;

/// The stylesheet of every page.
const STYLESHEET: &str = include_str!("customer.css");

/// Headers on every page answer.
const PAGE_HEADERS: [(HeaderName, &str); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CACHE_CONTROL, "no-store"),
    (HeaderName::from_static("x-robots-tag"), "noindex, nofollow"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The customer pages.
pub fn router() -> Router<AppState> {
    // Compiled here, at startup, rather than by a customer's first visit.
    if view::Pages::get().is_none() {
        tracing::error!("the customer pages will answer with an error page");
    }
    Router::new()
        .route("/n/{token}", get(personal::show))
        .route("/n/{token}/preferences", post(personal::save))
        .route("/s/{token}", get(survey::show).post(survey::save))
        .layer(DefaultBodyLimit::max(FORM_MAX_BYTES))
        .layer(middleware::map_response(secure))
        .route("/assets/customer.css", get(stylesheet))
}

async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in PAGE_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
        .into_response()
}
