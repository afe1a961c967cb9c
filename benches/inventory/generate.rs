//! A realistic synthetic inventory: people spread over jurisdictions, several systems holding
//! overlapping records about them (with the email case and padding real exports have), records
//! linked only by email or phone, and records that match nobody. Deterministic for a seed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The systems and the categories each one holds.
pub const SYSTEMS: &[(&str, &str)] = &[
    (
        "billing-db",
        "name;email;postal_address;payment_card;purchase_history",
    ),
    ("crm", "name;email;phone;postal_address;date_of_birth"),
    ("support-desk", "name;email;phone"),
    (
        "identity",
        "email;account_credentials;security_qa;ip_address",
    ),
    (
        "payroll-export",
        "name;ssn;financial_account;postal_address",
    ),
    ("marketing", "email;geolocation;purchase_history"),
];

/// Where people live: (country, regions, weight).
const PLACES: &[(&str, &[&str], u32)] = &[
    (
        "US",
        &["CA", "TX", "NY", "FL", "IL", "WA", "MA", "NJ", "GA", "CO"],
        55,
    ),
    ("CA", &["ON", "QC", "BC", "AB"], 8),
    ("DE", &[""], 5),
    ("FR", &[""], 4),
    ("ES", &[""], 3),
    ("IE", &[""], 2),
    ("NL", &[""], 2),
    ("GB", &[""], 8),
    ("AU", &[""], 4),
    ("BR", &[""], 4),
    ("SG", &[""], 2),
    ("JP", &[""], 3),
];

/// The files a generation wrote and what they hold.
#[derive(Debug, Clone)]
pub struct Generated {
    pub systems: PathBuf,
    pub customers: PathBuf,
    pub holdings: PathBuf,
    pub people: u64,
    pub holding_rows: u64,
}

/// Writes `systems.csv`, `customers.csv` and `holdings.csv` into `dir`: `people` customers and
/// about `holdings` records.
pub fn generate(dir: &Path, people: u64, holdings: u64, seed: u64) -> std::io::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let systems = dir.join("systems.csv");
    let mut out = BufWriter::new(File::create(&systems)?);
    writeln!(out, "system,description,owner,encrypted_at_rest")?;
    for (i, (name, _)) in SYSTEMS.iter().enumerate() {
        writeln!(out, "{name},Synthetic system {i},team-{i},{}", i % 2 == 0)?;
    }
    out.flush()?;

    let customers = dir.join("customers.csv");
    let mut out = BufWriter::new(File::create(&customers)?);
    writeln!(
        out,
        "customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel"
    )?;
    let total_weight: u32 = PLACES.iter().map(|p| p.2).sum();
    for id in 0..people {
        let mut pick = rng.random_range(0..total_weight);
        let (country, regions, _) = PLACES
            .iter()
            .find(|(_, _, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .copied()
            .unwrap_or(PLACES[0]);
        let region = regions[rng.random_range(0..regions.len())];
        let tier = if rng.random_ratio(1, 50) {
            "vip"
        } else {
            "standard"
        };
        let channel = ["email", "email", "email", "postal", "sms"][rng.random_range(0..5)];
        let year = rng.random_range(2008..2026);
        writeln!(
            out,
            "C{id:09},Given{id},Family{},person{id}@example.net,+1555{:07},{} Main Street,Springfield,{region},{:05},{country},en,{tier},{year}-0{}-1{},{channel}",
            id % 9973,
            id % 10_000_000,
            id % 999 + 1,
            id % 99_999,
            rng.random_range(1..10),
            rng.random_range(0..10),
        )?;
    }
    out.flush()?;

    let holdings_path = dir.join("holdings.csv");
    let mut out = BufWriter::new(File::create(&holdings_path)?);
    writeln!(
        out,
        "system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to"
    )?;
    let per_person = holdings as f64 / people.max(1) as f64;
    let mut written = 0u64;
    let mut record = 0u64;
    while written < holdings {
        let unmatched = rng.random_ratio(1, 100);
        let person = rng.random_range(0..people.max(1));
        // Spread each person over several systems: the same person, several records.
        let copies = (per_person.round() as u64).clamp(1, SYSTEMS.len() as u64);
        let first = rng.random_range(0..SYSTEMS.len());
        for k in 0..copies {
            if written >= holdings {
                break;
            }
            let (system, categories) = SYSTEMS[(first + k as usize) % SYSTEMS.len()];
            record += 1;
            let from_year = rng.random_range(2019..2026);
            let stored_to = if rng.random_ratio(1, 4) {
                format!("{}-12-31", from_year + 1)
            } else {
                String::new()
            };
            let (customer_ref, email, phone) = if unmatched {
                (
                    String::new(),
                    format!("stranger{person}@example.org"),
                    String::new(),
                )
            } else {
                match rng.random_range(0..10) {
                    // Linked by reference.
                    0..=5 => (format!("C{person:09}"), String::new(), String::new()),
                    // Linked by email, with the case and padding exports really have.
                    6..=8 => (
                        String::new(),
                        format!(" Person{person}@Example.NET "),
                        String::new(),
                    ),
                    // Linked by phone only.
                    _ => (
                        String::new(),
                        String::new(),
                        format!("+1 555 {:07}", person % 10_000_000),
                    ),
                }
            };
            writeln!(
                out,
                "{system},R{record:010},{customer_ref},{email},{phone},{categories},{from_year}-0{}-0{},{stored_to}",
                rng.random_range(1..10),
                rng.random_range(1..10),
            )?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(Generated {
        systems,
        customers,
        holdings: holdings_path,
        people,
        holding_rows: written,
    })
}

/// Describes files generated earlier for the same sizes.
pub fn existing(dir: &Path, people: u64, holdings: u64) -> Generated {
    Generated {
        systems: dir.join("systems.csv"),
        customers: dir.join("customers.csv"),
        holdings: dir.join("holdings.csv"),
        people,
        holding_rows: holdings,
    }
}
