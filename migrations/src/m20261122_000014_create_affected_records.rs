//! The records behind each affected person of a mapping.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000012_create_mapping_runs::MappingRuns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AffectedRecords::Table)
                    .if_not_exists()
                    .col(uuid(AffectedRecords::MappingId))
                    .col(string_len(AffectedRecords::PersonKey, 400))
                    .col(string_len(AffectedRecords::System, 64))
                    .col(string_len(AffectedRecords::RecordRef, 256))
                    .primary_key(
                        Index::create()
                            .col(AffectedRecords::MappingId)
                            .col(AffectedRecords::System)
                            .col(AffectedRecords::RecordRef),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AffectedRecords::Table, AffectedRecords::MappingId)
                            .to(MappingRuns::Table, MappingRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_affected_records_person")
                    .table(AffectedRecords::Table)
                    .col(AffectedRecords::MappingId)
                    .col(AffectedRecords::PersonKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AffectedRecords::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AffectedRecords {
    Table,
    MappingId,
    PersonKey,
    System,
    RecordRef,
}
