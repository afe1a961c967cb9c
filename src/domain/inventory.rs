//! The data inventory as Candor understands it: systems, the customers the company knows, and
//! the records each system holds about a person. Parsed and normalized here, once, at the edge.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::category::CategorySet;

/// How the company treats a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Standard,
    Vip,
}

/// How a customer prefers to be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Postal,
    Sms,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Vip => "vip",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "standard" => Some(Tier::Standard),
            "vip" => Some(Tier::Vip),
            _ => None,
        }
    }
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Postal => "postal",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "email" => Some(Channel::Email),
            "postal" => Some(Channel::Postal),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// A system that holds personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// A short stable name such as `billing-db`.
    pub name: String,
    pub description: String,
    pub owner: String,
    pub encrypted_at_rest: bool,
}

/// A customer the company knows, keyed by its own reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub customer_ref: String,
    pub given_name: String,
    pub family_name: String,
    /// As given, trimmed (what a notice is addressed to).
    pub email: Option<String>,
    /// Lowercased, for matching records to people.
    pub email_norm: Option<String>,
    pub phone_norm: Option<String>,
    pub address_line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub locale: String,
    pub tier: Tier,
    pub customer_since: Option<NaiveDate>,
    pub preferred_channel: Channel,
    /// `US-CA`, `CA-ON`, `DE`, …
    pub jurisdiction: String,
    pub in_eu: bool,
}

/// One record a system holds about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub system: String,
    pub record_ref: String,
    pub customer_ref: Option<String>,
    pub email_norm: Option<String>,
    pub phone_norm: Option<String>,
    pub categories: CategorySet,
    pub stored_from: DateTime<Utc>,
    /// `None`: still held.
    pub stored_to: Option<DateTime<Utc>>,
}

/// Normalizes an email address for matching: trimmed and lowercased; `None` when blank.
/// Returns an error message when it is not plausibly an address.
pub fn normalize_email(raw: &str) -> Result<Option<String>, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    match super::EmailAddress::parse(trimmed) {
        Ok(email) => Ok(Some(email.as_str().to_owned())),
        Err(_) => Err("bad email address"),
    }
}

/// Normalizes a phone number for matching: digits only, with a leading `+` kept when given;
/// `None` when blank. Between 6 and 15 digits (the E.164 maximum).
pub fn normalize_phone(raw: &str) -> Result<Option<String>, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let plus = trimmed.starts_with('+');
    let mut digits = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            '+' if digits.is_empty() => {}
            _ => return Err("bad phone number"),
        }
    }
    if !(6..=15).contains(&digits.len()) {
        return Err("bad phone number (6 to 15 digits)");
    }
    Ok(Some(if plus { format!("+{digits}") } else { digits }))
}

/// Parses an inventory date: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp.
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    let raw = raw.trim();
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or("bad date");
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| super::clock::to_micros(t.with_timezone(&Utc)))
        .map_err(|_| "bad date (expected YYYY-MM-DD or an RFC 3339 timestamp)")
}

/// Parses a yes/no column (`true`/`false`, `yes`/`no`, `1`/`0`; blank is no).
pub fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" | "n" => Some(false),
        "true" | "yes" | "1" | "y" => Some(true),
        _ => None,
    }
}

/// Whether a system name is well formed: 1–64 of `a-z 0-9 - _ .`, starting with a letter or
/// digit.
pub fn is_system_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_match_whatever_their_case_and_padding() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap().as_deref(),
            Some("ada@example.com")
        );
        assert_eq!(normalize_email("   ").unwrap(), None);
        assert!(normalize_email("not an email").is_err());
    }

    #[test]
    fn phones_keep_digits_and_a_leading_plus() {
        assert_eq!(
            normalize_phone("+1 (415) 555-0100").unwrap().as_deref(),
            Some("+14155550100")
        );
        assert_eq!(
            normalize_phone("415.555.0100").unwrap().as_deref(),
            Some("4155550100")
        );
        assert!(normalize_phone("call me").is_err());
        assert!(normalize_phone("123").is_err());
    }

    #[test]
    fn dates_and_timestamps_parse_to_utc() {
        assert_eq!(
            parse_instant("2024-02-29").unwrap().to_rfc3339(),
            "2024-02-29T00:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2024-03-01T10:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T08:00:00+00:00"
        );
        assert!(parse_instant("2023-02-29").is_err());
        assert!(parse_instant("yesterday").is_err());
    }

    #[test]
    fn system_names_are_simple_slugs() {
        assert!(is_system_name("billing-db"));
        assert!(is_system_name("crm_v2.eu"));
        assert!(!is_system_name("Billing DB"));
        assert!(!is_system_name("-x"));
    }
}
