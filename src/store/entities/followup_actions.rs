//! Entity for `followup_actions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "followup_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub response_id: Uuid,
    pub reason: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub owner_id: Uuid,
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
