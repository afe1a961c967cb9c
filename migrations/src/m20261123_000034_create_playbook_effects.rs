//! What a playbook run must carry out, written with the state change that calls for it: an
//! action to perform (one row per attempt) or an escalation (one row per step and threshold,
//! so it is sent once). The worker claims pending rows and records each one's outcome.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261123_000033_create_playbook_runs::PlaybookRuns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlaybookEffects::Table)
                    .if_not_exists()
                    .col(big_pk_auto(PlaybookEffects::Id))
                    .col(uuid(PlaybookEffects::RunId))
                    .col(uuid(PlaybookEffects::IncidentId))
                    .col(string_len(PlaybookEffects::StepId, 64))
                    .col(string_len(PlaybookEffects::Kind, 16))
                    .col(string_len(PlaybookEffects::Detail, 64))
                    .col(text(PlaybookEffects::Payload))
                    .col(string_len(PlaybookEffects::Status, 16))
                    .col(integer(PlaybookEffects::Attempts))
                    .col(text_null(PlaybookEffects::LastError))
                    .col(timestamp_with_time_zone(PlaybookEffects::CreatedAt))
                    .col(timestamp_with_time_zone_null(PlaybookEffects::DoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlaybookEffects::Table, PlaybookEffects::RunId)
                            .to(PlaybookRuns::Table, PlaybookRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_playbook_effects_once")
                    .table(PlaybookEffects::Table)
                    .col(PlaybookEffects::RunId)
                    .col(PlaybookEffects::StepId)
                    .col(PlaybookEffects::Kind)
                    .col(PlaybookEffects::Detail)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_playbook_effects_status")
                    .table(PlaybookEffects::Table)
                    .col(PlaybookEffects::Status)
                    .col(PlaybookEffects::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlaybookEffects::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PlaybookEffects {
    Table,
    Id,
    RunId,
    IncidentId,
    StepId,
    Kind,
    Detail,
    Payload,
    Status,
    Attempts,
    LastError,
    CreatedAt,
    DoneAt,
}
