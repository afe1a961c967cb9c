//! The people an incident's current mapping found, page by page or as one CSV stream, each
//! with an opaque stable id and a one-line "why".
//!
//! The internal person key (which holds the email or phone of an unmatched person) never
//! leaves the service: people are shown under a keyed hash of it instead.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use futures_util::stream;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::MappingError;
use super::impact::current_run;
use super::why::{Places, why_sentence};
use crate::domain::DataCategory;
use crate::store;
use crate::store::mapping::RunStatus;
use crate::store::mapping::results::AffectedRow;

/// People read from the database per query when exporting.
const EXPORT_CHUNK: u64 = 500;

/// One affected person as staff see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedPerson {
    /// Opaque and stable across mappings while the person is known the same way.
    pub id: String,
    /// For people the inventory knows.
    pub customer_ref: Option<String>,
    /// For people the inventory knows.
    pub name: Option<String>,
    /// `US-CA`, `DE`, …, or `unknown` for unmatched people.
    pub jurisdiction: String,
    pub in_eu: bool,
    pub categories: Vec<DataCategory>,
    pub systems: Vec<String>,
    pub record_count: i64,
    /// No customer matched their records.
    pub unmatched: bool,
    /// One plain sentence: which data, where, when.
    pub why: String,
}

/// A page of affected people.
#[derive(Debug, Clone)]
pub struct AffectedPage {
    pub items: Vec<AffectedPerson>,
    pub total: i64,
    pub mapping_id: Uuid,
    pub mapped_at: DateTime<Utc>,
}

/// A page of the people of an incident's current mapping, in a stable order.
pub async fn affected_page(
    db: &DatabaseConnection,
    id_key: &SecretString,
    incident_id: Uuid,
    offset: u64,
    limit: u64,
) -> Result<AffectedPage, MappingError> {
    let txn = store::mapping::begin_snapshot(db).await?;
    let run = current_run(&txn, incident_id).await?;
    let places = places(&txn, incident_id).await?;
    let rows = store::mapping::results::affected_page(&txn, run.id, offset, limit).await?;
    txn.commit().await?;
    Ok(AffectedPage {
        items: rows
            .into_iter()
            .map(|row| to_person(row, id_key, &places))
            .collect(),
        total: run.affected_people.unwrap_or(0),
        mapping_id: run.id,
        mapped_at: run.finished_at.unwrap_or(run.requested_at),
    })
}

/// The whole list of an incident's current mapping, ready to stream as CSV.
pub struct CsvExport {
    db: DatabaseConnection,
    id_key: SecretString,
    run_id: Uuid,
    places: Places,
}

/// Prepares the CSV export of an incident's current mapping (fails before anything is sent
/// if there is none).
pub async fn affected_csv(
    db: &DatabaseConnection,
    id_key: &SecretString,
    incident_id: Uuid,
) -> Result<CsvExport, MappingError> {
    let run = current_run(db, incident_id).await?;
    Ok(CsvExport {
        db: db.clone(),
        id_key: id_key.clone(),
        run_id: run.id,
        places: places(db, incident_id).await?,
    })
}

/// The CSV header.
pub const CSV_HEADER: &str =
    "id,customer_ref,name,jurisdiction,in_eu,categories,systems,record_count,unmatched,why\n";

enum Cursor {
    Header,
    After(Option<String>),
    Done,
}

impl CsvExport {
    /// The CSV text in chunks, reading the database a chunk of people at a time (by key, so
    /// memory stays flat however long the list). If the mapping is replaced mid-way the stream
    /// ends with an error rather than a silently short file.
    pub fn into_stream(self) -> impl Stream<Item = Result<String, std::io::Error>> + Send {
        stream::unfold((self, Cursor::Header), |(export, cursor)| async move {
            let (item, next) = match cursor {
                Cursor::Header => (Ok(CSV_HEADER.to_owned()), Cursor::After(None)),
                Cursor::After(after) => match export.chunk(after.as_deref()).await {
                    Ok(Some((text, last))) => (Ok(text), Cursor::After(Some(last))),
                    Ok(None) => return None,
                    Err(e) => (Err(e), Cursor::Done),
                },
                Cursor::Done => return None,
            };
            Some((item, (export, next)))
        })
    }

    /// The rows after `after` as CSV text and the last key; `None` at the end.
    async fn chunk(&self, after: Option<&str>) -> Result<Option<(String, String)>, std::io::Error> {
        let rows =
            store::mapping::results::affected_after(&self.db, self.run_id, after, EXPORT_CHUNK)
                .await
                .map_err(|e| export_failed(self.run_id, &e))?;
        let Some(last) = rows.last().map(|r| r.person_key.clone()) else {
            let run = store::mapping::find_run(&self.db, self.run_id)
                .await
                .map_err(|e| export_failed(self.run_id, &e))?;
            return match run.map(|r| r.status) {
                Some(RunStatus::Succeeded) => Ok(None),
                _ => Err(std::io::Error::other(
                    "the mapping was replaced during the export; download the list again",
                )),
            };
        };
        let mut text = String::with_capacity(rows.len() * 160);
        for row in rows {
            csv_line(&to_person(row, &self.id_key, &self.places), &mut text);
        }
        Ok(Some((text, last)))
    }
}

fn export_failed(run_id: Uuid, err: &sea_orm::DbErr) -> std::io::Error {
    tracing::error!(run = %run_id, error = %err, "exporting affected people failed");
    std::io::Error::other("reading the affected people failed")
}

async fn places(db: &impl ConnectionTrait, incident_id: Uuid) -> Result<Places, MappingError> {
    let windows: BTreeMap<String, _> = store::scope::list(db, incident_id)
        .await?
        .into_iter()
        .map(|s| (s.system, (s.exposed_from, s.exposed_to)))
        .collect();
    Ok(Places::new(&windows))
}

fn to_person(row: AffectedRow, id_key: &SecretString, places: &Places) -> AffectedPerson {
    let name = match (&row.given_name, &row.family_name) {
        (Some(given), Some(family)) => Some(format!("{given} {family}").trim().to_owned()),
        (Some(one), None) | (None, Some(one)) => Some(one.trim().to_owned()),
        (None, None) => None,
    }
    .filter(|n| !n.is_empty());
    AffectedPerson {
        id: public_id(id_key, &row.person_key),
        why: why_sentence(row.categories, &row.systems, places),
        customer_ref: row.customer_ref,
        name,
        jurisdiction: row.jurisdiction,
        in_eu: row.in_eu,
        categories: row.categories.iter().collect(),
        systems: row.systems,
        record_count: row.record_count,
        unmatched: row.unmatched,
    }
}

/// A keyed hash of the person key: stable, and without the server's key it cannot be turned
/// back into the email or phone an unmatched person's key holds.
fn public_id(id_key: &SecretString, person_key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"candor affected person id\0");
    hasher.update(id_key.expose_secret().as_bytes());
    hasher.update(b"\0");
    hasher.update(person_key.as_bytes());
    hex::encode(&hasher.finalize()[..12])
}

fn csv_line(p: &AffectedPerson, out: &mut String) {
    let categories: Vec<&str> = p.categories.iter().map(|c| c.as_str()).collect();
    let fields = [
        p.id.as_str(),
        p.customer_ref.as_deref().unwrap_or(""),
        p.name.as_deref().unwrap_or(""),
        p.jurisdiction.as_str(),
        if p.in_eu { "true" } else { "false" },
        &categories.join(";"),
        &p.systems.join(";"),
        &p.record_count.to_string(),
        if p.unmatched { "true" } else { "false" },
        p.why.as_str(),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(field, out);
    }
    out.push('\n');
}

/// Quotes a field when needed; a field a spreadsheet would run as a formula gets a leading `'`.
fn csv_field(field: &str, out: &mut String) {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || field.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    out.push_str(&field.replace('"', "\"\""));
    if quote {
        out.push('"');
    }
}
