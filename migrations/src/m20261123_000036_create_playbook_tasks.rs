//! Tasks a playbook action opens for people: a report to file with one authority (its draft
//! kept with it), a personal call to a VIP customer. One per run, step and key, so an action
//! carried out twice opens nothing twice; each is closed by a person with a note.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;
use super::m20261123_000033_create_playbook_runs::PlaybookRuns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlaybookTasks::Table)
                    .if_not_exists()
                    .col(uuid(PlaybookTasks::Id).primary_key())
                    .col(uuid(PlaybookTasks::RunId))
                    .col(uuid(PlaybookTasks::IncidentId))
                    .col(string_len(PlaybookTasks::StepId, 64))
                    .col(string_len(PlaybookTasks::Key, 96))
                    .col(text(PlaybookTasks::Title))
                    .col(text_null(PlaybookTasks::Detail))
                    .col(string_len(PlaybookTasks::OwnerRole, 16))
                    .col(big_integer_null(PlaybookTasks::PersonId))
                    .col(timestamp_with_time_zone_null(PlaybookTasks::DueAt))
                    .col(string_len(PlaybookTasks::Status, 16))
                    .col(uuid_null(PlaybookTasks::DoneBy))
                    .col(timestamp_with_time_zone_null(PlaybookTasks::DoneAt))
                    .col(text_null(PlaybookTasks::Note))
                    .col(timestamp_with_time_zone(PlaybookTasks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlaybookTasks::Table, PlaybookTasks::RunId)
                            .to(PlaybookRuns::Table, PlaybookRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlaybookTasks::Table, PlaybookTasks::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_playbook_tasks_once")
                    .table(PlaybookTasks::Table)
                    .col(PlaybookTasks::RunId)
                    .col(PlaybookTasks::StepId)
                    .col(PlaybookTasks::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_playbook_tasks_incident")
                    .table(PlaybookTasks::Table)
                    .col(PlaybookTasks::IncidentId)
                    .col(PlaybookTasks::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlaybookTasks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PlaybookTasks {
    Table,
    Id,
    RunId,
    IncidentId,
    StepId,
    Key,
    Title,
    Detail,
    OwnerRole,
    PersonId,
    DueAt,
    Status,
    DoneBy,
    DoneAt,
    Note,
    CreatedAt,
}
