//! Failed sign-in attempts inside the rate-limit window.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Statement,
};
use uuid::Uuid;

use super::entities::login_failures;

/// Serializes sign-in attempts on these keys until the transaction ends. On PostgreSQL a
/// transaction-scoped advisory lock per key (taken in sorted order, so two attempts never wait
/// on each other crosswise); on SQLite the caller's `BEGIN IMMEDIATE` already serializes.
pub async fn lock_keys(db: &impl ConnectionTrait, keys: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 7411))",
            [format!("candor-login:{key}").into()],
        ))
        .await?;
    }
    Ok(())
}

/// Records one failed (or not yet successful) attempt; returns its id.
pub async fn record(
    db: &impl ConnectionTrait,
    account_key: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    login_failures::Entity::insert(login_failures::ActiveModel {
        id: Set(id),
        account_key: Set(account_key.to_owned()),
        address: Set(address.to_owned()),
        at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Forgets one attempt (it succeeded).
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    login_failures::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// How many failures an account and an address had since `since`, and the oldest of each.
pub struct Counts {
    pub account: u64,
    pub account_oldest: Option<DateTime<Utc>>,
    pub address: u64,
    pub address_oldest: Option<DateTime<Utc>>,
}

/// Counts the failures since `since`.
pub async fn count_since(
    db: &impl ConnectionTrait,
    account_key: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<Counts, DbErr> {
    let by_account = login_failures::Entity::find()
        .filter(login_failures::Column::AccountKey.eq(account_key))
        .filter(login_failures::Column::At.gt(since));
    let by_address = login_failures::Entity::find()
        .filter(login_failures::Column::Address.eq(address))
        .filter(login_failures::Column::At.gt(since));
    Ok(Counts {
        account: by_account.clone().count(db).await?,
        account_oldest: by_account
            .order_by_asc(login_failures::Column::At)
            .one(db)
            .await?
            .map(|m| m.at),
        address: by_address.clone().count(db).await?,
        address_oldest: by_address
            .order_by_asc(login_failures::Column::At)
            .one(db)
            .await?
            .map(|m| m.at),
    })
}

/// Forgets an account's failures (after a successful sign-in).
pub async fn clear_account(db: &impl ConnectionTrait, account_key: &str) -> Result<(), DbErr> {
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::AccountKey.eq(account_key))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes failures older than the window; they are no longer needed.
pub async fn prune_before(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = login_failures::Entity::delete_many()
        .filter(login_failures::Column::At.lte(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
