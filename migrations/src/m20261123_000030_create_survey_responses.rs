//! Survey answers: one per person and incident (keyed by their link), which they may change
//! until the survey closes. The person's place and tier are kept as they were when they first
//! answered, for results by jurisdiction and tier. Answers and comments are personal data.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;
use super::m20261123_000026_create_notice_links::NoticeLinks;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SurveyResponses::Table)
                    .if_not_exists()
                    .col(uuid(SurveyResponses::Id).primary_key())
                    .col(uuid(SurveyResponses::LinkId))
                    .col(uuid(SurveyResponses::IncidentId))
                    .col(text(SurveyResponses::PersonKey))
                    .col(string_len_null(SurveyResponses::CustomerRef, 128))
                    .col(string_len(SurveyResponses::Jurisdiction, 16))
                    .col(string_len(SurveyResponses::Tier, 16))
                    .col(small_integer_null(SurveyResponses::Recommend))
                    .col(small_integer_null(SurveyResponses::Clarity))
                    .col(text_null(SurveyResponses::Comment))
                    .col(integer(SurveyResponses::Revisions))
                    .col(timestamp_with_time_zone(SurveyResponses::CreatedAt))
                    .col(timestamp_with_time_zone(SurveyResponses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyResponses::Table, SurveyResponses::LinkId)
                            .to(NoticeLinks::Table, NoticeLinks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyResponses::Table, SurveyResponses::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_survey_responses_link")
                    .table(SurveyResponses::Table)
                    .col(SurveyResponses::LinkId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_survey_responses_incident")
                    .table(SurveyResponses::Table)
                    .col(SurveyResponses::IncidentId)
                    .col(SurveyResponses::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SurveyResponses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SurveyResponses {
    Table,
    Id,
    LinkId,
    IncidentId,
    PersonKey,
    CustomerRef,
    Jurisdiction,
    Tier,
    Recommend,
    Clarity,
    Comment,
    Revisions,
    CreatedAt,
    UpdatedAt,
}
