//! The audit chain's rows: entries and the one-row head.

use futures_util::TryStreamExt;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, StreamTrait,
};
use uuid::Uuid;

use super::entities::{audit_entries, audit_heads};
use crate::domain::audit::{AuditRecord, StoredLink};

const HEAD_ID: i32 = 1;

/// Reads the head `(seq, hash)`, locking it until the transaction ends (PostgreSQL
/// `FOR UPDATE`; on SQLite the caller's `BEGIN IMMEDIATE` already serializes writers).
pub async fn lock_head(db: &impl ConnectionTrait) -> Result<(i64, String), DbErr> {
    let head = audit_heads::Entity::find_by_id(HEAD_ID)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit head row is missing".into()))?;
    Ok((head.seq, head.hash))
}

/// Reads the head without locking it.
pub async fn head(db: &impl ConnectionTrait) -> Result<(i64, String), DbErr> {
    let head = audit_heads::Entity::find_by_id(HEAD_ID)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit head row is missing".into()))?;
    Ok((head.seq, head.hash))
}

/// Appends a link and moves the head to it.
pub async fn append(db: &impl ConnectionTrait, link: &StoredLink) -> Result<(), DbErr> {
    let r = &link.record;
    audit_entries::Entity::insert(audit_entries::ActiveModel {
        seq: Set(r.seq),
        at: Set(r.at),
        actor: Set(r.actor.clone()),
        action: Set(r.action.clone()),
        object_type: Set(r.object_type.clone()),
        object_id: Set(r.object_id.clone()),
        incident_id: Set(r.incident_id),
        summary: Set(r.summary.clone()),
        prev_hash: Set(link.prev_hash.clone()),
        hash: Set(link.hash.clone()),
    })
    .exec_without_returning(db)
    .await?;
    audit_heads::Entity::update(audit_heads::ActiveModel {
        id: Set(HEAD_ID),
        seq: Set(r.seq),
        hash: Set(link.hash.clone()),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Entries, oldest first, optionally only those about one incident; at most `limit` after
/// `after_seq`.
pub async fn list(
    db: &impl ConnectionTrait,
    incident_id: Option<Uuid>,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<StoredLink>, DbErr> {
    let mut query = audit_entries::Entity::find().filter(audit_entries::Column::Seq.gt(after_seq));
    if let Some(id) = incident_id {
        query = query.filter(audit_entries::Column::IncidentId.eq(id));
    }
    let rows = query
        .order_by_asc(audit_entries::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_link).collect())
}

/// Streams the chain up to and including `upto_seq` in order to `visit`, in constant memory;
/// stops at the first error `visit` returns.
pub async fn for_each<C, E>(
    db: &C,
    upto_seq: i64,
    mut visit: impl FnMut(StoredLink) -> Result<(), E>,
) -> Result<Result<(), E>, DbErr>
where
    C: ConnectionTrait + StreamTrait,
{
    let mut stream = audit_entries::Entity::find()
        .filter(audit_entries::Column::Seq.lte(upto_seq))
        .order_by_asc(audit_entries::Column::Seq)
        .stream(db)
        .await?;
    while let Some(row) = stream.try_next().await? {
        if let Err(e) = visit(to_link(row)) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

fn to_link(m: audit_entries::Model) -> StoredLink {
    StoredLink {
        record: AuditRecord {
            seq: m.seq,
            at: m.at,
            actor: m.actor,
            action: m.action,
            object_type: m.object_type,
            object_id: m.object_id,
            incident_id: m.incident_id,
            summary: m.summary,
        },
        prev_hash: m.prev_hash,
        hash: m.hash,
    }
}
