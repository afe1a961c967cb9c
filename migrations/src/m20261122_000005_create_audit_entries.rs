//! The tamper-evident audit log: a hash chain of entries plus a one-row head that records the
//! newest link, so appenders serialize on it and a truncated tail is detectable.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The hash that precedes the first entry of the chain.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .if_not_exists()
                    // Assigned from the head, not by the database: gaps must mean deletion.
                    .col(big_integer(AuditEntries::Seq).primary_key())
                    .col(timestamp_with_time_zone(AuditEntries::At))
                    .col(string_len(AuditEntries::Actor, 64))
                    .col(string_len(AuditEntries::Action, 64))
                    .col(string_len(AuditEntries::ObjectType, 32))
                    .col(string_len(AuditEntries::ObjectId, 64))
                    .col(uuid_null(AuditEntries::IncidentId))
                    .col(text(AuditEntries::Summary))
                    .col(char_len(AuditEntries::PrevHash, 64))
                    .col(char_len(AuditEntries::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_entries_incident")
                    .table(AuditEntries::Table)
                    .col(AuditEntries::IncidentId)
                    .col(AuditEntries::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditHeads::Table)
                    .if_not_exists()
                    .col(integer(AuditHeads::Id).primary_key())
                    .col(big_integer(AuditHeads::Seq))
                    .col(char_len(AuditHeads::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditHeads::Table)
                    .columns([AuditHeads::Id, AuditHeads::Seq, AuditHeads::Hash])
                    .values_panic([1.into(), 0i64.into(), GENESIS_HASH.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditHeads::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEntries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Seq,
    At,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    IncidentId,
    Summary,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHeads {
    Table,
    Id,
    Seq,
    Hash,
}
