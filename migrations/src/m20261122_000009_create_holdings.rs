//! The records each system holds about a person: one row per (system, record_ref), with the
//! categories as a bitmask and the period the record was held.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000007_create_systems::Systems;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Holdings::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Holdings::Id))
                    .col(string_len(Holdings::System, 64))
                    .col(string_len(Holdings::RecordRef, 256))
                    .col(string_len_null(Holdings::CustomerRef, 128))
                    .col(string_len_null(Holdings::EmailNorm, 320))
                    .col(string_len_null(Holdings::PhoneNorm, 20))
                    .col(big_integer(Holdings::Categories))
                    .col(timestamp_with_time_zone(Holdings::StoredFrom))
                    .col(timestamp_with_time_zone_null(Holdings::StoredTo))
                    .col(timestamp_with_time_zone(Holdings::CreatedAt))
                    .col(timestamp_with_time_zone(Holdings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Holdings::Table, Holdings::System)
                            .to(Systems::Table, Systems::Name)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_holdings_customer_ref")
                    .table(Holdings::Table)
                    .col(Holdings::CustomerRef)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_holdings_email_norm")
                    .table(Holdings::Table)
                    .col(Holdings::EmailNorm)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_holdings_phone_norm")
                    .table(Holdings::Table)
                    .col(Holdings::PhoneNorm)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_holdings_system_record")
                    .table(Holdings::Table)
                    .col(Holdings::System)
                    .col(Holdings::RecordRef)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Holdings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Holdings {
    Table,
    Id,
    System,
    RecordRef,
    CustomerRef,
    EmailNorm,
    PhoneNorm,
    Categories,
    StoredFrom,
    StoredTo,
    CreatedAt,
    UpdatedAt,
}
