//! Entity for `people`: the customers the company knows. Every column but the ids and times is
//! personal data: never log a model.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub customer_ref: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub email_norm: Option<String>,
    pub phone_norm: Option<String>,
    pub address_line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub locale: String,
    pub tier: String,
    pub customer_since: Option<Date>,
    pub preferred_channel: String,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
