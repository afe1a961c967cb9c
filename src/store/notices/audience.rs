//! What the notice capability reads of a mapping's people: the audience in key order (for its
//! hash), the people grouped into notice variants, and one reader with what the inventory
//! knows of them.
//!
//! Person keys and the columns read here are personal data: never log them.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Statement, Value,
};
use uuid::Uuid;

use crate::domain::CategorySet;
use crate::store::entities::audience_hashes;

/// The stored hash of a mapping's audience: `(hash, people)`.
pub async fn stored_hash(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
) -> Result<Option<(String, i64)>, DbErr> {
    Ok(audience_hashes::Entity::find_by_id(mapping_id)
        .one(db)
        .await?
        .map(|m| (m.hash, m.people)))
}

/// Keeps a mapping's audience hash; a second writer's identical row is ignored.
pub async fn store_hash(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    hash: &str,
    people: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audience_hashes::Entity::insert(audience_hashes::ActiveModel {
        mapping_id: Set(mapping_id),
        hash: Set(hash.to_owned()),
        people: Set(people),
        computed_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One person of the audience as the hash sees them.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AudienceRow {
    pub person_key: String,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub categories: i64,
    pub unprotected: i64,
}

/// Up to `limit` people of a mapping after `after`, in key order.
pub async fn audience_after(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<AudienceRow>, DbErr> {
    let backend = db.get_database_backend();
    let (sql, values): (&str, Vec<Value>) = match after {
        None => (
            "SELECT person_key, jurisdiction, in_eu, categories, unprotected FROM affected_people \
             WHERE mapping_id = $1 ORDER BY person_key LIMIT $2",
            vec![mapping_id.into(), (limit as i64).into()],
        ),
        Some(key) => (
            "SELECT person_key, jurisdiction, in_eu, categories, unprotected FROM affected_people \
             WHERE mapping_id = $1 AND person_key > $2 ORDER BY person_key LIMIT $3",
            vec![mapping_id.into(), key.into(), (limit as i64).into()],
        ),
    };
    AudienceRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

// How a person is reached, decided in SQL so a million people group in the database. A person
// known only by a record is reachable when that record gave an email (`u:e:` keys). SMS is not
// a channel for a legal notice: people who prefer it get email, else post.
const CHANNEL: &str = "CASE \
    WHEN p.id IS NULL THEN CASE WHEN a.person_key LIKE 'u:e:%' THEN 'email' ELSE 'unreachable' END \
    WHEN p.preferred_channel = 'postal' AND p.address_line1 <> '' THEN 'postal' \
    WHEN p.email IS NOT NULL AND p.email <> '' THEN 'email' \
    WHEN p.address_line1 <> '' THEN 'postal' \
    ELSE 'unreachable' END";

/// People who get the same notice: same language preference, place, data, channel and tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantGroup {
    /// As stored (`es-MX`); empty for people known only by a record.
    pub locale: String,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub exposed: CategorySet,
    pub unprotected: CategorySet,
    /// `email`, `postal` or `unreachable`.
    pub channel: String,
    /// `standard` or `vip`.
    pub tier: String,
    pub people: i64,
    /// The smallest person key of the group: the sample a preview shows.
    pub sample_key: String,
}

#[derive(FromQueryResult)]
struct RawGroup {
    locale: String,
    jurisdiction: String,
    in_eu: bool,
    categories: i64,
    unprotected: i64,
    channel: String,
    tier: String,
    people: i64,
    sample_key: String,
}

/// A mapping's people grouped into notice variants.
pub async fn variant_groups(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
) -> Result<Vec<VariantGroup>, DbErr> {
    let sql = format!(
        "SELECT COALESCE(p.locale, '') AS locale, a.jurisdiction, a.in_eu, a.categories, \
                a.unprotected, {CHANNEL} AS channel, COALESCE(p.tier, 'standard') AS tier, \
                COUNT(*) AS people, MIN(a.person_key) AS sample_key \
         FROM affected_people a LEFT JOIN people p ON p.id = a.person_id \
         WHERE a.mapping_id = $1 \
         GROUP BY COALESCE(p.locale, ''), a.jurisdiction, a.in_eu, a.categories, a.unprotected, \
                  {CHANNEL}, COALESCE(p.tier, 'standard') \
         ORDER BY 1, 2, 3, 4, 5, 6, 7"
    );
    let rows = RawGroup::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [mapping_id.into()],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VariantGroup {
            locale: r.locale,
            jurisdiction: r.jurisdiction,
            in_eu: r.in_eu,
            exposed: CategorySet::from_mask(r.categories),
            unprotected: CategorySet::from_mask(r.unprotected),
            channel: r.channel,
            tier: r.tier,
            people: r.people,
            sample_key: r.sample_key,
        })
        .collect())
}

/// One person of a mapping with what the inventory knows of them (nothing, for people known
/// only by a record).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ReaderRow {
    pub person_key: String,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub categories: i64,
    pub unprotected: i64,
    pub channel: String,
    pub customer_ref: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub locale: Option<String>,
    pub tier: Option<String>,
    pub customer_since: Option<NaiveDate>,
}

fn reader_sql(filter: &str) -> String {
    format!(
        "SELECT a.person_key, a.jurisdiction, a.in_eu, a.categories, a.unprotected, \
                {CHANNEL} AS channel, p.customer_ref, p.given_name, p.family_name, p.email, \
                p.address_line1, p.city, p.region, p.postal_code, p.country, p.locale, p.tier, \
                p.customer_since \
         FROM affected_people a LEFT JOIN people p ON p.id = a.person_id \
         WHERE a.mapping_id = $1 AND {filter}"
    )
}

/// One person of a mapping by key.
pub async fn reader(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    person_key: &str,
) -> Result<Option<ReaderRow>, DbErr> {
    ReaderRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        reader_sql("a.person_key = $2"),
        [mapping_id.into(), person_key.into()],
    ))
    .one(db)
    .await
}

/// One person of a mapping by the inventory's customer reference.
pub async fn reader_by_customer(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    customer_ref: &str,
) -> Result<Option<ReaderRow>, DbErr> {
    ReaderRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        reader_sql("p.customer_ref = $2"),
        [mapping_id.into(), customer_ref.into()],
    ))
    .one(db)
    .await
}

/// Up to `limit` people of a mapping after `after`, in key order, with what the inventory
/// knows of them (a send walks the whole audience this way).
pub async fn readers_after(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<ReaderRow>, DbErr> {
    let (filter, values): (&str, Vec<Value>) = match after {
        None => (
            "TRUE ORDER BY a.person_key LIMIT $2",
            vec![mapping_id.into(), (limit as i64).into()],
        ),
        Some(key) => (
            "a.person_key > $2 ORDER BY a.person_key LIMIT $3",
            vec![mapping_id.into(), key.into(), (limit as i64).into()],
        ),
    };
    ReaderRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        reader_sql(filter),
        values,
    ))
    .all(db)
    .await
}

/// The people of a mapping with these keys, in key order (a survey wave reads its people this
/// way). Keys the mapping does not hold are skipped.
pub async fn readers_in(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    keys: &[String],
) -> Result<Vec<ReaderRow>, DbErr> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
    let filter = format!(
        "a.person_key IN ({}) ORDER BY a.person_key",
        placeholders.join(", ")
    );
    let mut values: Vec<Value> = Vec::with_capacity(keys.len() + 1);
    values.push(mapping_id.into());
    values.extend(keys.iter().map(|k| Value::from(k.clone())));
    ReaderRow::find_by_statement(Statement::from_sql_and_values(
        db.get_database_backend(),
        reader_sql(&filter),
        values,
    ))
    .all(db)
    .await
}
