//! Customer rows: `customer_ref,given_name,family_name,email,phone,address_line1,city,region,
//! postal_code,country,locale,tier,customer_since,preferred_channel`. Each person is placed in
//! a jurisdiction here, once: `US-<state>`, `CA-<province>`, or the country code.

use chrono::NaiveDate;

use super::{Fields, RowKind};
use crate::domain::inventory::{self, Channel, Customer, Tier};
use crate::domain::jurisdiction::{self, ResidenceError};

const CUSTOMER_REF: usize = 0;
const EMAIL: usize = 3;
const PHONE: usize = 4;
const REGION: usize = 7;
const COUNTRY: usize = 9;
const LOCALE: usize = 10;
const TIER: usize = 11;
const SINCE: usize = 12;
const CHANNEL: usize = 13;

/// The customers file.
pub(crate) struct Customers;

impl RowKind for Customers {
    type Row = Customer;
    const NAME: &'static str = "customers";
    const COLUMNS: &'static [&'static str] = &[
        "customer_ref",
        "given_name",
        "family_name",
        "email",
        "phone",
        "address_line1",
        "city",
        "region",
        "postal_code",
        "country",
        "locale",
        "tier",
        "customer_since",
        "preferred_channel",
    ];
    const KEY: &'static [usize] = &[CUSTOMER_REF];

    fn parse(&self, f: &mut Fields<'_>) -> Option<Customer> {
        let customer_ref = f.required(CUSTOMER_REF, 128);
        let given_name = f.bounded(1, 200);
        let family_name = f.bounded(2, 200);
        let (email, email_norm, phone_norm) = reach(f);
        let address_line1 = f.bounded(5, 300);
        let city = f.bounded(6, 200);
        let postal_code = f.bounded(8, 32);
        let (country, region, residence) = place(f);
        let (locale, tier, customer_since, preferred_channel) = preferences(f);
        let residence = residence?;
        let row = Customer {
            customer_ref,
            given_name,
            family_name,
            email,
            email_norm,
            phone_norm,
            address_line1,
            city,
            region,
            postal_code,
            country,
            locale,
            tier: tier?,
            customer_since,
            preferred_channel: preferred_channel?,
            jurisdiction: residence.jurisdiction,
            in_eu: residence.in_eu,
        };
        f.ok().then_some(row)
    }

    fn duplicate(_fields: &[String], first_line: u64) -> String {
        format!("duplicate customer_ref (first seen on line {first_line})")
    }
}

/// The email as given (trimmed), the email normalized for matching, the phone normalized.
fn reach(f: &mut Fields<'_>) -> (Option<String>, Option<String>, Option<String>) {
    let email = f.optional(EMAIL, 320);
    let email_norm = inventory::normalize_email(f.text(EMAIL)).unwrap_or_else(|e| {
        f.problem(EMAIL, e);
        None
    });
    let phone_norm = inventory::normalize_phone(f.text(PHONE)).unwrap_or_else(|e| {
        f.problem(PHONE, e);
        None
    });
    (email, email_norm, phone_norm)
}

/// Locale, tier, customer since, preferred channel.
fn preferences(f: &mut Fields<'_>) -> (String, Option<Tier>, Option<NaiveDate>, Option<Channel>) {
    let locale = f.bounded(LOCALE, 16);
    if !locale
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        f.problem(LOCALE, "must be a language tag such as en or en-US");
    }
    let tier = Tier::parse(f.text(TIER));
    if tier.is_none() {
        f.problem(TIER, "expected standard or vip");
    }
    let customer_since = since(f);
    let channel = Channel::parse(f.text(CHANNEL));
    if channel.is_none() {
        f.problem(CHANNEL, "expected email, postal or sms");
    }
    (locale, tier, customer_since, channel)
}

/// The stored country and region, and the person's residence.
fn place(f: &mut Fields<'_>) -> (String, String, Option<jurisdiction::Residence>) {
    let country = f.text(COUNTRY).to_ascii_uppercase();
    let region_text = f.bounded(REGION, 16);
    if country.is_empty() {
        f.problem(
            COUNTRY,
            "missing (an ISO 3166-1 alpha-2 code such as US or DE)",
        );
        return (country, region_text, None);
    }
    match jurisdiction::residence(&country, &region_text) {
        Ok(residence) => {
            // In the US and Canada the region is stored as the bare code (`CA`, not `us-ca`).
            let region = match residence.jurisdiction.split_once('-') {
                Some((_, code)) => code.to_owned(),
                None => region_text,
            };
            (country, region, Some(residence))
        }
        Err(e) => {
            match e {
                ResidenceError::UnknownCountry(_) => {
                    f.problem(COUNTRY, "not an ISO 3166-1 alpha-2 country code")
                }
                ResidenceError::MissingRegion(c) => f.problem(
                    REGION,
                    format_args!("missing (required for {c}: the state or province code)"),
                ),
                ResidenceError::UnknownRegion { country, .. } => f.problem(
                    REGION,
                    format_args!("not a {country} state or province code"),
                ),
            }
            (country, region_text, None)
        }
    }
}

/// `customer_since`: a date, or a timestamp whose UTC date is taken; empty is unknown.
fn since(f: &mut Fields<'_>) -> Option<NaiveDate> {
    let text = f.text(SINCE);
    if text.is_empty() {
        return None;
    }
    match inventory::parse_instant(text) {
        Ok(t) => Some(t.date_naive()),
        Err(e) => {
            f.problem(SINCE, e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Customer, String> {
        let values: Vec<String> = line.split(',').map(str::to_owned).collect();
        let mut f = Fields::new(&values, Customers::COLUMNS);
        match Customers.parse(&mut f) {
            Some(row) => Ok(row),
            None => Err(f.into_problems().unwrap_or_default()),
        }
    }

    #[test]
    fn a_customer_is_normalized_and_placed() {
        let c = parse(
            "c-1, Ada ,Lovelace,  Ada@Example.COM ,+1 (415) 555-0100,1 Main St,SF,us-ca,94105,us,en-US,VIP,2019-05-01,SMS",
        )
        .unwrap();
        assert_eq!(c.customer_ref, "c-1");
        assert_eq!(c.given_name, "Ada");
        assert_eq!(c.email.as_deref(), Some("Ada@Example.COM"));
        assert_eq!(c.email_norm.as_deref(), Some("ada@example.com"));
        assert_eq!(c.phone_norm.as_deref(), Some("+14155550100"));
        assert_eq!((c.country.as_str(), c.region.as_str()), ("US", "CA"));
        assert_eq!((c.jurisdiction.as_str(), c.in_eu), ("US-CA", false));
        assert_eq!((c.tier, c.preferred_channel), (Tier::Vip, Channel::Sms));
        assert_eq!(c.customer_since, NaiveDate::from_ymd_opt(2019, 5, 1));
    }

    #[test]
    fn optional_columns_may_be_empty() {
        let c = parse("c-2,Jo,,,,,,,,de,,,,").unwrap();
        assert_eq!((c.jurisdiction.as_str(), c.in_eu), ("DE", true));
        assert_eq!(
            (c.email, c.phone_norm, c.customer_since),
            (None, None, None)
        );
        assert_eq!(
            (c.tier, c.preferred_channel),
            (Tier::Standard, Channel::Email)
        );
    }

    #[test]
    fn every_bad_column_is_named_without_quoting_personal_data() {
        let err = parse(",Ann,Lee,ann@,12,x,y,,z,US,e n,gold,someday,pigeon").unwrap_err();
        for expected in [
            "customer_ref: missing",
            "email: bad email address",
            "phone: bad phone number",
            "region: missing (required for US",
            "locale: must be a language tag",
            "tier: expected standard or vip",
            "customer_since: bad date",
            "preferred_channel: expected email, postal or sms",
        ] {
            assert!(err.contains(expected), "{expected} not in {err}");
        }
        assert!(!err.contains("ann@"), "{err}");
        let err = parse("c-3,Ann,Lee,,,,,,,XX,,,,").unwrap_err();
        assert_eq!(err, "country: not an ISO 3166-1 alpha-2 country code");
        let err = parse("c-3,Ann,Lee,,,,,,,,,,,").unwrap_err();
        assert!(err.starts_with("country: missing"), "{err}");
    }
}
