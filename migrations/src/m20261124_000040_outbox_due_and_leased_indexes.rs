//! The indexes a worker claims and reclaims by hold only the rows they are for. The old
//! `(status, next_attempt_at, id)` index held every row, sent ones too, and each message
//! changed it twice; the due index holds rows waiting to be sent (a claim takes a row out of it)
//! and the lease index rows being sent (the outcome takes it out), so a sent row is in neither.
//! Claims and reclaims name the statuses as literals, which lets both databases use them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const DUE: &str = "ix_outbox_due";
const LEASED: &str = "ix_outbox_leased";
const OLD: &str = "ix_outbox_status_due";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // What a worker claims next: rows waiting to be sent, in the order they fell due.
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table(Outbox::Table)
                    .col(Outbox::NextAttemptAt)
                    .col(Outbox::Id)
                    .and_where(Expr::col(Outbox::Status).is_in(["pending", "retrying"]))
                    .to_owned(),
            )
            .await?;
        // Rows whose worker may have stopped: leased rows by the end of their lease.
        manager
            .create_index(
                Index::create()
                    .name(LEASED)
                    .table(Outbox::Table)
                    .col(Outbox::LeaseUntil)
                    .and_where(Expr::col(Outbox::Status).eq("sending"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(OLD).table(Outbox::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .col(Outbox::Id)
                    .to_owned(),
            )
            .await?;
        for name in [DUE, LEASED] {
            manager
                .drop_index(Index::drop().name(name).table(Outbox::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Status,
    NextAttemptAt,
    LeaseUntil,
}
