//! Entity for `affected_people`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "affected_people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mapping_id: Uuid,
    /// `p:<people.id>` or `u:e:…` / `u:t:…` / `u:r:…` for unmatched records. Holds personal
    /// data for unmatched people: never log it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_key: String,
    pub person_id: Option<i64>,
    pub unmatched: bool,
    pub categories: i64,
    #[sea_orm(column_type = "Text")]
    pub systems: String,
    pub record_count: i32,
    pub jurisdiction: String,
    pub in_eu: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
