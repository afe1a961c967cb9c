//! How a person wants to hear about an incident: what they chose on their page (or what
//! Candor does until they choose), which channels can reach them, and saving a choice.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;

use super::{CustomerError, Visitor};
use crate::audit::AuditEvent;
use crate::domain::audit::Actor;
use crate::domain::survey::{ContactChannel, Frequency};
use crate::store;
use crate::store::delivery::outbox::LinkMessage;
use crate::store::survey::preferences::PreferenceRow;

/// A person's contact preferences for an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preferences {
    pub channel: ContactChannel,
    pub frequency: Frequency,
    /// When the person set them; `None`: they have not, and these are what Candor does.
    pub set_at: Option<DateTime<Utc>>,
}

/// Which channels Candor has an address for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reachable {
    /// One of their messages went by email.
    pub email: bool,
    /// Their notice had a postal address.
    pub postal: bool,
}

impl Reachable {
    /// From a person's messages.
    pub(super) fn of(messages: &[LinkMessage]) -> Reachable {
        let postal = messages.iter().any(|m| {
            m.channel == "postal"
                || serde_json::from_str::<Value>(&m.person)
                    .ok()
                    .and_then(|p| p.get("address").cloned())
                    .is_some_and(|a| a.is_object())
        });
        Reachable {
            email: messages.iter().any(|m| m.channel == "email"),
            postal,
        }
    }

    /// Whether `channel` may be chosen: text messages may (the page says honestly that they
    /// are not sent yet, and Candor keeps writing by email or post).
    pub fn allows(self, channel: ContactChannel) -> bool {
        match channel {
            ContactChannel::Email => self.email,
            ContactChannel::Postal => self.postal,
            ContactChannel::Sms => true,
        }
    }
}

/// The person's preferences: theirs, else the channel of `current` (the message their page
/// shows) and every development.
pub(super) async fn current(
    db: &impl ConnectionTrait,
    visitor: &Visitor,
    current: &LinkMessage,
) -> Result<Preferences, CustomerError> {
    let stored = store::survey::preferences::of_link(db, visitor.link_id).await?;
    let parse = |row: &PreferenceRow| {
        Some(Preferences {
            channel: row.channel.parse().ok()?,
            frequency: row.frequency.parse().ok()?,
            set_at: Some(row.updated_at),
        })
    };
    Ok(stored.as_ref().and_then(parse).unwrap_or(Preferences {
        channel: current.channel.parse().unwrap_or(ContactChannel::Email),
        frequency: Frequency::Every,
        set_at: None,
    }))
}

/// Saves a person's choice, with its audit entry (which names the choice, not the person).
/// A channel Candor has no address for is refused.
pub async fn set_preferences(
    db: &DatabaseConnection,
    visitor: &Visitor,
    channel: ContactChannel,
    frequency: Frequency,
    now: DateTime<Utc>,
) -> Result<(), CustomerError> {
    let messages = store::delivery::outbox::of_link(db, visitor.link_id).await?;
    if !Reachable::of(&messages).allows(channel) {
        return Err(CustomerError::Unreachable(channel));
    }
    let txn = store::begin_write(db).await?;
    store::survey::preferences::put(
        &txn,
        PreferenceRow {
            link_id: visitor.link_id,
            incident_id: visitor.incident_id,
            person_key: visitor.person_key.clone(),
            channel: channel.as_str().to_owned(),
            frequency: frequency.as_str().to_owned(),
            updated_at: now,
        },
    )
    .await?;
    crate::audit::record(
        &txn,
        now,
        AuditEvent {
            actor: Actor::System,
            action: "customer.preferences",
            object_type: "notice_link",
            object_id: visitor.link_id.to_string(),
            incident_id: Some(visitor.incident_id),
            summary: format!("a person set their contact preferences: {channel}, {frequency}"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
