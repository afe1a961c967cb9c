//! The outbox to drain, made the way the service makes it: a customer inventory imported with
//! the functions `candor import` uses, an incident scoped and mapped, a responder's initial
//! notice with clean words, approved by a CX lead, then sent — one outbox row per person.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use candor::auth::{self, NewUserInput};
use candor::delivery::{self, SendOptions, SendSettings};
use candor::domain::audit::Actor;
use candor::domain::notice::NoticeKind;
use candor::domain::{Clock, DataCategory, Role, Severity};
use candor::incident::{self, NewIncident};
use candor::inventory::{self, ImportOptions};
use candor::mapping::{self, ScopeSystemInput};
use candor::notice::drafts::{self, Approver, NoticeConfig};
use candor::obligation::ObligationConfig;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use uuid::Uuid;

/// The one system holding every customer, and what it holds.
const SYSTEM: &str = "billing-db";
const HELD: &str = "name;email;postal_address;ssn";
/// What the incident exposed.
const EXPOSED: &[DataCategory] = &[DataCategory::Name, DataCategory::Email, DataCategory::Ssn];

/// Where people live (country, region); EU countries have no region.
const PLACES: &[(&str, &str)] = &[
    ("US", "CA"),
    ("US", "TX"),
    ("US", "NY"),
    ("US", "FL"),
    ("US", "IL"),
    ("US", "WA"),
    ("US", "MA"),
    ("US", "CA"),
    ("US", "TX"),
    ("US", "NY"),
    ("US", "GA"),
    ("US", "CO"),
    ("DE", ""),
    ("FR", ""),
    ("ES", ""),
    ("IE", ""),
];
const GIVEN: &[&str] = &[
    "Ada", "Grace", "Alan", "Emmy", "José", "María", "Lucía", "Chen", "Amara", "Noah",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Noether", "Núñez", "García", "Okafor", "Smith", "Müller",
];

/// The inventory files of one size, written once and kept for reruns.
pub struct Files {
    systems: PathBuf,
    customers: PathBuf,
    holdings: PathBuf,
}

/// Writes (or finds) the inventory of `people` customers under `dir`.
pub fn files(dir: &Path, people: u64) -> std::io::Result<Files> {
    let files = Files {
        systems: dir.join("systems.csv"),
        customers: dir.join("customers.csv"),
        holdings: dir.join("holdings.csv"),
    };
    if files.holdings.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &files.systems,
        format!(
            "system,description,owner,encrypted_at_rest\n{SYSTEM},Billing database,finance,false\n"
        ),
    )?;
    let mut customers = String::from(
        "customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,\
         country,locale,tier,customer_since,preferred_channel\n",
    );
    let mut holdings = String::from(
        "system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to\n",
    );
    for i in 0..people {
        let (country, region) = PLACES[(i as usize * 7) % PLACES.len()];
        // About one in five reads Spanish: everyone in Spain, and some in the US.
        let locale = if country == "ES" || i % 9 == 4 {
            "es"
        } else {
            "en"
        };
        let given = GIVEN[i as usize % GIVEN.len()];
        let family = FAMILY[(i as usize / GIVEN.len()) % FAMILY.len()];
        let _ = writeln!(
            customers,
            "C{i:09},{given},{family},person{i}@example.test,+1555{:07},{} Main Street,Springfield,\
             {region},{:05},{country},{locale},standard,2019-0{}-1{},email",
            i % 10_000_000,
            i % 999 + 1,
            i % 99_999,
            i % 9 + 1,
            i % 10,
        );
        let _ = writeln!(
            holdings,
            "{SYSTEM},R{i:010},C{i:09},,,{HELD},2021-0{}-01,",
            i % 9 + 1
        );
    }
    std::fs::write(&files.customers, customers)?;
    std::fs::write(&files.holdings, holdings)?;
    Ok(files)
}

/// A sent notice: its outbox holds one `pending` row per person.
pub struct Seeded {
    pub campaign_id: Uuid,
    pub rows: u64,
    /// Importing, mapping and drafting (not measured against anything).
    pub setup: Duration,
    /// `send_notice`: the outbox rows written in one transaction.
    pub enqueue: Duration,
}

/// What the service is configured with.
pub struct Service<'a> {
    pub db: &'a DatabaseConnection,
    pub clock: &'a dyn Clock,
    pub notices: &'a NoticeConfig,
    pub obligations: &'a ObligationConfig,
    pub sending: &'a SendSettings,
}

/// Imports the inventory, maps the incident, drafts, approves and sends its initial notice.
pub async fn seed(service: &Service<'_>, files: &Files) -> Seeded {
    let (db, clock) = (service.db, service.clock);
    let started = Instant::now();
    let options = ImportOptions::default();
    let now = clock.now();
    inventory::import_systems(db, Actor::Cli, &files.systems, &options, now)
        .await
        .expect("systems import");
    inventory::import_customers(db, Actor::Cli, &files.customers, &options, now)
        .await
        .expect("customers import");
    inventory::import_holdings(db, Actor::Cli, &files.holdings, &options, now)
        .await
        .expect("holdings import");
    let responder = user(service, "responder@bench.candor.test", Role::Responder).await;
    let lead = user(service, "cx-lead@bench.candor.test", Role::CxLead).await;
    let incident_id = mapped_incident(service, responder).await;

    let now = clock.now();
    let draft = drafts::create(
        db,
        service.notices,
        responder,
        incident_id,
        NoticeKind::InitialNotice,
        now,
    )
    .await
    .expect("draft");
    let change = serde_json::from_value(clean_content()).expect("content change");
    drafts::edit(db, responder, incident_id, draft.id, change, None, now)
        .await
        .expect("draft edited");
    let approver = Approver {
        id: lead,
        is_cx_lead: true,
    };
    drafts::approve(
        db,
        service.notices,
        service.obligations,
        approver,
        incident_id,
        draft.id,
        clock.now(),
    )
    .await
    .expect("approved");
    let setup = started.elapsed();

    let started = Instant::now();
    let sent = delivery::send_notice(
        db,
        service.notices,
        service.obligations,
        service.sending,
        (lead, candor::domain::audit::Actor::User(lead)),
        incident_id,
        draft.id,
        SendOptions::default(),
        clock.now(),
    )
    .await
    .expect("notice sent");
    let enqueue = started.elapsed();
    let rows = crate::drain::count(db, "status = 'pending'").await;
    Seeded {
        campaign_id: sent.campaign.id,
        rows,
        setup,
        enqueue,
    }
}

async fn user(service: &Service<'_>, email: &str, role: Role) -> Uuid {
    let input = NewUserInput {
        email: email.to_owned(),
        password: SecretString::from(format!("bench-{}", Uuid::new_v4())),
        roles: vec![role],
    };
    auth::add_user(service.db, Actor::Cli, input, service.clock.now())
        .await
        .expect("staff user")
        .id
}

/// An incident whose scope exposes every customer's name, email and SSN; mapped.
async fn mapped_incident(service: &Service<'_>, responder: Uuid) -> Uuid {
    let (db, clock) = (service.db, service.clock);
    let now = clock.now();
    let actor = Actor::User(responder);
    let created = incident::create(
        db,
        actor,
        NewIncident {
            title: "Billing records copied with a stolen staff password".into(),
            summary: "Someone used a stolen staff password to copy billing records.".into(),
            severity: Severity::High,
            kind: candor::domain::IncidentKind::DataBreach,
            discovered_at: now - chrono::Duration::hours(30),
            occurred_from: Some(now - chrono::Duration::days(12)),
            occurred_to: Some(now - chrono::Duration::days(10)),
            commander_id: Some(responder),
        },
        now,
    )
    .await
    .expect("incident");
    let scope = vec![ScopeSystemInput {
        system: SYSTEM.to_owned(),
        categories: EXPOSED.to_vec(),
        from: "2020-01-01".into(),
        to: "2026-06-30".into(),
        encrypted: false,
        key_compromised: false,
    }];
    mapping::set_scope(db, actor, created.id, scope, now)
        .await
        .expect("scope");
    let run = mapping::request_mapping(db, actor, created.id, now)
        .await
        .expect("mapping requested");
    mapping::execute_run(db, run.id, clock, &mapping::MappingConfig::default())
        .await
        .expect("mapping runs");
    created.id
}

/// The words of a draft the shipped templates lint clean with: what the notice API tests send
/// (`tests/api/notices/mod.rs`, `clean_content()`).
fn clean_content() -> serde_json::Value {
    serde_json::json!({
        "what_happened": "On March 3, someone used a stolen staff password to get into our billing system. They copied some customer records before we found them and shut them out two days later.",
        "what_we_are_doing": "We locked the stolen account and reset every staff password. We added a second check to every staff sign-in. We told the police, and we are working with a security firm to check all our systems.",
        "likely_consequences": "Someone could use this information to pretend to be you, to open accounts in your name, or to send you emails that look like they come from us.",
        "offer": {
            "provider": "Sample Monitoring",
            "months": 24,
            "url": "https://monitoring.sample-company.test/enroll",
            "code": "SC-2026-0317",
            "enroll_by": "2027-06-30",
        },
        "contact": {
            "name": "Sample Company privacy team",
            "email": "privacy@sample-company.test",
            "phone": "+1 800 555 0100",
            "hours": "Monday to Friday, 8 am to 8 pm Eastern",
            "url": "https://www.sample-company.test/help",
            "postal_address": "Sample Company, 100 Main Street, Springfield, IL 62701",
        },
        "password_reset_url": "https://www.sample-company.test/reset",
    })
}
