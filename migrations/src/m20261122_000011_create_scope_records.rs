//! Forensic lists: the exact records known to be taken from a system in an incident. When a
//! system has such a list, only its listed records count.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScopeRecords::Table)
                    .if_not_exists()
                    .col(uuid(ScopeRecords::IncidentId))
                    .col(string_len(ScopeRecords::System, 64))
                    .col(string_len(ScopeRecords::RecordRef, 256))
                    .primary_key(
                        Index::create()
                            .col(ScopeRecords::IncidentId)
                            .col(ScopeRecords::System)
                            .col(ScopeRecords::RecordRef),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScopeRecords::Table, ScopeRecords::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScopeRecords::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ScopeRecords {
    Table,
    IncidentId,
    System,
    RecordRef,
}
