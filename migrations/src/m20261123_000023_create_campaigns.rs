//! Campaigns: one per notice sent, holding everything its messages are rendered from (the
//! template files, the draft's words, the organization and incident facts as they stood when
//! it was sent), so a message rendered again after a crash is byte-identical to the first. Its
//! state (running, paused) and canary hold steer the outbox workers.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_users::Users;
use super::m20261122_000003_create_incidents::Incidents;
use super::m20261122_000020_create_notices::Notices;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .if_not_exists()
                    .col(uuid(Campaigns::Id).primary_key())
                    .col(uuid(Campaigns::IncidentId))
                    .col(uuid(Campaigns::NoticeId))
                    .col(string_len(Campaigns::Kind, 32))
                    .col(string_len(Campaigns::Slot, 64))
                    .col(text(Campaigns::Snapshot))
                    .col(string_len(Campaigns::ContentHash, 64))
                    .col(string_len(Campaigns::TemplatesHash, 64))
                    .col(string_len(Campaigns::AudienceHash, 64))
                    .col(big_integer(Campaigns::People))
                    .col(big_integer(Campaigns::Outreach))
                    .col(big_integer(Campaigns::Unreachable))
                    .col(big_integer(Campaigns::CanarySize))
                    .col(string_len(Campaigns::State, 16))
                    .col(text_null(Campaigns::StateReason))
                    .col(uuid_null(Campaigns::StateBy))
                    .col(timestamp_with_time_zone(Campaigns::StateAt))
                    .col(uuid_null(Campaigns::ReleasedBy))
                    .col(timestamp_with_time_zone_null(Campaigns::ReleasedAt))
                    .col(uuid(Campaigns::CreatedBy))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::NoticeId)
                            .to(Notices::Table, Notices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One campaign per notice: a second send request finds the first.
        manager
            .create_index(
                Index::create()
                    .name("uq_campaigns_notice")
                    .table(Campaigns::Table)
                    .col(Campaigns::NoticeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaigns_incident")
                    .table(Campaigns::Table)
                    .col(Campaigns::IncidentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Campaigns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Campaigns {
    Table,
    Id,
    IncidentId,
    NoticeId,
    Kind,
    Slot,
    Snapshot,
    ContentHash,
    TemplatesHash,
    AudienceHash,
    People,
    Outreach,
    Unreachable,
    CanarySize,
    State,
    StateReason,
    StateBy,
    StateAt,
    ReleasedBy,
    ReleasedAt,
    CreatedBy,
    CreatedAt,
}
