//! Entity for `survey_responses`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub link_id: Uuid,
    pub incident_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub person_key: String,
    pub customer_ref: Option<String>,
    pub jurisdiction: String,
    pub tier: String,
    pub recommend: Option<i16>,
    pub clarity: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub revisions: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
