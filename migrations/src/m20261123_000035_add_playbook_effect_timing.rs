//! When a playbook effect may next be tried (a mapping it waits on, an escalation mail to
//! retry), who holds it meanwhile (a lease, so two workers never carry out the same effect at
//! once), and what carrying it out did.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261123_000034_create_playbook_effects::PlaybookEffects;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            timestamp_with_time_zone_null(Timing::NotBefore),
            timestamp_with_time_zone_null(Timing::ClaimedUntil),
            text_null(Timing::Outcome),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(PlaybookEffects::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Timing::NotBefore, Timing::ClaimedUntil, Timing::Outcome] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PlaybookEffects::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Timing {
    NotBefore,
    ClaimedUntil,
    Outcome,
}
