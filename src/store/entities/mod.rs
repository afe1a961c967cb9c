//! sea-orm entities, one per table. Only `store` uses them; capabilities see domain types.

pub mod audit_entries;
pub mod audit_heads;
pub mod incidents;
pub mod login_failures;
pub mod timeline_entries;
pub mod user_roles;
pub mod users;
