//! Inventory import jobs started from the staff app: the uploaded file's kind and size, who
//! started it, how far it has got (phase, rows, a heartbeat so a job left behind by a crash is
//! seen as interrupted), and its outcome: the counts, or the refused file's bad rows by line.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InventoryImports::Table)
                    .if_not_exists()
                    .col(uuid(InventoryImports::Id).primary_key())
                    .col(string_len(InventoryImports::Kind, 16))
                    .col(string_len(InventoryImports::Format, 8))
                    .col(string_len(InventoryImports::FileName, 255))
                    .col(big_integer(InventoryImports::FileBytes))
                    .col(boolean(InventoryImports::SkipInvalid))
                    .col(uuid(InventoryImports::StartedBy))
                    .col(string_len(InventoryImports::Status, 16))
                    .col(string_len(InventoryImports::Phase, 16))
                    .col(big_integer(InventoryImports::RowsDone))
                    .col(big_integer(InventoryImports::BytesRead))
                    .col(big_integer_null(InventoryImports::RowsTotal))
                    .col(big_integer_null(InventoryImports::Written))
                    .col(big_integer_null(InventoryImports::Unchanged))
                    .col(big_integer_null(InventoryImports::Rejected))
                    .col(text_null(InventoryImports::Errors))
                    .col(text_null(InventoryImports::Message))
                    .col(boolean(InventoryImports::HasRejects))
                    .col(timestamp_with_time_zone(InventoryImports::StartedAt))
                    .col(timestamp_with_time_zone(InventoryImports::HeartbeatAt))
                    .col(timestamp_with_time_zone_null(InventoryImports::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inventory_imports_started")
                    .table(InventoryImports::Table)
                    .col(InventoryImports::StartedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InventoryImports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum InventoryImports {
    Table,
    Id,
    Kind,
    Format,
    FileName,
    FileBytes,
    SkipInvalid,
    StartedBy,
    Status,
    Phase,
    RowsDone,
    BytesRead,
    RowsTotal,
    Written,
    Unchanged,
    Rejected,
    Errors,
    Message,
    HasRejects,
    StartedAt,
    HeartbeatAt,
    FinishedAt,
}
