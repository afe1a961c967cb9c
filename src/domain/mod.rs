//! Pure types and rules: roles, incident lifecycle, audit chain arithmetic, the clock.
//! Nothing here performs I/O or knows about sea-orm, axum or tokio.

pub mod audit;
pub mod category;
pub mod clock;
pub mod delivery;
pub mod email;
pub mod file_problem;
pub mod incident;
pub mod inventory;
pub mod jurisdiction;
pub mod keyed;
pub mod notice;
pub mod playbook;
pub mod problem;
pub mod role;
pub mod survey;
pub mod user;

pub use category::{CategorySet, DataCategory};
pub use clock::{Clock, ManualClock, SystemClock};
pub use email::EmailAddress;
pub use incident::{Incident, IncidentKind, IncidentStatus, Severity, TimelineEntry, TimelineKind};
pub use problem::Problem;
pub use role::Role;
pub use user::StaffUser;
