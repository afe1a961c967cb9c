//! Customers the company knows, keyed by its own customer reference. Email and phone are kept
//! normalized beside the address as given, so records can be matched to people in SQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .if_not_exists()
                    .col(big_pk_auto(People::Id))
                    .col(string_len_uniq(People::CustomerRef, 128))
                    .col(string_len(People::GivenName, 200))
                    .col(string_len(People::FamilyName, 200))
                    .col(string_len_null(People::Email, 320))
                    .col(string_len_null(People::EmailNorm, 320))
                    .col(string_len_null(People::PhoneNorm, 20))
                    .col(string_len(People::AddressLine1, 300))
                    .col(string_len(People::City, 200))
                    .col(string_len(People::Region, 16))
                    .col(string_len(People::PostalCode, 32))
                    .col(string_len(People::Country, 2))
                    .col(string_len(People::Locale, 16))
                    .col(string_len(People::Tier, 16))
                    .col(date_null(People::CustomerSince))
                    .col(string_len(People::PreferredChannel, 16))
                    .col(string_len(People::Jurisdiction, 16))
                    .col(boolean(People::InEu))
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_people_email_norm")
                    .table(People::Table)
                    .col(People::EmailNorm)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_people_phone_norm")
                    .table(People::Table)
                    .col(People::PhoneNorm)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(People::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum People {
    Table,
    Id,
    CustomerRef,
    GivenName,
    FamilyName,
    Email,
    EmailNorm,
    PhoneNorm,
    AddressLine1,
    City,
    Region,
    PostalCode,
    Country,
    Locale,
    Tier,
    CustomerSince,
    PreferredChannel,
    Jurisdiction,
    InEu,
    CreatedAt,
    UpdatedAt,
}
