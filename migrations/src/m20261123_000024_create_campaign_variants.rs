//! The render context a campaign's people share, per variant (language, channel, exposed data
//! and the laws behind them): each outbox row adds only the person and their links.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261123_000023_create_campaigns::Campaigns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CampaignVariants::Table)
                    .if_not_exists()
                    .col(uuid(CampaignVariants::CampaignId))
                    .col(integer(CampaignVariants::VariantNo))
                    .col(string_len(CampaignVariants::Locale, 8))
                    .col(text(CampaignVariants::Context))
                    .primary_key(
                        Index::create()
                            .col(CampaignVariants::CampaignId)
                            .col(CampaignVariants::VariantNo),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignVariants::Table, CampaignVariants::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CampaignVariants::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum CampaignVariants {
    Table,
    CampaignId,
    VariantNo,
    Locale,
    Context,
}
