//! An incident's declared scope (`incident_scopes`) and its forensic record lists
//! (`scope_records`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Statement,
};
use uuid::Uuid;

use super::entities::{incident_scopes, scope_records};
use crate::domain::CategorySet;

/// Rows per multi-row insert: well under SQLite's bound-variable limit.
const INSERT_BATCH: usize = 500;

/// One exposed system of an incident's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRow {
    pub system: String,
    pub categories: CategorySet,
    pub exposed_from: DateTime<Utc>,
    pub exposed_to: DateTime<Utc>,
    pub encrypted: bool,
    pub key_compromised: bool,
}

/// Replaces an incident's scope with `rows`.
pub async fn replace(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    rows: &[ScopeRow],
) -> Result<(), DbErr> {
    incident_scopes::Entity::delete_many()
        .filter(incident_scopes::Column::IncidentId.eq(incident_id))
        .exec(db)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    incident_scopes::Entity::insert_many(rows.iter().map(|r| incident_scopes::ActiveModel {
        incident_id: Set(incident_id),
        system: Set(r.system.clone()),
        categories: Set(r.categories.mask()),
        exposed_from: Set(r.exposed_from),
        exposed_to: Set(r.exposed_to),
        encrypted: Set(r.encrypted),
        key_compromised: Set(r.key_compromised),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An incident's scope, by system name.
pub async fn list(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Vec<ScopeRow>, DbErr> {
    let rows = incident_scopes::Entity::find()
        .filter(incident_scopes::Column::IncidentId.eq(incident_id))
        .order_by_asc(incident_scopes::Column::System)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| ScopeRow {
            system: m.system,
            categories: CategorySet::from_mask(m.categories),
            exposed_from: m.exposed_from,
            exposed_to: m.exposed_to,
            encrypted: m.encrypted,
            key_compromised: m.key_compromised,
        })
        .collect())
}

/// Which of `names` are systems of the inventory.
pub async fn known_systems(
    db: &impl ConnectionTrait,
    names: &BTreeSet<String>,
) -> Result<BTreeSet<String>, DbErr> {
    if names.is_empty() {
        return Ok(BTreeSet::new());
    }
    let name = Alias::new("name");
    let query = Query::select()
        .column(name.clone())
        .from(Alias::new("systems"))
        .and_where(Expr::col(name).is_in(names.iter().cloned()))
        .to_owned();
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}

/// Replaces the forensic list of one system of an incident with `record_refs`.
pub async fn replace_records(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    system: &str,
    record_refs: &BTreeSet<String>,
) -> Result<(), DbErr> {
    scope_records::Entity::delete_many()
        .filter(scope_records::Column::IncidentId.eq(incident_id))
        .filter(scope_records::Column::System.eq(system))
        .exec(db)
        .await?;
    let refs: Vec<&String> = record_refs.iter().collect();
    for chunk in refs.chunks(INSERT_BATCH) {
        scope_records::Entity::insert_many(chunk.iter().map(|r| scope_records::ActiveModel {
            incident_id: Set(incident_id),
            system: Set(system.to_owned()),
            record_ref: Set((*r).clone()),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// How many records each system's forensic list holds, by system name.
pub async fn record_counts(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<Vec<(String, i64)>, DbErr> {
    let backend = db.get_database_backend();
    let sql = "SELECT system, COUNT(*) FROM scope_records WHERE incident_id = $1 \
               GROUP BY system ORDER BY system";
    db.query_all_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [incident_id.into()],
    ))
    .await?
    .iter()
    .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
    .collect()
}

/// How many records on the forensic list of `system` the inventory does not hold.
pub async fn count_unheld_records(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
    system: &str,
) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = "SELECT COUNT(*) FROM scope_records r WHERE r.incident_id = $1 AND r.system = $2 \
               AND NOT EXISTS (SELECT 1 FROM holdings h \
                               WHERE h.system = r.system AND h.record_ref = r.record_ref)";
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [incident_id.into(), system.into()],
        ))
        .await?;
    row.map_or(Ok(0), |r| r.try_get_by_index(0))
}
