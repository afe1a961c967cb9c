//! Campaign waves: a survey invitation (or reminder) goes out in waves, each to the people due
//! one at that time, so a notice may have several campaigns, numbered from 0. A campaign also
//! counts the people its notice skipped because they asked to hear only what the law requires.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261123_000023_create_campaigns::Campaigns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(integer(Wave::Wave).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(big_integer(Wave::Declined).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_campaigns_notice")
                    .table(Campaigns::Table)
                    .to_owned(),
            )
            .await?;
        // One campaign per notice and wave: a second send request finds the first.
        manager
            .create_index(
                Index::create()
                    .name("uq_campaigns_notice_wave")
                    .table(Campaigns::Table)
                    .col(Campaigns::NoticeId)
                    .col(Wave::Wave)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_campaigns_notice_wave")
                    .table(Campaigns::Table)
                    .to_owned(),
            )
            .await?;
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
        for column in [Wave::Declined, Wave::Wave] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Campaigns::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Wave {
    Wave,
    Declined,
}
