//! Systems that hold personal data, keyed by a short stable name.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Systems::Table)
                    .if_not_exists()
                    .col(string_len(Systems::Name, 64).primary_key())
                    .col(text(Systems::Description))
                    .col(string_len(Systems::Owner, 200))
                    .col(boolean(Systems::EncryptedAtRest))
                    .col(timestamp_with_time_zone(Systems::CreatedAt))
                    .col(timestamp_with_time_zone(Systems::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Systems::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Systems {
    Table,
    Name,
    Description,
    Owner,
    EncryptedAtRest,
    CreatedAt,
    UpdatedAt,
}
