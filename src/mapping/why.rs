//! "Why you": one plain sentence telling a person which of their data was in which system and
//! when, such as "Your name and your payment card number were in billing-db between 1 and 9
//! March 2026."

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

use crate::domain::{CategorySet, DataCategory};

/// Each exposed system with its exposure window in words (`billing-db between 1 and 9 March
/// 2026`), rendered once for a whole list of people.
#[derive(Debug, Clone, Default)]
pub struct Places(BTreeMap<String, String>);

impl Places {
    /// The places for systems exposed in these windows.
    pub fn new(windows: &BTreeMap<String, (DateTime<Utc>, DateTime<Utc>)>) -> Self {
        Places(
            windows
                .iter()
                .map(|(system, (from, to))| {
                    (system.clone(), format!("{system} {}", period(*from, *to)))
                })
                .collect(),
        )
    }

    fn of<'a>(&'a self, system: &'a str) -> &'a str {
        self.0.get(system).map_or(system, String::as_str)
    }
}

/// The sentence for a person whose `categories` were exposed in `systems`; a system without a
/// window in `places` is named without dates.
pub fn why_sentence(categories: CategorySet, systems: &[String], places: &Places) -> String {
    let words: Vec<&str> = categories.iter().map(DataCategory::plain_words).collect();
    let plural = words.len() > 1 || categories.contains(DataCategory::IpAddress);
    let what = if words.is_empty() {
        "Your data".to_owned()
    } else {
        capitalize(&join(&words))
    };
    let verb = if plural || words.is_empty() {
        "were"
    } else {
        "was"
    };
    let places: Vec<&str> = systems.iter().map(|s| places.of(s)).collect();
    format!("{what} {verb} in {}.", join(&places))
}

/// `on 1 March 2026`, `between 1 and 9 March 2026`, `between 28 February and 2 March 2026`.
fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let (from, to) = (from.date_naive(), to.date_naive());
    if from == to {
        format!("on {}", from.format("%-d %B %Y"))
    } else if (from.year(), from.month()) == (to.year(), to.month()) {
        format!("between {} and {}", from.day(), to.format("%-d %B %Y"))
    } else if from.year() == to.year() {
        format!(
            "between {} and {}",
            from.format("%-d %B"),
            to.format("%-d %B %Y")
        )
    } else {
        format!(
            "between {} and {}",
            from.format("%-d %B %Y"),
            to.format("%-d %B %Y")
        )
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_sentence_names_the_data_the_systems_and_the_dates() {
        let mut windows = BTreeMap::new();
        windows.insert("billing-db".to_owned(), (day(2026, 3, 1), day(2026, 3, 9)));
        windows.insert("crm".to_owned(), (day(2026, 2, 28), day(2026, 3, 2)));
        let categories = CategorySet::parse_list("name;payment_card").unwrap();
        assert_eq!(
            why_sentence(categories, &["billing-db".into()], &Places::new(&windows)),
            "Your name and your payment card number were in billing-db between 1 and 9 March 2026."
        );
        let categories = CategorySet::parse_list("email;name;phone").unwrap();
        assert_eq!(
            why_sentence(
                categories,
                &["billing-db".into(), "crm".into()],
                &Places::new(&windows)
            ),
            "Your name, your email address and your phone number were in billing-db between 1 \
             and 9 March 2026 and crm between 28 February and 2 March 2026."
        );
    }

    #[test]
    fn one_category_one_day_and_unknown_windows_read_naturally() {
        let mut windows = BTreeMap::new();
        windows.insert("crm".to_owned(), (day(2025, 12, 31), day(2025, 12, 31)));
        let email = CategorySet::parse_list("email").unwrap();
        assert_eq!(
            why_sentence(
                email,
                &["crm".into(), "old-db".into()],
                &Places::new(&windows)
            ),
            "Your email address was in crm on 31 December 2025 and old-db."
        );
        windows.insert("crm".to_owned(), (day(2025, 12, 30), day(2026, 1, 2)));
        let ip = CategorySet::parse_list("ip_address").unwrap();
        assert_eq!(
            why_sentence(ip, &["crm".into()], &Places::new(&windows)),
            "IP addresses you used were in crm between 30 December 2025 and 2 January 2026."
        );
    }
}
