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
    /// Every category exposed for the person (a [`crate::domain::CategorySet`] mask).
    pub categories: i64,
    /// The categories exposed from systems that were not encrypted, or whose key was
    /// compromised: what no encryption safe harbor covers.
    pub unprotected: i64,
    /// The records behind the person, `system/record_ref`, one per line (unordered).
    #[sea_orm(column_type = "Text")]
    pub records: String,
    pub record_count: i32,
    pub jurisdiction: String,
    pub in_eu: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
