//! Events recorded on an incident that legal clocks count from besides its discovery (a
//! determination, the notice to individuals, …): one time per incident and anchor.

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
                    .table(IncidentEvents::Table)
                    .if_not_exists()
                    .col(uuid(IncidentEvents::IncidentId))
                    .col(string_len(IncidentEvents::Anchor, 40))
                    .col(timestamp_with_time_zone(IncidentEvents::At))
                    .col(uuid_null(IncidentEvents::RecordedBy))
                    .col(timestamp_with_time_zone(IncidentEvents::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(IncidentEvents::IncidentId)
                            .col(IncidentEvents::Anchor),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentEvents::Table, IncidentEvents::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentEvents::Table, IncidentEvents::RecordedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IncidentEvents {
    Table,
    IncidentId,
    Anchor,
    At,
    RecordedBy,
    RecordedAt,
}
