//! Entity for `audience_hashes`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audience_hashes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mapping_id: Uuid,
    pub hash: String,
    pub people: i64,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
