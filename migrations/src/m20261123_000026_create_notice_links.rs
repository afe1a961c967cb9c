//! A person's link for an incident: the row behind the signed token in their notice's
//! personal-page and survey links. One per person and incident; revoking it (or its expiry)
//! turns every token naming it away.

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
                    .table(NoticeLinks::Table)
                    .if_not_exists()
                    .col(uuid(NoticeLinks::Id).primary_key())
                    .col(uuid(NoticeLinks::IncidentId))
                    .col(text(NoticeLinks::PersonKey))
                    .col(timestamp_with_time_zone(NoticeLinks::CreatedAt))
                    .col(timestamp_with_time_zone(NoticeLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(NoticeLinks::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NoticeLinks::Table, NoticeLinks::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_notice_links_person")
                    .table(NoticeLinks::Table)
                    .col(NoticeLinks::IncidentId)
                    .col(NoticeLinks::PersonKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NoticeLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum NoticeLinks {
    Table,
    Id,
    IncidentId,
    PersonKey,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}
