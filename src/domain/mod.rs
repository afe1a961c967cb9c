//! Pure types and rules: roles, incident lifecycle, audit chain arithmetic, the clock.
//! Nothing here performs I/O or knows about sea-orm, axum or tokio.

pub mod audit;
pub mod clock;
pub mod email;
pub mod incident;
pub mod role;
pub mod user;

pub use clock::{Clock, ManualClock, SystemClock};
pub use email::EmailAddress;
pub use incident::{Incident, IncidentStatus, Severity, TimelineEntry, TimelineKind};
pub use role::Role;
pub use user::StaffUser;
