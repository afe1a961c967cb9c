//! Candor's database schema, as ordered sea-orm migrations that run on SQLite and PostgreSQL.
//!
//! Files are named `mYYYYMMDD_HHMMSS_<verb>_<table>.rs`; a migration, once released, is never
//! edited: a change to the schema is a new file.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_user_roles;
mod m20261122_000003_create_incidents;
mod m20261122_000004_create_timeline_entries;
mod m20261122_000005_create_audit_entries;
mod m20261122_000006_create_login_failures;
mod m20261122_000007_create_systems;
mod m20261122_000008_create_people;
mod m20261122_000009_create_holdings;
mod m20261122_000010_create_incident_scopes;
mod m20261122_000011_create_scope_records;
mod m20261122_000012_create_mapping_runs;
mod m20261122_000013_create_affected_people;
mod m20261122_000015_create_risk_assessments;
mod m20261122_000016_create_incident_events;
mod m20261122_000017_create_obligation_results;
mod m20261122_000018_create_duty_records;
mod m20261122_000019_create_duty_alerts;
mod m20261122_000020_create_notices;
mod m20261122_000021_create_notice_template_edits;
mod m20261122_000022_create_audience_hashes;
mod m20261123_000023_create_campaigns;
mod m20261123_000024_create_campaign_variants;
mod m20261123_000025_create_outbox;
mod m20261123_000026_create_notice_links;
mod m20261123_000027_add_campaign_waves;
mod m20261123_000028_create_contact_preferences;
mod m20261123_000029_create_survey_schedules;
mod m20261123_000030_create_survey_responses;
mod m20261123_000031_create_followup_actions;
mod m20261123_000032_add_incident_kind;
mod m20261123_000033_create_playbook_runs;
mod m20261123_000034_create_playbook_effects;
mod m20261123_000035_add_playbook_effect_timing;
mod m20261123_000036_create_playbook_tasks;
mod m20261123_000037_create_inventory_imports;
mod m20261123_000038_create_revoked_sessions;
mod m20261123_000039_drop_people_match_indexes_on_postgres;
mod m20261124_000040_outbox_due_and_leased_indexes;
mod m20261124_000041_split_outbox_state;

/// Runs every Candor migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_user_roles::Migration),
            Box::new(m20261122_000003_create_incidents::Migration),
            Box::new(m20261122_000004_create_timeline_entries::Migration),
            Box::new(m20261122_000005_create_audit_entries::Migration),
            Box::new(m20261122_000006_create_login_failures::Migration),
            Box::new(m20261122_000007_create_systems::Migration),
            Box::new(m20261122_000008_create_people::Migration),
            Box::new(m20261122_000009_create_holdings::Migration),
            Box::new(m20261122_000010_create_incident_scopes::Migration),
            Box::new(m20261122_000011_create_scope_records::Migration),
            Box::new(m20261122_000012_create_mapping_runs::Migration),
            Box::new(m20261122_000013_create_affected_people::Migration),
            Box::new(m20261122_000015_create_risk_assessments::Migration),
            Box::new(m20261122_000016_create_incident_events::Migration),
            Box::new(m20261122_000017_create_obligation_results::Migration),
            Box::new(m20261122_000018_create_duty_records::Migration),
            Box::new(m20261122_000019_create_duty_alerts::Migration),
            Box::new(m20261122_000020_create_notices::Migration),
            Box::new(m20261122_000021_create_notice_template_edits::Migration),
            Box::new(m20261122_000022_create_audience_hashes::Migration),
            Box::new(m20261123_000023_create_campaigns::Migration),
            Box::new(m20261123_000024_create_campaign_variants::Migration),
            Box::new(m20261123_000025_create_outbox::Migration),
            Box::new(m20261123_000026_create_notice_links::Migration),
            Box::new(m20261123_000027_add_campaign_waves::Migration),
            Box::new(m20261123_000028_create_contact_preferences::Migration),
            Box::new(m20261123_000029_create_survey_schedules::Migration),
            Box::new(m20261123_000030_create_survey_responses::Migration),
            Box::new(m20261123_000031_create_followup_actions::Migration),
            Box::new(m20261123_000032_add_incident_kind::Migration),
            Box::new(m20261123_000033_create_playbook_runs::Migration),
            Box::new(m20261123_000034_create_playbook_effects::Migration),
            Box::new(m20261123_000035_add_playbook_effect_timing::Migration),
            Box::new(m20261123_000036_create_playbook_tasks::Migration),
            Box::new(m20261123_000037_create_inventory_imports::Migration),
            Box::new(m20261123_000038_create_revoked_sessions::Migration),
            Box::new(m20261123_000039_drop_people_match_indexes_on_postgres::Migration),
            Box::new(m20261124_000040_outbox_due_and_leased_indexes::Migration),
            Box::new(m20261124_000041_split_outbox_state::Migration),
        ]
    }
}
