//! The audit chain's arithmetic: the canonical form of an entry and how each link's hash is
//! computed. `hash = SHA-256(previous hash ‖ canonical entry)`, hex encoded.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit entry, exactly the fields the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the chain, starting at 1 with no gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who did it: `user:<uuid>`, `cli` or `system`.
    pub actor: String,
    /// What was done, as `object.verb` (e.g. `incident.status_changed`).
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub incident_id: Option<Uuid>,
    /// A description free of personal data (ids, counts, states; never names or addresses).
    pub summary: String,
}

// Field order here is the canonical order; serde_json writes fields in declaration order and
// escapes strings deterministically, so the bytes are stable across platforms and backends.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    incident_id: Option<String>,
    summary: &'a str,
}

impl AuditRecord {
    /// The canonical bytes of this record: compact JSON with a fixed field order and
    /// timestamps in RFC 3339 UTC with microseconds.
    pub fn canonical(&self) -> Vec<u8> {
        let canonical = Canonical {
            seq: self.seq,
            at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: &self.actor,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            incident_id: self.incident_id.map(|id| id.to_string()),
            summary: &self.summary,
        };
        // Serializing a struct of strings and integers to a Vec cannot fail.
        serde_json::to_vec(&canonical).unwrap_or_default()
    }

    /// The hash of this record chained after `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(self.canonical());
        hex::encode(hasher.finalize())
    }
}

/// A stored link of the chain as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink {
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Where and why the chain stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: expected entry {expected} here; entries {expected}..{} are missing (deleted?)", seq - 1)]
    Gap { seq: i64, expected: i64 },
    #[error(
        "entry {seq}: its previous-hash does not match the entry before it (an earlier entry was deleted or altered)"
    )]
    BrokenLink { seq: i64 },
    #[error("entry {seq}: stored hash does not match its contents (the entry was edited)")]
    Altered { seq: i64 },
    #[error(
        "the chain ends at entry {last_seq} but the head records entry {head_seq} (entries were deleted from the end)"
    )]
    Truncated { last_seq: i64, head_seq: i64 },
    #[error("the head's hash does not match entry {seq} (the head or the last entry was edited)")]
    HeadMismatch { seq: i64 },
}

/// Walks a chain incrementally; feed links in `seq` order, then call [`ChainVerifier::finish`].
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next link.
    pub fn check(&mut self, link: &StoredLink) -> Result<(), ChainBreak> {
        let seq = link.record.seq;
        if seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                seq,
                expected: self.expected_seq,
            });
        }
        if link.prev_hash != self.prev_hash {
            return Err(ChainBreak::BrokenLink { seq });
        }
        if link.record.chain_hash(&link.prev_hash) != link.hash {
            return Err(ChainBreak::Altered { seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&link.hash);
        Ok(())
    }

    /// Compares the end of the walked chain with the recorded head; returns the entry count.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if last_seq != head_seq {
            return Err(ChainBreak::Truncated { last_seq, head_seq });
        }
        if self.prev_hash != head_hash {
            return Err(ChainBreak::HeadMismatch { seq: last_seq });
        }
        Ok(last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, summary: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at: DateTime::parse_from_rfc3339("2026-11-22T10:00:00.000001Z")
                .unwrap()
                .with_timezone(&Utc),
            actor: "cli".into(),
            action: "incident.created".into(),
            object_type: "incident".into(),
            object_id: "x".into(),
            incident_id: None,
            summary: summary.into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let record = record(seq, &format!("entry {seq}"));
                let hash = record.chain_hash(&prev);
                let link = StoredLink {
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                link
            })
            .collect()
    }

    fn verify(links: &[StoredLink], head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for link in links {
            verifier.check(link)?;
        }
        verifier.finish(head_seq, head_hash)
    }

    #[test]
    fn the_canonical_form_is_stable() {
        let bytes = record(1, "a \"quoted\" summary").canonical();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"seq":1,"at":"2026-11-22T10:00:00.000001Z","actor":"cli","action":"incident.created","object_type":"incident","object_id":"x","incident_id":null,"summary":"a \"quoted\" summary"}"#
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        let links = chain(5);
        assert_eq!(verify(&links, 5, &links[4].hash), Ok(5));
        assert_eq!(verify(&[], 0, GENESIS_HASH), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut links = chain(5);
        links[2].record.summary = "rewritten".into();
        let head = links[4].hash.clone();
        assert_eq!(
            verify(&links, 5, &head),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn a_deleted_middle_entry_is_named() {
        let mut links = chain(5);
        links.remove(1);
        let head = links[3].hash.clone();
        assert_eq!(
            verify(&links, 5, &head),
            Err(ChainBreak::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn a_deleted_tail_is_caught_by_the_head() {
        let links = chain(5);
        assert_eq!(
            verify(&links[..4], 5, &links[4].hash),
            Err(ChainBreak::Truncated {
                last_seq: 4,
                head_seq: 5
            })
        );
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_next_link() {
        let mut links = chain(5);
        links[1].record.summary = "rewritten".into();
        links[1].hash = links[1].record.chain_hash(&links[1].prev_hash);
        let head = links[4].hash.clone();
        assert_eq!(
            verify(&links, 5, &head),
            Err(ChainBreak::BrokenLink { seq: 3 })
        );
    }
}

/// Who performed an audited change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in staff member.
    User(Uuid),
    /// An operator at the command line on the server.
    Cli,
    /// Candor itself (workers, timers).
    System,
}

impl Actor {
    /// The label stored in the chain: `user:<uuid>`, `cli` or `system`.
    pub fn label(self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Cli => "cli".to_owned(),
            Actor::System => "system".to_owned(),
        }
    }

    /// The user behind the action, if any.
    pub fn user_id(self) -> Option<Uuid> {
        match self {
            Actor::User(id) => Some(id),
            Actor::Cli | Actor::System => None,
        }
    }
}
