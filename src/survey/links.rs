//! Revoking a person's link: their personal page and survey stop opening (a forwarded notice,
//! a person who asks). Every token naming the link is refused from then on.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::SurveyError;
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::store;

/// Revokes the link of the incident's person known as `customer_ref`; returns the link and
/// whether it was live until now.
pub async fn revoke_link(
    db: &DatabaseConnection,
    by: Uuid,
    incident_id: Uuid,
    customer_ref: &str,
    now: DateTime<Utc>,
) -> Result<(Uuid, bool), SurveyError> {
    let txn = store::begin_write(db).await?;
    let link_id = store::delivery::outbox::link_of_customer(&txn, incident_id, customer_ref)
        .await?
        .ok_or(SurveyError::NoLink)?;
    let revoked = store::delivery::revoke_link(&txn, incident_id, link_id, now).await?;
    if revoked {
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: Actor::User(by),
                action: "link.revoked",
                object_type: "notice_link",
                object_id: link_id.to_string(),
                incident_id: Some(incident_id),
                summary: "a person's page and survey link was revoked".to_owned(),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok((link_id, revoked))
}
