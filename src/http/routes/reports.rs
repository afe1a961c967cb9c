//! `/api/v1/incidents/{id}/reports/regulator`: the draft report to a supervisory authority.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::http::auth::{AnyStaff, Authorized};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::obligation::{self, ReportFormat, ReportRequest};

/// Which authority.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The law's code in the rules pack: `EU`, `GB`, `US-CA`, …
    pub jurisdiction: String,
}

/// The draft report to a jurisdiction's authority (any staff): nature of the breach,
/// categories and approximate numbers of people and records, likely consequences, measures
/// taken (the timeline's `action` entries), the contact point and the duties under that law.
/// `Accept: text/markdown` gives Markdown; otherwise HTML. 404 `unknown_jurisdiction` for a
/// code the rules pack lacks, `jurisdiction_not_applicable` when it covers nobody affected.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/reports/regulator", tag = "obligations", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Incident id"), ReportQuery),
    responses(
        (status = 200, content((String = "text/html"), (String = "text/markdown"))),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn regulator_report(
    State(state): State<AppState>,
    staff: Authorized<AnyStaff>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = if wants_markdown(&headers) {
        ReportFormat::Markdown
    } else {
        ReportFormat::Html
    };
    let request = ReportRequest {
        incident_id: id,
        jurisdiction: query.jurisdiction,
        format,
    };
    let report = obligation::regulator_report(
        &state.db,
        &state.obligations,
        &state.reports,
        staff.actor(),
        request,
        state.clock.now(),
    )
    .await?;
    let content_type = match report.format {
        ReportFormat::Markdown => "text/markdown; charset=utf-8",
        ReportFormat::Html => "text/html; charset=utf-8",
    };
    let mut response = report.body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

fn wants_markdown(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|mime| {
            let mime = mime.split(';').next().unwrap_or("").trim();
            mime.eq_ignore_ascii_case("text/markdown")
        })
}
