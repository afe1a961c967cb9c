//! The three inventory tables as the import writes them: their natural keys, the columns an
//! import sets (and the PostgreSQL type of each, for the staging table), and the SQL of the
//! upsert, which leaves a row alone unless one of its values actually differs.

use sea_orm::{DbBackend, Value};

use crate::domain::inventory::{Customer, Holding, System};

/// A table the import writes.
#[derive(Debug)]
pub struct TableSpec {
    /// The table's name.
    pub name: &'static str,
    /// The natural key the upsert conflicts on.
    pub key: &'static [&'static str],
    /// The columns an import sets, key first, each with its PostgreSQL type. `created_at` and
    /// `updated_at` come on top: both are `now` for a new row, only `updated_at` for a change.
    pub columns: &'static [(&'static str, &'static str)],
}

/// `systems`, keyed by name.
pub static SYSTEMS: TableSpec = TableSpec {
    name: "systems",
    key: &["name"],
    columns: &[
        ("name", "text"),
        ("description", "text"),
        ("owner", "text"),
        ("encrypted_at_rest", "boolean"),
    ],
};

/// `people`, keyed by the company's customer reference.
pub static PEOPLE: TableSpec = TableSpec {
    name: "people",
    key: &["customer_ref"],
    columns: &[
        ("customer_ref", "text"),
        ("given_name", "text"),
        ("family_name", "text"),
        ("email", "text"),
        ("email_norm", "text"),
        ("phone_norm", "text"),
        ("address_line1", "text"),
        ("city", "text"),
        ("region", "text"),
        ("postal_code", "text"),
        ("country", "text"),
        ("locale", "text"),
        ("tier", "text"),
        ("customer_since", "date"),
        ("preferred_channel", "text"),
        ("jurisdiction", "text"),
        ("in_eu", "boolean"),
    ],
};

/// `holdings`, keyed by `(system, record_ref)`.
pub static HOLDINGS: TableSpec = TableSpec {
    name: "holdings",
    key: &["system", "record_ref"],
    columns: &[
        ("system", "text"),
        ("record_ref", "text"),
        ("customer_ref", "text"),
        ("email_norm", "text"),
        ("phone_norm", "text"),
        ("categories", "bigint"),
        ("stored_from", "timestamptz"),
        ("stored_to", "timestamptz"),
    ],
};

/// A domain value the import writes as one row.
pub trait InventoryRow: Send + 'static {
    /// The table the row belongs to.
    fn table() -> &'static TableSpec;
    /// The row's values in the order of [`TableSpec::columns`].
    fn into_values(self) -> Vec<Value>;
}

impl InventoryRow for System {
    fn table() -> &'static TableSpec {
        &SYSTEMS
    }

    fn into_values(self) -> Vec<Value> {
        vec![
            self.name.into(),
            self.description.into(),
            self.owner.into(),
            self.encrypted_at_rest.into(),
        ]
    }
}

impl InventoryRow for Customer {
    fn table() -> &'static TableSpec {
        &PEOPLE
    }

    fn into_values(self) -> Vec<Value> {
        vec![
            self.customer_ref.into(),
            self.given_name.into(),
            self.family_name.into(),
            self.email.into(),
            self.email_norm.into(),
            self.phone_norm.into(),
            self.address_line1.into(),
            self.city.into(),
            self.region.into(),
            self.postal_code.into(),
            self.country.into(),
            self.locale.into(),
            self.tier.as_str().into(),
            self.customer_since.into(),
            self.preferred_channel.as_str().into(),
            self.jurisdiction.into(),
            self.in_eu.into(),
        ]
    }
}

impl InventoryRow for Holding {
    fn table() -> &'static TableSpec {
        &HOLDINGS
    }

    fn into_values(self) -> Vec<Value> {
        vec![
            self.system.into(),
            self.record_ref.into(),
            self.customer_ref.into(),
            self.email_norm.into(),
            self.phone_norm.into(),
            self.categories.mask().into(),
            self.stored_from.into(),
            self.stored_to.into(),
        ]
    }
}

fn column_list(spec: &TableSpec) -> String {
    let mut names: Vec<&str> = spec.columns.iter().map(|(name, _)| *name).collect();
    names.extend(["created_at", "updated_at"]);
    names.join(", ")
}

/// `INSERT … VALUES (…), (…) ON CONFLICT …` for `rows` rows, each binding its values and then
/// `now` twice (created_at, updated_at).
///
/// Placeholders are anonymous (`?` on SQLite, `$1…` in order on PostgreSQL): SQLite looks
/// numbered or named parameters up by name one at a time, which is quadratic in their number.
pub(super) fn upsert_values_sql(spec: &TableSpec, backend: DbBackend, rows: usize) -> String {
    let width = spec.columns.len() + 2;
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", spec.name, column_list(spec));
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for col in 0..width {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${n}")),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql.push(' ');
    sql.push_str(&on_conflict(spec, backend));
    sql
}

/// PostgreSQL: `UPDATE … FROM stage` of the stored rows whose values differ from the staged
/// ones; `$1` is now (their new `updated_at`).
pub(super) fn update_from_stage_sql(spec: &TableSpec, stage: &str) -> String {
    let others = non_key_columns(spec);
    let set: Vec<String> = others.iter().map(|c| format!("{c} = s.{c}")).collect();
    let differs: Vec<String> = others
        .iter()
        .map(|c| format!("t.{c} IS DISTINCT FROM s.{c}"))
        .collect();
    format!(
        "UPDATE {table} t SET {set}, updated_at = $1 FROM {stage} s WHERE {key} AND ({differs})",
        table = spec.name,
        set = set.join(", "),
        key = key_match(spec),
        differs = differs.join(" OR "),
    )
}

/// PostgreSQL: `INSERT … SELECT` of the staged rows whose key is not stored yet; `$1` is now.
pub(super) fn insert_new_from_stage_sql(spec: &TableSpec, stage: &str) -> String {
    let values: Vec<&str> = spec.columns.iter().map(|(name, _)| *name).collect();
    format!(
        "INSERT INTO {table} ({columns}) SELECT {values}, $1, $1 FROM {stage} s \
         WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {key})",
        table = spec.name,
        columns = column_list(spec),
        values = values.join(", "),
        key = key_match(spec),
    )
}

fn non_key_columns(spec: &TableSpec) -> Vec<&'static str> {
    spec.columns
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !spec.key.contains(name))
        .collect()
}

fn key_match(spec: &TableSpec) -> String {
    spec.key
        .iter()
        .map(|k| format!("t.{k} = s.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

// Only rows that actually differ are updated (and so counted, and their `updated_at` moved):
// a re-import of the same file writes nothing. Null-safe inequality is spelled differently.
fn on_conflict(spec: &TableSpec, backend: DbBackend) -> String {
    let differs = match backend {
        DbBackend::Postgres => "IS DISTINCT FROM",
        _ => "IS NOT",
    };
    let others: Vec<&str> = spec
        .columns
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !spec.key.contains(name))
        .collect();
    let mut set: Vec<String> = others
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    set.push("updated_at = excluded.updated_at".into());
    let changed: Vec<String> = others
        .iter()
        .map(|c| format!("{}.{c} {differs} excluded.{c}", spec.name))
        .collect();
    format!(
        "ON CONFLICT ({}) DO UPDATE SET {} WHERE {}",
        spec.key.join(", "),
        set.join(", "),
        changed.join(" OR ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_updates_only_rows_that_differ_and_never_created_at() {
        let sql = upsert_values_sql(&SYSTEMS, DbBackend::Sqlite, 2);
        assert_eq!(
            sql,
            "INSERT INTO systems (name, description, owner, encrypted_at_rest, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET description = excluded.description, \
             owner = excluded.owner, encrypted_at_rest = excluded.encrypted_at_rest, \
             updated_at = excluded.updated_at WHERE systems.description IS NOT excluded.description \
             OR systems.owner IS NOT excluded.owner \
             OR systems.encrypted_at_rest IS NOT excluded.encrypted_at_rest"
        );
    }

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        let sql = upsert_values_sql(&SYSTEMS, DbBackend::Postgres, 2);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12) ON"));
    }

    #[test]
    fn postgres_updates_only_rows_that_differ_then_inserts_only_new_keys() {
        let update = update_from_stage_sql(&HOLDINGS, "candor_stage");
        assert!(
            update.starts_with("UPDATE holdings t SET customer_ref = s.customer_ref, "),
            "{update}"
        );
        assert!(
            update.contains("WHERE t.system = s.system AND t.record_ref = s.record_ref AND ("),
            "{update}"
        );
        assert!(
            update.contains("t.stored_to IS DISTINCT FROM s.stored_to"),
            "{update}"
        );
        assert!(!update.contains("created_at"), "{update}");
        assert!(!update.contains("system = s.system,"), "{update}");
        let insert = insert_new_from_stage_sql(&HOLDINGS, "candor_stage");
        assert!(
            insert.ends_with(
                "FROM candor_stage s WHERE NOT EXISTS (SELECT 1 FROM holdings t \
                 WHERE t.system = s.system AND t.record_ref = s.record_ref)"
            ),
            "{insert}"
        );
        assert!(insert.contains("stored_to, $1, $1 FROM"), "{insert}");
    }

    #[test]
    fn every_row_kind_has_one_value_per_column() {
        use crate::domain::CategorySet;
        use chrono::Utc;
        let holding = Holding {
            system: "crm".into(),
            record_ref: "r1".into(),
            customer_ref: None,
            email_norm: None,
            phone_norm: None,
            categories: CategorySet::EMPTY,
            stored_from: Utc::now(),
            stored_to: None,
        };
        assert_eq!(holding.into_values().len(), HOLDINGS.columns.len());
        let system = System {
            name: "crm".into(),
            description: String::new(),
            owner: String::new(),
            encrypted_at_rest: false,
        };
        assert_eq!(system.into_values().len(), SYSTEMS.columns.len());
    }
}
