//! Duties marked done: when, by whom, the reference the recipient gave, and the evidence.
//! One per incident and duty key.

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
                    .table(DutyRecords::Table)
                    .if_not_exists()
                    .col(uuid(DutyRecords::IncidentId))
                    .col(string_len(DutyRecords::DutyKey, 120))
                    .col(timestamp_with_time_zone(DutyRecords::DoneAt))
                    .col(uuid_null(DutyRecords::DoneBy))
                    .col(string_len(DutyRecords::Reference, 200))
                    .col(text(DutyRecords::Evidence))
                    .col(timestamp_with_time_zone(DutyRecords::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(DutyRecords::IncidentId)
                            .col(DutyRecords::DutyKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DutyRecords::Table, DutyRecords::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DutyRecords::Table, DutyRecords::DoneBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DutyRecords::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DutyRecords {
    Table,
    IncidentId,
    DutyKey,
    DoneAt,
    DoneBy,
    Reference,
    Evidence,
    RecordedAt,
}
