//! Notice drafts: a notice kind bound to an incident's audience, the words a CX lead wrote for
//! it, who edited it last, and the approval with exactly what it was given for (the template
//! files, the audience, the rules version and the draft's own content), so that any change
//! voids it. `slot` is the kind for kinds an incident has once, and the draft's id for updates
//! (an incident may post many): its uniqueness makes a second click create nothing.

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
                    .table(Notices::Table)
                    .if_not_exists()
                    .col(uuid(Notices::Id).primary_key())
                    .col(uuid(Notices::IncidentId))
                    .col(string_len(Notices::Kind, 32))
                    .col(string_len(Notices::Slot, 64))
                    .col(string_len(Notices::Status, 16))
                    .col(text(Notices::Content))
                    .col(integer(Notices::Version))
                    .col(uuid_null(Notices::CreatedBy))
                    .col(timestamp_with_time_zone(Notices::CreatedAt))
                    .col(uuid_null(Notices::EditedBy))
                    .col(timestamp_with_time_zone(Notices::EditedAt))
                    .col(text_null(Notices::LastLint))
                    .col(uuid_null(Notices::ApprovedBy))
                    .col(timestamp_with_time_zone_null(Notices::ApprovedAt))
                    .col(text_null(Notices::Approval))
                    .col(timestamp_with_time_zone_null(Notices::VoidedAt))
                    .col(text_null(Notices::VoidedReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::EditedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notices::Table, Notices::ApprovedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_notices_incident_slot")
                    .table(Notices::Table)
                    .col(Notices::IncidentId)
                    .col(Notices::Slot)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Notices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Notices {
    Table,
    Id,
    IncidentId,
    Kind,
    Slot,
    Status,
    Content,
    Version,
    CreatedBy,
    CreatedAt,
    EditedBy,
    EditedAt,
    LastLint,
    ApprovedBy,
    ApprovedAt,
    Approval,
    VoidedAt,
    VoidedReason,
}
