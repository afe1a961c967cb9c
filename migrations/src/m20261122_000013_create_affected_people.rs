//! A mapping's result: one row per affected person, with the union of their exposed
//! categories (and the part no encryption safe harbor covers), the records behind them and
//! their jurisdiction at the time of the mapping.
//!
//! The primary key is the only index: every read names the mapping, and the key's order is
//! the order the affected list pages in. A run's rows are written in one pass, so each further
//! index would be maintained once per affected person. For the same reason `mapping_id` has
//! no foreign key (a per-row check on PostgreSQL): only the mapping writes these rows, always
//! for a run it holds, and it deletes a run's rows when the run is superseded.

use sea_orm_migration::{prelude::*, schema::*};

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
                    .col(big_integer(AffectedPeople::Unprotected))
                    .col(text(AffectedPeople::Records))
                    .col(integer(AffectedPeople::RecordCount))
                    .col(string_len(AffectedPeople::Jurisdiction, 16))
                    .col(boolean(AffectedPeople::InEu))
                    .primary_key(
                        Index::create()
                            .col(AffectedPeople::MappingId)
                            .col(AffectedPeople::PersonKey),
                    )
                    .to_owned(),
            )
            .await
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
    Unprotected,
    Records,
    RecordCount,
    Jurisdiction,
    InEu,
}
