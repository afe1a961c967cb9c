//! An outbox row's delivery state moves to a narrow table of its own, `outbox_state`; `outbox`
//! keeps what the message is (its key, recipient, render context, Message-ID) and is written
//! once. Each message changes its state twice (the claim, then the outcome). On the wide row
//! every change wrote a new copy of the whole row and a new entry in each of its indexes,
//! the natural key and the Message-ID among them; the narrow row carries only the indexes
//! delivery reads by. The view `outbox_messages` joins the two for everything that reads.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns that move, in order.
const MOVED: [Column; 11] = [
    Column::Status,
    Column::Attempts,
    Column::NextAttemptAt,
    Column::LeaseOwner,
    Column::LeaseUntil,
    Column::SentAt,
    Column::Reply,
    Column::LastError,
    Column::BodySha256,
    Column::BouncedAt,
    Column::UpdatedAt,
];
const MOVED_LIST: &str = "status, attempts, next_attempt_at, lease_owner, lease_until, sent_at, \
    reply, last_error, body_sha256, bounced_at, updated_at";

const VIEW: &str = "outbox_messages";
const CAMPAIGN_STATUS: &str = "ix_outbox_campaign_status";
const DUE: &str = "ix_outbox_due";
const LEASED: &str = "ix_outbox_leased";
const STATE_CAMPAIGN_STATUS: &str = "ix_outbox_state_campaign_status";
const STATE_DUE: &str = "ix_outbox_state_due";
const STATE_LEASED: &str = "ix_outbox_state_leased";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .create_table(
                Table::create()
                    .table(OutboxState::Table)
                    .col(big_integer(Column::Id).primary_key())
                    .col(uuid(Column::CampaignId))
                    .col(string_len(Column::Status, 16))
                    .col(integer(Column::Attempts))
                    .col(timestamp_with_time_zone(Column::NextAttemptAt))
                    .col(string_len_null(Column::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(Column::LeaseUntil))
                    .col(timestamp_with_time_zone_null(Column::SentAt))
                    .col(text_null(Column::Reply))
                    .col(text_null(Column::LastError))
                    .col(string_len_null(Column::BodySha256, 64))
                    .col(timestamp_with_time_zone_null(Column::BouncedAt))
                    .col(timestamp_with_time_zone(Column::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxState::Table, Column::Id)
                            .to(Outbox::Table, Column::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // Every row is rewritten twice; room on its page lets the new version stay there.
            db.execute_unprepared("ALTER TABLE outbox_state SET (fillfactor = 70)")
                .await?;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO outbox_state (id, campaign_id, {MOVED_LIST}) \
             SELECT id, campaign_id, {MOVED_LIST} FROM outbox"
        ))
        .await?;

        for name in [CAMPAIGN_STATUS, DUE, LEASED] {
            manager
                .drop_index(Index::drop().name(name).table(Outbox::Table).to_owned())
                .await?;
        }
        // One column a statement: SQLite alters one thing at a time.
        for column in MOVED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }

        for index in state_indexes() {
            manager.create_index(index).await?;
        }
        db.execute_unprepared(&format!(
            "CREATE VIEW {VIEW} AS \
             SELECT o.id, o.campaign_id, o.incident_id, o.slot, o.person_key, o.customer_ref, \
                    o.channel, o.variant_no, o.recipient, o.person, o.link_id, o.message_id, \
                    o.created_at, s.status, s.attempts, s.next_attempt_at, s.lease_owner, \
                    s.lease_until, s.sent_at, s.reply, s.last_error, s.body_sha256, \
                    s.bounced_at, s.updated_at \
             FROM outbox o JOIN outbox_state s ON s.id = o.id"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        db.execute_unprepared(&format!("DROP VIEW {VIEW}")).await?;

        // SQLite adds a NOT NULL column only with a default, which the copy then replaces;
        // PostgreSQL adds them empty and makes them NOT NULL once they are filled.
        let epoch = "1970-01-01T00:00:00+00:00";
        let required = |mut column: ColumnDef, default: SimpleExpr| {
            if pg {
                column.null();
            } else {
                column.default(default);
            }
            column
        };
        let columns = [
            required(string_len(Column::Status, 16), Expr::val("pending")),
            required(integer(Column::Attempts), Expr::val(0)),
            required(
                timestamp_with_time_zone(Column::NextAttemptAt),
                Expr::val(epoch),
            ),
            string_len_null(Column::LeaseOwner, 64),
            timestamp_with_time_zone_null(Column::LeaseUntil),
            timestamp_with_time_zone_null(Column::SentAt),
            text_null(Column::Reply),
            text_null(Column::LastError),
            string_len_null(Column::BodySha256, 64),
            timestamp_with_time_zone_null(Column::BouncedAt),
            required(
                timestamp_with_time_zone(Column::UpdatedAt),
                Expr::val(epoch),
            ),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outbox::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let set = MOVED_LIST
            .split(", ")
            .map(|c| format!("{c} = s.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        db.execute_unprepared(&format!(
            "UPDATE outbox SET {set} FROM outbox_state s WHERE s.id = outbox.id"
        ))
        .await?;
        if pg {
            db.execute_unprepared(
                "ALTER TABLE outbox ALTER COLUMN status SET NOT NULL, \
                 ALTER COLUMN attempts SET NOT NULL, ALTER COLUMN next_attempt_at SET NOT NULL, \
                 ALTER COLUMN updated_at SET NOT NULL",
            )
            .await?;
        }

        for index in outbox_indexes() {
            manager.create_index(index).await?;
        }
        manager
            .drop_table(Table::drop().table(OutboxState::Table).to_owned())
            .await
    }
}

/// The indexes delivery reads by, on `table`: a campaign's counts, the due rows a worker claims
/// next, and the leased rows whose worker may have stopped. Named `[campaign_status, due,
/// leased]`.
fn delivery_indexes(table: impl IntoIden + Clone, names: [&str; 3]) -> [IndexCreateStatement; 3] {
    let [campaign_status, due, leased] = names;
    [
        Index::create()
            .name(campaign_status)
            .table(table.clone())
            .col(Column::CampaignId)
            .col(Column::Status)
            .to_owned(),
        Index::create()
            .name(due)
            .table(table.clone())
            .col(Column::NextAttemptAt)
            .col(Column::Id)
            .and_where(Expr::col(Column::Status).is_in(["pending", "retrying"]))
            .to_owned(),
        Index::create()
            .name(leased)
            .table(table)
            .col(Column::LeaseUntil)
            .and_where(Expr::col(Column::Status).eq("sending"))
            .to_owned(),
    ]
}

fn state_indexes() -> [IndexCreateStatement; 3] {
    delivery_indexes(
        OutboxState::Table,
        [STATE_CAMPAIGN_STATUS, STATE_DUE, STATE_LEASED],
    )
}

/// The same on the wide table, as they were before.
fn outbox_indexes() -> [IndexCreateStatement; 3] {
    delivery_indexes(Outbox::Table, [CAMPAIGN_STATUS, DUE, LEASED])
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum OutboxState {
    Table,
}

/// The columns named here, on either table.
#[derive(DeriveIden, Clone, Copy)]
enum Column {
    Id,
    CampaignId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    SentAt,
    Reply,
    LastError,
    BodySha256,
    BouncedAt,
    UpdatedAt,
}
