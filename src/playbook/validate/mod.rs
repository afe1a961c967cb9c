//! Turns playbook files into validated [`Playbook`]s, reporting every problem at once: parse
//! errors, missing fields, unknown words, malformed durations and due times, broken step
//! references and cycles, conditions no gate decides, notices without templates, and clashes
//! between files.

mod action;
mod file;
mod graph;
mod step;

use std::collections::{BTreeMap, BTreeSet};

use super::problem::{PlaybookErrors, Problem, Problems};
use super::raw::S;
use crate::domain::notice::{Locale, NoticeKind, Part};
use crate::domain::playbook::Playbook;
use crate::notice::templates::TemplateSet;
use file::CheckedFile;

/// What a set of playbooks is checked against, besides itself.
pub(super) struct Context {
    /// The notice kinds whose subject, text and HTML exist for every locale.
    pub notice_kinds: BTreeSet<NoticeKind>,
    /// Playbooks outside the files that `start_playbook` may also name (the shipped set, when
    /// one file is checked on its own).
    pub beside: BTreeSet<String>,
}

impl Context {
    /// Checks against `templates`, with `beside` as further playbook ids.
    pub fn new(templates: &TemplateSet, beside: BTreeSet<String>) -> Context {
        let notice_kinds = NoticeKind::ALL
            .iter()
            .copied()
            .filter(|kind| {
                Locale::ALL.iter().all(|locale| {
                    Part::ALL.iter().all(|part| {
                        templates
                            .get(&format!("{kind}/{locale}/{part}.hbs"))
                            .is_some()
                    })
                })
            })
            .collect();
        Context {
            notice_kinds,
            beside,
        }
    }
}

/// Validates every file (`(name, content)`); any problem refuses the whole set.
pub(super) fn set(
    files: &[(String, String)],
    ctx: &Context,
) -> Result<Vec<Playbook>, PlaybookErrors> {
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for (name, text) in files {
        let mut p = Problems::new(name, text);
        checked.push(file::check(&mut p, ctx));
        problems.extend(p.list);
    }
    let ids = unique_ids(files, &checked, &mut problems);
    unknown_starts(files, &checked, &ids, ctx, &mut problems);
    if problems.is_empty() {
        Ok(checked.into_iter().filter_map(|c| c.playbook).collect())
    } else {
        // Files are in name order already; within a file, read from the top.
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Err(PlaybookErrors(problems))
    }
}

/// Each id belongs to one file: returns the first file of every id, reporting the others.
fn unique_ids<'a>(
    files: &'a [(String, String)],
    checked: &'a [CheckedFile],
    problems: &mut Vec<Problem>,
) -> BTreeMap<&'a str, &'a str> {
    let mut first_file: BTreeMap<&str, &str> = BTreeMap::new();
    for ((name, text), c) in files.iter().zip(checked) {
        let Some((id, span)) = &c.id else { continue };
        match first_file.get(id.as_str()) {
            Some(first) => {
                let mut p = Problems::new(name, text);
                let reason = format!("duplicate id `{id}`, already used by {first}");
                p.add(Some(span.clone()), "id", reason);
                problems.extend(p.list);
            }
            None => {
                first_file.insert(id, name);
            }
        }
    }
    first_file
}

/// Every `start_playbook` names a playbook of the set, or one beside it.
fn unknown_starts(
    files: &[(String, String)],
    checked: &[CheckedFile],
    ids: &BTreeMap<&str, &str>,
    ctx: &Context,
    problems: &mut Vec<Problem>,
) {
    for ((name, text), c) in files.iter().zip(checked) {
        let mut p = Problems::new(name, text);
        for (target, span, field) in &c.starts {
            if !ids.contains_key(target.as_str()) && !ctx.beside.contains(target) {
                let reason = format!("no playbook `{target}` in the set");
                p.add(Some(span.clone()), field.as_str(), reason);
            }
        }
        problems.extend(p.list);
    }
}

pub(super) use crate::domain::file_problem::required_text;

/// A vocabulary word read with `parse`; an unknown one is reported with what was expected.
pub(super) fn word<T, E>(
    p: &mut Problems,
    field: &str,
    raw: &S<String>,
    parse: impl Fn(&str) -> Result<T, E>,
    expected: &str,
) -> Option<T> {
    let value = raw.get_ref();
    match parse(value) {
        Ok(v) => Some(v),
        Err(_) => {
            p.add(
                Some(raw.span()),
                field,
                format!("unknown `{value}`; expected one of {expected}"),
            );
            None
        }
    }
}

/// Every key of a vocabulary, quoted and comma-separated, for error messages.
pub(super) fn expected<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
