//! Seeding the inventory with plain SQL (the import API is tested on its own), normalized
//! the way the importer does.

use candor::domain::CategorySet;
use candor::domain::inventory::{normalize_email, normalize_phone, parse_instant};
use candor::domain::jurisdiction::residence;

use crate::helpers::TestApp;

/// Quotes text as an SQL literal (or NULL).
fn lit(text: Option<&str>) -> String {
    text.map_or_else(
        || "NULL".to_owned(),
        |t| format!("'{}'", t.replace('\'', "''")),
    )
}

/// A timestamp literal as the store writes it (RFC 3339, `+00:00`).
fn at(date: &str) -> String {
    let instant = parse_instant(date).expect("test date");
    format!("'{}'", instant.to_rfc3339())
}

const CREATED: &str = "'2026-01-01T00:00:00+00:00'";

/// Adds a system to the inventory.
pub async fn system(app: &TestApp, name: &str) {
    app.exec(&format!(
        "INSERT INTO systems (name, description, owner, encrypted_at_rest, created_at, updated_at) \
         VALUES ({}, 'test system', 'it', FALSE, {CREATED}, {CREATED})",
        lit(Some(name))
    ))
    .await;
}

/// Adds a customer living in `country`/`region`, with email and phone as given (normalized
/// here, as the importer does).
pub async fn customer(
    app: &TestApp,
    customer_ref: &str,
    (given, family): (&str, &str),
    email: Option<&str>,
    phone: Option<&str>,
    (country, region): (&str, &str),
) {
    let home = residence(country, region).expect("test residence");
    let email_norm = email.and_then(|e| normalize_email(e).expect("test email"));
    let phone_norm = phone.and_then(|p| normalize_phone(p).expect("test phone"));
    app.exec(&format!(
        "INSERT INTO people (customer_ref, given_name, family_name, email, email_norm, phone_norm, \
           address_line1, city, region, postal_code, country, locale, tier, customer_since, \
           preferred_channel, jurisdiction, in_eu, created_at, updated_at) \
         VALUES ({}, {}, {}, {}, {}, {}, '1 Main St', 'Town', {}, '12345', {}, 'en', 'standard', \
           NULL, 'email', {}, {}, {CREATED}, {CREATED})",
        lit(Some(customer_ref)),
        lit(Some(given)),
        lit(Some(family)),
        lit(email.map(str::trim)),
        lit(email_norm.as_deref()),
        lit(phone_norm.as_deref()),
        lit(Some(region)),
        lit(Some(country)),
        lit(Some(&home.jurisdiction)),
        if home.in_eu { "TRUE" } else { "FALSE" },
    ))
    .await;
}

/// A record a system holds, built up and then inserted.
pub struct Holding {
    system: String,
    record_ref: String,
    customer_ref: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    categories: String,
    from: String,
    to: Option<String>,
}

/// A record of `system`, held since 1 January 2026 and still held, with no categories yet.
pub fn holding(system: &str, record_ref: &str) -> Holding {
    Holding {
        system: system.into(),
        record_ref: record_ref.into(),
        customer_ref: None,
        email: None,
        phone: None,
        categories: String::new(),
        from: "2026-01-01".into(),
        to: None,
    }
}

impl Holding {
    pub fn customer(mut self, customer_ref: &str) -> Self {
        self.customer_ref = Some(customer_ref.into());
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.into());
        self
    }

    pub fn phone(mut self, phone: &str) -> Self {
        self.phone = Some(phone.into());
        self
    }

    pub fn categories(mut self, list: &str) -> Self {
        self.categories = list.into();
        self
    }

    /// Held from `from` until `to` (`None`: still held).
    pub fn held(mut self, from: &str, to: Option<&str>) -> Self {
        self.from = from.into();
        self.to = to.map(Into::into);
        self
    }

    pub async fn insert(self, app: &TestApp) {
        let mask = CategorySet::parse_list(&self.categories).expect("test categories");
        let email = self
            .email
            .as_deref()
            .and_then(|e| normalize_email(e).expect("email"));
        let phone = self
            .phone
            .as_deref()
            .and_then(|p| normalize_phone(p).expect("phone"));
        app.exec(&format!(
            "INSERT INTO holdings (system, record_ref, customer_ref, email_norm, phone_norm, \
               categories, stored_from, stored_to, created_at, updated_at) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {CREATED}, {CREATED})",
            lit(Some(&self.system)),
            lit(Some(&self.record_ref)),
            lit(self.customer_ref.as_deref()),
            lit(email.as_deref()),
            lit(phone.as_deref()),
            mask.mask(),
            at(&self.from),
            self.to.as_deref().map_or_else(|| "NULL".to_owned(), at),
        ))
        .await;
    }
}

/// The systems most tests use: `billing-db` and `crm`.
pub async fn two_systems(app: &TestApp) {
    system(app, "billing-db").await;
    system(app, "crm").await;
}
