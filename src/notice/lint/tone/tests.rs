//! Tests of the tone list: the shipped entries, excuses, excerpts and bad files.

use super::*;

/// The shipped list, compiled once for all tests.
fn shipped() -> &'static ToneList {
    static LIST: std::sync::OnceLock<ToneList> = std::sync::OnceLock::new();
    LIST.get_or_init(|| ToneList::embedded().unwrap_or_else(|e| panic!("{e}")))
}

fn codes(found: &[Finding]) -> Vec<String> {
    found.iter().map(|f| f.code.clone()).collect()
}

#[test]
fn the_shipped_list_loads_and_covers_both_locales() {
    let list = shipped();
    for locale in Locale::ALL {
        let count = list
            .entries()
            .iter()
            .filter(|e| e.locale == *locale)
            .count();
        assert!(count >= 20, "{locale}: only {count} entries");
    }
}

#[test]
fn every_shipped_entry_flags_its_example_and_nothing_flags_its_rewrite() {
    let list = shipped();
    for entry in list.entries() {
        let (Some(example), Some(rewrite)) = (&entry.example, &entry.rewrite) else {
            panic!(
                "{} {} needs an example and a rewrite",
                entry.locale, entry.code
            );
        };
        let on_example = codes(&list.check(example, entry.locale));
        assert!(
            on_example.contains(&format!("tone.{}", entry.code)),
            "{} {}: {example:?} gave {on_example:?}",
            entry.locale,
            entry.code
        );
        let on_rewrite = list.check(rewrite, entry.locale);
        assert!(
            on_rewrite.is_empty(),
            "{} {}: the rewrite {rewrite:?} gave {:?}",
            entry.locale,
            entry.code,
            codes(&on_rewrite)
        );
    }
}

#[test]
fn the_phrases_the_product_brief_names_are_errors() {
    let list = shipped();
    let text = "Out of an abundance of caution we write. We suffered a sophisticated \
                cyberattack. We take your privacy very seriously.";
    let found = list.check(text, Locale::En);
    assert_eq!(
        codes(&found),
        [
            "tone.abundance_of_caution",
            "tone.sophisticated_attack",
            "tone.take_seriously"
        ]
    );
    assert!(found.iter().all(|f| f.severity == FindingSeverity::Error));
    assert!(found.iter().all(|f| f.rule == LintRule::Tone));
}

#[test]
fn spanish_text_is_checked_with_the_spanish_list_only() {
    let list = shipped();
    let text = "Por precaución le escribimos. Lamentamos las molestias.";
    assert_eq!(
        codes(&list.check(text, Locale::Es)),
        [
            "tone.abundance_of_caution",
            "tone.apologize_for_inconvenience"
        ]
    );
    assert!(list.check(text, Locale::En).is_empty());
}

#[test]
fn saying_what_was_checked_excuses_no_evidence_of_misuse() {
    let list = shipped();
    let bare = "We have no evidence that your data was misused.";
    assert_eq!(
        codes(&list.check(bare, Locale::En)),
        ["tone.no_evidence_of_misuse"]
    );
    let checked = "We reviewed every login to your account since March and found no \
                   evidence that your data was misused.";
    assert!(list.check(checked, Locale::En).is_empty());
    // The excuse must be in the same sentence.
    let apart = "We reviewed our logs. There is no indication that your data was misused.";
    assert_eq!(
        codes(&list.check(apart, Locale::En)),
        ["tone.no_evidence_of_misuse"]
    );
    let es = "Revisamos los movimientos de su cuenta y no hay indicios de uso indebido.";
    assert!(list.check(es, Locale::Es).is_empty());
}

#[test]
fn a_phrase_broken_across_lines_and_in_capitals_still_matches() {
    let found = shipped().check("WE TAKE YOUR\nPRIVACY SERIOUSLY.", Locale::En);
    assert_eq!(codes(&found), ["tone.take_seriously"]);
    assert_eq!(
        found[0].message.split(':').next(),
        Some("“WE TAKE YOUR PRIVACY SERIOUSLY”")
    );
}

#[test]
fn a_phrase_matched_by_two_patterns_of_one_entry_is_reported_once() {
    let found = shipped().check("It was a highly sophisticated attack.", Locale::En);
    assert_eq!(codes(&found), ["tone.sophisticated_attack"]);
}

#[test]
fn the_excerpt_quotes_the_phrase_in_context_within_eighty_characters() {
    let text = "On March 3, after a long review of every system we run for customers in \
                twelve countries, we found that out of an abundance of caution the team had \
                decided to wait a full month before telling anyone at all about it.";
    let found = shipped().check(text, Locale::En);
    let excerpt = found[0].location.excerpt.clone().unwrap_or_default();
    assert!(
        excerpt.contains("out of an abundance of caution"),
        "{excerpt}"
    );
    assert!(excerpt.chars().count() <= MAX_EXCERPT_CHARS, "{excerpt}");
    assert!(
        excerpt.ends_with('…') && !excerpt.starts_with('…'),
        "{excerpt}"
    );
    assert_eq!(found[0].location.part, Some(Part::Text));

    let short = shipped().check("Rest assured.", Locale::En);
    assert_eq!(short[0].location.excerpt.as_deref(), Some("Rest assured."));
}

#[test]
fn whole_words_only() {
    // "pii" inside a word and "inadvertent" as part of a longer word do not match.
    let list = shipped();
    assert!(list.check("The piitch was fine.", Locale::En).is_empty());
    assert_eq!(
        codes(&list.check("Our PII was taken.", Locale::En)),
        ["tone.jargon_pii"]
    );
}

const GOOD_ENTRY: &str = r#"[[en]]
code = "rest_assured"
severity = "error"
patterns = ["rest assured"]
reason = "It tells people how to feel."
suggestion = "Give facts."
"#;

fn parse_error(text: &str) -> String {
    match ToneList::parse(text) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_minimal_entry_parses() {
    let list = ToneList::parse(GOOD_ENTRY).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.entries().len(), 1);
    assert_eq!(
        codes(&list.check("Rest assured, all is well.", Locale::En)),
        ["tone.rest_assured"]
    );
}

#[test]
fn a_bad_list_is_refused_naming_the_entry_and_the_field() {
    let cases = [
        (
            GOOD_ENTRY.replace(r#"["rest assured"]"#, r#"["rest (assured"]"#),
            "tone list entry en[0] (rest_assured): patterns[0]: not a valid pattern `rest (assured`",
        ),
        (
            GOOD_ENTRY.replace(r#""error""#, r#""fatal""#),
            "tone list entry en[0] (rest_assured): severity: must be \"error\" or \"warning\"",
        ),
        (
            GOOD_ENTRY.replace("reason = \"It tells people how to feel.\"\n", ""),
            "tone list entry en[0] (rest_assured): reason: missing or blank",
        ),
        (
            GOOD_ENTRY.replace(r#""rest_assured""#, r#""Rest Assured""#),
            "tone list entry en[0] (Rest Assured): code: missing or not snake_case",
        ),
        (
            GOOD_ENTRY.replace(r#"["rest assured"]"#, "[]"),
            "tone list entry en[0] (rest_assured): patterns: needs at least one pattern",
        ),
        (
            GOOD_ENTRY.replace(r#"["rest assured"]"#, r#"["(rest)?"]"#),
            "tone list entry en[0] (rest_assured): patterns[0]: the pattern `(rest)?` matches empty text",
        ),
        (
            format!("{GOOD_ENTRY}unless_nearby = [\"[a-\"]\n"),
            "tone list entry en[0] (rest_assured): unless_nearby[0]: not a valid pattern",
        ),
        (
            format!("{GOOD_ENTRY}example = \"All is well.\"\n"),
            "tone list entry en[0] (rest_assured): example: no pattern flags it",
        ),
        (
            format!("{GOOD_ENTRY}rewrite = \"Rest assured it is fine.\"\n"),
            "tone list entry en[0] (rest_assured): rewrite: a pattern still flags it",
        ),
        (
            format!("{GOOD_ENTRY}\n{GOOD_ENTRY}"),
            "tone list entry en[1] (rest_assured): code: is used twice",
        ),
        (
            GOOD_ENTRY.replace("[[en]]", "[[fr]]"),
            "the tone list has a list for `fr`",
        ),
        (
            format!("{GOOD_ENTRY}colour = \"red\"\n"),
            "the tone list is not valid TOML",
        ),
    ];
    for (text, expected) in cases {
        let error = parse_error(&text);
        assert!(
            error.starts_with(expected),
            "expected {expected:?}, got {error:?}"
        );
    }
}
