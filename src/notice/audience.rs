//! The SHA-256 of a mapping's audience, which an approval is bound to: every person's key,
//! place and exposed data, in key order. A succeeded mapping never changes, so the hash is
//! computed once, read in pages, and kept.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::store::notices::audience as store;

/// People read per query while hashing.
const PAGE: u64 = 5_000;

/// The audience hash of a mapping and its head count, computed on first use.
pub async fn audience_hash(
    db: &impl ConnectionTrait,
    mapping_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, i64), DbErr> {
    if let Some(stored) = store::stored_hash(db, mapping_id).await? {
        return Ok(stored);
    }
    let mut hasher = Sha256::new();
    let mut people = 0i64;
    let mut after: Option<String> = None;
    loop {
        let page = store::audience_after(db, mapping_id, after.as_deref(), PAGE).await?;
        for row in &page {
            hasher.update(row.person_key.as_bytes());
            hasher.update(
                format!(
                    "\t{}\t{}\t{}\t{}\n",
                    row.jurisdiction, row.in_eu, row.categories, row.unprotected
                )
                .as_bytes(),
            );
        }
        people += page.len() as i64;
        match page.last() {
            Some(last) if page.len() as u64 == PAGE => after = Some(last.person_key.clone()),
            _ => break,
        }
    }
    let hash = hex::encode(hasher.finalize());
    store::store_hash(db, mapping_id, &hash, people, now).await?;
    Ok((hash, people))
}
