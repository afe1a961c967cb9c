//! The inventory page: the systems that hold personal data, and importing an inventory file
//! (systems, customers or holdings; CSV or JSON Lines) from the browser. Importing is for
//! admins.
//!
//! An upload is stored in the data directory and imported by a background task, recorded as
//! an import job (`store::imports`): the browser is sent to the job's page at once, which shows
//! its phase and rows (the script follows `/inventory/imports/{id}.json`; without it, a link
//! refreshes the page) and, when it ends, the counts or the refused file's bad rows by line.
//! The task writes its progress and a heartbeat every few seconds, not per row; a job whose
//! heartbeat has gone stale (Candor stopped while it ran) is marked interrupted when next
//! read, saying truthfully what was written. The uploaded file is removed when the job ends;
//! with "skip bad rows" the rejected rows are kept for download.
//!
//! The children: `upload` (the form's file and its checks), `runner` (running an import in the
//! background, its progress and interruption), `status` (the job's page and progress route),
//! `rejects` (the rejected rows' download) and `files` (where an import's files lie).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use sea_orm::DbErr;
use serde_json::{Value, json};

use super::incidents::failed;
use super::session::Staff;
use super::view;
use crate::app::AppState;
use crate::domain::Role;
use crate::inventory;
use crate::store::imports as jobs;

mod files;
mod rejects;
mod runner;
mod status;
mod upload;

pub(super) use upload::import;

/// The imports listed on the inventory page.
const RECENT: u64 = 10;

const ONLY_ADMINS: &str = "Only an admin can import the inventory.";

/// The import jobs' pages, progress and rejects files.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/inventory/imports/{id}", get(status::job))
        .route("/inventory/imports/{id}/rejects", get(rejects::download))
}

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
    let imports = if staff.has(Role::Admin) {
        match recent_jobs(state).await {
            Ok(list) => list,
            Err(e) => return failed(state, staff, &e),
        }
    } else {
        Vec::new()
    };
    let data = json!({
        "title": "Inventory",
        "systems": systems,
        "can_import": staff.has(Role::Admin),
        "imports": imports,
        "outcome": outcome,
    });
    view::page(state, Some(staff), status, "inventory", data)
}

async fn recent_jobs(state: &AppState) -> Result<Vec<Value>, DbErr> {
    runner::settle_stale(state).await?;
    runner::expire_rejects(state).await?;
    let rows = jobs::recent(&state.db, RECENT).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(status::job_view(state, row).await?);
    }
    Ok(out)
}

/// What an inventory file holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Systems,
    Customers,
    Holdings,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        match text {
            "systems" => Some(Kind::Systems),
            "customers" => Some(Kind::Customers),
            "holdings" => Some(Kind::Holdings),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Systems => "systems",
            Kind::Customers => "customers",
            Kind::Holdings => "holdings",
        }
    }
}
