//! An incident's timeline: what happened and what was done, in the order it happened.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_users::Users;
use super::m20261122_000003_create_incidents::Incidents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TimelineEntries::Table)
                    .if_not_exists()
                    .col(uuid(TimelineEntries::Id).primary_key())
                    .col(uuid(TimelineEntries::IncidentId))
                    .col(timestamp_with_time_zone(TimelineEntries::At))
                    .col(string_len(TimelineEntries::Kind, 32))
                    .col(text(TimelineEntries::Text))
                    .col(uuid_null(TimelineEntries::AuthorId))
                    .col(timestamp_with_time_zone(TimelineEntries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TimelineEntries::Table, TimelineEntries::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TimelineEntries::Table, TimelineEntries::AuthorId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_timeline_entries_incident_at")
                    .table(TimelineEntries::Table)
                    .col(TimelineEntries::IncidentId)
                    .col(TimelineEntries::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TimelineEntries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TimelineEntries {
    Table,
    Id,
    IncidentId,
    At,
    Kind,
    Text,
    AuthorId,
    CreatedAt,
}
