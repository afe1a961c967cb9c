//! Computing an incident's obligations from its facts, and keeping each distinct result with
//! the rules version that produced it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::{ObligationConfig, ObligationError};
use crate::audit::{self, AuditEvent};
use crate::domain::Incident;
use crate::domain::audit::Actor;
use crate::rules::{self, Facts, Group, JurisdictionResult};
use crate::store;
use crate::store::mapping::RunStatus;
use crate::store::obligation_results::StoredResult;
use crate::store::obligations::{DutyRecord, RiskAssessment};

/// An incident's obligations as computed now, with what they were computed from.
#[derive(Debug, Clone)]
pub struct Computed {
    pub incident: Incident,
    /// The mapping run whose population was used.
    pub mapping_id: Uuid,
    /// `RELEASE+HASH` of the rules pack.
    pub rules_version: String,
    pub computed_at: DateTime<Utc>,
    pub jurisdictions: Vec<JurisdictionResult>,
    /// Duties marked done, by key.
    pub done: BTreeMap<String, DutyRecord>,
    pub population: Vec<Group>,
    pub risk: Option<RiskAssessment>,
}

impl Computed {
    /// Every duty of every jurisdiction.
    pub fn duties(&self) -> impl Iterator<Item = &rules::Duty> {
        self.jurisdictions.iter().flat_map(|j| j.duties.iter())
    }
}

/// Reads an incident's facts in one snapshot and runs the engine; stores nothing.
pub async fn evaluate_incident(
    db: &DatabaseConnection,
    config: &ObligationConfig,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Computed, ObligationError> {
    // One snapshot: a mapping that completes meanwhile cannot mix its people with these.
    let txn = store::mapping::begin_snapshot(db).await?;
    let computed = evaluate_in(&txn, config, incident_id, now).await;
    txn.commit().await?;
    computed
}

async fn evaluate_in(
    db: &impl ConnectionTrait,
    config: &ObligationConfig,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Computed, ObligationError> {
    let incident = store::incidents::find(db, incident_id)
        .await?
        .ok_or(ObligationError::IncidentNotFound)?;
    let run = store::mapping::latest_run(db, incident_id, &[RunStatus::Succeeded])
        .await?
        .ok_or(ObligationError::NotMapped)?;
    let population = store::population::groups(db, run.id).await?;
    let anchors = store::obligations::events(db, incident_id).await?;
    let risk = store::obligations::risk_assessment(db, incident_id).await?;
    let done = store::obligations::duty_records(db, incident_id).await?;
    let facts = Facts {
        discovered_at: incident.discovered_at,
        anchors,
        organization_traits: &config.traits,
        population: &population,
        risk: risk.as_ref().map(|r| r.likelihood),
    };
    let jurisdictions = rules::evaluate(&config.pack, &facts);
    Ok(Computed {
        incident,
        mapping_id: run.id,
        rules_version: config.pack.version().to_string(),
        computed_at: now,
        jurisdictions,
        done,
        population,
        risk,
    })
}

/// Computes an incident's obligations and stores the result when it differs from the last
/// one stored (its rules version, mapping or content), so history is never rewritten.
pub async fn compute(
    db: &DatabaseConnection,
    config: &ObligationConfig,
    actor: Actor,
    incident_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Computed, ObligationError> {
    let computed = evaluate_incident(db, config, incident_id, now).await?;
    let result = serde_json::to_string(&computed.jurisdictions)
        .map_err(|e| ObligationError::Render(e.to_string()))?;
    let latest = store::obligation_results::latest(db, incident_id).await?;
    if latest.as_ref().is_some_and(|l| same(l, &computed, &result)) {
        return Ok(computed);
    }
    let txn = store::begin_write(db).await?;
    let latest = store::obligation_results::latest(&txn, incident_id).await?;
    if latest.as_ref().is_some_and(|l| same(l, &computed, &result)) {
        return Ok(computed);
    }
    let stored = StoredResult {
        id: Uuid::now_v7(),
        incident_id,
        seq: latest.map_or(1, |l| l.seq + 1),
        mapping_id: computed.mapping_id,
        rules_version: computed.rules_version.clone(),
        computed_at: now,
        result,
    };
    match store::obligation_results::insert(&txn, &stored).await {
        Ok(()) => {}
        // Another request stored this result first (PostgreSQL: both read the same latest).
        Err(e) if store::is_unique_violation(&e) => return Ok(computed),
        Err(e) => return Err(e.into()),
    }
    let required = computed.duties().filter(|d| d.required).count();
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "obligations.computed",
            object_type: "obligation_result",
            object_id: stored.id.to_string(),
            incident_id: Some(incident_id),
            summary: format!(
                "obligations result {} under rules {}: {} jurisdictions, {} duties required",
                stored.seq,
                stored.rules_version,
                computed.jurisdictions.len(),
                required
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(computed)
}

fn same(stored: &StoredResult, computed: &Computed, result: &str) -> bool {
    stored.rules_version == computed.rules_version
        && stored.mapping_id == computed.mapping_id
        && stored.result == result
}

/// One stored result, its JSON parsed back.
#[derive(Debug, Clone)]
pub struct History {
    pub id: Uuid,
    pub seq: i32,
    pub mapping_id: Uuid,
    pub rules_version: String,
    pub computed_at: DateTime<Utc>,
    pub jurisdictions: serde_json::Value,
}

/// Every result stored for an incident, oldest first.
pub async fn history(
    db: &DatabaseConnection,
    incident_id: Uuid,
) -> Result<Vec<History>, ObligationError> {
    if store::incidents::find(db, incident_id).await?.is_none() {
        return Err(ObligationError::IncidentNotFound);
    }
    store::obligation_results::list(db, incident_id)
        .await?
        .into_iter()
        .map(|s| {
            // Kept as stored: an older rules version may have written fields this one lacks.
            let jurisdictions = serde_json::from_str(&s.result)
                .map_err(|e| ObligationError::Render(format!("stored result {}: {e}", s.id)))?;
            Ok(History {
                id: s.id,
                seq: s.seq,
                mapping_id: s.mapping_id,
                rules_version: s.rules_version,
                computed_at: s.computed_at,
                jurisdictions,
            })
        })
        .collect()
}
