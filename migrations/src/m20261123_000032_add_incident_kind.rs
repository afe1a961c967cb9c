//! An incident's kind (a data breach, exposed credentials, a lost device, ransomware, other):
//! playbooks attach by kind. Incidents opened before it are data breaches.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000003_create_incidents::Incidents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(string_len(Kind::Kind, 32).default("data_breach"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Kind::Kind)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
pub enum Kind {
    Kind,
}
