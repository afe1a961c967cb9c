//! Every distinct obligations result computed for an incident, with the rules version that
//! produced it, so a later change of the rules pack never silently rewrites history. `seq`
//! numbers an incident's results; its uniqueness makes two requests that compute the same new
//! result at once store it once.

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
                    .table(ObligationResults::Table)
                    .if_not_exists()
                    .col(uuid(ObligationResults::Id).primary_key())
                    .col(uuid(ObligationResults::IncidentId))
                    .col(integer(ObligationResults::Seq))
                    .col(uuid(ObligationResults::MappingId))
                    .col(string_len(ObligationResults::RulesVersion, 80))
                    .col(timestamp_with_time_zone(ObligationResults::ComputedAt))
                    .col(text(ObligationResults::Result))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ObligationResults::Table, ObligationResults::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_obligation_results_incident_seq")
                    .table(ObligationResults::Table)
                    .col(ObligationResults::IncidentId)
                    .col(ObligationResults::Seq)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ObligationResults::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ObligationResults {
    Table,
    Id,
    IncidentId,
    Seq,
    MappingId,
    RulesVersion,
    ComputedAt,
    Result,
}
