//! Entity for `playbook_effects`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "playbook_effects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: Uuid,
    pub incident_id: Uuid,
    pub step_id: String,
    pub kind: String,
    pub detail: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
    /// Not to be tried before this (a mapping waited on, a mail to retry).
    pub not_before: Option<DateTimeUtc>,
    /// Held by a worker until this.
    pub claimed_until: Option<DateTimeUtc>,
    /// What carrying it out did, in words (no personal data).
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
