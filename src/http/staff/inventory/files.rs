//! Where an inventory import's files lie: the upload and the rejected rows, in the
//! `imports` folder of the data directory.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::app::AppState;
use crate::inventory::Format;

/// The folder of import files in the data directory.
fn imports_dir(state: &AppState) -> PathBuf {
    state.data_dir.join("imports")
}

/// Where a job's uploaded file is stored until the job ends.
pub(super) fn upload_path(state: &AppState, id: Uuid) -> PathBuf {
    imports_dir(state).join(format!("{id}.upload"))
}

/// Where a "skip bad rows" job keeps the rows it left out.
pub(super) fn rejects_path(state: &AppState, id: Uuid, format: &str) -> PathBuf {
    imports_dir(state).join(format!("{id}-rejects.{format}"))
}

/// A format's file extension, as a job records it.
pub(super) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
    }
}

/// Removes a file that may not exist.
pub(super) async fn remove(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, "an inventory import file could not be removed");
    }
}
