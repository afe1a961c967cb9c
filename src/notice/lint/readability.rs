//! The readability check: sentence and word counts, syllables, the reading grade (English
//! Flesch–Kincaid, Spanish Crawford) and the findings for text that is too hard to read.

pub mod sentences;
pub mod syllables;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::domain::notice::{Finding, FindingSeverity, LintRule, Locale, Location, Part};

/// Below this many words a grade says little, and none is given.
pub const MIN_WORDS_FOR_GRADE: usize = 30;

/// How hard a notice may be to read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadabilityLimits {
    /// The highest reading grade allowed (US school grade).
    pub max_grade: f64,
    /// The most words one sentence may have before it is flagged.
    pub max_sentence_words: usize,
}

impl Default for ReadabilityLimits {
    /// Grade 8, 25 words a sentence.
    fn default() -> Self {
        Self {
            max_grade: 8.0,
            max_sentence_words: 25,
        }
    }
}

/// Sentences, words and syllables of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Sentences with at least one word.
    pub sentences: usize,
    pub words: usize,
    pub syllables: usize,
}

/// Counts the sentences, words and syllables of `text` in `locale`.
pub fn counts(text: &str, locale: Locale) -> Counts {
    let syllables_of = match locale {
        Locale::En => syllables::english,
        Locale::Es => syllables::spanish,
    };
    let mut counts = Counts {
        sentences: 0,
        words: 0,
        syllables: 0,
    };
    for span in sentences::sentence_spans(text) {
        let words = sentences::words(&text[span]);
        if words.is_empty() {
            continue;
        }
        counts.sentences += 1;
        counts.words += words.len();
        counts.syllables += words.iter().map(|w| syllables_of(w)).sum::<usize>();
    }
    counts
}

/// The reading grade of `text`: Flesch–Kincaid for English, Crawford for Spanish. `None`
/// when the text has fewer than [`MIN_WORDS_FOR_GRADE`] words.
pub fn grade(text: &str, locale: Locale) -> Option<f64> {
    let c = counts(text, locale);
    if c.words < MIN_WORDS_FOR_GRADE || c.sentences == 0 {
        return None;
    }
    let words = c.words as f64;
    let sentences = c.sentences as f64;
    let syllables = c.syllables as f64;
    Some(match locale {
        Locale::En => 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59,
        Locale::Es => {
            -0.205 * (sentences * 100.0 / words) + 0.049 * (syllables * 100.0 / words) - 3.407
        }
    })
}

/// Findings for `text`: an error when its grade is above the limit, a warning for each
/// sentence longer than the limit. Locations name the text part; the caller may change that.
pub fn check(text: &str, locale: Locale, limits: &ReadabilityLimits) -> Vec<Finding> {
    // Sentences in reading order, with their word counts.
    let sentences: Vec<(usize, String)> = sentences::sentence_spans(text)
        .into_iter()
        .map(|span| {
            let sentence = &text[span];
            (
                sentences::words(sentence).len(),
                sentences::collapse(sentence),
            )
        })
        .filter(|(words, _)| *words > 0)
        .collect();
    let mut found = Vec::new();
    if let Some(measured) = grade(text, locale).filter(|g| *g > limits.max_grade) {
        let mut by_length: Vec<&(usize, String)> = sentences.iter().collect();
        by_length.sort_by_key(|(words, _)| std::cmp::Reverse(*words));
        let longest: Vec<String> = by_length
            .iter()
            .take(2)
            .map(|(_, s)| format!("“{}”", excerpt(s, 120)))
            .collect();
        found.push(finding(
            FindingSeverity::Error,
            "readability.grade",
            format!(
                "The text reads at grade {measured:.1}; the limit is {:.1}.",
                limits.max_grade
            ),
            None,
            format!(
                "Use shorter sentences and everyday words. Start with the longest sentences: {}.",
                longest.join(" and ")
            ),
        ));
    }
    for (words, sentence) in sentences
        .iter()
        .filter(|(words, _)| *words > limits.max_sentence_words)
    {
        found.push(finding(
            FindingSeverity::Warning,
            "readability.long_sentence",
            format!(
                "This sentence has {words} words; keep sentences to {} words or fewer.",
                limits.max_sentence_words
            ),
            Some(excerpt(sentence, 60)),
            "Split it into shorter sentences, one idea each.".to_owned(),
        ));
    }
    found
}

/// The start of `text`, at most `max` characters cut at a word, with `…` when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

fn finding(
    severity: FindingSeverity,
    code: &str,
    message: String,
    excerpt: Option<String>,
    suggestion: String,
) -> Finding {
    Finding {
        rule: LintRule::Readability,
        severity,
        code: code.to_owned(),
        message,
        location: Location {
            file: None,
            line: None,
            part: Some(Part::Text),
            excerpt,
        },
        suggestion,
    }
}
