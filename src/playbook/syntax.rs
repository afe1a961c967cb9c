//! The small languages inside playbook fields: kebab-case ids, question keys, durations
//! (`24h`), due times (`duty:individuals - 2d`) and conditions (`not exfiltration`).

use chrono::Duration;

use crate::domain::playbook::{Anchor, Due};
use crate::rules::Recipient;

/// The longest duration a playbook may write: ten years, in minutes.
const MAX_MINUTES: i64 = 3650 * 24 * 60;

/// What a due time's anchor may be, for error messages.
pub(super) const ANCHORS: &str = "`discovered`, `started`, `step:<id>` or `duty:<recipient>`";

/// Whether `s` is kebab-case: lowercase letters and digits in words joined by single `-`,
/// starting with a letter.
pub(super) fn is_kebab(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Whether `s` is a question key: lowercase letters, digits and `_`, starting with a letter.
pub(super) fn is_question(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A duration: a whole number of minutes, hours or days (`30m`, `4h`, `7d`).
pub(super) fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let malformed =
        || format!("`{text}` is not a duration; write a whole number and m, h or d (`4h`, `7d`)");
    let unit = text.chars().last().ok_or_else(malformed)?;
    let per_unit = match unit {
        'm' => 1,
        'h' => 60,
        'd' => 24 * 60,
        _ => return Err(malformed()),
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(malformed());
    }
    let count: i64 = number.parse().map_err(|_| malformed())?;
    if count == 0 {
        return Err(format!(
            "`{text}` is no time at all; durations are at least 1"
        ));
    }
    match count.checked_mul(per_unit) {
        Some(minutes) if minutes <= MAX_MINUTES => Ok(Duration::minutes(minutes)),
        _ => Err(format!("`{text}` is longer than ten years")),
    }
}

/// A due time: `ANCHOR [± N(m|h|d)]`, with spaces around the sign (`step:` ids hold `-`).
/// A `step:` anchor is returned unchecked; the caller knows the steps.
pub(super) fn due(text: &str) -> Result<Due, String> {
    let mut words = text.split_whitespace();
    let Some(anchor_text) = words.next() else {
        return Err(format!(
            "empty; write an anchor ({ANCHORS}) and an optional offset"
        ));
    };
    let anchor = anchor(anchor_text)?;
    let rest: String = words.collect::<Vec<_>>().join("");
    let offset = if rest.is_empty() {
        Duration::zero()
    } else {
        match (rest.strip_prefix('+'), rest.strip_prefix('-')) {
            (Some(later), _) => duration(later)?,
            (_, Some(earlier)) => -duration(earlier)?,
            _ => {
                return Err(format!(
                    "`{text}`: after the anchor comes `+` or `-` and a duration (`discovered + 24h`)"
                ));
            }
        }
    };
    Ok(Due { anchor, offset })
}

/// One anchor word.
fn anchor(text: &str) -> Result<Anchor, String> {
    match text.split_once(':') {
        None if text == "discovered" => Ok(Anchor::Discovered),
        None if text == "started" => Ok(Anchor::Started),
        Some(("step", id)) if is_kebab(id) => Ok(Anchor::Step(id.to_owned())),
        Some(("step", id)) => Err(format!("`step:{id}` does not name a step id")),
        Some(("duty", recipient)) => match Recipient::parse(recipient) {
            Some(r) => Ok(Anchor::Duty(r.as_str().to_owned())),
            None => Err(format!(
                "unknown recipient `{recipient}`; expected one of {}",
                Recipient::expected()
            )),
        },
        _ => Err(format!("unknown anchor `{text}`; expected {ANCHORS}")),
    }
}

/// A condition: `question` (run when decided yes) or `not question` (run when decided no).
pub(super) fn condition(text: &str) -> Result<(String, bool), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (question, yes) = match words.as_slice() {
        [q] if *q != "not" => (*q, true),
        ["not", q] => (*q, false),
        _ => {
            return Err(format!(
                "`{text}` is not a condition; write a question (`exfiltration`) or `not` and a question"
            ));
        }
    };
    if !is_question(question) {
        return Err(format!(
            "`{question}` is not a question key (lowercase letters, digits and `_`)"
        ));
    }
    Ok((question.to_owned(), yes))
}
