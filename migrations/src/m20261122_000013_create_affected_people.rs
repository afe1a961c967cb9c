//! A mapping's result: one row per affected person, with the union of their exposed
//! categories, the systems involved and their jurisdiction.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000012_create_mapping_runs::MappingRuns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AffectedPeople::Table)
                    .if_not_exists()
                    .col(uuid(AffectedPeople::MappingId))
                    .col(string_len(AffectedPeople::PersonKey, 400))
                    .col(big_integer_null(AffectedPeople::PersonId))
                    .col(boolean(AffectedPeople::Unmatched))
                    .col(big_integer(AffectedPeople::Categories))
                    .col(text(AffectedPeople::Systems))
                    .col(integer(AffectedPeople::RecordCount))
                    .col(string_len(AffectedPeople::Jurisdiction, 16))
                    .col(boolean(AffectedPeople::InEu))
                    .primary_key(
                        Index::create()
                            .col(AffectedPeople::MappingId)
                            .col(AffectedPeople::PersonKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AffectedPeople::Table, AffectedPeople::MappingId)
                            .to(MappingRuns::Table, MappingRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_affected_people_jurisdiction")
                    .table(AffectedPeople::Table)
                    .col(AffectedPeople::MappingId)
                    .col(AffectedPeople::Jurisdiction)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AffectedPeople::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AffectedPeople {
    Table,
    MappingId,
    PersonKey,
    PersonId,
    Unmatched,
    Categories,
    Systems,
    RecordCount,
    Jurisdiction,
    InEu,
}
