//! Candor: a breach-notification and incident-response orchestrator.
//!
//! Layers point one way: `domain` ← `store` ← capabilities (`auth`, `incident`, `audit`) ←
//! `http` / `app`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod customer;
pub mod delivery;
pub mod domain;
/// Entry points for the fuzz targets; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod incident;
pub mod inventory;
pub mod mail;
pub mod mapping;
pub mod notice;
pub mod obligation;
pub mod playbook;
pub mod rules;
pub mod settings;
pub mod store;
pub mod survey;
pub mod telemetry;
