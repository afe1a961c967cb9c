//! Staff sessions ended before their token expired (signed out). A token names its session
//! (`jti`); a row here refuses it until it would have expired anyway, after which the row is
//! pruned.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RevokedSessions::Table)
                    .if_not_exists()
                    .col(uuid(RevokedSessions::Jti).primary_key())
                    .col(uuid(RevokedSessions::UserId))
                    .col(timestamp_with_time_zone(RevokedSessions::ExpiresAt))
                    .col(timestamp_with_time_zone(RevokedSessions::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_revoked_sessions_expires_at")
                    .table(RevokedSessions::Table)
                    .col(RevokedSessions::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RevokedSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RevokedSessions {
    Table,
    Jti,
    UserId,
    ExpiresAt,
    RevokedAt,
}
