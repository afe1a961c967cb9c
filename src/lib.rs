//! Candor: a breach-notification and incident-response orchestrator.
//!
//! Layers point one way: `domain` ← `store` ← capabilities (`auth`, `incident`, `audit`) ←
//! `http` / `app`.

pub mod domain;
pub mod store;
pub mod audit;
pub mod auth;
pub mod incident;
pub mod app;
pub mod http;
pub mod settings;
pub mod telemetry;
pub mod cli;
