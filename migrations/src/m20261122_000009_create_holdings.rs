//! The records each system holds about a person: one row per (system, record_ref), with the
//! categories as a bitmask and the period the record was held.
//!
//! The natural key is the primary key and the only index: the mapping reads holdings in one
//! scan and looks people up through the `people` indexes, so further indexes here would only
//! slow the import of millions of rows. For the same reason `system` is checked against
//! `systems` by the import (a file naming an unknown system is refused) rather than by a
//! foreign key, whose per-row check dominates a bulk load on PostgreSQL; systems are never
//! deleted.

use sea_orm_migration::{prelude::*, schema::*};

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
                    .primary_key(
                        Index::create()
                            .col(Holdings::System)
                            .col(Holdings::RecordRef),
                    )
                    .to_owned(),
            )
            .await
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
