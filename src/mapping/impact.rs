//! The impact summary of an incident's current mapping: how many people, where they live,
//! which of their data.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex, PoisonError};

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

/// The counts of a succeeded run, by run id. A run's results never change once it has
/// succeeded (a new mapping is a new run, and replaces the current one), so the counts are
/// worked out once per run and process instead of on every read: they scan every result row,
/// which made `GET …/impact` some 70 times slower than reading the incident under load
/// (RELIABILITY.md). Bounded: it is emptied when full.
type ImpactCounts = (BTreeMap<String, i64>, BTreeMap<DataCategory, i64>);
static COUNTS: LazyLock<Mutex<HashMap<Uuid, ImpactCounts>>> = LazyLock::new(Mutex::default);
const COUNTS_KEPT: usize = 256;

/// The impact of an incident's current (newest succeeded) mapping.
pub async fn impact(db: &DatabaseConnection, incident_id: Uuid) -> Result<Impact, MappingError> {
    // One snapshot: a run that completes meanwhile cannot mix its counts with these.
    let txn = store::mapping::begin_snapshot(db).await?;
    let run = current_run(&txn, incident_id).await?;
    let kept = COUNTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&run.id)
        .cloned();
    let (by_jurisdiction, by_category) = match kept {
        Some(counts) => counts,
        None => {
            let (mut by_jurisdiction, eu) =
                store::mapping::results::count_by_jurisdiction(&txn, run.id).await?;
            if eu > 0 {
                by_jurisdiction.insert(EU.to_owned(), eu);
            }
            let by_category = store::mapping::results::count_by_category(&txn, run.id).await?;
            let mut counts = COUNTS.lock().unwrap_or_else(PoisonError::into_inner);
            if counts.len() >= COUNTS_KEPT {
                counts.clear();
            }
            counts.insert(run.id, (by_jurisdiction.clone(), by_category.clone()));
            (by_jurisdiction, by_category)
        }
    };
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
