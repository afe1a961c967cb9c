//! The scope section's forms (declaring the scope, pasting a forensic list, running the
//! mapping) and the affected list's download. Each form is CSRF-checked and same-origin, then
//! role-checked, then handed to the mapping use-cases, which check everything again.

use std::collections::BTreeMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::super::super::incidents::failed;
use super::super::super::room::{Kept, back, guard, refused, refused_keeping};
use super::super::super::session::Staff;
use super::super::super::view;
use super::{downloads, scopes};
use crate::app::AppState;
use crate::domain::{DataCategory, Problem};
use crate::mapping::{self, MappingError, ScopeSystemInput};

/// The most rows a scope form may carry.
const MAX_ROWS: usize = 200;
/// Bad lines of a forensic list named in the refusal (the rest are counted).
const LINES_SHOWN: usize = 10;

const NOT_RESPONDER: &str = "Only a responder can change the scope or run the mapping.";

/// One row of the form as posted: `system.N`, `category.N` (repeated), `from.N`, `to.N`,
/// `encrypted.N`, `key_compromised.N`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct PostedRow {
    pub(super) system: String,
    pub(super) categories: Vec<String>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) encrypted: bool,
    pub(super) key_compromised: bool,
}

impl PostedRow {
    fn is_blank(&self) -> bool {
        self.system.trim().is_empty()
            && self.categories.is_empty()
            && self.from.trim().is_empty()
            && self.to.trim().is_empty()
            && !self.encrypted
            && !self.key_compromised
    }
}

/// The form's CSRF token.
fn csrf(pairs: &[(String, String)]) -> Option<&str> {
    pairs
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value.as_str())
}

/// The form's rows by index; a problem for a malformed field.
fn parse_form(pairs: &[(String, String)]) -> Result<BTreeMap<usize, PostedRow>, String> {
    let mut rows: BTreeMap<usize, PostedRow> = BTreeMap::new();
    for (name, value) in pairs {
        if name == "csrf" {
            continue;
        }
        let Some((field, index)) = name.split_once('.') else {
            return Err(format!("The form has an unknown field `{name}`."));
        };
        let index = match index.parse::<usize>() {
            Ok(i) if i < MAX_ROWS => i,
            _ => return Err(format!("The form has an unknown field `{name}`.")),
        };
        let row = rows.entry(index).or_default();
        match field {
            "system" => row.system = value.clone(),
            "category" => row.categories.push(value.clone()),
            "from" => row.from = value.clone(),
            "to" => row.to = value.clone(),
            "encrypted" => row.encrypted = !value.is_empty(),
            "key_compromised" => row.key_compromised = !value.is_empty(),
            _ => return Err(format!("The form has an unknown field `{name}`.")),
        }
    }
    Ok(rows)
}

/// A reason the form was refused, with the number of the row it concerns (1-based) when it
/// concerns one.
type RowProblem = (Option<usize>, String);

/// The filled rows as the use-case's input, with each one's number on the form (1-based);
/// problems for a row without a system or with an unknown category.
fn inputs(
    rows: BTreeMap<usize, PostedRow>,
) -> Result<(Vec<ScopeSystemInput>, Vec<usize>), Vec<RowProblem>> {
    let mut input = Vec::new();
    let mut numbers = Vec::new();
    let mut problems = Vec::new();
    for (index, row) in rows.into_iter().filter(|(_, r)| !r.is_blank()) {
        let number = index + 1;
        if row.system.trim().is_empty() {
            problems.push((
                Some(number),
                format!("System {number}: choose a system (or clear the row)."),
            ));
            continue;
        }
        let mut categories = Vec::with_capacity(row.categories.len());
        for key in &row.categories {
            match key.parse::<DataCategory>() {
                Ok(c) => categories.push(c),
                Err(e) => problems.push((Some(number), format!("System {number}: {e}."))),
            }
        }
        input.push(ScopeSystemInput {
            system: row.system,
            categories,
            from: row.from,
            to: row.to,
            encrypted: row.encrypted,
            key_compromised: row.key_compromised,
        });
        numbers.push(number);
    }
    if problems.is_empty() {
        Ok((input, numbers))
    } else {
        Err(problems)
    }
}

/// A use-case's problem in the form's words: `systems[1].to` is "System 3, to" when the
/// second filled row is the form's third.
fn on_the_form(problem: &Problem, numbers: &[usize]) -> RowProblem {
    let named = problem
        .field
        .strip_prefix("systems[")
        .and_then(|rest| rest.split_once("]."))
        .and_then(|(i, field)| Some((numbers.get(i.parse::<usize>().ok()?)?, field)));
    match named {
        Some((number, field)) => (
            Some(*number),
            format!(
                "System {number}, {}: {}.",
                field.replace('_', " "),
                problem.message
            ),
        ),
        None => (None, format!("{}: {}.", problem.field, problem.message)),
    }
}

/// Why a mapping use-case refused, as a status and a sentence; `None` for a database failure.
fn refusal(e: &MappingError, numbers: &[usize]) -> Option<(StatusCode, String)> {
    Some(match e {
        MappingError::IncidentNotFound | MappingError::RunNotFound => {
            (StatusCode::NOT_FOUND, "No such incident.".to_owned())
        }
        MappingError::Invalid(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            problems
                .iter()
                .map(|p| on_the_form(p, numbers).1)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        MappingError::BadFile(problems) => {
            let mut lines: Vec<String> = problems
                .iter()
                .take(LINES_SHOWN)
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            if problems.len() > LINES_SHOWN {
                lines.push(format!("and {} more", problems.len() - LINES_SHOWN));
            }
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "The list was not saved; nothing changed. {}.",
                    lines.join("; ")
                ),
            )
        }
        MappingError::NotMapped | MappingError::InProgress { .. } => {
            (StatusCode::CONFLICT, e.to_string())
        }
        MappingError::Db(_) => return None,
    })
}

async fn mapping_refusal(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    e: &MappingError,
    numbers: &[usize],
) -> Response {
    match refusal(e, numbers) {
        Some((status, why)) => refused(state, staff, id, status, &why).await,
        None => failed(state, staff, e),
    }
}

/// Declares the scope from the form (responders): replaces it as a whole.
pub(in crate::http::staff) async fn save_scope(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, csrf(&pairs)).await {
        return page;
    }
    if !scopes(&staff) {
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, NOT_RESPONDER).await;
    }
    let rows = match parse_form(&pairs) {
        Ok(rows) => rows,
        Err(why) => {
            return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, &why).await;
        }
    };
    let (input, numbers) = match inputs(rows.clone()) {
        Ok(checked) => checked,
        Err(problems) => return keep_rows(&state, &staff, id, &rows, &problems).await,
    };
    let now = state.clock.now();
    match mapping::set_scope(&state.db, staff.actor(), id, input, now).await {
        Ok(_) => {
            crate::http::routes::playbook::attach_applicable(&state, staff.user.id, id).await;
            back(id, "scope", "scope")
        }
        Err(MappingError::Invalid(problems)) => {
            let problems: Vec<RowProblem> =
                problems.iter().map(|p| on_the_form(p, &numbers)).collect();
            keep_rows(&state, &staff, id, &rows, &problems).await
        }
        Err(e) => mapping_refusal(&state, &staff, id, &e, &numbers).await,
    }
}

/// The room again with the refused scope form open, its rows as typed and each row's
/// reasons beside it (and all of them at the top).
async fn keep_rows(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    rows: &BTreeMap<usize, PostedRow>,
    problems: &[RowProblem],
) -> Response {
    let why = format!(
        "The scope was not saved; nothing changed. {}",
        problems
            .iter()
            .map(|(_, why)| why.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let shown = match super::posted_rows(state, rows, problems).await {
        Ok(shown) => shown,
        Err(e) => return failed(state, staff, &e),
    };
    let kept: Kept = vec![
        (&["scope", "rows"], shown),
        (&["scope", "open"], Value::Bool(true)),
    ];
    refused_keeping(
        state,
        staff,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        &why,
        kept,
    )
    .await
}

/// The forensic list form's fields: the token, a pasted list, a chosen file.
#[derive(Default)]
struct RecordsForm {
    csrf: Option<String>,
    pasted: String,
    file: Vec<u8>,
}

/// Reads the forensic list form (`multipart/form-data`); a sentence saying why not.
async fn read_records(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<RecordsForm, String> {
    let unreadable = |e: &dyn std::fmt::Display| format!("The list could not be read: {e}");
    let mut multipart = multipart.map_err(|e| unreadable(&e))?;
    let mut form = RecordsForm::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        match field.name().unwrap_or_default() {
            "csrf" => form.csrf = Some(field.text().await.map_err(|e| unreadable(&e))?),
            "csv" => form.pasted = field.text().await.map_err(|e| unreadable(&e))?,
            "file" => form.file = field.bytes().await.map_err(|e| unreadable(&e))?.to_vec(),
            _ => {}
        }
    }
    Ok(form)
}

/// Replaces the forensic lists of the systems a CSV names (responders): a chosen file, or
/// else the pasted text.
pub(in crate::http::staff) async fn upload_records(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_records(multipart).await {
        Ok(form) => form,
        Err(why) => return refused(&state, &staff, id, StatusCode::BAD_REQUEST, &why).await,
    };
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !scopes(&staff) {
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, NOT_RESPONDER).await;
    }
    let csv = if form.file.is_empty() {
        form.pasted
    } else {
        match String::from_utf8(form.file) {
            Ok(text) => text,
            Err(_) => {
                let why = "The file is not UTF-8 text; nothing changed.";
                return refused(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, why).await;
            }
        }
    };
    let now = state.clock.now();
    match mapping::replace_forensic_list(&state.db, staff.actor(), id, &csv, now).await {
        Ok(_) => back(id, "records", "scope"),
        Err(e) => mapping_refusal(&state, &staff, id, &e, &[]).await,
    }
}

#[derive(Deserialize)]
pub(in crate::http::staff) struct MappingForm {
    csrf: Option<String>,
}

/// Queues a mapping and starts it in the background (responders).
pub(in crate::http::staff) async fn run_mapping(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<MappingForm>,
) -> Response {
    if let Err(page) = guard(&state, &staff, &headers, id, form.csrf.as_deref()).await {
        return page;
    }
    if !scopes(&staff) {
        return refused(&state, &staff, id, StatusCode::FORBIDDEN, NOT_RESPONDER).await;
    }
    match mapping::request_mapping(&state.db, staff.actor(), id, state.clock.now()).await {
        Ok(run) => {
            state.mapping.spawn(run.id);
            back(id, "mapping", "scope")
        }
        Err(e) => mapping_refusal(&state, &staff, id, &e, &[]).await,
    }
}

/// The current mapping's people as CSV (responders and CX leads), streamed.
pub(in crate::http::staff) async fn download_affected(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Response {
    if !downloads(&staff) {
        let why = "Only responders and CX leads can download the affected list.";
        return view::problem(&state, Some(&staff), StatusCode::FORBIDDEN, why);
    }
    let export = match mapping::affected_csv(&state.db, &state.pepper, id).await {
        Ok(export) => export,
        Err(MappingError::NotMapped) => {
            let why = "This incident has not been mapped yet, so there is no list to download.";
            return view::problem(&state, Some(&staff), StatusCode::NOT_FOUND, why);
        }
        Err(MappingError::IncidentNotFound) => {
            return view::problem(
                &state,
                Some(&staff),
                StatusCode::NOT_FOUND,
                "No such incident.",
            );
        }
        Err(e) => return failed(&state, &staff, &e),
    };
    crate::http::routes::mapping::csv_download(export, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn blank_rows_are_ignored_and_filled_ones_keep_their_number_on_the_form() {
        let form = pairs(&[
            ("csrf", "t"),
            ("system.0", ""),
            ("from.0", ""),
            ("system.2", "billing-db"),
            ("category.2", "name"),
            ("category.2", "ssn"),
            ("from.2", "2026-03-01"),
            ("to.2", "2026-03-09"),
            ("encrypted.2", "on"),
        ]);
        assert_eq!(csrf(&form), Some("t"));
        let rows = parse_form(&form).unwrap();
        let (input, numbers) = inputs(rows).unwrap();
        assert_eq!(numbers, [3]);
        assert_eq!(input[0].system, "billing-db");
        assert_eq!(input[0].categories, [DataCategory::Name, DataCategory::Ssn]);
        assert!(input[0].encrypted && !input[0].key_compromised);
        let problem = Problem::new("systems[0].key_compromised", "only applies when encrypted");
        assert_eq!(
            on_the_form(&problem, &numbers),
            (
                Some(3),
                "System 3, key compromised: only applies when encrypted.".to_owned()
            )
        );
    }

    #[test]
    fn a_row_without_a_system_or_with_an_unknown_field_is_refused() {
        let rows = parse_form(&pairs(&[("category.0", "name")])).unwrap();
        assert_eq!(
            inputs(rows).unwrap_err(),
            [(
                Some(1),
                "System 1: choose a system (or clear the row).".to_owned()
            )]
        );
        assert!(parse_form(&pairs(&[("system.999", "x")])).is_err());
        assert!(parse_form(&pairs(&[("colour.0", "x")])).is_err());
        let rows = parse_form(&pairs(&[("system.0", "a"), ("category.0", "nope")])).unwrap();
        assert!(
            inputs(rows).unwrap_err()[0]
                .1
                .contains("unknown data category")
        );
    }
}
