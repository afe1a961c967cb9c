//! Entity for `inventory_imports`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `systems`, `customers` or `holdings`.
    pub kind: String,
    /// `csv` or `jsonl`.
    pub format: String,
    /// The uploaded file's name, as the browser sent it.
    pub file_name: String,
    pub file_bytes: i64,
    pub skip_invalid: bool,
    /// The admin who started it (`users.id`).
    pub started_by: Uuid,
    /// `running`, `done`, `rejected`, `failed` or `interrupted`.
    pub status: String,
    /// `checking`, `loading` or `applying`: the phase last reported.
    pub phase: String,
    /// Rows done in that phase.
    pub rows_done: i64,
    /// Bytes of the file the check has read.
    pub bytes_read: i64,
    /// Data rows in the file, once the check has read them all.
    pub rows_total: Option<i64>,
    pub written: Option<i64>,
    pub unchanged: Option<i64>,
    /// Bad rows: all counted, whether skipped or the reason the file was refused.
    pub rejected: Option<i64>,
    /// The first bad rows as a JSON array of `{"line":…,"reason":…}`.
    #[sea_orm(column_type = "Text", nullable)]
    pub errors: Option<String>,
    /// Why a job failed or was interrupted, and what that means for the stored rows.
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
    /// Whether a rejects file (the skipped rows) is kept for download.
    pub has_rejects: bool,
    pub started_at: DateTimeUtc,
    pub heartbeat_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
