//! An import job's page and its progress route (`{id}.json`, which the page's script
//! follows): the phase and rows while it runs, then the counts or the refused file's bad rows.

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use chrono::{DateTime, Utc};
use sea_orm::DbErr;
use serde_json::{Value, json};
use uuid::Uuid;

use super::ONLY_ADMINS;
use super::runner::settle_stale;
use crate::app::AppState;
use crate::domain::Role;
use crate::http::error::ApiError;
use crate::http::staff::incidents::failed;
use crate::http::staff::session::Staff;
use crate::http::staff::view;
use crate::store;
use crate::store::imports::{self as jobs, ImportRow};

/// `GET /inventory/imports/{id}` (the page) or `{id}.json` (its progress), for admins.
pub(super) async fn job(
    State(state): State<AppState>,
    staff: Staff,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let (id, as_json) = match id.strip_suffix(".json") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let found = match Uuid::parse_str(id) {
        Ok(id) if staff.has(Role::Admin) => find(&state, id).await,
        Ok(_) => Err(Refusal::Forbidden),
        Err(_) => Err(Refusal::NotFound),
    };
    match (found, as_json) {
        (Ok(view), true) => Json(progress_json(&view)).into_response(),
        (Ok(view), false) => {
            let data = json!({ "title": "Inventory import", "job": view });
            view::page(
                &state,
                Some(&staff),
                StatusCode::OK,
                "inventory_import",
                data,
            )
        }
        (Err(refusal), true) => refusal.json().into_response(),
        (Err(refusal), false) => refusal.page(&state, &staff),
    }
}

/// Why a job cannot be shown.
pub(super) enum Refusal {
    Forbidden,
    NotFound,
    Db(DbErr),
}

impl Refusal {
    fn json(self) -> ApiError {
        match self {
            Refusal::Forbidden => ApiError::forbidden(),
            Refusal::NotFound => ApiError::not_found("import"),
            Refusal::Db(e) => ApiError::internal(e),
        }
    }

    pub(super) fn page(self, state: &AppState, staff: &Staff) -> Response {
        match self {
            Refusal::Forbidden => {
                view::problem(state, Some(staff), StatusCode::FORBIDDEN, ONLY_ADMINS)
            }
            Refusal::NotFound => view::problem(
                state,
                Some(staff),
                StatusCode::NOT_FOUND,
                "There is no such import. The inventory page lists the recent ones.",
            ),
            Refusal::Db(e) => failed(state, staff, &e),
        }
    }
}

async fn find(state: &AppState, id: Uuid) -> Result<Value, Refusal> {
    settle_stale(state).await.map_err(Refusal::Db)?;
    match jobs::find(&state.db, id).await {
        Ok(Some(row)) => job_view(state, &row).await.map_err(Refusal::Db),
        Ok(None) => Err(Refusal::NotFound),
        Err(e) => Err(Refusal::Db(e)),
    }
}

/// The progress route's answer: what the script needs to move the bar.
fn progress_json(view: &Value) -> Value {
    json!({
        "id": view["id"],
        "status": view["status"],
        "running": view["running"],
        "phase": view["phase"],
        "rows_done": view["rows_done"],
        "rows_total": view["rows_total"],
        "percent": view["percent"],
        "text": view["progress_text"],
        "summary": view["summary"],
    })
}

/// A job as the pages show it.
pub(super) async fn job_view(state: &AppState, row: &ImportRow) -> Result<Value, DbErr> {
    let by = store::users::find_by_id(&state.db, row.started_by)
        .await?
        .map_or_else(
            || "a former user".to_owned(),
            |u| u.email.as_str().to_owned(),
        );
    let running = row.status == jobs::RUNNING;
    let percent = match (row.phase.as_str(), row.rows_total) {
        ("checking", _) if row.bytes_read > 0 => Some(share(row.bytes_read, row.file_bytes)),
        ("checking", _) | (_, None) => None,
        (_, Some(total)) => Some(share(row.rows_done, total)),
    };
    let errors: Vec<Value> = row
        .errors
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    let rejected = row.rejected.unwrap_or(0);
    Ok(json!({
        "id": row.id,
        "kind": row.kind,
        "file_name": row.file_name,
        "size": size(row.file_bytes),
        "skip_invalid": row.skip_invalid,
        "started_by": by,
        "started_at": row.started_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        "status": row.status,
        "running": running,
        "phase": row.phase,
        "rows_done": row.rows_done,
        "rows_total": row.rows_total,
        "percent": percent,
        "progress_text": if running { progress_text(row, percent) } else { summary(row) },
        "summary": summary(row),
        "done": row.status == jobs::DONE,
        "refused": row.status == jobs::REJECTED,
        "header_refused": row.status == jobs::REJECTED && rejected == 0,
        "stopped": row.status == jobs::FAILED || row.status == jobs::INTERRUPTED,
        "interrupted": row.status == jobs::INTERRUPTED,
        "rows": grouped(row.rows_total.unwrap_or(0)),
        "written": grouped(row.written.unwrap_or(0)),
        "unchanged": grouped(row.unchanged.unwrap_or(0)),
        "rejected": grouped(rejected),
        "listed": errors.len(),
        "more": usize::try_from(rejected).unwrap_or(usize::MAX) > errors.len(),
        "errors": errors,
        "message": row.message,
        "rejects": row.has_rejects.then(|| format!("/inventory/imports/{}/rejects", row.id)),
        "rejects_format": row.format,
        "took": row.finished_at.map(|at| seconds(row.started_at, at)),
    }))
}

/// `part` of `whole` in whole percent, 0 to 100.
fn share(part: i64, whole: i64) -> i64 {
    (part.saturating_mul(100) / whole.max(1)).clamp(0, 100)
}

fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let ms = (to - from).num_milliseconds().max(0);
    format!("{:.1}", ms as f64 / 1000.0)
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// `1234567` as `1,234,567`.
pub(super) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The progress bar's text equivalent.
fn progress_text(row: &ImportRow, percent: Option<i64>) -> String {
    let done = grouped(row.rows_done);
    match (row.phase.as_str(), row.rows_total, percent) {
        ("checking", _, Some(percent)) => {
            format!("Checking the file: {done} rows checked so far ({percent}% of the file).")
        }
        ("checking", _, _) => format!("Checking the file: {done} rows checked so far."),
        (phase, Some(total), Some(percent)) => {
            let verb = if phase == "loading" {
                "Loading"
            } else {
                "Applying"
            };
            format!("{verb} rows: {done} of {} ({percent}%).", grouped(total))
        }
        (phase, _, _) => format!("{phase}: {done} rows."),
    }
}

/// One line on how a job went, for the list of recent imports.
fn summary(row: &ImportRow) -> String {
    let n = |v: Option<i64>| grouped(v.unwrap_or(0));
    match row.status.as_str() {
        jobs::RUNNING => "Running.".to_owned(),
        jobs::DONE => format!(
            "Imported: {} rows, {} written, {} unchanged, {} skipped.",
            n(row.rows_total),
            n(row.written),
            n(row.unchanged),
            n(row.rejected)
        ),
        jobs::REJECTED if row.rejected.unwrap_or(0) == 0 => {
            "Refused: the header is not valid; nothing was imported.".to_owned()
        }
        jobs::REJECTED => format!(
            "Refused: {} of {} rows are bad; nothing was imported.",
            n(row.rejected),
            n(row.rows_total)
        ),
        jobs::INTERRUPTED => "Interrupted: Candor stopped while it ran.".to_owned(),
        _ => "Failed.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
