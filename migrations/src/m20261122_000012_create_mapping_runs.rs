//! Mapping jobs: one row per request to compute who is affected by an incident, with its
//! progress and outcome. The newest succeeded run is the incident's current mapping. A worker
//! claims a run for a while (`lease_until`) and renews the claim as it goes; `attempt` counts
//! the claims, so a worker that lost its claim can tell and stops writing.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MappingRuns::Table)
                    .if_not_exists()
                    .col(uuid(MappingRuns::Id).primary_key())
                    .col(uuid(MappingRuns::IncidentId))
                    .col(string_len(MappingRuns::Status, 16))
                    .col(string_len(MappingRuns::Phase, 32))
                    .col(uuid_null(MappingRuns::RequestedBy))
                    .col(timestamp_with_time_zone(MappingRuns::RequestedAt))
                    .col(timestamp_with_time_zone_null(MappingRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(MappingRuns::FinishedAt))
                    .col(big_integer_null(MappingRuns::AffectedPeople))
                    .col(big_integer_null(MappingRuns::UnmatchedPeople))
                    .col(big_integer_null(MappingRuns::AddedPeople))
                    .col(big_integer_null(MappingRuns::RemovedPeople))
                    .col(text_null(MappingRuns::Error))
                    .col(integer(MappingRuns::Attempt).default(0))
                    .col(timestamp_with_time_zone_null(MappingRuns::LeaseUntil))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MappingRuns::Table, MappingRuns::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mapping_runs_incident")
                    .table(MappingRuns::Table)
                    .col(MappingRuns::IncidentId)
                    .col(MappingRuns::RequestedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MappingRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum MappingRuns {
    Table,
    Id,
    IncidentId,
    Status,
    Phase,
    RequestedBy,
    RequestedAt,
    StartedAt,
    FinishedAt,
    AffectedPeople,
    UnmatchedPeople,
    AddedPeople,
    RemovedPeople,
    Error,
    Attempt,
    LeaseUntil,
}
