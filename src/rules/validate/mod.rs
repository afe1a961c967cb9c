//! Turns the pack's files into validated rules, reporting every problem at once: parse errors,
//! missing fields, unknown words, impossible thresholds and deadlines, and clashes between
//! files.

mod coverage;
mod deadline;
mod duty;
mod jurisdiction;
mod sections;

use std::collections::BTreeMap;
use std::ops::Range;

use super::model::Jurisdiction;
use super::pack::PACK_FILE;
use super::problem::{PackErrors, Problem, Problems};
use super::raw::{RawPackFile, S};

/// A validated pack's parts.
pub(super) struct Checked {
    pub release: String,
    pub description: Option<String>,
    pub traits: BTreeMap<String, String>,
    pub jurisdictions: Vec<Jurisdiction>,
}

/// Validates every file (`(name, content)`, in name order); any problem refuses the pack.
pub(super) fn pack(files: &[(String, String)]) -> Result<Checked, PackErrors> {
    let mut problems = Vec::new();
    let header = files.iter().find(|(name, _)| name == PACK_FILE);
    let (release, description, traits) = match header {
        Some((name, text)) => pack_file(name, text, &mut problems),
        None => {
            problems.push(Problem {
                file: PACK_FILE.to_owned(),
                line: None,
                field: "file".to_owned(),
                reason: "missing: the pack needs a pack.toml with its release and traits"
                    .to_owned(),
            });
            (String::new(), None, BTreeMap::new())
        }
    };
    let mut jurisdictions: Vec<Jurisdiction> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut any_file = false;
    for (name, text) in files.iter().filter(|(name, _)| name != PACK_FILE) {
        any_file = true;
        let mut p = Problems::new(name, text);
        let checked = jurisdiction::check(&mut p, &traits);
        if let Some((j, code_span)) = checked {
            match seen.get(&j.code) {
                Some(first) => p.add(
                    Some(code_span),
                    "code",
                    format!("duplicate code `{}`, already used by {first}", j.code),
                ),
                None => {
                    seen.insert(j.code.clone(), name.clone());
                    jurisdictions.push(j);
                }
            }
        }
        problems.extend(p.list);
    }
    if !any_file {
        problems.push(Problem {
            file: PACK_FILE.to_owned(),
            line: None,
            field: "file".to_owned(),
            reason: "the pack has no jurisdiction files".to_owned(),
        });
    }
    if problems.is_empty() {
        Ok(Checked {
            release,
            description,
            traits,
            jurisdictions,
        })
    } else {
        Err(PackErrors(problems))
    }
}

/// `pack.toml`: the release and the trait vocabulary.
fn pack_file(
    name: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> (String, Option<String>, BTreeMap<String, String>) {
    let mut p = Problems::new(name, text);
    let raw: RawPackFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            p.add(e.span(), "file", e.message().to_owned());
            problems.extend(p.list);
            return (String::new(), None, BTreeMap::new());
        }
    };
    let release = required_text(&mut p, "release", raw.release.as_ref(), None).unwrap_or_default();
    let mut traits = BTreeMap::new();
    for (key, meaning) in raw.traits {
        if !is_key(&key) {
            p.add(
                Some(meaning.span()),
                format!("traits.{key}"),
                "a trait name is lowercase letters, digits and underscores",
            );
        }
        if meaning.get_ref().trim().is_empty() {
            p.add(
                Some(meaning.span()),
                format!("traits.{key}"),
                "say what the trait means",
            );
        }
        traits.insert(key, meaning.into_inner());
    }
    problems.extend(p.list);
    (release, raw.description, traits)
}

/// A required vocabulary word.
pub(super) fn word<T>(
    p: &mut Problems,
    field: &str,
    raw: Option<&S<String>>,
    at: Option<Range<usize>>,
    parse: fn(&str) -> Option<T>,
    expected: fn() -> String,
) -> Option<T> {
    let value = required_text(p, field, raw, at)?;
    let parsed = parse(&value);
    if parsed.is_none() {
        let span = raw.map(|r| r.span());
        p.add(
            span,
            field,
            format!("unknown `{value}`; expected one of {}", expected()),
        );
    }
    parsed
}

pub(super) use crate::domain::file_problem::required_text;

/// Whether `s` is a key: lowercase ASCII letters, digits and `_`, starting with a letter.
pub(super) fn is_key(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
