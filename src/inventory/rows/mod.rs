//! What a valid row of each kind is: its columns, its natural key, and how its text becomes a
//! domain value. Every problem of a row is collected, each naming its column; a value is
//! never quoted unless it is a system name or a category key (never personal data).

mod customers;
mod holdings;

pub(crate) use customers::Customers;
pub(crate) use holdings::Holdings;

use std::hash::{BuildHasher, Hash, Hasher, RandomState};

use crate::domain::inventory::{self, System};
use crate::store::inventory::InventoryRow;

/// One kind of inventory file.
pub(crate) trait RowKind: Send + Sync + 'static {
    /// The domain value a row becomes.
    type Row: InventoryRow;
    /// `systems`, `customers` or `holdings`.
    const NAME: &'static str;
    /// The header, in the order fields are kept.
    const COLUMNS: &'static [&'static str];
    /// The positions in [`Self::COLUMNS`] of the natural key.
    const KEY: &'static [usize];
    /// The row, or `None` with the reasons pushed onto `fields`.
    fn parse(&self, fields: &mut Fields<'_>) -> Option<Self::Row>;
    /// Why a row repeats the key first seen on `first_line`.
    fn duplicate(fields: &[String], first_line: u64) -> String;
}

/// A row's values being read, with the problems found so far.
pub(crate) struct Fields<'a> {
    values: &'a [String],
    columns: &'static [&'static str],
    problems: Vec<String>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(values: &'a [String], columns: &'static [&'static str]) -> Self {
        Fields {
            values,
            columns,
            problems: Vec::new(),
        }
    }

    /// The reasons, joined, if the row is bad.
    pub(crate) fn into_problems(self) -> Option<String> {
        (!self.problems.is_empty()).then(|| self.problems.join("; "))
    }

    /// The trimmed text of column `i`.
    pub(crate) fn text(&self, i: usize) -> &'a str {
        self.values.get(i).map_or("", |v| v.trim())
    }

    /// Notes a problem with column `i`.
    pub(crate) fn problem(&mut self, i: usize, what: impl std::fmt::Display) {
        self.problems.push(format!("{}: {what}", self.columns[i]));
    }

    pub(crate) fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The text of column `i`, at most `max` characters.
    pub(crate) fn bounded(&mut self, i: usize, max: usize) -> String {
        let text = self.text(i);
        if text.len() > max && text.chars().count() > max {
            self.problem(i, format_args!("longer than {max} characters"));
        }
        text.to_owned()
    }

    /// Like [`Fields::bounded`], and not empty.
    pub(crate) fn required(&mut self, i: usize, max: usize) -> String {
        if self.text(i).is_empty() {
            self.problem(i, "missing");
        }
        self.bounded(i, max)
    }

    /// Like [`Fields::bounded`], `None` when empty.
    pub(crate) fn optional(&mut self, i: usize, max: usize) -> Option<String> {
        let text = self.bounded(i, max);
        (!text.is_empty()).then_some(text)
    }
}

/// A 64-bit digest of a row's natural key (trimmed), for finding repeats in constant space.
/// Keyed per import (`state`), so no file can be crafted to make its digests collide.
pub(crate) fn key_hash(values: &[String], key: &[usize], state: &RandomState) -> u64 {
    let mut hasher = state.build_hasher();
    for &i in key {
        values.get(i).map_or("", |v| v.trim()).hash(&mut hasher);
    }
    hasher.finish()
}

/// A row's natural key (trimmed) as one string.
pub(crate) fn key_text(values: &[String], key: &[usize]) -> String {
    let parts: Vec<&str> = key
        .iter()
        .map(|&i| values.get(i).map_or("", |v| v.trim()))
        .collect();
    parts.join("\u{1f}")
}

/// A value that may be echoed in a reason: a short slug such as a system name or category.
pub(crate) fn echoable(text: &str) -> bool {
    inventory::is_system_name(text)
}

/// `system,description,owner,encrypted_at_rest`.
pub(crate) struct Systems;

impl RowKind for Systems {
    type Row = System;
    const NAME: &'static str = "systems";
    const COLUMNS: &'static [&'static str] =
        &["system", "description", "owner", "encrypted_at_rest"];
    const KEY: &'static [usize] = &[0];

    fn parse(&self, f: &mut Fields<'_>) -> Option<System> {
        let name = f.required(0, 64);
        if !name.is_empty() && !inventory::is_system_name(&name) {
            f.problem(
                0,
                "must be 1 to 64 of a-z, 0-9, `-`, `_` and `.`, starting with a letter or digit",
            );
        }
        let description = f.bounded(1, 2000);
        let owner = f.bounded(2, 200);
        let encrypted_at_rest = inventory::parse_flag(f.text(3));
        if encrypted_at_rest.is_none() {
            f.problem(3, "expected true or false");
        }
        Some(System {
            name,
            description,
            owner,
            encrypted_at_rest: encrypted_at_rest?,
        })
        .filter(|_| f.ok())
    }

    fn duplicate(fields: &[String], first_line: u64) -> String {
        format!(
            "duplicate system `{}` (first seen on line {first_line})",
            fields[0].trim()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(line: &str) -> Vec<String> {
        line.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn a_system_row_parses_with_a_flag() {
        let v = values("billing-db, Card payments ,Payments team,yes");
        let mut f = Fields::new(&v, Systems::COLUMNS);
        let s = Systems.parse(&mut f).unwrap();
        assert_eq!(s.name, "billing-db");
        assert_eq!(s.description, "Card payments");
        assert!(s.encrypted_at_rest);
    }

    #[test]
    fn a_bad_system_row_names_each_column() {
        let v = values("Billing DB,,,maybe");
        let mut f = Fields::new(&v, Systems::COLUMNS);
        assert!(Systems.parse(&mut f).is_none());
        let problems = f.into_problems().unwrap();
        assert!(
            problems.starts_with("system: must be 1 to 64"),
            "{problems}"
        );
        assert!(problems.ends_with("encrypted_at_rest: expected true or false"));
    }

    #[test]
    fn keys_ignore_padding_and_keep_their_parts_apart() {
        let state = RandomState::new();
        let a = values(" crm ,r1");
        let b = values("crm,r1 ");
        assert_eq!(key_hash(&a, &[0, 1], &state), key_hash(&b, &[0, 1], &state));
        assert_eq!(key_text(&a, &[0, 1]), "crm\u{1f}r1");
        let c = values("cr,mr1");
        assert_ne!(key_hash(&a, &[0, 1], &state), key_hash(&c, &[0, 1], &state));
    }
}
