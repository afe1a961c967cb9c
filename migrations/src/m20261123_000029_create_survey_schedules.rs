//! An incident's follow-up survey schedule: how long after a person's notice was delivered
//! they are invited, and how long after the invitation the one reminder goes to those who have
//! not answered (none when unset). The survey worker reads it on every pass.

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
                    .table(SurveySchedules::Table)
                    .if_not_exists()
                    .col(uuid(SurveySchedules::IncidentId).primary_key())
                    .col(big_integer(SurveySchedules::InviteAfterSeconds))
                    .col(big_integer_null(SurveySchedules::RemindAfterSeconds))
                    .col(uuid(SurveySchedules::SetBy))
                    .col(timestamp_with_time_zone(SurveySchedules::SetAt))
                    .col(timestamp_with_time_zone_null(SurveySchedules::LastRunAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveySchedules::Table, SurveySchedules::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveySchedules::Table, SurveySchedules::SetBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SurveySchedules::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SurveySchedules {
    Table,
    IncidentId,
    InviteAfterSeconds,
    RemindAfterSeconds,
    SetBy,
    SetAt,
    LastRunAt,
}
