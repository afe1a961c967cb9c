//! Reading the tone list (`notice-templates/tone.toml`): every entry's fields, its patterns
//! compiled, and its example and rewrite checked against them.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use regex::Regex;
use serde::Deserialize;

use super::{ToneEntry, ToneList};
use crate::domain::notice::{FindingSeverity, Locale};

/// Why a tone list cannot be used. Entry problems name the locale, the entry and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToneListError {
    #[error("the tone list is not valid TOML: {0}")]
    Syntax(String),
    #[error("the tone list has a list for `{0}`, which is not a locale Candor has templates for")]
    UnknownLocale(String),
    #[error("tone list entry {locale}[{index}] ({code}): {field}: {reason}")]
    Entry {
        locale: String,
        /// The entry's position in its locale's list, from 0.
        index: usize,
        /// The entry's code, or `?` when it has none.
        code: String,
        field: String,
        reason: String,
    },
}

/// One entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: Option<String>,
    severity: Option<String>,
    patterns: Option<Vec<String>>,
    reason: Option<String>,
    suggestion: Option<String>,
    #[serde(default)]
    unless_nearby: Vec<String>,
    example: Option<String>,
    rewrite: Option<String>,
}

/// Parses and checks a whole list.
pub(super) fn parse(text: &str) -> Result<ToneList, ToneListError> {
    let raw: BTreeMap<String, Vec<RawEntry>> =
        toml::from_str(text).map_err(|e| ToneListError::Syntax(e.to_string()))?;
    let mut entries = Vec::new();
    for (key, list) in raw {
        let locale =
            Locale::from_str(&key).map_err(|_| ToneListError::UnknownLocale(key.clone()))?;
        let mut codes = BTreeSet::new();
        for (index, raw) in list.into_iter().enumerate() {
            let entry = entry(locale, index, raw)?;
            if !codes.insert(entry.code.clone()) {
                return Err(problem(locale, index, &entry.code, "code", "is used twice"));
            }
            entries.push(entry);
        }
    }
    Ok(ToneList { entries })
}

fn problem(locale: Locale, index: usize, code: &str, field: &str, reason: &str) -> ToneListError {
    ToneListError::Entry {
        locale: locale.as_str().to_owned(),
        index,
        code: code.to_owned(),
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

fn entry(locale: Locale, index: usize, raw: RawEntry) -> Result<ToneEntry, ToneListError> {
    let code = raw.code.clone().unwrap_or_default();
    let fail = |field: &str, reason: &str| {
        let shown = if code.is_empty() { "?" } else { code.as_str() };
        problem(locale, index, shown, field, reason)
    };
    let is_key = code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !is_key {
        return Err(fail("code", "missing or not snake_case"));
    }
    let severity = match raw.severity.as_deref() {
        None => return Err(fail("severity", "missing")),
        Some(s) => FindingSeverity::from_str(s)
            .map_err(|_| fail("severity", "must be \"error\" or \"warning\""))?,
    };
    let text = |field: &str, value: Option<String>| match value {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(fail(field, "missing or blank")),
    };
    let reason = text("reason", raw.reason)?;
    let suggestion = text("suggestion", raw.suggestion)?;
    let patterns = match raw.patterns {
        Some(list) if !list.is_empty() => compile_all("patterns", &list, &fail)?,
        _ => return Err(fail("patterns", "needs at least one pattern")),
    };
    let unless_nearby = compile_all("unless_nearby", &raw.unless_nearby, &fail)?;
    let entry = ToneEntry {
        locale,
        code: code.clone(),
        severity,
        reason,
        suggestion,
        patterns,
        unless_nearby,
        example: raw.example,
        rewrite: raw.rewrite,
    };
    if let Some(example) = &entry.example
        && entry.findings(example).is_empty()
    {
        return Err(fail("example", "no pattern flags it"));
    }
    if let Some(rewrite) = &entry.rewrite
        && !entry.findings(rewrite).is_empty()
    {
        return Err(fail("rewrite", "a pattern still flags it"));
    }
    Ok(entry)
}

fn compile_all(
    field: &str,
    list: &[String],
    fail: &dyn Fn(&str, &str) -> ToneListError,
) -> Result<Vec<Regex>, ToneListError> {
    list.iter()
        .enumerate()
        .map(|(i, p)| compile(p).map_err(|reason| fail(&format!("{field}[{i}]"), &reason)))
        .collect()
}

/// Compiles a pattern: case-insensitive, whole words, a space matching any whitespace.
pub(super) fn compile(pattern: &str) -> Result<Regex, String> {
    if pattern.trim().is_empty() {
        return Err("a pattern must not be blank".to_owned());
    }
    let body = spaces_as_whitespace(pattern.trim());
    let regex = Regex::new(&format!(r"(?i)\b(?:{body})\b"))
        .map_err(|e| format!("not a valid pattern `{pattern}`: {e}"))?;
    // A pattern that can match nothing at all matches at every word boundary: at least one
    // of the positions of a one-letter text shows it.
    if regex.find_iter("a").any(|m| m.is_empty()) || regex.find_iter("-").any(|m| m.is_empty()) {
        return Err(format!("the pattern `{pattern}` matches empty text"));
    }
    Ok(regex)
}

/// Rewrites the spaces of a pattern outside character classes as `\s+` (`\s*` for ` ?`), so
/// that a phrase matches across line breaks; inside a class a space becomes `\s`.
fn spaces_as_whitespace(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            ' ' if in_class => out.push_str(r"\s"),
            ' ' if chars.peek() == Some(&'?') => {
                chars.next();
                out.push_str(r"\s*");
            }
            ' ' => out.push_str(r"\s+"),
            _ => out.push(c),
        }
    }
    out
}
