//! A locale's words (`locales/<locale>.toml`): how dates and lists are written and what each
//! data category is called.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::problem::TemplateProblem;
use crate::domain::DataCategory;

/// The placeholders a `date_format` must hold.
const DATE_PARTS: &[&str] = &["{day}", "{month}", "{year}"];

#[derive(Deserialize)]
struct RawLocale {
    date_format: String,
    months: Vec<String>,
    list_and: String,
    categories: BTreeMap<String, String>,
}

/// A locale file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocaleWords {
    date_format: String,
    months: Vec<String>,
    list_and: String,
    categories: BTreeMap<String, String>,
}

impl LocaleWords {
    /// Parses and checks a locale file: a date format with `{day}`, `{month}` and `{year}`,
    /// twelve month names, the word for "and", and words for every data category.
    pub fn parse(file: &str, text: &str) -> Result<LocaleWords, Vec<TemplateProblem>> {
        let raw: RawLocale = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(text, span.start))
                .unzip();
            vec![TemplateProblem {
                file: file.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }]
        })?;
        let mut problems = Vec::new();
        let mut problem = |message: String| problems.push(TemplateProblem::file(file, message));
        for part in DATE_PARTS {
            if !raw.date_format.contains(part) {
                problem(format!("`date_format` has no `{part}`"));
            }
        }
        if raw.months.len() != 12 || raw.months.iter().any(|m| m.trim().is_empty()) {
            problem(format!(
                "`months` must name the 12 months; it has {} non-empty name(s)",
                raw.months.iter().filter(|m| !m.trim().is_empty()).count()
            ));
        }
        if raw.list_and.trim().is_empty() {
            problem("`list_and` is empty".to_owned());
        }
        for category in DataCategory::ALL {
            match raw.categories.get(category.as_str()) {
                Some(words) if !words.trim().is_empty() => {}
                Some(_) => problem(format!("`[categories]` `{category}` is empty")),
                None => problem(format!("`[categories]` has no words for `{category}`")),
            }
        }
        for key in raw.categories.keys() {
            if key.parse::<DataCategory>().is_err() {
                problem(format!("`[categories]` names an unknown category `{key}`"));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(LocaleWords {
            date_format: raw.date_format,
            months: raw.months,
            list_and: raw.list_and.trim().to_owned(),
            categories: raw.categories,
        })
    }

    /// English words from the domain, used to keep checking templates when a locale file is
    /// broken (its problems are reported and the set refused anyway).
    pub fn fallback() -> LocaleWords {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        LocaleWords {
            date_format: "{month} {day}, {year}".to_owned(),
            months: MONTHS.iter().map(|m| (*m).to_owned()).collect(),
            list_and: "and".to_owned(),
            categories: DataCategory::ALL
                .iter()
                .map(|c| (c.as_str().to_owned(), c.plain_words().to_owned()))
                .collect(),
        }
    }

    /// `2026-03-03` → `March 3, 2026` (or `3 de marzo de 2026`).
    pub fn format_date(&self, date: NaiveDate) -> String {
        let month = self
            .months
            .get(date.month0() as usize)
            .map(String::as_str)
            .unwrap_or_default();
        self.date_format
            .replace("{day}", &date.day().to_string())
            .replace("{month}", month)
            .replace("{year}", &date.year().to_string())
    }

    /// `a`, `a and b`, `a, b and c`.
    pub fn join_list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [only] => only.clone(),
            [init @ .., last] => format!("{} {} {last}", init.join(", "), self.list_and),
        }
    }

    /// The words for a data category key (`ssn`), from `[categories]`.
    pub fn category(&self, key: &str) -> Option<&str> {
        self.categories.get(key).map(String::as_str)
    }
}

/// The line and column (from 1) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (saturate(line), saturate(column))
}

/// A count as a `u32` line or column.
pub(super) fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
