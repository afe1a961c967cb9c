//! Splitting plain text into sentences and words the way a reader sees them: abbreviations,
//! initials, decimals and web addresses do not end a sentence; a heading or a list item
//! without final punctuation is a sentence of its own; web addresses, email addresses and
//! phone numbers are not words.

use std::ops::Range;

/// Words that end with a period without ending the sentence (lowercase, without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "dra", "prof", "sr", "sra", "srta", "jr", "st", "vs", "approx",
    "aprox", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "ud", "uds", "núm", "tel", "pág", "ej", "ee", "uu", "av", "avda",
];

/// Function words a heading never ends with: a short line ending with one is wrapped prose.
const CONTINUING: &[&str] = &[
    "a", "an", "the", "of", "to", "at", "in", "on", "for", "with", "by", "from", "and", "or",
    "your", "our", "de", "la", "el", "en", "y", "o", "los", "las", "su", "sus", "que", "con",
    "por", "para", "del", "al",
];

/// Characters that may close a sentence after its final punctuation.
const CLOSERS: &[char] = &['"', '\'', '”', '’', ')', ']', '»'];

/// A line's byte range (without its line break) and where its text starts after indentation
/// and any list marker.
struct Line {
    start: usize,
    end: usize,
    body: usize,
    blank: bool,
    /// A list item or a Markdown heading: always starts its own block.
    marked: bool,
    heading: bool,
}

/// The byte ranges of the sentences of `text`, in reading order; list markers are left out.
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for block in blocks(text) {
        split_block(text, block, &mut out);
    }
    out.retain(|r| text[r.clone()].chars().any(char::is_alphanumeric));
    out
}

/// The sentences of `text` with their whitespace collapsed.
pub fn sentences(text: &str) -> Vec<String> {
    sentence_spans(text)
        .into_iter()
        .map(|r| collapse(&text[r]))
        .collect()
}

/// `text` with every run of whitespace made one space, trimmed.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of `text` that count for readability, without surrounding punctuation. Web
/// addresses, email addresses and phone numbers are left out.
pub fn words(text: &str) -> Vec<&str> {
    let tokens: Vec<&str> = text
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // A run of digit groups (`+1 (800) 555-0100`) with seven digits or more is a phone
        // or account number, not words.
        let run = tokens[i..].iter().take_while(|t| is_number_part(t)).count();
        if run > 0 {
            let digits: usize = tokens[i..i + run]
                .iter()
                .map(|t| t.chars().filter(char::is_ascii_digit).count())
                .sum();
            if digits < 7 {
                out.extend(&tokens[i..i + run]);
            }
            i += run;
            continue;
        }
        let token = tokens[i];
        if !token.is_empty() && !is_address(token) {
            out.push(token);
        }
        i += 1;
    }
    out
}

fn is_number_part(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | '–'))
}

/// A web or email address: `https://…`, `www.…`, `name@host`, `example.com/help`.
fn is_address(token: &str) -> bool {
    if token.contains("://") || token.contains('@') || token.starts_with("www.") {
        return true;
    }
    let host = token.split('/').next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && labels.iter().any(|l| l.chars().count() > 2)
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        && labels
            .iter()
            .all(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let end = start + piece.trim_end_matches(['\n', '\r']).len();
        let line = &text[start..end];
        let indent = line.len() - line.trim_start().len();
        let marker = marker_len(line.trim_start());
        out.push(Line {
            start,
            end,
            body: start + indent + marker.unwrap_or(0),
            blank: line.trim().is_empty(),
            marked: marker.is_some(),
            heading: line.trim_start().starts_with('#'),
        });
        start += piece.len();
    }
    out
}

/// The length of a list marker (`- `, `* `, `• `, `1. `, `2) `, `# `) at the start of `line`.
fn marker_len(line: &str) -> Option<usize> {
    for bullet in ["- ", "* ", "• ", "– ", "+ "] {
        if line.starts_with(bullet) {
            return Some(bullet.len());
        }
    }
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if hashes > 0 && line[hashes..].starts_with(' ') {
        return Some(hashes + 1);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && digits < 3 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then_some(digits + 2)
}

/// Groups lines into blocks that sentences never cross: paragraphs, list items, headings.
fn blocks(text: &str) -> Vec<Range<usize>> {
    let lines = lines(text);
    let mut out = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.blank {
            out.extend(current.take());
            continue;
        }
        if line.marked {
            out.extend(current.take());
        }
        match &mut current {
            Some(block) => block.end = line.end,
            None => current = Some(line.body..line.end),
        }
        let next = lines.get(i + 1);
        if ends_block(text, line, next, current.as_ref()) {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// Whether `line` closes its block although the next line is not blank: a heading, or a list
/// item whose next line is not its continuation.
fn ends_block(text: &str, line: &Line, next: Option<&Line>, block: Option<&Range<usize>>) -> bool {
    let Some(next) = next.filter(|n| !n.blank && !n.marked) else {
        return true;
    };
    let next_text = &text[next.start..next.end];
    let next_indented = next_text.starts_with(char::is_whitespace);
    let next_lower = next_text.trim_start().starts_with(char::is_lowercase);
    if line.heading {
        return true;
    }
    if line.marked {
        return !(next_indented || next_lower);
    }
    let first_line_of_block = block.is_some_and(|b| b.start == line.body);
    let body = text[line.body..line.end].trim();
    let last_word = body
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let unpunctuated = body
        .trim_end_matches(CLOSERS)
        .ends_with(|c: char| c.is_alphanumeric());
    first_line_of_block
        && unpunctuated
        && body.split_whitespace().count() <= 10
        && !body.starts_with(char::is_lowercase)
        && !CONTINUING.contains(&last_word.as_str())
        && !next_lower
}

/// Splits one block into sentences at final punctuation followed by a likely sentence start.
fn split_block(text: &str, block: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[block.clone()];
    let mut tokens: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    for token in slice.split_whitespace() {
        let offset = slice[at..].find(token).map_or(at, |o| at + o);
        tokens.push(block.start + offset..block.start + offset + token.len());
        at = offset + token.len();
    }
    let mut start: Option<usize> = None;
    for (i, token) in tokens.iter().enumerate() {
        let begin = *start.get_or_insert(token.start);
        let next = tokens.get(i + 1).map(|r| &text[r.clone()]);
        if ends_sentence(&text[token.clone()], next) {
            out.push(begin..token.end);
            start = None;
        }
    }
    if let (Some(begin), Some(last)) = (start, tokens.last()) {
        out.push(begin..last.end);
    }
}

/// Whether `token` ends a sentence, given the token after it.
fn ends_sentence(token: &str, next: Option<&str>) -> bool {
    let core = token.trim_end_matches(CLOSERS);
    let Some(last) = core.chars().last() else {
        return false;
    };
    if !matches!(last, '.' | '!' | '?' | '…') {
        return false;
    }
    let next_starts = next.is_none_or(|n| !n.starts_with(char::is_lowercase));
    if !next_starts {
        return false;
    }
    if last != '.' || core.ends_with("...") {
        return true;
    }
    let word = core
        .trim_end_matches('.')
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let next_is_number = next.is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
    let initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    let dotted = word.contains('.')
        && word.split('.').all(|part| {
            (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        });
    let abbreviation = ABBREVIATIONS.contains(&word.as_str()) || (word == "no" && next_is_number);
    !(initial || dotted || abbreviation)
}
