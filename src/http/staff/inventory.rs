//! The inventory page: the systems that hold personal data, and importing an inventory file
//! (systems, customers or holdings; CSV or JSON Lines) from the browser, with the counts and
//! every bad row reported by line. Importing is for admins.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::incidents::failed;
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::Role;
use crate::http::pages::guard::same_origin;
use crate::http::routes::inventory::MAX_UPLOAD_BYTES;
use crate::inventory::{self, Format, ImportOptions, ImportReport, InventoryError};

/// The page.
pub(super) async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    render(&state, &staff, StatusCode::OK, Value::Null).await
}

async fn render(state: &AppState, staff: &Staff, status: StatusCode, outcome: Value) -> Response {
    let systems = match inventory::list_systems(&state.db).await {
        Ok(s) => s,
        Err(e) => return failed(state, staff, &e),
    };
    let systems: Vec<Value> = systems
        .iter()
        .map(|s| {
            json!({
                "name": s.system.name,
                "description": s.system.description,
                "owner": s.system.owner,
                "encrypted": s.system.encrypted_at_rest,
            })
        })
        .collect();
    let data = json!({
        "title": "Inventory",
        "systems": systems,
        "can_import": staff.has(Role::Admin),
        "outcome": outcome,
    });
    view::page(state, Some(staff), status, "inventory", data)
}

/// What the import form sent besides the file.
#[derive(Default)]
struct Fields {
    csrf: Option<String>,
    kind: Option<String>,
    skip_invalid: bool,
    file_name: Option<String>,
}

/// Imports the uploaded file (admins); the page again with what happened.
pub(super) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let refuse = |status, message: &str| {
        let outcome = json!({ "error": message });
        render(&state, &staff, status, outcome)
    };
    if !same_origin(&headers, &state.notices.public_url) {
        return refuse(StatusCode::FORBIDDEN, "That form came from elsewhere.").await;
    }
    if !staff.has(Role::Admin) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Only an admin can import the inventory.",
        )
        .await;
    }
    // A private directory, removed with the upload when the request ends.
    let Ok(dir) = tempfile::Builder::new().prefix("candor-upload-").tempdir() else {
        return failed(&state, &staff, &"cannot make an upload directory");
    };
    let mut fields = Fields::default();
    let mut spooled = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let message = format!("The upload could not be read: {e}");
                return refuse(StatusCode::BAD_REQUEST, &message).await;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // The token comes first in the form: nothing is stored for a forged post.
            if !staff.csrf_ok(&state.pepper, fields.csrf.as_deref()) {
                return refuse(StatusCode::FORBIDDEN, "That form had expired; try again.").await;
            }
            fields.file_name = field.file_name().map(str::to_owned);
            let path = dir.path().join("upload");
            match spool(field, &path).await {
                Ok(()) => spooled = Some(path),
                Err(message) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, &message).await,
            }
            continue;
        }
        let text = field.text().await.unwrap_or_default();
        match name.as_str() {
            "csrf" => fields.csrf = Some(text),
            "kind" => fields.kind = Some(text),
            "skip_invalid" => fields.skip_invalid = !text.is_empty(),
            _ => {}
        }
    }
    if !staff.csrf_ok(&state.pepper, fields.csrf.as_deref()) {
        return refuse(StatusCode::FORBIDDEN, "That form had expired; try again.").await;
    }
    let Some(path) = spooled.filter(|_| fields.file_name.as_deref().is_some_and(|n| !n.is_empty()))
    else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "Choose a file to import.").await;
    };
    let format = fields
        .file_name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .and_then(|(_, ext)| Format::parse(ext));
    let Some(format) = format else {
        let message = "The file's name must end in .csv or .jsonl.";
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, message).await;
    };
    let options = ImportOptions {
        format: Some(format),
        skip_invalid: fields.skip_invalid,
        ..ImportOptions::default()
    };
    let (db, now, actor) = (&state.db, state.clock.now(), staff.actor());
    let result = match fields.kind.as_deref() {
        Some("systems") => inventory::import_systems(db, actor, &path, &options, now).await,
        Some("customers") => inventory::import_customers(db, actor, &path, &options, now).await,
        Some("holdings") => inventory::import_holdings(db, actor, &path, &options, now).await,
        _ => {
            let message = "Choose what the file holds: systems, customers or holdings.";
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, message).await;
        }
    };
    match result {
        Ok(report) => render(&state, &staff, StatusCode::OK, imported(&report)).await,
        Err(InventoryError::Rejected(rejection)) => {
            let outcome = json!({
                "rejected": {
                    "rows": rejection.rows,
                    "bad": rejection.rejected,
                    "errors": rejection.errors.iter().map(|e| json!({ "line": e.line, "reason": e.reason })).collect::<Vec<_>>(),
                    "more": rejection.rejected > rejection.errors.len() as u64,
                }
            });
            render(&state, &staff, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
        }
        Err(InventoryError::Db(e)) => failed(&state, &staff, &e),
        Err(e) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()).await,
    }
}

fn imported(report: &ImportReport) -> Value {
    json!({
        "imported": {
            "kind": report.kind,
            "rows": report.rows,
            "written": report.written,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "errors": report.rejects.iter().map(|e| json!({ "line": e.line, "reason": e.reason })).collect::<Vec<_>>(),
            "seconds": format!("{:.1}", report.elapsed.as_secs_f64()),
        }
    })
}

/// Writes the uploaded file to `path`, refusing one larger than the API's import limit.
async fn spool(
    mut field: axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
) -> Result<(), String> {
    let mut out = tokio::fs::File::create(path)
        .await
        .map_err(|_| "The upload could not be stored.".to_owned())?;
    let mut received = 0u64;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| format!("The upload could not be read: {e}"))?
    {
        received += chunk.len() as u64;
        if received > MAX_UPLOAD_BYTES {
            return Err(format!(
                "An inventory file may be at most {} GiB.",
                MAX_UPLOAD_BYTES >> 30
            ));
        }
        out.write_all(&chunk)
            .await
            .map_err(|_| "The upload could not be stored.".to_owned())?;
    }
    out.flush()
        .await
        .map_err(|_| "The upload could not be stored.".to_owned())
}
