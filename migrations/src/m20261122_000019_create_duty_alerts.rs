//! Alerts raised for duties due soon or overdue: exactly one per incident, duty and threshold
//! (the unique key), inserted with its timeline entry. The mail to the commander is sent after
//! the commit; `sent_at` stays empty until it went out, and a sweep holds an unsent alert for
//! a while (`claimed_until`) while it sends, so instances do not send it twice.

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
                    .table(DutyAlerts::Table)
                    .if_not_exists()
                    .col(uuid(DutyAlerts::Id).primary_key())
                    .col(uuid(DutyAlerts::IncidentId))
                    .col(string_len(DutyAlerts::DutyKey, 120))
                    .col(string_len(DutyAlerts::Threshold, 16))
                    .col(timestamp_with_time_zone(DutyAlerts::DueAt))
                    .col(timestamp_with_time_zone(DutyAlerts::RaisedAt))
                    .col(text(DutyAlerts::Message))
                    .col(uuid(DutyAlerts::TimelineEntryId))
                    .col(uuid_null(DutyAlerts::RecipientId))
                    .col(integer(DutyAlerts::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(DutyAlerts::ClaimedUntil))
                    .col(timestamp_with_time_zone_null(DutyAlerts::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DutyAlerts::Table, DutyAlerts::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DutyAlerts::Table, DutyAlerts::RecipientId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_duty_alerts_incident_duty_threshold")
                    .table(DutyAlerts::Table)
                    .col(DutyAlerts::IncidentId)
                    .col(DutyAlerts::DutyKey)
                    .col(DutyAlerts::Threshold)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DutyAlerts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DutyAlerts {
    Table,
    Id,
    IncidentId,
    DutyKey,
    Threshold,
    DueAt,
    RaisedAt,
    Message,
    TimelineEntryId,
    RecipientId,
    Attempts,
    ClaimedUntil,
    SentAt,
}
