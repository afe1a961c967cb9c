//! Entity for `mapping_runs`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mapping_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub status: String,
    pub phase: String,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub affected_people: Option<i64>,
    pub unmatched_people: Option<i64>,
    pub added_people: Option<i64>,
    pub removed_people: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// How many times a worker has claimed the run; a worker writes only while it holds the
    /// latest claim.
    pub attempt: i32,
    /// Until when the claiming worker holds the run; past it, another worker may reclaim it.
    pub lease_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
