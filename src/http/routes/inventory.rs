//! `/api/v1/inventory`: import systems, customers and holdings (admins), list systems (staff).
//!
//! An upload is streamed to a private temporary file as it arrives, never held in memory, and
//! imported from there with the same use-case as the CLI. These routes have their own body
//! limit ([`MAX_UPLOAD_BYTES`]) instead of the API's small default.

use std::path::Path;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::domain::audit::Actor;
use crate::http::auth::{Admins, AnyStaff, Authorized};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiQuery, media_type, unsupported_media_type};
use crate::inventory::{self, Format, ImportOptions, ImportReport};

/// The largest upload accepted: 2 GiB.
pub const MAX_UPLOAD_BYTES: u64 = 2 << 30;

/// Import options.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Import the good rows of a file with bad ones; the bad ones are listed in `rejects`.
    /// Without it, a file with any bad row is refused whole (422) and nothing is written.
    #[serde(default)]
    pub skip_invalid: bool,
}

/// A skipped row.
#[derive(Serialize, ToSchema)]
pub struct RejectView {
    pub line: u64,
    /// Names the column; never quotes personal data.
    pub reason: String,
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportResponse {
    /// Data rows in the file.
    pub rows: u64,
    /// Rows inserted or changed.
    pub written: u64,
    /// Rows already stored exactly as in the file.
    pub unchanged: u64,
    /// Bad rows skipped (with `skip_invalid`).
    pub rejected: u64,
    /// The first 1000 skipped rows, by line.
    pub rejects: Vec<RejectView>,
    pub elapsed_ms: u64,
}

impl From<ImportReport> for ImportResponse {
    fn from(r: ImportReport) -> Self {
        ImportResponse {
            rows: r.rows,
            written: r.written,
            unchanged: r.unchanged,
            rejected: r.rejected,
            rejects: r
                .rejects
                .into_iter()
                .map(|e| RejectView {
                    line: e.line,
                    reason: e.reason,
                })
                .collect(),
            elapsed_ms: u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A system that holds personal data.
#[derive(Serialize, ToSchema)]
pub struct SystemView {
    pub system: String,
    pub description: String,
    pub owner: String,
    pub encrypted_at_rest: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The format the `Content-Type` names, or 415.
fn format_of(headers: &HeaderMap) -> Result<Format, ApiError> {
    match media_type(headers).as_deref() {
        Some("text/csv") => Ok(Format::Csv),
        Some("application/x-ndjson" | "application/jsonl" | "application/x-jsonlines") => {
            Ok(Format::Jsonl)
        }
        _ => Err(unsupported_media_type(
            "send the file as `text/csv` or `application/x-ndjson`",
        )),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("an inventory file may be at most {MAX_UPLOAD_BYTES} bytes"),
    )
}

/// Streams the body into `file`, refusing it past [`MAX_UPLOAD_BYTES`].
async fn spool(headers: &HeaderMap, body: Body, file: &Path) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let mut out = tokio::fs::File::create(file)
        .await
        .map_err(ApiError::internal)?;
    let mut stream = body.into_data_stream();
    let mut received = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                format!("cannot read the body: {e}"),
            )
        })?;
        received += chunk.len() as u64;
        if received > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)
}

/// Which file an import route takes.
#[derive(Clone, Copy)]
enum Kind {
    Systems,
    Customers,
    Holdings,
}

async fn import(
    state: &AppState,
    actor: Actor,
    kind: Kind,
    query: ImportQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<Json<ImportResponse>, ApiError> {
    let format = format_of(headers)?;
    // A private directory of its own, removed (with the upload) when the request ends.
    let dir = tempfile::Builder::new()
        .prefix("candor-upload-")
        .tempdir()
        .map_err(ApiError::internal)?;
    let path = dir.path().join("upload");
    spool(headers, body, &path).await?;
    let options = ImportOptions {
        format: Some(format),
        skip_invalid: query.skip_invalid,
        ..ImportOptions::default()
    };
    let (db, now) = (&state.db, state.clock.now());
    let report = match kind {
        Kind::Systems => inventory::import_systems(db, actor, &path, &options, now).await,
        Kind::Customers => inventory::import_customers(db, actor, &path, &options, now).await,
        Kind::Holdings => inventory::import_holdings(db, actor, &path, &options, now).await,
    }?;
    Ok(Json(report.into()))
}

/// Import systems (admins): `system,description,owner,encrypted_at_rest`, upserted by name.
#[utoipa::path(
    post, path = "/api/v1/inventory/systems", tag = "inventory", security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header, or JSON Lines with the same keys",
        content(("text/csv"), ("application/x-ndjson"))),
    responses(
        (status = 200, body = ImportResponse),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "Bad rows (`invalid_rows`), each detail `line N`", body = ErrorBody),
    )
)]
pub async fn import_systems(
    State(state): State<AppState>,
    admin: Authorized<Admins>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResponse>, ApiError> {
    import(&state, admin.actor(), Kind::Systems, query, &headers, body).await
}

/// Import customers (admins), upserted by `customer_ref`: `customer_ref,given_name,
/// family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,
/// customer_since,preferred_channel`.
#[utoipa::path(
    post, path = "/api/v1/inventory/customers", tag = "inventory", security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header, or JSON Lines with the same keys",
        content(("text/csv"), ("application/x-ndjson"))),
    responses(
        (status = 200, body = ImportResponse),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "Bad rows (`invalid_rows`), each detail `line N`", body = ErrorBody),
    )
)]
pub async fn import_customers(
    State(state): State<AppState>,
    admin: Authorized<Admins>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResponse>, ApiError> {
    import(
        &state,
        admin.actor(),
        Kind::Customers,
        query,
        &headers,
        body,
    )
    .await
}

/// Import holdings (admins), upserted by `(system, record_ref)`: `system,record_ref,
/// customer_ref,email,phone,categories,stored_from,stored_to`. Every system must be known.
#[utoipa::path(
    post, path = "/api/v1/inventory/holdings", tag = "inventory", security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header, or JSON Lines with the same keys",
        content(("text/csv"), ("application/x-ndjson"))),
    responses(
        (status = 200, body = ImportResponse),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "Bad rows (`invalid_rows`), each detail `line N`", body = ErrorBody),
    )
)]
pub async fn import_holdings(
    State(state): State<AppState>,
    admin: Authorized<Admins>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResponse>, ApiError> {
    import(&state, admin.actor(), Kind::Holdings, query, &headers, body).await
}

/// The systems that hold personal data, by name.
#[utoipa::path(
    get, path = "/api/v1/inventory/systems", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, body = Vec<SystemView>), (status = 401, body = ErrorBody))
)]
pub async fn list_systems(
    State(state): State<AppState>,
    _staff: Authorized<AnyStaff>,
) -> Result<Json<Vec<SystemView>>, ApiError> {
    let systems = inventory::list_systems(&state.db).await?;
    Ok(Json(
        systems
            .into_iter()
            .map(|s| SystemView {
                system: s.system.name,
                description: s.system.description,
                owner: s.system.owner,
                encrypted_at_rest: s.system.encrypted_at_rest,
                created_at: s.created_at,
                updated_at: s.updated_at,
            })
            .collect(),
    ))
}
