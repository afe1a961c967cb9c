//! Entity for `duty_alerts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub duty_key: String,
    pub threshold: String,
    pub due_at: DateTimeUtc,
    pub raised_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub timeline_entry_id: Uuid,
    pub recipient_id: Option<Uuid>,
    pub attempts: i32,
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
