//! A staff account as the rest of the service sees it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{EmailAddress, Role};

/// A person who signs in to Candor, with the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: Uuid,
    pub email: EmailAddress,
    /// Sorted, without repeats.
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl StaffUser {
    /// Whether the account may still sign in and act.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}
