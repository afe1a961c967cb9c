//! The audit capability: append an entry inside the caller's transaction, list entries, and
//! verify the whole chain.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::domain::audit::{Actor, AuditRecord, ChainBreak, ChainVerifier, StoredLink};
use crate::store;

/// A change of state to record. `summary` must be free of personal data: ids, counts and
/// states only.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: Actor,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub incident_id: Option<Uuid>,
    pub summary: String,
}

/// Errors of the audit capability.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// Appends `event` to the chain inside the caller's transaction; returns its sequence number.
///
/// The head row is locked for the rest of the transaction, so appends from any number of
/// service instances form one unbroken chain in commit order.
pub async fn record(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    event: AuditEvent,
) -> Result<i64, DbErr> {
    let (head_seq, head_hash) = store::audit::lock_head(db).await?;
    let record = AuditRecord {
        seq: head_seq + 1,
        at,
        actor: event.actor.label(),
        action: event.action.to_owned(),
        object_type: event.object_type.to_owned(),
        object_id: event.object_id,
        incident_id: event.incident_id,
        summary: event.summary,
    };
    let hash = record.chain_hash(&head_hash);
    let seq = record.seq;
    store::audit::append(
        db,
        &StoredLink {
            record,
            prev_hash: head_hash,
            hash,
        },
    )
    .await?;
    Ok(seq)
}

/// Entries, oldest first, optionally for one incident, paged by sequence number.
pub async fn list(
    db: &DatabaseConnection,
    incident_id: Option<Uuid>,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<StoredLink>, AuditError> {
    Ok(store::audit::list(db, incident_id, after_seq, limit).await?)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry matched; `entries` were checked and the chain ends at `head_hash`.
    Intact { entries: i64, head_hash: String },
    /// The first problem found.
    Broken(ChainBreak),
}

/// Walks the chain from the first entry to the head, recomputing every hash.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, AuditError> {
    // Entries and the head commit together, so every entry up to the head read here exists;
    // entries appended while we walk are past it and are left for the next run.
    let (head_seq, head_hash) = store::audit::head(db).await?;
    let mut verifier = ChainVerifier::default();
    let walked = store::audit::for_each(db, head_seq, |link| verifier.check(&link)).await?;
    if let Err(broken) = walked {
        return Ok(Verification::Broken(broken));
    }
    match verifier.finish(head_seq, &head_hash) {
        Ok(entries) => Ok(Verification::Intact { entries, head_hash }),
        Err(broken) => Ok(Verification::Broken(broken)),
    }
}
