//! Pointing a finding at its source: where a phrase seen in the rendered notice is written in
//! a template file or a draft field, ignoring case, line breaks, HTML tags and Handlebars
//! expressions.

/// Below this many words a phrase is too common to place by a part of it.
const MIN_WINDOW_WORDS: usize = 3;

/// Finds where `needle` (a phrase from a rendered notice) is written among `sources`
/// (`(file, content)`), returning the first file that has it and the 1-based line it starts
/// on. Matching ignores case and runs of whitespace, treats HTML tags and `{{…}}` as spaces,
/// and decodes common HTML entities. When the whole phrase is not found (it holds a rendered
/// value such as a name), the longest run of at least three of its words that is found wins.
pub fn locate(needle: &str, sources: &[(&str, &str)]) -> Option<(String, u32)> {
    let words: Vec<String> = normalize(needle)
        .text
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return None;
    }
    let normalized: Vec<(&str, &str, Normalized)> = sources
        .iter()
        .map(|(file, content)| (*file, *content, normalize(content)))
        .collect();
    let shortest = MIN_WINDOW_WORDS.min(words.len());
    for len in (shortest..=words.len()).rev() {
        for start in 0..=words.len() - len {
            let phrase = words[start..start + len].join(" ");
            for (file, content, norm) in &normalized {
                if let Some(offset) = norm.find(&phrase) {
                    return Some(((*file).to_owned(), line_of(content, offset)));
                }
            }
        }
    }
    None
}

/// Lowercased text with single spaces, and for each of its bytes the byte offset in the
/// original it came from.
struct Normalized {
    text: String,
    origin: Vec<usize>,
}

impl Normalized {
    /// The original offset of the first match of `phrase` that starts and ends at word edges.
    fn find(&self, phrase: &str) -> Option<usize> {
        let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.text
            .match_indices(phrase)
            .find(|(at, _)| {
                let before = self.text[..*at].chars().next_back();
                let after = self.text[at + phrase.len()..].chars().next();
                let first = phrase.chars().next();
                let last = phrase.chars().next_back();
                let cuts_a_word_at_start = is_word(before) && is_word(first);
                let cuts_a_word_at_end = is_word(after) && is_word(last);
                !cuts_a_word_at_start && !cuts_a_word_at_end
            })
            .and_then(|(at, _)| self.origin.get(at).copied())
    }

    fn push(&mut self, c: char, at: usize) {
        if c.is_whitespace() {
            if self.text.is_empty() || self.text.ends_with(' ') {
                return;
            }
            self.text.push(' ');
            self.origin.push(at);
            return;
        }
        for lower in c.to_lowercase() {
            self.text.push(lower);
            self.origin
                .extend(std::iter::repeat_n(at, lower.len_utf8()));
        }
    }
}

const ENTITIES: &[(&str, char)] = &[
    ("&amp;", '&'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&#39;", '\''),
    ("&#x27;", '\''),
    ("&nbsp;", ' '),
    ("&rsquo;", '’'),
    ("&lsquo;", '‘'),
    ("&rdquo;", '”'),
    ("&ldquo;", '“'),
    ("&mdash;", '—'),
    ("&ndash;", '–'),
];

fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let rest = &text[i..];
        let skip = if rest.starts_with("{{") {
            rest.find("}}")
                .map(|end| end + rest[end..].chars().take_while(|c| *c == '}').count())
        } else if c == '<'
            && rest[1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/' || n == '!')
        {
            rest.find('>').map(|end| end + 1)
        } else {
            None
        };
        if let Some(len) = skip {
            out.push(' ', i);
            i += len;
            continue;
        }
        if c == '&'
            && let Some((entity, decoded)) = ENTITIES.iter().find(|(e, _)| rest.starts_with(e))
        {
            out.push(*decoded, i);
            i += entity.len();
            continue;
        }
        out.push(c, i);
        i += c.len_utf8();
    }
    if out.text.ends_with(' ') {
        out.text.pop();
        out.origin.pop();
    }
    out
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let breaks = text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(breaks + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Dear {{person.given_name}},\n\n{{#element \"what_happened\"}}\nOut of an \
                        abundance of caution, we are\nwriting to you.\n{{/element}}\n";
    const HTML: &str = "<p>Dear {{person.given_name}},</p>\n<p>We <strong>take your privacy\n\
                        seriously</strong> &amp; we are sorry.</p>\n";

    fn sources() -> Vec<(&'static str, &'static str)> {
        vec![
            ("initial-notice/en/text.hbs", TEXT),
            ("initial-notice/en/html.hbs", HTML),
            (
                "draft.what_happened",
                "Someone copied the billing database.",
            ),
        ]
    }

    #[test]
    fn a_phrase_is_found_across_line_breaks_whatever_its_case() {
        assert_eq!(
            locate("out of an abundance of caution, we are writing", &sources()),
            Some(("initial-notice/en/text.hbs".to_owned(), 4))
        );
    }

    #[test]
    fn html_tags_and_entities_do_not_hide_a_phrase() {
        assert_eq!(
            locate("We take your privacy seriously & we are sorry.", &sources()),
            Some(("initial-notice/en/html.hbs".to_owned(), 2))
        );
    }

    #[test]
    fn a_phrase_from_a_draft_field_points_at_the_field() {
        assert_eq!(
            locate("someone   copied the BILLING database", &sources()),
            Some(("draft.what_happened".to_owned(), 1))
        );
    }

    #[test]
    fn a_phrase_holding_a_rendered_value_is_found_by_its_longest_written_part() {
        // "Ada" comes from the person, not the template.
        assert_eq!(
            locate("Dear Ada, Out of an abundance of caution", &sources()),
            Some(("initial-notice/en/text.hbs".to_owned(), 4))
        );
    }

    #[test]
    fn a_phrase_written_nowhere_is_not_found() {
        assert_eq!(locate("rest assured", &sources()), None);
        assert_eq!(locate("   ", &sources()), None);
        // Too short to place by a part of it, and only part of a word.
        assert_eq!(locate("abund", &sources()), None);
    }
}
