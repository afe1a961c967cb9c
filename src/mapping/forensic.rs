//! Forensic lists: the exact records known to be taken from a system, uploaded as CSV with
//! the header `system,record_ref`. A file replaces the incident's list for each system it
//! names; lists of systems the file does not name are kept.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{MappingError, Problem};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::inventory::is_system_name;
use crate::store;

/// The most bad lines reported at once; a file that is wrong throughout says so in a page.
const MAX_REPORTED: usize = 100;
/// The longest record reference the inventory stores.
const MAX_RECORD_REF: usize = 256;

/// A parsed forensic list: record references by system, and the first line naming each system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForensicList {
    pub records: BTreeMap<String, BTreeSet<String>>,
    pub first_line: BTreeMap<String, usize>,
    /// Lines that repeated a record already listed.
    pub duplicates: usize,
}

/// What an upload changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForensicSummary {
    /// Systems whose list was replaced.
    pub systems: usize,
    /// Distinct records now listed for those systems.
    pub records: usize,
    /// Lines that repeated a record.
    pub duplicates: usize,
    /// Listed records the inventory does not hold (they cannot match anyone).
    pub not_in_inventory: i64,
}

/// Replaces the forensic lists of the systems named in `csv`. A file with any bad line is
/// rejected whole, naming every bad line (up to a hundred).
pub async fn replace_forensic_list(
    db: &DatabaseConnection,
    actor: Actor,
    incident_id: Uuid,
    csv: &str,
    now: DateTime<Utc>,
) -> Result<ForensicSummary, MappingError> {
    let list = parse_forensic_list(csv).map_err(MappingError::BadFile)?;
    check_systems(db, &list).await?;
    let txn = store::begin_write(db).await?;
    if !store::mapping::lock_incident(&txn, incident_id).await? {
        return Err(MappingError::IncidentNotFound);
    }
    let mut summary = ForensicSummary {
        systems: list.records.len(),
        records: list.records.values().map(BTreeSet::len).sum(),
        duplicates: list.duplicates,
        not_in_inventory: 0,
    };
    for (system, refs) in &list.records {
        store::scope::replace_records(&txn, incident_id, system, refs).await?;
        summary.not_in_inventory +=
            store::scope::count_unheld_records(&txn, incident_id, system).await?;
    }
    audit::record(&txn, now, event(actor, incident_id, &summary)).await?;
    txn.commit().await?;
    Ok(summary)
}

/// Refuses a list naming systems the inventory does not have, at the first line of each.
async fn check_systems(db: &DatabaseConnection, list: &ForensicList) -> Result<(), MappingError> {
    let named: BTreeSet<String> = list.records.keys().cloned().collect();
    let known = store::scope::known_systems(db, &named).await?;
    let unknown: Vec<Problem> = list
        .first_line
        .iter()
        .filter(|(system, _)| !known.contains(*system))
        .map(|(system, line)| {
            let records = list.records.get(system).map_or(0, BTreeSet::len);
            Problem::new(
                format!("line {line}"),
                format!(
                    "unknown system `{system}` ({records} records from this line on); \
                     import it first"
                ),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(MappingError::BadFile(unknown))
    }
}

fn event(actor: Actor, incident_id: Uuid, summary: &ForensicSummary) -> AuditEvent {
    AuditEvent {
        actor,
        action: "scope.records_replaced",
        object_type: "incident_scope",
        object_id: incident_id.to_string(),
        incident_id: Some(incident_id),
        summary: format!(
            "forensic list replaced for {} systems: {} records ({} not in the inventory)",
            summary.systems, summary.records, summary.not_in_inventory
        ),
    }
}

/// Parses a forensic list: a header `system,record_ref`, then one record per line. Blank
/// lines are skipped; fields may be quoted (`"a,b"`, `""` for a quote). Problems name their
/// line, counting the header as line 1.
pub fn parse_forensic_list(csv: &str) -> Result<ForensicList, Vec<Problem>> {
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut lines = csv.lines().enumerate().map(|(i, line)| (i + 1, line));
    let header = lines
        .by_ref()
        .find(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| (n, split_fields(line)));
    match header {
        Some((_, Ok(fields))) if is_header(&fields) => {}
        Some((n, _)) => {
            return Err(vec![Problem::new(
                format!("line {n}"),
                "expected the header `system,record_ref`",
            )]);
        }
        None => return Err(vec![Problem::new("line 1", "the file is empty")]),
    }
    let mut list = ForensicList::default();
    let mut problems = Vec::new();
    for (n, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        match parse_line(line) {
            Ok((system, record_ref)) => {
                list.first_line.entry(system.clone()).or_insert(n);
                if !list.records.entry(system).or_default().insert(record_ref) {
                    list.duplicates += 1;
                }
            }
            Err(reason) => problems.push(Problem::new(format!("line {n}"), reason)),
        }
    }
    if list.records.is_empty() && problems.is_empty() {
        problems.push(Problem::new("line 2", "the file lists no records"));
    }
    if problems.is_empty() {
        Ok(list)
    } else {
        problems.truncate(MAX_REPORTED);
        Err(problems)
    }
}

fn is_header(fields: &[String]) -> bool {
    let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
    names == ["system", "record_ref"]
}

fn parse_line(line: &str) -> Result<(String, String), String> {
    let fields = split_fields(line)?;
    let [system, record_ref] = fields.as_slice() else {
        return Err(format!(
            "expected 2 fields (system,record_ref), found {}",
            fields.len()
        ));
    };
    let system = system.trim();
    let record_ref = record_ref.trim();
    if !is_system_name(system) {
        return Err("system must be a system name (a-z, 0-9, `-`, `_`, `.`)".to_owned());
    }
    if record_ref.is_empty() {
        return Err("record_ref is empty".to_owned());
    }
    if record_ref.chars().count() > MAX_RECORD_REF {
        return Err(format!(
            "record_ref is longer than {MAX_RECORD_REF} characters"
        ));
    }
    Ok((system.to_owned(), record_ref.to_owned()))
}

/// Splits one CSV line into fields, honouring double quotes.
fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_parses_with_quotes_blank_lines_and_repeats() {
        let csv = "\u{feff}System,Record_Ref\r\nbilling-db,R1\n\n\"crm\",\"R,2\"\nbilling-db,R1\n";
        let list = parse_forensic_list(csv).unwrap();
        assert_eq!(list.records["billing-db"].len(), 1);
        assert!(list.records["crm"].contains("R,2"));
        assert_eq!(list.duplicates, 1);
        assert_eq!(list.first_line["crm"], 4);
    }

    #[test]
    fn every_bad_line_is_named() {
        let csv = "system,record_ref\nbilling-db,\nBilling DB,R1\nbilling-db,R2,x\ncrm,\"R3\n";
        let problems = parse_forensic_list(csv).unwrap_err();
        let lines: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(lines, ["line 2", "line 3", "line 4", "line 5"]);
        assert_eq!(problems[0].message, "record_ref is empty");
    }

    #[test]
    fn a_missing_header_or_an_empty_file_is_refused() {
        assert_eq!(
            parse_forensic_list("billing-db,R1\n").unwrap_err()[0].message,
            "expected the header `system,record_ref`"
        );
        assert_eq!(
            parse_forensic_list("").unwrap_err()[0].message,
            "the file is empty"
        );
        assert_eq!(
            parse_forensic_list("system,record_ref\n").unwrap_err()[0].message,
            "the file lists no records"
        );
    }
}
