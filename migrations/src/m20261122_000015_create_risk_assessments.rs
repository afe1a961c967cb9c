//! An incident's recorded risk assessment: how likely harm is, why, and who decided. One per
//! incident, replaced when reassessed (every decision is in the audit log).

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
                    .table(RiskAssessments::Table)
                    .if_not_exists()
                    .col(uuid(RiskAssessments::IncidentId).primary_key())
                    .col(string_len(RiskAssessments::Likelihood, 16))
                    .col(text(RiskAssessments::Notes))
                    .col(uuid_null(RiskAssessments::DecidedBy))
                    .col(timestamp_with_time_zone(RiskAssessments::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RiskAssessments::Table, RiskAssessments::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RiskAssessments::Table, RiskAssessments::DecidedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RiskAssessments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RiskAssessments {
    Table,
    IncidentId,
    Likelihood,
    Notes,
    DecidedBy,
    DecidedAt,
}
