//! The SHA-256 of a mapping's audience (each person's key, place and exposed data, in key
//! order), computed once per mapping: an approval is bound to it, and reading a million people
//! again on every check would be wasteful. A mapping's people never change after it succeeds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AudienceHashes::Table)
                    .if_not_exists()
                    .col(uuid(AudienceHashes::MappingId).primary_key())
                    .col(string_len(AudienceHashes::Hash, 64))
                    .col(big_integer(AudienceHashes::People))
                    .col(timestamp_with_time_zone(AudienceHashes::ComputedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AudienceHashes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AudienceHashes {
    Table,
    MappingId,
    Hash,
    People,
    ComputedAt,
}
