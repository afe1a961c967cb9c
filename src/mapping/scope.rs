//! Declaring an incident's scope: which systems were exposed, which of their data categories,
//! in which window, and whether the data was encrypted (and the key compromised).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{MappingError, Problem};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::inventory::{is_system_name, parse_instant};
use crate::domain::{CategorySet, DataCategory};
use crate::store;
use crate::store::scope::ScopeRow;

/// One exposed system as a caller declares it; dates are `YYYY-MM-DD` or RFC 3339.
#[derive(Debug, Clone)]
pub struct ScopeSystemInput {
    pub system: String,
    pub categories: Vec<DataCategory>,
    pub from: String,
    pub to: String,
    pub encrypted: bool,
    pub key_compromised: bool,
}

/// An incident's scope and the size of its forensic lists.
#[derive(Debug, Clone)]
pub struct Scope {
    /// By system name.
    pub systems: Vec<ScopeRow>,
    /// `(system, records listed)` for every system with a forensic list, in scope or not.
    pub forensic_lists: Vec<(String, i64)>,
}

/// Replaces an incident's scope as a whole. An empty list clears it.
pub async fn set_scope(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    input: Vec<ScopeSystemInput>,
    now: DateTime<Utc>,
) -> Result<Scope, MappingError> {
    let mut problems = Vec::new();
    let rows = check(&input, &mut problems);
    check_known(db, &input, &mut problems).await?;
    if !problems.is_empty() {
        return Err(MappingError::Invalid(problems));
    }
    let txn = store::begin_write(db).await?;
    if !store::mapping::lock_incident(&txn, incident_id).await? {
        return Err(MappingError::IncidentNotFound);
    }
    store::scope::replace(&txn, incident_id, &rows).await?;
    let summary = summarize(&rows);
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "scope.replaced",
            object_type: "incident_scope",
            object_id: incident_id.to_string(),
            incident_id: Some(incident_id),
            summary,
        },
    )
    .await?;
    txn.commit().await?;
    scope(db, incident_id).await
}

/// An incident's scope.
pub async fn scope(db: &DatabaseConnection, incident_id: Uuid) -> Result<Scope, MappingError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(MappingError::IncidentNotFound);
    }
    Ok(Scope {
        systems: store::scope::list(db, incident_id).await?,
        forensic_lists: store::scope::record_counts(db, incident_id).await?,
    })
}

/// Names every entry whose system the inventory does not have.
async fn check_known(
    db: &DatabaseConnection,
    input: &[ScopeSystemInput],
    problems: &mut Vec<Problem>,
) -> Result<(), MappingError> {
    let named: BTreeSet<String> = input
        .iter()
        .map(|e| e.system.trim().to_owned())
        .filter(|name| is_system_name(name))
        .collect();
    let known = store::scope::known_systems(db, &named).await?;
    for (i, entry) in input.iter().enumerate() {
        let system = entry.system.trim();
        if is_system_name(system) && !known.contains(system) {
            problems.push(Problem::new(
                format!("systems[{i}].system"),
                format!("unknown system `{system}`; import it first"),
            ));
        }
    }
    Ok(())
}

/// Checks every entry on its own (the inventory is consulted afterwards); returns the rows
/// that parsed, in input order.
fn check(input: &[ScopeSystemInput], problems: &mut Vec<Problem>) -> Vec<ScopeRow> {
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(input.len());
    for (i, entry) in input.iter().enumerate() {
        let field = |name: &str| format!("systems[{i}].{name}");
        let system = entry.system.trim().to_owned();
        if !is_system_name(&system) {
            problems.push(Problem::new(
                field("system"),
                "must be a system name (a-z, 0-9, `-`, `_`, `.`)",
            ));
        } else if !seen.insert(system.clone()) {
            problems.push(Problem::new(field("system"), "is listed twice"));
        }
        let categories: CategorySet = entry.categories.iter().copied().collect();
        if categories.is_empty() {
            problems.push(Problem::new(
                field("categories"),
                "must name at least one data category",
            ));
        }
        let from =
            parse_instant(&entry.from).map_err(|e| problems.push(Problem::new(field("from"), e)));
        let to = parse_instant(&entry.to).map_err(|e| problems.push(Problem::new(field("to"), e)));
        if entry.key_compromised && !entry.encrypted {
            problems.push(Problem::new(
                field("key_compromised"),
                "only applies when `encrypted` is true",
            ));
        }
        let (Ok(exposed_from), Ok(exposed_to)) = (from, to) else {
            continue;
        };
        if exposed_from > exposed_to {
            problems.push(Problem::new(field("to"), "must not be before `from`"));
        }
        rows.push(ScopeRow {
            system,
            categories,
            exposed_from,
            exposed_to,
            encrypted: entry.encrypted,
            key_compromised: entry.key_compromised,
        });
    }
    rows
}

fn summarize(rows: &[ScopeRow]) -> String {
    let categories = rows
        .iter()
        .fold(CategorySet::EMPTY, |all, r| all.union(r.categories));
    let encrypted = rows.iter().filter(|r| r.encrypted).count();
    let compromised = rows.iter().filter(|r| r.key_compromised).count();
    format!(
        "scope set: {} systems, {} categories, {encrypted} encrypted ({compromised} with the key compromised)",
        rows.len(),
        categories.iter().count(),
    )
}
