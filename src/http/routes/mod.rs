//! Route handlers, one module per resource.

pub mod audit;
pub mod auth;
pub mod delivery;
pub mod health;
pub mod incidents;
pub mod inventory;
pub mod mapping;
pub mod notices;
pub mod obligations;
pub mod playbook;
pub mod reports;
pub mod risk;
pub mod scope;
pub mod survey;
pub mod timeline;
pub mod users;
