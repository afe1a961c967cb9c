//! sea-orm entities, one per table. Only `store` uses them; capabilities see domain types.

pub mod affected_people;
pub mod audience_hashes;
pub mod audit_entries;
pub mod audit_heads;
pub mod campaign_variants;
pub mod campaigns;
pub mod duty_alerts;
pub mod duty_records;
pub mod holdings;
pub mod incident_events;
pub mod incident_scopes;
pub mod incidents;
pub mod login_failures;
pub mod mapping_runs;
pub mod notice_links;
pub mod notice_template_edits;
pub mod notices;
pub mod obligation_results;
pub mod people;
pub mod risk_assessments;
pub mod scope_records;
pub mod systems;
pub mod timeline_entries;
pub mod user_roles;
pub mod users;
