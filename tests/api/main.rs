//! The HTTP API, tested through a real server on port 0 with a database of its own: a fresh
//! SQLite file, or a fresh PostgreSQL database when `CANDOR_TEST_PG` is set.

mod audit;
mod auth;
mod browser;
mod customer;
mod delivery;
mod demo;
mod errors;
mod faults;
mod helpers;
mod incidents;
mod inventory;
mod mapping;
mod migrations;
mod notices;
mod obligations;
mod operations;
mod playbook_flow;
mod playbook_runs;
mod playbooks;
mod security;
mod smoke;
mod smtp_server;
mod staff_client;
mod staff_inventory;
mod staff_pages;
mod staff_sections_cx;
mod staff_sections_ops;
mod staff_survey;
mod startup;
mod survey;
