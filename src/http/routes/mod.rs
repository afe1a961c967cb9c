//! Route handlers, one module per resource.

pub mod audit;
pub mod auth;
pub mod health;
pub mod incidents;
pub mod timeline;
pub mod users;
