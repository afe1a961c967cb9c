//! The impact summary of an incident's current mapping: how many people, where they live,
//! which of their data.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::MappingError;
use crate::domain::DataCategory;
use crate::store;
use crate::store::mapping::{RunRow, RunStatus};

/// The key under which people in the European Union are counted again, for the GDPR.
pub const EU: &str = "EU";

/// Counts from an incident's current mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    pub affected_people: i64,
    pub unmatched_people: i64,
    /// People per jurisdiction code (`US-CA`, `DE`, `unknown` for unmatched people), plus
    /// `EU`: the people in any EU country, who are also counted under their country.
    pub by_jurisdiction: BTreeMap<String, i64>,
    /// People per exposed category; a person counts once per category.
    pub by_category: BTreeMap<DataCategory, i64>,
    pub mapped_at: DateTime<Utc>,
}

/// The impact of an incident's current (newest succeeded) mapping.
pub async fn impact(db: &DatabaseConnection, incident_id: Uuid) -> Result<Impact, MappingError> {
    // One snapshot: a run that completes meanwhile cannot mix its counts with these.
    let txn = store::mapping::begin_snapshot(db).await?;
    let run = current_run(&txn, incident_id).await?;
    let (mut by_jurisdiction, eu) =
        store::mapping::results::count_by_jurisdiction(&txn, run.id).await?;
    if eu > 0 {
        by_jurisdiction.insert(EU.to_owned(), eu);
    }
    let by_category = store::mapping::results::count_by_category(&txn, run.id).await?;
    txn.commit().await?;
    Ok(Impact {
        affected_people: run.affected_people.unwrap_or(0),
        unmatched_people: run.unmatched_people.unwrap_or(0),
        by_jurisdiction,
        by_category,
        mapped_at: run.finished_at.unwrap_or(run.requested_at),
    })
}

/// An incident's current mapping: its one succeeded run.
pub(super) async fn current_run(
    db: &impl ConnectionTrait,
    incident_id: Uuid,
) -> Result<RunRow, MappingError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(MappingError::IncidentNotFound);
    }
    store::mapping::latest_run(db, incident_id, &[RunStatus::Succeeded])
        .await?
        .ok_or(MappingError::NotMapped)
}
