//! Incidents: the unit of work a responder opens and drives through its lifecycle.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Incidents::Table)
                    .if_not_exists()
                    .col(uuid(Incidents::Id).primary_key())
                    .col(string_len(Incidents::Title, 200))
                    .col(text(Incidents::Summary))
                    .col(string_len(Incidents::Severity, 16))
                    .col(string_len(Incidents::Status, 16))
                    // When the company became aware: every legal clock starts here.
                    .col(timestamp_with_time_zone(Incidents::DiscoveredAt))
                    .col(timestamp_with_time_zone_null(Incidents::OccurredFrom))
                    .col(timestamp_with_time_zone_null(Incidents::OccurredTo))
                    .col(uuid_null(Incidents::CommanderId))
                    .col(uuid_null(Incidents::CreatedBy))
                    .col(timestamp_with_time_zone(Incidents::CreatedAt))
                    .col(timestamp_with_time_zone(Incidents::UpdatedAt))
                    .col(integer(Incidents::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incidents::Table, Incidents::CommanderId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Incidents::Table, Incidents::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incidents_created_at")
                    .table(Incidents::Table)
                    .col(Incidents::CreatedAt)
                    .col(Incidents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_incidents_status_severity")
                    .table(Incidents::Table)
                    .col(Incidents::Status)
                    .col(Incidents::Severity)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Incidents {
    Table,
    Id,
    Title,
    Summary,
    Severity,
    Status,
    DiscoveredAt,
    OccurredFrom,
    OccurredTo,
    CommanderId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}
