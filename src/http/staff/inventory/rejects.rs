//! The download of the rows a "skip bad rows" import left out, with their lines and reasons.

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use super::files::rejects_path;
use super::status::{Refusal, grouped};
use crate::app::AppState;
use crate::audit::{self, AuditEvent};
use crate::domain::Role;
use crate::http::staff::incidents::failed;
use crate::http::staff::session::Staff;
use crate::store;
use crate::store::imports::{self as jobs, ImportRow};

/// `GET /inventory/imports/{id}/rejects`: the rows a "skip bad rows" import left out, with
/// their lines and reasons (admins; recorded in the audit log, as the file holds personal
/// data).
pub(super) async fn download(
    State(state): State<AppState>,
    staff: Staff,
    UrlPath(id): UrlPath<Uuid>,
) -> Response {
    if !staff.has(Role::Admin) {
        return Refusal::Forbidden.page(&state, &staff);
    }
    let row = match jobs::find(&state.db, id).await {
        Ok(Some(row)) if row.has_rejects => row,
        Ok(_) => return Refusal::NotFound.page(&state, &staff),
        Err(e) => return failed(&state, &staff, &e),
    };
    let path = rejects_path(&state, id, &row.format);
    let Ok(file) = tokio::fs::File::open(&path).await else {
        return Refusal::NotFound.page(&state, &staff);
    };
    if let Err(e) = record_download(&state, &staff, &row).await {
        return failed(&state, &staff, &e);
    }
    let content_type = if row.format == "csv" {
        "text/csv; charset=utf-8"
    } else {
        "application/x-ndjson"
    };
    let disposition = format!(
        "attachment; filename=\"{}-rejects-{}.{}\"",
        row.kind,
        row.started_at.format("%Y%m%d-%H%M"),
        row.format
    );
    let body = Body::from_stream(futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(buffer), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    }));
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

async fn record_download(state: &AppState, staff: &Staff, row: &ImportRow) -> Result<(), DbErr> {
    let txn = store::begin_write(&state.db).await?;
    let event = AuditEvent {
        actor: staff.actor(),
        action: "inventory.rejects_downloaded",
        object_type: "inventory_import",
        object_id: row.id.to_string(),
        incident_id: None,
        summary: format!(
            "{} rejected {} rows downloaded",
            grouped(row.rejected.unwrap_or(0)),
            row.kind
        ),
    };
    audit::record(&txn, state.clock.now(), event).await?;
    txn.commit().await
}
