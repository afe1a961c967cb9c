//! The import form's upload: checking the form (same origin, admin, CSRF token, a named
//! `.csv` or `.jsonl` file of a known kind, within the size limit), storing the file and
//! starting its job.

use std::path::Path;

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::files::{format_name, remove, upload_path};
use super::runner::{Task, run};
use super::{Kind, ONLY_ADMINS, render};
use crate::app::AppState;
use crate::domain::Role;
use crate::http::pages::guard::same_origin;
use crate::http::routes::inventory::MAX_UPLOAD_BYTES;
use crate::http::staff::incidents::failed;
use crate::http::staff::session::Staff;
use crate::inventory::{Format, Phase};
use crate::store::imports::{self as jobs, ImportRow};

/// What the import form sent besides the file.
#[derive(Default)]
struct Fields {
    csrf: Option<String>,
    kind: Option<String>,
    skip_invalid: bool,
    file_name: Option<String>,
}

/// Stores the uploaded file, records an import job and starts it (admins); the job's page.
pub(in crate::http::staff) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let refuse = |status, message: &str| {
        let outcome = json!({ "error": message });
        render(&state, &staff, status, outcome)
    };
    if !same_origin(&headers, &state.notices.public_url) {
        return refuse(StatusCode::FORBIDDEN, "That form came from elsewhere.").await;
    }
    if !staff.has(Role::Admin) {
        return refuse(StatusCode::FORBIDDEN, ONLY_ADMINS).await;
    }
    let id = Uuid::now_v7();
    let upload = upload_path(&state, id);
    let received = receive(&state, &staff, multipart, &upload).await;
    let (fields, bytes, kind, format) = match received {
        Ok(accepted) => accepted,
        Err((status, message)) => {
            remove(&upload).await;
            return refuse(status, &message).await;
        }
    };
    let now = state.clock.now();
    let row = ImportRow {
        id,
        kind: kind.as_str().to_owned(),
        format: format_name(format).to_owned(),
        file_name: fields
            .file_name
            .unwrap_or_default()
            .chars()
            .take(255)
            .collect(),
        file_bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
        skip_invalid: fields.skip_invalid,
        started_by: staff.user.id,
        status: jobs::RUNNING.to_owned(),
        phase: Phase::Checking.as_str().to_owned(),
        rows_done: 0,
        bytes_read: 0,
        rows_total: None,
        written: None,
        unchanged: None,
        rejected: None,
        errors: None,
        message: None,
        has_rejects: false,
        started_at: now,
        heartbeat_at: now,
        finished_at: None,
    };
    if let Err(e) = jobs::insert(&state.db, row).await {
        remove(&upload).await;
        return failed(&state, &staff, &e);
    }
    tracing::info!(job = %id, kind = kind.as_str(), bytes, "inventory import started");
    let task = Task {
        id,
        kind,
        format,
        skip_invalid: fields.skip_invalid,
        actor: staff.actor(),
        upload,
    };
    tokio::spawn(run(state.clone(), task));
    Redirect::to(&format!("/inventory/imports/{id}")).into_response()
}

/// Reads the form, storing its file at `upload`: the fields, the file's size, its kind and
/// format; or the status and message to refuse it with.
async fn receive(
    state: &AppState,
    staff: &Staff,
    mut multipart: Multipart,
    upload: &Path,
) -> Result<(Fields, u64, Kind, Format), (StatusCode, String)> {
    let expired = || {
        (
            StatusCode::FORBIDDEN,
            "That form had expired; try again.".to_owned(),
        )
    };
    let mut fields = Fields::default();
    let mut stored = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let message = format!("The upload could not be read: {e}");
                return Err((StatusCode::BAD_REQUEST, message));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // The token comes first in the form: nothing is stored for a forged post.
            if !staff.csrf_ok(&state.pepper, fields.csrf.as_deref()) {
                return Err(expired());
            }
            fields.file_name = field.file_name().map(str::to_owned);
            let bytes = spool(field, upload)
                .await
                .map_err(|m| (StatusCode::PAYLOAD_TOO_LARGE, m))?;
            stored = Some(bytes);
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
        return Err(expired());
    }
    let named = fields.file_name.as_deref().is_some_and(|n| !n.is_empty());
    let Some(bytes) = stored.filter(|_| named) else {
        let message = "Choose a file to import.".to_owned();
        return Err((StatusCode::UNPROCESSABLE_ENTITY, message));
    };
    let format = fields
        .file_name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .and_then(|(_, ext)| Format::parse(ext));
    let Some(format) = format else {
        let message = "The file's name must end in .csv or .jsonl.".to_owned();
        return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, message));
    };
    let Some(kind) = fields.kind.as_deref().and_then(Kind::parse) else {
        let message = "Choose what the file holds: systems, customers or holdings.".to_owned();
        return Err((StatusCode::UNPROCESSABLE_ENTITY, message));
    };
    Ok((fields, bytes, kind, format))
}

/// Writes the uploaded file to `path` (readable by its owner only), refusing one larger than
/// the API's import limit; returns its size.
async fn spool(mut field: axum::extract::multipart::Field<'_>, path: &Path) -> Result<u64, String> {
    let stored = |_| "The upload could not be stored.".to_owned();
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(stored)?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut out = options.open(path).await.map_err(stored)?;
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
        out.write_all(&chunk).await.map_err(stored)?;
    }
    out.flush().await.map_err(stored)?;
    Ok(received)
}
