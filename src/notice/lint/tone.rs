//! The tone check: phrases that hide what happened, shift the blame, play it down or sound
//! like a form letter, from the tone list (`notice-templates/tone.toml`), per locale.

mod list;

#[cfg(test)]
mod tests;

use std::ops::Range;

use regex::Regex;

pub use list::ToneListError;

use super::readability::sentences::{collapse, sentence_spans};
use crate::domain::notice::{Finding, FindingSeverity, LintRule, Locale, Location, Part};

/// The longest excerpt a tone finding quotes, in characters.
pub const MAX_EXCERPT_CHARS: usize = 80;

/// The shipped tone list.
const EMBEDDED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/notice-templates/tone.toml"
));

/// The phrases the tone check flags, per locale.
#[derive(Debug, Clone)]
pub struct ToneList {
    entries: Vec<ToneEntry>,
}

/// One kind of phrase to flag.
#[derive(Debug, Clone)]
pub struct ToneEntry {
    pub locale: Locale,
    /// Snake case; findings have the code `tone.<code>`.
    pub code: String,
    pub severity: FindingSeverity,
    /// Why the phrase hurts.
    pub reason: String,
    /// What to write instead.
    pub suggestion: String,
    patterns: Vec<Regex>,
    /// A sentence with one of these is excused.
    unless_nearby: Vec<Regex>,
    /// A sentence the entry flags, when the list gives one.
    pub example: Option<String>,
    /// A plain rewrite nothing flags, when the list gives one.
    pub rewrite: Option<String>,
}

impl ToneList {
    /// The list built into Candor (`notice-templates/tone.toml`).
    pub fn embedded() -> Result<ToneList, ToneListError> {
        ToneList::parse(EMBEDDED)
    }

    /// Reads a tone list; the first problem is named with its entry and field.
    pub fn parse(text: &str) -> Result<ToneList, ToneListError> {
        list::parse(text)
    }

    /// Every entry, every locale.
    pub fn entries(&self) -> &[ToneEntry] {
        &self.entries
    }

    /// The findings for `text` in `locale`, in the order the phrases appear. Locations name
    /// the text part; the caller may change that.
    pub fn check(&self, text: &str, locale: Locale) -> Vec<Finding> {
        let sentences = sentence_spans(text);
        let mut found: Vec<(usize, Finding)> = self
            .entries
            .iter()
            .filter(|e| e.locale == locale)
            .flat_map(|e| e.findings_in(text, &sentences))
            .collect();
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, f)| f).collect()
    }
}

impl ToneEntry {
    /// This entry's findings in `text`.
    pub fn findings(&self, text: &str) -> Vec<Finding> {
        self.findings_in(text, &sentence_spans(text))
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// Findings with where each match starts; overlapping matches count once.
    fn findings_in(&self, text: &str, sentences: &[Range<usize>]) -> Vec<(usize, Finding)> {
        let mut matches: Vec<Range<usize>> = self
            .patterns
            .iter()
            .flat_map(|p| p.find_iter(text).map(|m| m.range()))
            .collect();
        matches.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut out = Vec::new();
        let mut covered = 0;
        for m in matches {
            if m.start < covered {
                continue;
            }
            covered = m.end;
            let sentence = sentences
                .iter()
                .find(|s| s.start <= m.start && m.start < s.end)
                .cloned()
                .unwrap_or(m.clone());
            let context = &text[sentence.clone()];
            if self.unless_nearby.iter().any(|r| r.is_match(context)) {
                continue;
            }
            out.push((m.start, self.finding(text, sentence, m)));
        }
        out
    }

    fn finding(&self, text: &str, sentence: Range<usize>, m: Range<usize>) -> Finding {
        let phrase = collapse(&text[m.clone()]);
        Finding {
            rule: LintRule::Tone,
            severity: self.severity,
            code: format!("tone.{}", self.code),
            message: format!("“{phrase}”: {}", self.reason),
            location: Location {
                file: None,
                line: None,
                part: Some(Part::Text),
                excerpt: Some(excerpt(text, sentence, m)),
            },
            suggestion: self.suggestion.clone(),
        }
    }
}

/// The match with as much of its sentence around it as fits in [`MAX_EXCERPT_CHARS`],
/// whitespace collapsed, cut at words, with `…` when the end is cut. It never starts with `…`,
/// so that it can be searched for in the templates.
fn excerpt(text: &str, sentence: Range<usize>, m: Range<usize>) -> String {
    let whole = collapse(&text[sentence.clone()]);
    if whole.chars().count() <= MAX_EXCERPT_CHARS {
        return whole;
    }
    let phrase = collapse(&text[m.clone()]);
    let phrase_len = phrase.chars().count();
    if phrase_len >= MAX_EXCERPT_CHARS {
        let cut: String = phrase.chars().take(MAX_EXCERPT_CHARS - 1).collect();
        return format!("{cut}…");
    }
    let before: Vec<&str> = text[sentence.start..m.start].split_whitespace().collect();
    let after: Vec<&str> = text[m.end..sentence.end].split_whitespace().collect();
    let glued_before = !text[..m.start].ends_with(char::is_whitespace) && !before.is_empty();
    let glued_after = !text[m.end..].starts_with(char::is_whitespace) && !after.is_empty();
    let mut used = phrase_len;
    let half = (MAX_EXCERPT_CHARS - phrase_len) / 2;
    let mut lead: Vec<&str> = Vec::new();
    for word in before.iter().rev() {
        let cost = word.chars().count() + 1;
        if used + cost > phrase_len + half {
            break;
        }
        used += cost;
        lead.insert(0, word);
    }
    let mut tail: Vec<&str> = Vec::new();
    for word in &after {
        let cost = word.chars().count() + 1;
        // Leave room for the closing `…`.
        if used + cost > MAX_EXCERPT_CHARS - 1 {
            break;
        }
        used += cost;
        tail.push(word);
    }
    let mut out = String::new();
    out.push_str(&lead.join(" "));
    if !lead.is_empty() && !glued_before {
        out.push(' ');
    }
    out.push_str(&phrase);
    if !tail.is_empty() && !glued_after {
        out.push(' ');
    }
    out.push_str(&tail.join(" "));
    if tail.len() < after.len() {
        out.push('…');
    }
    out
}
