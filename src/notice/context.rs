//! The data a person-facing template is rendered with (documented in
//! `notice-templates/README.md`): the reader, the incident, the draft's words, the reader's own
//! exposed data in their language, links, the contact point and what the reader's laws ask.
//! Every key is always present, so strict mode catches a misspelt name.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::content::DraftContent;
use super::laws::ReaderLaws;
use crate::domain::notice::{Channel, Locale, NoticeKind};
use crate::domain::{CategorySet, DataCategory};

/// One person a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// Personal data for people known only by a record: never log it.
    pub person_key: String,
    pub customer_ref: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: Locale,
    pub vip: bool,
    pub customer_since: Option<NaiveDate>,
    pub jurisdiction: String,
    pub in_eu: bool,
    pub exposed: CategorySet,
    pub unprotected: CategorySet,
    pub channel: Channel,
    pub address: Option<Address>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// What the organization says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    pub website: Option<String>,
}

/// The incident as a notice tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: Uuid,
    pub discovered_on: NaiveDate,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
}

impl IncidentFacts {
    /// A short reference people can quote: `INC-7F3A2C`.
    pub fn reference(&self) -> String {
        let hex = self.id.simple().to_string().to_ascii_uppercase();
        format!("INC-{}", &hex[..6])
    }
}

/// The reader's own links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    pub personal_page: String,
    pub survey: Option<String>,
}

/// Everything one rendering needs.
pub struct ContextInput<'a> {
    pub kind: NoticeKind,
    pub reader: &'a Reader,
    pub incident: &'a IncidentFacts,
    pub content: &'a DraftContent,
    pub laws: &'a ReaderLaws<'a>,
    /// Every element key of the pack.
    pub element_keys: &'a BTreeSet<String>,
    pub organization: &'a Organization,
    pub links: &'a Links,
    /// The notice's date.
    pub today: NaiveDate,
    /// A category's words in the reader's locale.
    pub words: &'a dyn Fn(Locale, DataCategory) -> Option<String>,
}

const GOVERNMENT_ID: &[DataCategory] = &[
    DataCategory::Ssn,
    DataCategory::TaxId,
    DataCategory::DriversLicense,
    DataCategory::Passport,
    DataCategory::MilitaryId,
    DataCategory::StudentId,
    DataCategory::GovernmentId,
];
const FINANCIAL: &[DataCategory] = &[
    DataCategory::FinancialAccount,
    DataCategory::PaymentCard,
    DataCategory::AccessCode,
];
const CREDENTIALS: &[DataCategory] = &[DataCategory::AccountCredentials, DataCategory::SecurityQa];

/// The render context for one reader.
pub fn build(input: &ContextInput) -> Value {
    let r = input.reader;
    let c = input.content;
    let words = c.paragraphs(r.locale);
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let channel = match r.channel {
        Channel::Email => "email",
        Channel::Outreach => "outreach",
        Channel::Postal | Channel::Unreachable => "postal",
    };
    json!({
        "locale": r.locale.as_str(),
        "kind": input.kind.as_str(),
        "channel": channel,
        "organization": {
            "name": input.organization.name,
            "website": input.organization.website,
        },
        "person": person(r, input.today),
        "incident": {
            "reference": input.incident.reference(),
            "discovered_on": input.incident.discovered_on.to_string(),
            "occurred_from": date(input.incident.occurred_from),
            "occurred_to": date(input.incident.occurred_to),
        },
        "notice": {
            "date": input.today.to_string(),
            "what_happened": words.what_happened,
            "what_we_are_doing": words.what_we_are_doing,
            "likely_consequences": words.likely_consequences,
            "update": words.update,
            "law_enforcement_delay": c.law_enforcement_delay,
        },
        "exposed": exposed(r, input.words),
        "offer": c.offer.as_ref().map(|o| json!({
            "provider": o.provider,
            "months": o.months,
            "url": o.url,
            "code": o.code,
            "enroll_by": date(o.enroll_by),
        })),
        "links": {
            "personal_page": input.links.personal_page,
            "password_reset": c.password_reset_url,
            "survey": input.links.survey,
        },
        "contact": {
            "name": c.contact.name,
            "email": c.contact.email,
            "phone": c.contact.phone,
            "hours": c.contact.hours,
            "url": c.contact.url,
            "postal_address": c.contact.postal_address,
        },
        "survey": { "closes_on": date(c.survey_closes_on) },
        "law": law(input.laws, input.element_keys),
    })
}

/// The reader's own part of the render context (`person`).
pub fn person(r: &Reader, today: NaiveDate) -> Value {
    let tenure = r.customer_since.map(|since| {
        let mut years = today.year() - since.year();
        if (today.month(), today.day()) < (since.month(), since.day()) {
            years -= 1;
        }
        years.max(0)
    });
    let in_us = r.jurisdiction == "US" || r.jurisdiction.starts_with("US-");
    json!({
        "given_name": r.given_name,
        "family_name": r.family_name,
        "known": r.customer_ref.is_some(),
        "tier": if r.vip { "vip" } else { "standard" },
        "vip": r.vip,
        "customer_since": r.customer_since.map(|d| d.to_string()),
        "tenure_years": tenure,
        "jurisdiction": r.jurisdiction,
        "in_us": in_us,
        "in_eu": r.in_eu,
        "address": r.address.as_ref().map(|a| json!({
            "line1": a.line1,
            "city": a.city,
            "region": a.region,
            "postal_code": a.postal_code,
            "country": a.country,
        })),
    })
}

fn exposed(r: &Reader, words: &dyn Fn(Locale, DataCategory) -> Option<String>) -> Value {
    let categories: Vec<Value> = r
        .exposed
        .iter()
        .map(|c| {
            let text = words(r.locale, c).unwrap_or_else(|| c.plain_words().to_owned());
            json!({ "key": c.as_str(), "words": text })
        })
        .collect();
    let has: Map<String, Value> = DataCategory::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), Value::Bool(r.exposed.contains(*c))))
        .collect();
    let any = |group: &[DataCategory]| group.iter().any(|c| r.exposed.contains(*c));
    json!({
        "categories": categories,
        "has": has,
        "government_id": any(GOVERNMENT_ID),
        "financial": any(FINANCIAL),
        "credentials": any(CREDENTIALS),
    })
}

fn law(laws: &ReaderLaws, keys: &BTreeSet<String>) -> Value {
    let required = laws.required();
    let forbidden = laws.forbidden();
    let requires: Map<String, Value> = keys
        .iter()
        .map(|k| (k.clone(), Value::Bool(required.contains_key(k))))
        .collect();
    let omit: Map<String, Value> = keys
        .iter()
        .map(|k| {
            let omit = forbidden.contains_key(k) && !required.contains_key(k);
            (k.clone(), Value::Bool(omit))
        })
        .collect();
    json!({ "codes": laws.codes(), "requires": requires, "omit": omit })
}
