//! A mapping's affected population for the obligations engine: people grouped by where they
//! live and which of their data was exposed (and left unprotected by encryption).

use sea_orm::{ConnectionTrait, DbErr, Statement};
use uuid::Uuid;

use crate::domain::CategorySet;
use crate::rules::Group;

/// The groups of a mapping's people; a few hundred rows at most, whatever the head count.
pub async fn groups(db: &impl ConnectionTrait, mapping_id: Uuid) -> Result<Vec<Group>, DbErr> {
    let sql = "SELECT jurisdiction, in_eu, categories, unprotected, COUNT(*) \
               FROM affected_people WHERE mapping_id = $1 \
               GROUP BY jurisdiction, in_eu, categories, unprotected \
               ORDER BY jurisdiction, in_eu, categories, unprotected";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [mapping_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Group {
                jurisdiction: row.try_get_by_index(0)?,
                in_eu: row.try_get_by_index(1)?,
                exposed: CategorySet::from_mask(row.try_get_by_index(2)?),
                unprotected: CategorySet::from_mask(row.try_get_by_index(3)?),
                people: row.try_get_by_index(4)?,
            })
        })
        .collect()
}

/// Records behind a mapping's people, per place: `(jurisdiction, in_eu, records)`.
pub async fn records_by_place(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
) -> Result<Vec<(String, bool, i64)>, DbErr> {
    // CAST: SUM of an INTEGER column is BIGINT on PostgreSQL and INTEGER on SQLite alike.
    let sql = "SELECT jurisdiction, in_eu, CAST(SUM(record_count) AS BIGINT) \
               FROM affected_people WHERE mapping_id = $1 GROUP BY jurisdiction, in_eu";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [mapping_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ))
        })
        .collect()
}

/// A mapping's matched people of a tier (`vip`): `(people.id, customer_ref)`, by reference.
/// The reference is the company's own key for the customer; it is all a task names them by.
pub async fn people_of_tier(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    tier: &str,
) -> Result<Vec<(i64, String)>, DbErr> {
    let sql = "SELECT p.id, p.customer_ref FROM affected_people a \
               JOIN people p ON p.id = a.person_id \
               WHERE a.mapping_id = $1 AND p.tier = $2 ORDER BY p.customer_ref";
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [mapping_id.into(), tier.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}
