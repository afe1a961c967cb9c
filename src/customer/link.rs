//! Resolving a signed link: the token checked for its purpose, then the link row it names
//! (same incident, not revoked, not expired).

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::CustomerError;
use crate::delivery::links::LinkError;
use crate::delivery::{LinkKeys, LinkPurpose};
use crate::store;

/// A person who opened one of their links, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// Their link row: everything they see or change is keyed by it.
    pub link_id: Uuid,
    pub incident_id: Uuid,
    /// Personal data for people known only by a record: never log it.
    pub person_key: String,
    /// When the link row stops working.
    pub expires_at: DateTime<Utc>,
}

/// The visitor a `purpose` token names at `now`. A token that is malformed, forged, for the
/// other purpose, names no link row or names one of another incident is [`CustomerError::Invalid`]
/// (with no more said about why); an expired token or row is `Expired`, a revoked row `Revoked`.
pub async fn visitor(
    db: &impl ConnectionTrait,
    keys: &LinkKeys,
    purpose: LinkPurpose,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Visitor, CustomerError> {
    let claims = keys.verify(purpose, token, now).map_err(|e| match e {
        LinkError::Expired => CustomerError::Expired,
        LinkError::Invalid | LinkError::Signing => CustomerError::Invalid,
    })?;
    let row = store::delivery::link(db, claims.sub)
        .await?
        .filter(|row| row.incident_id == claims.inc)
        .ok_or(CustomerError::Invalid)?;
    if row.revoked_at.is_some() {
        return Err(CustomerError::Revoked);
    }
    if row.expires_at <= now {
        return Err(CustomerError::Expired);
    }
    Ok(Visitor {
        link_id: row.id,
        incident_id: row.incident_id,
        person_key: row.person_key,
        expires_at: row.expires_at,
    })
}

impl Visitor {
    /// The path of the visitor's `purpose` page (`/s/{token}`), its token expiring with the
    /// link row.
    pub fn path(&self, keys: &LinkKeys, purpose: LinkPurpose) -> Result<String, CustomerError> {
        let token = keys
            .sign(purpose, self.link_id, self.incident_id, self.expires_at)
            .map_err(|_| CustomerError::Signing)?;
        Ok(format!("/{}/{token}", purpose.path()))
    }
}
