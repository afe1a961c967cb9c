//! Entity for `holdings`: one row per record a system holds about a person, keyed by
//! `(system, record_ref)`. The normalized email and phone are personal data: never log a model.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holdings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub system: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_ref: String,
    pub customer_ref: Option<String>,
    pub email_norm: Option<String>,
    pub phone_norm: Option<String>,
    /// A [`crate::domain::CategorySet`] mask.
    pub categories: i64,
    pub stored_from: DateTimeUtc,
    pub stored_to: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
