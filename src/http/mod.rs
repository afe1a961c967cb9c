//! Everything HTTP: the router, extractors, authentication, errors, metrics and the OpenAPI
//! document. Handlers are thin: parse, call one use-case, shape the answer.

pub mod auth;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod pages;
pub mod routes;
mod staff;

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use error::ApiError;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(OpenApi)]
#[openapi(
    info(title = "Candor API", description = "Breach-notification and incident-response orchestrator: staff API."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign in"),
        (name = "users", description = "Staff accounts and roles"),
        (name = "incidents", description = "Incidents, their lifecycle and timeline"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "inventory", description = "Systems, customers and the records systems hold: imports and listing"),
        (name = "mapping", description = "Incident scope, forensic lists, mapping of affected people, impact"),
        (name = "obligations", description = "Risk assessment, recorded events, legal obligations and duties, regulator report"),
        (name = "notices", description = "Notices to people: drafts, template files, lint, preview, dry run, approval"),
        (name = "delivery", description = "Sending notices: the outbox, campaigns, bounces, letters"),
        (name = "playbooks", description = "Playbook runs on an incident: steps, owners, due times, tasks and gates"),
        (name = "survey", description = "The follow-up survey: schedule, invitations, results, responses, follow-up actions, people's links"),
        (name = "operations", description = "Probes and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API routes and their OpenAPI document, built from the same handler list so the document
/// cannot miss a route.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::auth::login))
        .routes(routes!(routes::auth::me))
        .routes(routes!(routes::auth::logout))
        .routes(routes!(
            routes::users::list_users,
            routes::users::create_user
        ))
        .routes(routes!(routes::users::update_user))
        .routes(routes!(
            routes::incidents::list_incidents,
            routes::incidents::create_incident
        ))
        .routes(routes!(
            routes::incidents::get_incident,
            routes::incidents::update_incident
        ))
        .routes(routes!(routes::incidents::change_status))
        .routes(routes!(
            routes::timeline::list_timeline,
            routes::timeline::add_timeline_entry
        ))
        .routes(routes!(routes::scope::get_scope, routes::scope::put_scope))
        .routes(routes!(routes::mapping::start_mapping))
        .routes(routes!(routes::mapping::get_mapping_run))
        .routes(routes!(routes::mapping::get_impact))
        .routes(routes!(routes::mapping::list_affected))
        .routes(routes!(
            routes::risk::get_risk_assessment,
            routes::risk::put_risk_assessment
        ))
        .routes(routes!(routes::risk::put_event))
        .routes(routes!(routes::obligations::get_obligations))
        .routes(routes!(routes::obligations::get_obligation_history))
        .routes(routes!(routes::obligations::mark_duty_done))
        .routes(routes!(routes::reports::regulator_report))
        .routes(routes!(
            routes::notices::list_notices,
            routes::notices::create_notice
        ))
        .routes(routes!(
            routes::notices::get_notice,
            routes::notices::edit_notice
        ))
        .routes(routes!(routes::notices::list_templates))
        .routes(routes!(
            routes::notices::put_template,
            routes::notices::revert_template
        ))
        .routes(routes!(routes::notices::lint_notice))
        .routes(routes!(routes::notices::preview_notice))
        .routes(routes!(routes::notices::notice_variants))
        .routes(routes!(routes::notices::approve_notice))
        .routes(routes!(routes::delivery::get_delivery))
        .routes(routes!(routes::delivery::pause_campaign))
        .routes(routes!(routes::delivery::resume_campaign))
        .routes(routes!(routes::delivery::release_campaign))
        .routes(routes!(routes::delivery::letters_manifest))
        .routes(routes!(routes::delivery::report_bounce))
        .routes(routes!(
            routes::playbook::get_playbook,
            routes::playbook::attach_playbook
        ))
        .routes(routes!(routes::playbook::complete_step))
        .routes(routes!(routes::playbook::approve_step))
        .routes(routes!(routes::playbook::assign_step))
        .routes(routes!(routes::playbook::get_task))
        .routes(routes!(routes::playbook::complete_task))
        .routes(routes!(routes::survey::get_survey))
        .routes(routes!(
            routes::survey::get_schedule,
            routes::survey::put_schedule
        ))
        .routes(routes!(routes::survey::list_responses))
        .routes(routes!(routes::survey::responses_csv))
        .routes(routes!(routes::survey::create_action))
        .routes(routes!(routes::survey::list_actions))
        .routes(routes!(routes::survey::update_action))
        .routes(routes!(routes::survey::revoke_link))
        .routes(routes!(routes::inventory::list_systems))
        .routes(routes!(routes::audit::list_audit))
        .routes(routes!(routes::audit::verify_audit))
        .routes(routes!(routes::health::healthz))
        .routes(routes!(routes::health::readyz))
        // Ordinary requests answer within the timeout; bulk uploads below may take minutes.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .merge(uploads())
        .split_for_parts()
}

/// How long an ordinary request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Bulk work (inventory imports, forensic lists, sending a notice): exempt from the request
/// timeout, since millions of rows are validated and written while the client waits.
fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::inventory::import_systems))
        .routes(routes!(routes::inventory::import_customers))
        .routes(routes!(routes::inventory::import_holdings))
        // Sending writes a row per person: for a large audience it outlasts the timeout.
        .routes(routes!(routes::delivery::send_notice))
        // So does a survey wave.
        .routes(routes!(routes::survey::invite))
        .merge(
            // A forensic list is parsed in memory: 64 MiB is about two million records.
            OpenApiRouter::new()
                .routes(routes!(routes::scope::upload_forensic_list))
                .layer(DefaultBodyLimit::max(FORENSIC_LIST_MAX_BYTES)),
        )
}

/// The largest forensic list accepted in one upload.
const FORENSIC_LIST_MAX_BYTES: usize = 64 * 1024 * 1024;

/// The whole application router with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api();
    let openapi = Arc::new(openapi);
    let metrics = state.metrics.clone();
    let max_body = state.max_body_bytes;
    api.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = openapi.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .route("/metrics", get(metrics::expose).with_state(metrics.clone()))
    .merge(pages::router())
    .merge(staff::router())
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .with_state(state)
    .layer(axum::middleware::from_fn_with_state(
        metrics,
        metrics::track,
    ))
    .layer(
        ServiceBuilder::new()
            .layer(SetSensitiveHeadersLayer::new([
                header::AUTHORIZATION,
                header::COOKIE,
                header::SET_COOKIE,
            ]))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    // The route template and request id only: URIs may carry personal data.
                    let route = request
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("unmatched", |p| p.as_str());
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), route, request_id)
                }),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(default_header(header::CONTENT_SECURITY_POLICY, API_POLICY))
            .layer(default_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(default_header(header::REFERRER_POLICY, "no-referrer"))
            .layer(default_header(header::X_FRAME_OPTIONS, "DENY"))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::internal("handler panicked").into_response()
            }))
            .layer(DefaultBodyLimit::max(max_body)),
    )
}

/// The policy of every answer that is not a page (JSON, CSV, assets, errors): it loads
/// nothing, runs nothing and may not be framed. Pages set their own, stricter per kind.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Sets a security header on every answer whose handler did not set it.
fn default_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}
