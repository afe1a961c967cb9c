//! One playbook file: its identity, when it applies, its escalation, then its steps (each in
//! `step`, their references to each other in `graph`).

use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use super::super::problem::Problems;
use super::super::raw::{RawAppliesWhen, RawEscalation, RawPlaybook, S, Words};
use super::super::syntax::{duration, is_kebab};
use super::{Context, expected, graph, required_text, step, word};
use crate::domain::playbook::{AppliesWhen, Escalation, IncidentKind, Playbook};
use crate::domain::{DataCategory, Severity};

/// What one file yields: its id (for clashes between files), the playbooks its steps start
/// (checked against the set), and the playbook itself when the file has no problem.
#[derive(Default)]
pub(super) struct CheckedFile {
    pub id: Option<(String, Range<usize>)>,
    /// `(playbook id, where, field)`.
    pub starts: Vec<(String, Range<usize>, String)>,
    pub playbook: Option<Playbook>,
}

/// Checks one file.
pub(super) fn check(p: &mut Problems, ctx: &Context) -> CheckedFile {
    let raw: RawPlaybook = match toml::from_str(p.text()) {
        Ok(raw) => raw,
        Err(e) => {
            p.add(e.span(), "file", e.message().to_owned());
            return CheckedFile::default();
        }
    };
    let before = p.count();
    let id = id(p, raw.id.as_ref());
    let name = required_text(p, "name", raw.name.as_ref(), None);
    let version = version(p, raw.version.as_ref());
    let summary = required_text(p, "summary", raw.summary.as_ref(), None);
    let applies_when = raw
        .applies_when
        .as_ref()
        .map(|a| applies_when(p, a.get_ref()))
        .unwrap_or_default();
    let escalation = escalation(p, raw.escalation.as_ref().map(S::get_ref));
    let nodes = steps(p, &raw, ctx);
    let starts = starts(p, &nodes, id.as_ref());
    let steps: Vec<_> = nodes.into_iter().filter_map(|n| n.step).collect();
    let playbook = match (&id, name, version, summary) {
        (Some((id, _)), Some(name), Some(version), Some(summary)) if p.count() == before => {
            Some(Playbook {
                id: id.clone(),
                name,
                version,
                summary,
                applies_when,
                escalation: escalation.unwrap_or_default(),
                steps,
            })
        }
        _ => None,
    };
    CheckedFile {
        id,
        starts,
        playbook,
    }
}

/// Every step, then how they refer to each other.
fn steps(p: &mut Problems, raw: &RawPlaybook, ctx: &Context) -> Vec<step::Node> {
    if raw.steps.is_empty() {
        p.add(
            None,
            "steps",
            "a playbook needs at least one `[[steps]]` entry",
        );
    }
    let nodes: Vec<step::Node> = raw
        .steps
        .iter()
        .enumerate()
        .map(|(index, s)| step::check(p, index, s, ctx))
        .collect();
    graph::check(p, &nodes);
    nodes
}

/// The playbooks the steps start, as `(id, where, field)`; a playbook starting itself is
/// refused here, the others are checked against the set.
fn starts(
    p: &mut Problems,
    nodes: &[step::Node],
    own: Option<&(String, Range<usize>)>,
) -> Vec<(String, Range<usize>, String)> {
    let mut starts = Vec::new();
    for (target, span, node) in nodes
        .iter()
        .filter_map(|n| n.start.as_ref().map(|(t, s)| (t, s, n)))
    {
        let field = format!("{}.playbook", node.field);
        if own.is_some_and(|(own, _)| own == target) {
            p.add(Some(span.clone()), &field, "a playbook cannot start itself");
        }
        starts.push((target.clone(), span.clone(), field));
    }
    starts
}

/// `id`: kebab-case, and the file's name without `.toml`.
fn id(p: &mut Problems, raw: Option<&S<String>>) -> Option<(String, Range<usize>)> {
    let id = required_text(p, "id", raw, None)?;
    let span = raw.map(S::span)?;
    if !is_kebab(&id) {
        p.add(
            Some(span),
            "id",
            format!("`{id}` is not kebab-case (lowercase words joined by `-`)"),
        );
        return None;
    }
    let stem = Path::new(p.file())
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != id {
        p.add(
            Some(span.clone()),
            "id",
            format!("`{id}` differs from the file's name; name the file `{id}.toml`"),
        );
    }
    Some((id, span))
}

/// `version`: a whole number, 1 or more.
fn version(p: &mut Problems, raw: Option<&S<i64>>) -> Option<u32> {
    let Some(raw) = raw else {
        p.add(None, "version", "missing");
        return None;
    };
    let reason = match u32::try_from(*raw.get_ref()) {
        Ok(v) if v >= 1 => return Some(v),
        Ok(_) => "must be 1 or more (raise it with every change)",
        Err(_) if *raw.get_ref() < 0 => "must be 1 or more (raise it with every change)",
        Err(_) => "is too large; versions count changes one by one",
    };
    p.add(Some(raw.span()), "version", reason);
    None
}

/// `[applies_when]`.
fn applies_when(p: &mut Problems, raw: &RawAppliesWhen) -> AppliesWhen {
    let severity_at_least = raw.severity_at_least.as_ref().and_then(|s| {
        word(
            p,
            "applies_when.severity_at_least",
            s,
            Severity::from_str,
            &expected(Severity::ALL),
        )
    });
    AppliesWhen {
        severity_at_least,
        kinds: words(
            p,
            "applies_when.kinds",
            raw.kinds.as_ref(),
            IncidentKind::ALL,
        ),
        categories_any: words(
            p,
            "applies_when.categories_any",
            raw.categories_any.as_ref(),
            DataCategory::ALL,
        ),
        categories_all: words(
            p,
            "applies_when.categories_all",
            raw.categories_all.as_ref(),
            DataCategory::ALL,
        ),
    }
}

/// A list of vocabulary words, each unknown one reported.
fn words<T: FromStr + std::fmt::Display + Copy>(
    p: &mut Problems,
    field: &str,
    raw: Option<&Words>,
    all: &[T],
) -> Vec<T> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    raw.get_ref()
        .iter()
        .filter_map(|w| word(p, field, w, T::from_str, &expected(all)))
        .collect()
}

/// `[escalation]`; `None` when it has a problem.
fn escalation(p: &mut Problems, raw: Option<&RawEscalation>) -> Option<Escalation> {
    let Some(after) = raw.and_then(|r| r.to_commander_after.as_ref()) else {
        return Some(Escalation::default());
    };
    match duration(after.get_ref()) {
        Ok(to_commander_after) => Some(Escalation { to_commander_after }),
        Err(reason) => {
            p.add(Some(after.span()), "escalation.to_commander_after", reason);
            None
        }
    }
}
