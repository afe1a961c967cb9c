//! Entity for `campaigns`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub notice_id: Uuid,
    pub kind: String,
    pub slot: String,
    #[sea_orm(column_type = "Text")]
    pub snapshot: String,
    pub content_hash: String,
    pub templates_hash: String,
    pub audience_hash: String,
    pub people: i64,
    pub outreach: i64,
    pub unreachable: i64,
    pub canary_size: i64,
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub state_reason: Option<String>,
    pub state_by: Option<Uuid>,
    pub state_at: DateTimeUtc,
    pub released_by: Option<Uuid>,
    pub released_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    /// 0 for the first (usually only) campaign of a notice; survey kinds go out in waves.
    pub wave: i32,
    /// People skipped because they asked to hear only what the law requires.
    pub declined: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
