//! How a person wants to hear from the company about an incident, set on their personal page:
//! the channel and how often. One row per person and incident, keyed by their link. Later
//! updates, survey invitations and reminders honour it; legally required notices still go.

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
                    .table(ContactPreferences::Table)
                    .if_not_exists()
                    .col(uuid(ContactPreferences::LinkId).primary_key())
                    .col(uuid(ContactPreferences::IncidentId))
                    .col(text(ContactPreferences::PersonKey))
                    .col(string_len(ContactPreferences::Channel, 16))
                    .col(string_len(ContactPreferences::Frequency, 16))
                    .col(timestamp_with_time_zone(ContactPreferences::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactPreferences::Table, ContactPreferences::LinkId)
                            .to(NoticeLinks::Table, NoticeLinks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContactPreferences::Table, ContactPreferences::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_contact_preferences_person")
                    .table(ContactPreferences::Table)
                    .col(ContactPreferences::IncidentId)
                    .col(ContactPreferences::PersonKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ContactPreferences::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ContactPreferences {
    Table,
    LinkId,
    IncidentId,
    PersonKey,
    Channel,
    Frequency,
    UpdatedAt,
}
