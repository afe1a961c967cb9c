//! Reading a mapping's result: the impact summary's counts and pages of affected people.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use uuid::Uuid;

use crate::domain::{CategorySet, DataCategory};

/// People per jurisdiction code (`US-CA`, `DE`, `unknown`), and how many live in the EU.
pub async fn count_by_jurisdiction(
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<(BTreeMap<String, i64>, i64), DbErr> {
    let backend = db.get_database_backend();
    let sql = "SELECT jurisdiction, COUNT(*) FROM affected_people WHERE mapping_id = $1 \
               GROUP BY jurisdiction";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [run_id.into()],
        ))
        .await?;
    let by_code = rows
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect::<Result<BTreeMap<String, i64>, DbErr>>()?;
    let sql = "SELECT COUNT(*) FROM affected_people WHERE mapping_id = $1 AND in_eu";
    let eu = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [run_id.into()],
        ))
        .await?
        .map_or(Ok(0), |row| row.try_get_by_index(0))?;
    Ok((by_code, eu))
}

/// People per exposed category (a person counts once per category); categories nobody has
/// are left out.
pub async fn count_by_category(
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<BTreeMap<DataCategory, i64>, DbErr> {
    let backend = db.get_database_backend();
    let sums = DataCategory::ALL
        .iter()
        .map(|c| {
            format!(
                "COALESCE(SUM(CASE WHEN (categories & {}) <> 0 THEN 1 ELSE 0 END), 0)",
                c.bit()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {sums} FROM affected_people WHERE mapping_id = $1");
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [run_id.into()],
        ))
        .await?
    else {
        return Ok(BTreeMap::new());
    };
    let mut counts = BTreeMap::new();
    for (index, category) in DataCategory::ALL.iter().enumerate() {
        let n: i64 = row.try_get_by_index(index)?;
        if n > 0 {
            counts.insert(*category, n);
        }
    }
    Ok(counts)
}

/// One affected person of a mapping, with what the inventory knows of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedRow {
    /// The person's key in the result (personal data for unmatched people: never log it).
    pub person_key: String,
    pub unmatched: bool,
    pub categories: CategorySet,
    /// Sorted system names.
    pub systems: Vec<String>,
    /// The records behind the person, `system/record_ref`, sorted.
    pub records: Vec<String>,
    pub record_count: i64,
    pub jurisdiction: String,
    pub in_eu: bool,
    /// For known people.
    pub customer_ref: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

#[derive(FromQueryResult)]
struct RawAffected {
    person_key: String,
    unmatched: bool,
    categories: i64,
    records: String,
    record_count: i32,
    jurisdiction: String,
    in_eu: bool,
    customer_ref: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
}

/// A page of a mapping's people joined to what the inventory knows of them. `{filter}` and
/// `{page}` narrow and cut the people first, so only the page is joined.
fn affected_sql(filter: &str, page: &str) -> String {
    format!(
        "SELECT a.person_key, a.unmatched, a.categories, a.records, a.record_count, \
           a.jurisdiction, a.in_eu, p.customer_ref, p.given_name, p.family_name \
         FROM (SELECT person_key, person_id, unmatched, categories, records, record_count, \
                 jurisdiction, in_eu \
               FROM affected_people WHERE mapping_id = $1 {filter} \
               ORDER BY person_key {page}) a \
         LEFT JOIN people p ON p.id = a.person_id \
         ORDER BY a.person_key"
    )
}

/// A page of a mapping's people in person-key order, skipping `offset`.
pub async fn affected_page(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    offset: u64,
    limit: u64,
) -> Result<Vec<AffectedRow>, DbErr> {
    let sql = affected_sql("", "LIMIT $2 OFFSET $3");
    let values = vec![run_id.into(), to_i64(limit).into(), to_i64(offset).into()];
    affected(db, sql, values).await
}

/// Up to `limit` of a mapping's people after `after` (a person key) in key order: for walking
/// the whole list in constant memory.
pub async fn affected_after(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<AffectedRow>, DbErr> {
    let sql = affected_sql("AND person_key > $3", "LIMIT $2");
    // Every key starts with `p:` or `u:`, so the empty string precedes them all.
    let after = after.unwrap_or_default().to_owned();
    let values = vec![run_id.into(), to_i64(limit).into(), after.into()];
    affected(db, sql, values).await
}

async fn affected(
    db: &impl ConnectionTrait,
    sql: String,
    values: Vec<Value>,
) -> Result<Vec<AffectedRow>, DbErr> {
    let backend = db.get_database_backend();
    let rows = RawAffected::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_affected).collect())
}

fn to_affected(r: RawAffected) -> AffectedRow {
    let mut records: Vec<String> = r
        .records
        .split('\n')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    records.sort();
    // System names are slugs without `/`, so a record's system is what precedes the first one.
    let mut systems: Vec<String> = records
        .iter()
        .map(|r| {
            r.split_once('/')
                .map_or(r.as_str(), |(system, _)| system)
                .to_owned()
        })
        .collect();
    systems.dedup();
    AffectedRow {
        person_key: r.person_key,
        unmatched: r.unmatched,
        categories: CategorySet::from_mask(r.categories),
        systems,
        records,
        record_count: i64::from(r.record_count),
        jurisdiction: r.jurisdiction,
        in_eu: r.in_eu,
        customer_ref: r.customer_ref,
        given_name: r.given_name,
        family_name: r.family_name,
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
