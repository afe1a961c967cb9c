//! Follow-up actions: a detractor's score or a comment turned into work owned by a CX lead,
//! closed with a resolution note. One per survey response.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_users::Users;
use super::m20261122_000003_create_incidents::Incidents;
use super::m20261123_000030_create_survey_responses::SurveyResponses;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FollowupActions::Table)
                    .if_not_exists()
                    .col(uuid(FollowupActions::Id).primary_key())
                    .col(uuid(FollowupActions::IncidentId))
                    .col(uuid(FollowupActions::ResponseId))
                    .col(string_len(FollowupActions::Reason, 16))
                    .col(text(FollowupActions::Title))
                    .col(uuid(FollowupActions::OwnerId))
                    .col(string_len(FollowupActions::Status, 16))
                    .col(text_null(FollowupActions::Resolution))
                    .col(uuid(FollowupActions::CreatedBy))
                    .col(timestamp_with_time_zone(FollowupActions::CreatedAt))
                    .col(uuid_null(FollowupActions::ClosedBy))
                    .col(timestamp_with_time_zone_null(FollowupActions::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FollowupActions::Table, FollowupActions::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FollowupActions::Table, FollowupActions::ResponseId)
                            .to(SurveyResponses::Table, SurveyResponses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FollowupActions::Table, FollowupActions::OwnerId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FollowupActions::Table, FollowupActions::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_followup_actions_response")
                    .table(FollowupActions::Table)
                    .col(FollowupActions::ResponseId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_followup_actions_incident")
                    .table(FollowupActions::Table)
                    .col(FollowupActions::IncidentId)
                    .col(FollowupActions::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FollowupActions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum FollowupActions {
    Table,
    Id,
    IncidentId,
    ResponseId,
    Reason,
    Title,
    OwnerId,
    Status,
    Resolution,
    CreatedBy,
    CreatedAt,
    ClosedBy,
    ClosedAt,
}
