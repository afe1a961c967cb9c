//! Playbook runs: one per playbook attached to an incident, pinning the playbook file as it
//! was when the run started (its version), with the run's state (each step's status, times,
//! decisions and escalations) and the next time the worker must look at it (`wake_at`).

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
                    .table(PlaybookRuns::Table)
                    .if_not_exists()
                    .col(uuid(PlaybookRuns::Id).primary_key())
                    .col(uuid(PlaybookRuns::IncidentId))
                    .col(string_len(PlaybookRuns::PlaybookId, 64))
                    .col(integer(PlaybookRuns::Version))
                    .col(string_len(PlaybookRuns::FileName, 128))
                    .col(text(PlaybookRuns::Source))
                    .col(text(PlaybookRuns::State))
                    .col(string_len(PlaybookRuns::Status, 16))
                    .col(timestamp_with_time_zone_null(PlaybookRuns::WakeAt))
                    .col(uuid_null(PlaybookRuns::StartedBy))
                    .col(timestamp_with_time_zone(PlaybookRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(PlaybookRuns::FinishedAt))
                    .col(integer(PlaybookRuns::RowVersion))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlaybookRuns::Table, PlaybookRuns::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlaybookRuns::Table, PlaybookRuns::StartedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One run per playbook and incident: attaching twice finds the first.
        manager
            .create_index(
                Index::create()
                    .name("uq_playbook_runs_incident_playbook")
                    .table(PlaybookRuns::Table)
                    .col(PlaybookRuns::IncidentId)
                    .col(PlaybookRuns::PlaybookId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_playbook_runs_wake")
                    .table(PlaybookRuns::Table)
                    .col(PlaybookRuns::Status)
                    .col(PlaybookRuns::WakeAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlaybookRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PlaybookRuns {
    Table,
    Id,
    IncidentId,
    PlaybookId,
    Version,
    FileName,
    Source,
    State,
    Status,
    WakeAt,
    StartedBy,
    StartedAt,
    FinishedAt,
    RowVersion,
}
