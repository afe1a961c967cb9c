//! The demo's inventory: a generated company of some thousands of customers across the US,
//! Canada, the EU, the UK and a few other places, held by five systems. Deterministic for a
//! seed; written as CSV files into the demo's folder and imported with `candor import`'s own
//! library code, so the demo goes through the same validation and upserts.
//!
//! Every email address is at a reserved domain, every phone number in a range set aside for
//! fiction. A few people have only a postal address or only a phone; some records are linked
//! to their person by email alone, and guest checkouts match nobody.

mod tables;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use csv::Writer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::DatabaseConnection;

use crate::domain::audit::Actor;
use crate::inventory::{self, ImportOptions};
use tables::{DOMAINS, FAMILY, FAMILY_ES, GIVEN, GIVEN_ES, PLACES, Place, STREETS, SYSTEMS};

/// The seed of the demo's company.
pub const SEED: u64 = 0x00ca_9d02;

/// The generated files and what they hold.
#[derive(Debug, Clone)]
pub struct Generated {
    pub dir: PathBuf,
    pub customers: usize,
    pub holdings: usize,
}

/// How a generated person can be reached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    Full,
    PostalOnly,
    PhoneOnly,
}

/// One generated customer, as far as their records need them.
struct Person {
    customer_ref: String,
    email: Option<String>,
    phone: Option<String>,
    reach: Reach,
    since: NaiveDate,
    /// When the person closed their account and their records were deleted.
    left: Option<NaiveDate>,
}

/// Writes `systems.csv`, `customers.csv` and `holdings.csv` into `dir`.
pub fn generate(dir: &Path, people: usize, seed: u64) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = writer(dir, "systems", "system,description,owner,encrypted_at_rest")?;
    for (name, description, owner, encrypted, _) in SYSTEMS {
        out.write_record([*name, description, owner, &encrypted.to_string()])?;
    }
    out.flush()?;
    let mut out = writer(
        dir,
        "customers",
        "customer_ref,given_name,family_name,email,phone,address_line1,city,region,\
         postal_code,country,locale,tier,customer_since,preferred_channel",
    )?;
    let mut persons = Vec::with_capacity(people);
    for id in 0..people {
        let (person, row) = customer(&mut rng, id);
        out.write_record(&row)?;
        persons.push(person);
    }
    out.flush()?;
    let holdings = write_holdings(dir, &mut rng, &persons)?;
    Ok(Generated {
        dir: dir.to_owned(),
        customers: people,
        holdings,
    })
}

/// `<dir>/<name>.csv`, its header written.
fn writer(dir: &Path, name: &str, header: &str) -> anyhow::Result<Writer<std::fs::File>> {
    let mut out = Writer::from_path(dir.join(format!("{name}.csv")))?;
    out.write_record(header.split(','))?;
    Ok(out)
}

/// Writes every person's records, and some guest checkouts; returns how many.
fn write_holdings(dir: &Path, rng: &mut StdRng, persons: &[Person]) -> anyhow::Result<usize> {
    let mut out = writer(
        dir,
        "holdings",
        "system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to",
    )?;
    let mut written = 0;
    for person in persons {
        for row in holdings_of(rng, person) {
            out.write_record(&row)?;
            written += 1;
        }
    }
    // Guest checkouts: card payments with an email and no customer record. They match nobody
    // in the inventory and are told as people known only by a record.
    for n in 0..(persons.len() / 150).max(1) {
        let from = date(rng, 2021, 2024);
        out.write_record([
            "billing-db",
            &format!("GUEST-{n:05}"),
            "",
            &format!("guest.{n}@example.net"),
            "",
            "name;email;payment_card;purchase_history",
            &from.to_string(),
            "",
        ])?;
        written += 1;
    }
    out.flush()?;
    Ok(written)
}

/// A customer and their CSV row.
fn customer(rng: &mut StdRng, id: usize) -> (Person, Vec<String>) {
    let place = pick_place(rng);
    let spanish = rng.random_range(0..100) < place.spanish;
    let (given, family) = if spanish {
        (pick(rng, GIVEN_ES), pick(rng, FAMILY_ES))
    } else {
        (pick(rng, GIVEN), pick(rng, FAMILY))
    };
    let reach = match rng.random_range(0..100) {
        0 => Reach::PostalOnly,
        1 => Reach::PhoneOnly,
        _ => Reach::Full,
    };
    let (email, phone) = contact(rng, (id, given, family), place, reach);
    let address = match reach {
        Reach::PhoneOnly => [String::new(), String::new(), String::new()],
        _ => [
            format!("{} {}", rng.random_range(1..400), pick_in(rng, STREETS)),
            place.city.to_owned(),
            digits(rng, place.postal),
        ],
    };
    let person = Person {
        customer_ref: format!("C{id:06}"),
        email,
        phone,
        reach,
        since: date(rng, 2012, 2024),
        left: rng.random_ratio(1, 16).then(|| date(rng, 2021, 2023)),
    };
    let tier = if rng.random_ratio(1, 40) {
        "vip"
    } else {
        "standard"
    };
    let [line1, city, postal_code] = address;
    let row = vec![
        person.customer_ref.clone(),
        given.to_owned(),
        family.to_owned(),
        person.email.clone().unwrap_or_default(),
        person.phone.clone().unwrap_or_default(),
        line1,
        city,
        place.region.to_owned(),
        postal_code,
        place.country.to_owned(),
        if spanish { "es" } else { "en" }.to_owned(),
        tier.to_owned(),
        person.since.to_string(),
        channel(rng, reach).to_owned(),
    ];
    (person, row)
}

/// A person's email address and phone number, as far as they gave them.
fn contact(
    rng: &mut StdRng,
    (id, given, family): (usize, &str, &str),
    place: &Place,
    reach: Reach,
) -> (Option<String>, Option<String>) {
    let domain = DOMAINS[id % DOMAINS.len()];
    let email =
        (reach == Reach::Full).then(|| format!("{}.{}.{id}@{domain}", slug(given), slug(family)));
    let phone = match reach {
        Reach::PostalOnly => None,
        Reach::PhoneOnly => Some(digits(rng, place.phone.unwrap_or("+1 202 555 01##"))),
        Reach::Full => place
            .phone
            .filter(|_| rng.random_bool(0.7))
            .map(|p| digits(rng, p)),
    };
    (email, phone)
}

/// How a person prefers to hear from the company.
fn channel(rng: &mut StdRng, reach: Reach) -> &'static str {
    match (reach, rng.random_range(0..100)) {
        (Reach::PostalOnly, _) => "postal",
        (Reach::PhoneOnly, _) => "sms",
        (Reach::Full, 0..3) => "postal",
        (Reach::Full, 3..5) => "sms",
        _ => "email",
    }
}

/// The records the systems hold about a person: (system index, record prefix, the share in
/// percent of people it holds).
const HELD: [(usize, &str, u32); 5] = [
    (0, "INV", 70),
    (1, "CRM", 95),
    (2, "TCK", 30),
    (3, "ACC", 60),
    (4, "SUB", 35),
];

/// The records the systems hold about a person.
fn holdings_of(rng: &mut StdRng, person: &Person) -> Vec<[String; 8]> {
    let mut rows = Vec::new();
    for (system, prefix, share) in HELD {
        // Web accounts and the newsletter need an email address.
        if rng.random_range(0..100) >= share || (system >= 3 && person.email.is_none()) {
            continue;
        }
        let (name, _, _, _, categories) = SYSTEMS[system];
        let categories = categories
            .split(';')
            .filter(|c| match *c {
                "email" => person.email.is_some(),
                "phone" => person.phone.is_some(),
                "postal_address" => person.reach != Reach::PhoneOnly,
                _ => true,
            })
            .collect::<Vec<_>>()
            .join(";");
        // The newsletter knows people by email only, and a few web accounts were never linked
        // to their customer record: both are matched by email (written as people typed it).
        let by_email_only = system == 4 || (system == 3 && rng.random_ratio(1, 40));
        let email = person.email.clone().unwrap_or_default();
        let (customer_ref, email) = if by_email_only {
            (String::new(), email.to_uppercase())
        } else {
            (person.customer_ref.clone(), email)
        };
        let from = person.since + Duration::days(rng.random_range(0..60));
        rows.push([
            name.to_owned(),
            format!("{prefix}-{}", &person.customer_ref[1..]),
            customer_ref,
            email,
            person.phone.clone().unwrap_or_default(),
            categories,
            from.to_string(),
            person
                .left
                .map(|d| d.max(from).to_string())
                .unwrap_or_default(),
        ]);
    }
    rows
}

fn pick_place(rng: &mut StdRng) -> &'static Place {
    let total: u32 = PLACES.iter().map(|p| p.weight).sum();
    let mut at = rng.random_range(0..total);
    for place in PLACES {
        if at < place.weight {
            return place;
        }
        at -= place.weight;
    }
    &PLACES[0]
}

/// One of the space-separated words of `list`.
fn pick(rng: &mut StdRng, list: &'static str) -> &'static str {
    let words: Vec<&'static str> = list.split_whitespace().collect();
    pick_in(rng, &words)
}

fn pick_in(rng: &mut StdRng, list: &[&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

/// A day between the first of January of `from` and the end of `to`.
fn date(rng: &mut StdRng, from: i32, to: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(to, 12, 31).unwrap_or(start);
    start + Duration::days(rng.random_range(0..=(end - start).num_days()))
}

/// `pattern` with every `#` replaced by a random digit.
fn digits(rng: &mut StdRng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.random_range(0..10u8)),
            other => other,
        })
        .collect()
}

/// A name as the local part of an address: lower case ASCII letters.
fn slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' | 'Á' => Some('a'),
            'é' | 'É' => Some('e'),
            'í' | 'Í' => Some('i'),
            'ó' | 'Ó' => Some('o'),
            'ú' | 'ü' | 'Ú' => Some('u'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// What the import wrote.
#[derive(Debug, Clone, Copy)]
pub struct Imported {
    pub systems: u64,
    pub customers: u64,
    pub holdings: u64,
}

/// Imports the generated files as `candor import` does, in order (holdings name systems).
pub async fn import(
    db: &DatabaseConnection,
    actor: Actor,
    files: &Generated,
    now: DateTime<Utc>,
) -> anyhow::Result<Imported> {
    let options = ImportOptions::default();
    let file = |name: &str| files.dir.join(format!("{name}.csv"));
    let systems = inventory::import_systems(db, actor, &file("systems"), &options, now)
        .await
        .context("the demo's systems did not import")?;
    let customers = inventory::import_customers(db, actor, &file("customers"), &options, now)
        .await
        .context("the demo's customers did not import")?;
    let holdings = inventory::import_holdings(db, actor, &file("holdings"), &options, now)
        .await
        .context("the demo's holdings did not import")?;
    Ok(Imported {
        systems: systems.written,
        customers: customers.written,
        holdings: holdings.written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_company() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        generate(a.path(), 300, SEED).unwrap();
        generate(b.path(), 300, SEED).unwrap();
        for file in ["systems.csv", "customers.csv", "holdings.csv"] {
            let read = |d: &Path| std::fs::read_to_string(d.join(file)).unwrap();
            assert_eq!(read(a.path()), read(b.path()), "{file}");
        }
    }

    #[test]
    fn every_address_is_at_a_reserved_domain() {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), 500, SEED).unwrap();
        for file in ["customers.csv", "holdings.csv"] {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            for word in text.split([',', '\n']).filter(|w| w.contains('@')) {
                let domain = word.rsplit('@').next().unwrap().to_ascii_lowercase();
                assert!(DOMAINS.contains(&domain.as_str()), "{domain} in {file}");
            }
        }
    }
}
