//! Entity for `notices`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: String,
    pub slot: String,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub edited_by: Option<Uuid>,
    pub edited_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_lint: Option<String>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub approval: Option<String>,
    pub voided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub voided_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
