//! A notice draft previewed for one person of its audience (by customer reference) or a dry-run
//! variant's sample person: the subject, laws and plain text on a staff page, beside the HTML
//! body in a sandboxed frame. The frame's document is the notice's own HTML, served with a
//! policy of its own that runs no script, loads nothing from elsewhere and may be framed only
//! by Candor's pages.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::super::incidents::failed;
use super::super::session::Staff;
use super::super::view;
use super::notices::on_team;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::notice::drafts::NoticeError;
use crate::notice::drafts::{self, Preview, PreviewOf};
use axum::Router;
use axum::routing::get;

/// The frame document's own policy: its styles (notices carry them inline, as mail does), no
/// script, nothing fetched, no forms, framed by Candor only.
const FRAME_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox";

/// Whom to preview: a customer reference, else a variant's sample person.
#[derive(Debug, Default, Deserialize)]
pub(in super::super) struct Whom {
    customer_ref: Option<String>,
    variant: Option<String>,
}

impl Whom {
    fn of(&self) -> Option<PreviewOf> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match (given(&self.customer_ref), given(&self.variant)) {
            (Some(c), _) => Some(PreviewOf::Customer(c)),
            (None, Some(v)) => Some(PreviewOf::Variant(v)),
            (None, None) => None,
        }
    }

    /// The query the frame is asked for with.
    fn query(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        match self.of() {
            Some(PreviewOf::Customer(c)) => out.append_pair("customer_ref", &c),
            Some(PreviewOf::Variant(v)) => out.append_pair("variant", &v),
            None => &mut out,
        };
        out.finish()
    }
}

async fn render(
    state: &AppState,
    (id, nid): (Uuid, Uuid),
    of: PreviewOf,
) -> Result<Preview, NoticeError> {
    let (config, rules, now) = (&state.notices, &state.obligations, state.clock.now());
    drafts::preview(&state.db, config, rules, id, nid, of, now).await
}

/// The preview page (responders and CX leads).
pub(in super::super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Query(whom): Query<Whom>,
) -> Response {
    if !on_team(&staff) {
        let why = "Only responders and CX leads preview notices.";
        return view::problem(&state, Some(&staff), StatusCode::FORBIDDEN, why);
    }
    let (mut status, mut error, mut shown) = (StatusCode::OK, None, None);
    match whom.of() {
        None => {
            if whom.customer_ref.is_some() || whom.variant.is_some() {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                error = Some("Give a customer reference or choose a variant.".to_owned());
            }
        }
        Some(of) => match render(&state, (id, nid), of).await {
            Ok(p) => shown = Some(p),
            Err(e @ (NoticeError::Db(_) | NoticeError::Templates(_) | NoticeError::Corrupt(_))) => {
                return failed(&state, &staff, &e);
            }
            Err(e) => {
                error = Some(e.to_string());
                status = ApiError::from(e).status;
            }
        },
    }
    let preview = shown.map(|p| {
        json!({
            "variant": p.variant,
            "locale": p.locale.as_str(),
            "channel": p.channel.as_str(),
            "laws": p.laws.join(", "),
            "subject": p.subject,
            "text": p.text,
            "frame": format!("/incidents/{id}/notices/{nid}/preview.html?{}", whom.query()),
        })
    });
    let data = json!({
        "title": "Notice preview",
        "incident_id": id,
        "notice_id": nid,
        "customer_ref": whom.customer_ref.unwrap_or_default(),
        "variant": whom.variant.unwrap_or_default(),
        "error": error,
        "preview": preview,
    });
    view::page(&state, Some(&staff), status, "notice_preview", data)
}

/// The HTML body alone, for the preview page's sandboxed frame (responders and CX leads).
pub(in super::super) async fn frame(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, nid)): Path<(Uuid, Uuid)>,
    Query(whom): Query<Whom>,
) -> Response {
    let (status, body) = match (on_team(&staff), whom.of()) {
        (false, _) => (
            StatusCode::FORBIDDEN,
            plain("Only the incident team previews notices."),
        ),
        (true, None) => (StatusCode::UNPROCESSABLE_ENTITY, plain("Nobody chosen.")),
        (true, Some(of)) => match render(&state, (id, nid), of).await {
            Ok(p) => (StatusCode::OK, p.html),
            Err(e) => {
                let status = ApiError::from(e).status;
                (status, plain("This preview cannot be shown."))
            }
        },
    };
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, FRAME_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn plain(message: &str) -> String {
    format!("<!doctype html><html lang=\"en\"><title>Preview</title><p>{message}</p></html>")
}

/// The preview page (its framed notice is routed apart, under a policy of its own).
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/incidents/{id}/notices/{nid}/preview", get(page))
}
