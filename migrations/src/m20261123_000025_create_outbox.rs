//! The outbox: one row per person, notice and channel, written in the same transaction as the
//! notice's move to `sent`. The natural key (incident, person, slot, channel) makes a second
//! send request add nothing. Workers claim rows with a lease, send outside any transaction and
//! record each message's own outcome; `message_id` is fixed when the row is written, so a
//! resend after a crash carries the same id. `person` is what the row adds to its variant's
//! render context; with the campaign's snapshot it renders the message identically again, and
//! `body_sha256` records the bytes that went out.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;
use super::m20261123_000023_create_campaigns::Campaigns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Outbox::Id))
                    .col(uuid(Outbox::CampaignId))
                    .col(uuid(Outbox::IncidentId))
                    .col(string_len(Outbox::Slot, 64))
                    .col(text(Outbox::PersonKey))
                    .col(text_null(Outbox::CustomerRef))
                    .col(string_len(Outbox::Channel, 16))
                    .col(integer(Outbox::VariantNo))
                    .col(text(Outbox::Recipient))
                    .col(text(Outbox::Person))
                    .col(uuid(Outbox::LinkId))
                    .col(string_len(Outbox::MessageId, 200))
                    .col(string_len(Outbox::Status, 16))
                    .col(integer(Outbox::Attempts))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(string_len_null(Outbox::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(Outbox::LeaseUntil))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(text_null(Outbox::Reply))
                    .col(text_null(Outbox::LastError))
                    .col(string_len_null(Outbox::BodySha256, 64))
                    .col(timestamp_with_time_zone_null(Outbox::BouncedAt))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone(Outbox::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outbox::Table, Outbox::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outbox::Table, Outbox::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            Index::create()
                .name("uq_outbox_natural_key")
                .table(Outbox::Table)
                .col(Outbox::IncidentId)
                .col(Outbox::PersonKey)
                .col(Outbox::Slot)
                .col(Outbox::Channel)
                .unique()
                .to_owned(),
            // What a worker claims next: due rows in id order.
            Index::create()
                .name("ix_outbox_status_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .col(Outbox::Id)
                .to_owned(),
            Index::create()
                .name("ix_outbox_campaign_status")
                .table(Outbox::Table)
                .col(Outbox::CampaignId)
                .col(Outbox::Status)
                .to_owned(),
            Index::create()
                .name("ix_outbox_incident_id")
                .table(Outbox::Table)
                .col(Outbox::IncidentId)
                .col(Outbox::Id)
                .to_owned(),
            Index::create()
                .name("uq_outbox_message_id")
                .table(Outbox::Table)
                .col(Outbox::MessageId)
                .unique()
                .to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Outbox {
    Table,
    Id,
    CampaignId,
    IncidentId,
    Slot,
    PersonKey,
    CustomerRef,
    Channel,
    VariantNo,
    Recipient,
    Person,
    LinkId,
    MessageId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    SentAt,
    Reply,
    LastError,
    BodySha256,
    BouncedAt,
    CreatedAt,
    UpdatedAt,
}
