//! Holdings rows: `system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to`.
//! The system must be known; email and phone are kept only in their normalized form.

use std::collections::HashSet;

use super::{Fields, RowKind, echoable};
use crate::domain::inventory::{self, Holding};
use crate::domain::{CategorySet, DataCategory};

/// `system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to`.
pub(crate) struct Holdings {
    /// The systems a holding may name.
    pub known: HashSet<String>,
}

impl RowKind for Holdings {
    type Row = Holding;
    const NAME: &'static str = "holdings";
    const COLUMNS: &'static [&'static str] = &[
        "system",
        "record_ref",
        "customer_ref",
        "email",
        "phone",
        "categories",
        "stored_from",
        "stored_to",
    ];
    const KEY: &'static [usize] = &[0, 1];

    fn parse(&self, f: &mut Fields<'_>) -> Option<Holding> {
        let system = f.required(0, 64);
        if !system.is_empty() && !self.known.contains(&system) {
            if echoable(&system) {
                f.problem(0, format_args!("unknown system `{system}`"));
            } else {
                f.problem(0, "unknown system");
            }
        }
        let record_ref = f.required(1, 256);
        // A record reference is an identifier: line breaks and other control characters in one
        // are a mistake in the file (and the mapping lists records one per line).
        if record_ref.chars().any(char::is_control) {
            f.problem(1, "contains a line break or another control character");
        }
        let customer_ref = f.optional(2, 128);
        let email_norm = inventory::normalize_email(f.text(3)).unwrap_or_else(|e| {
            f.problem(3, e);
            None
        });
        let phone_norm = inventory::normalize_phone(f.text(4)).unwrap_or_else(|e| {
            f.problem(4, e);
            None
        });
        let categories = categories(f, 5);
        let stored_from = instant(f, 6, true);
        let stored_to = instant(f, 7, false);
        if let (Some(from), Some(to)) = (stored_from, stored_to)
            && to < from
        {
            f.problem(7, "before stored_from");
        }
        let row = Holding {
            system,
            record_ref,
            customer_ref,
            email_norm,
            phone_norm,
            categories,
            stored_from: stored_from?,
            stored_to,
        };
        f.ok().then_some(row)
    }

    fn duplicate(fields: &[String], first_line: u64) -> String {
        format!(
            "duplicate record_ref for system `{}` (first seen on line {first_line})",
            fields[0].trim()
        )
    }
}

/// A `;`-separated list of category keys, naming each unknown one.
fn categories(f: &mut Fields<'_>, i: usize) -> CategorySet {
    let mut set = CategorySet::EMPTY;
    for key in f
        .text(i)
        .split(';')
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        match key.parse::<DataCategory>() {
            Ok(category) => set.insert(category),
            Err(_) if echoable(key) => f.problem(i, format_args!("unknown data category `{key}`")),
            Err(_) => f.problem(i, "unknown data category"),
        }
    }
    if set.is_empty() && f.text(i).is_empty() {
        f.problem(i, "missing (at least one data category)");
    }
    set
}

/// A date or timestamp; `None` when empty (a problem if `required`) or bad.
fn instant(f: &mut Fields<'_>, i: usize, required: bool) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = f.text(i);
    if text.is_empty() {
        if required {
            f.problem(i, "missing");
        }
        return None;
    }
    inventory::parse_instant(text)
        .map_err(|e| f.problem(i, e))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Holding, String> {
        let kind = Holdings {
            known: ["crm".to_owned(), "billing-db".to_owned()].into(),
        };
        let values: Vec<String> = line.split(',').map(str::to_owned).collect();
        let mut f = Fields::new(&values, Holdings::COLUMNS);
        match kind.parse(&mut f) {
            Some(row) => Ok(row),
            None => Err(f.into_problems().unwrap_or_default()),
        }
    }

    #[test]
    fn a_holding_keeps_normalized_keys_and_its_categories() {
        let h = parse("crm,r-1,,  Bo@Example.com ,,name; email ,2024-01-01,").unwrap();
        assert_eq!(h.email_norm.as_deref(), Some("bo@example.com"));
        assert_eq!(h.customer_ref, None);
        assert_eq!(h.categories.to_list(), "name;email");
        assert_eq!(h.stored_from.to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert_eq!(h.stored_to, None);
    }

    #[test]
    fn unknown_systems_and_categories_are_named_and_dates_checked() {
        let err = parse("hr,r-1,c-1,,,name;shoe_size,2024-13-01,").unwrap_err();
        assert_eq!(
            err,
            "system: unknown system `hr`; categories: unknown data category `shoe_size`; \
             stored_from: bad date (expected YYYY-MM-DD or an RFC 3339 timestamp)"
        );
        let err = parse("crm,r-1,c-1,,,email,2024-02-01,2024-01-01").unwrap_err();
        assert_eq!(err, "stored_to: before stored_from");
        let err = parse("crm,r-1\nr-2,,,,email,2024-01-01,").unwrap_err();
        assert_eq!(
            err,
            "record_ref: contains a line break or another control character"
        );
        let err = parse("crm,,,,,,,").unwrap_err();
        assert_eq!(
            err,
            "record_ref: missing; categories: missing (at least one data category); stored_from: missing"
        );
    }

    #[test]
    fn values_that_are_not_slugs_are_never_quoted() {
        let err = parse("ann@example.com,r-1,,,,Ann Lee,2024-01-01,").unwrap_err();
        assert_eq!(
            err,
            "system: unknown system; categories: unknown data category"
        );
    }
}
