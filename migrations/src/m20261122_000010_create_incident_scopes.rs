//! An incident's declared scope: per exposed system, the categories exposed, the exposure
//! window, and whether the data was encrypted (and the key compromised).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;
use super::m20261122_000007_create_systems::Systems;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IncidentScopes::Table)
                    .if_not_exists()
                    .col(uuid(IncidentScopes::IncidentId))
                    .col(string_len(IncidentScopes::System, 64))
                    .col(big_integer(IncidentScopes::Categories))
                    .col(timestamp_with_time_zone(IncidentScopes::ExposedFrom))
                    .col(timestamp_with_time_zone(IncidentScopes::ExposedTo))
                    .col(boolean(IncidentScopes::Encrypted))
                    .col(boolean(IncidentScopes::KeyCompromised))
                    .primary_key(
                        Index::create()
                            .col(IncidentScopes::IncidentId)
                            .col(IncidentScopes::System),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentScopes::Table, IncidentScopes::IncidentId)
                            .to(Incidents::Table, Incidents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IncidentScopes::Table, IncidentScopes::System)
                            .to(Systems::Table, Systems::Name)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IncidentScopes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum IncidentScopes {
    Table,
    IncidentId,
    System,
    Categories,
    ExposedFrom,
    ExposedTo,
    Encrypted,
    KeyCompromised,
}
