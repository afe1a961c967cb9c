//! Tests of sentence splitting, counting, the grade and the readability findings.

use super::sentences::{sentences, words};
use super::*;

const PLAIN_EN: &str = "We lost a file. It had your name and your email. We fixed the bug \
that let it out. We will tell you if we learn more. Call us if you have a question.";

const PLAIN_ES: &str = "Perdimos un archivo. Tenía su nombre y su correo. Ya cerramos el \
fallo. Le vamos a contar si sabemos algo más. Llame si tiene una pregunta. Estamos aquí para \
usted.";

const LEGALESE: &str = "Pursuant to applicable statutory notification obligations, the \
organization hereby notifies affected individuals that unauthorized acquisition of personally \
identifiable information, including Social Security numbers, may have occurred, notwithstanding \
comprehensive administrative, technical and physical safeguards implemented consistent with \
industry-standard cybersecurity frameworks.";

#[test]
fn abbreviations_initials_decimals_and_addresses_do_not_end_a_sentence() {
    let text = "Dr. Smith in the U.S. paid $3.50 for coffee, e.g. a latte. Visit \
                https://example.com/help. Then call J. Doe.";
    assert_eq!(
        sentences(text),
        [
            "Dr. Smith in the U.S. paid $3.50 for coffee, e.g. a latte.",
            "Visit https://example.com/help.",
            "Then call J. Doe.",
        ]
    );
}

#[test]
fn headings_and_list_items_without_periods_are_sentences_of_their_own() {
    let text = "What Happened\nOn March 3 we found a problem.\n\nWhat You Can Do\n\
                - Reset your password\n- Watch your bank statements\nCall us at 1-800-555-0100.";
    assert_eq!(
        sentences(text),
        [
            "What Happened",
            "On March 3 we found a problem.",
            "What You Can Do",
            "Reset your password",
            "Watch your bank statements",
            "Call us at 1-800-555-0100.",
        ]
    );
}

#[test]
fn wrapped_lines_of_one_paragraph_stay_one_sentence() {
    let text = "We found that someone\ncopied your data on March 3 from\nAcme Bank.\nWe are sorry.";
    assert_eq!(
        sentences(text),
        [
            "We found that someone copied your data on March 3 from Acme Bank.",
            "We are sorry."
        ]
    );
}

#[test]
fn spanish_questions_split_like_any_sentence() {
    assert_eq!(
        sentences("¿Qué pasó? Alguien copió sus datos, p. ej. su correo. Lo sentimos."),
        [
            "¿Qué pasó?",
            "Alguien copió sus datos, p. ej. su correo.",
            "Lo sentimos."
        ]
    );
}

#[test]
fn addresses_and_phone_numbers_are_not_counted_as_words() {
    let text = "Write to help@example.com or call +1 (800) 555-0100 or visit \
                www.example.com/help or example.org today, March 3, 2026.";
    assert_eq!(
        words(text),
        [
            "Write", "to", "or", "call", "or", "visit", "or", "today", "March", "3", "2026"
        ]
    );
}

#[test]
fn the_english_grade_is_flesch_kincaid_computed_by_hand() {
    // By hand: 5 sentences, 34 words, 36 syllables (every word has one, except
    // email and question, which have two).
    assert_eq!(
        counts(PLAIN_EN, Locale::En),
        Counts {
            sentences: 5,
            words: 34,
            syllables: 36
        }
    );
    let expected = 0.39 * (34.0 / 5.0) + 11.8 * (36.0 / 34.0) - 15.59;
    let measured = grade(PLAIN_EN, Locale::En).unwrap_or(f64::NAN);
    assert!(
        (measured - expected).abs() < 1e-9,
        "{measured} vs {expected}"
    );
}

#[test]
fn the_spanish_grade_is_crawford_computed_by_hand() {
    // By hand: 6 sentences, 30 words, 57 syllables.
    assert_eq!(
        counts(PLAIN_ES, Locale::Es),
        Counts {
            sentences: 6,
            words: 30,
            syllables: 57
        }
    );
    let expected = -0.205 * (6.0 * 100.0 / 30.0) + 0.049 * (57.0 * 100.0 / 30.0) - 3.407;
    let measured = grade(PLAIN_ES, Locale::Es).unwrap_or(f64::NAN);
    assert!(
        (measured - expected).abs() < 1e-9,
        "{measured} vs {expected}"
    );
}

#[test]
fn a_short_text_has_no_grade() {
    assert_eq!(grade("We lost a file. We are sorry.", Locale::En), None);
}

#[test]
fn a_plain_text_passes_with_no_findings() {
    let limits = ReadabilityLimits::default();
    assert_eq!(check(PLAIN_EN, Locale::En, &limits), []);
    assert_eq!(check(PLAIN_ES, Locale::Es, &limits), []);
}

#[test]
fn dense_legalese_fails_with_its_grade_and_its_longest_sentence_quoted() {
    let found = check(LEGALESE, Locale::En, &ReadabilityLimits::default());
    let grade_error = found
        .iter()
        .find(|f| f.code == "readability.grade")
        .unwrap_or_else(|| panic!("no grade finding in {found:#?}"));
    assert_eq!(grade_error.severity, FindingSeverity::Error);
    assert_eq!(grade_error.rule, LintRule::Readability);
    assert!(
        grade_error.message.contains("the limit is 8.0"),
        "{}",
        grade_error.message
    );
    let measured = grade(LEGALESE, Locale::En).unwrap_or(0.0);
    assert!(measured > 20.0, "{measured}");
    assert!(
        grade_error
            .message
            .contains(&format!("grade {measured:.1};")),
        "{}",
        grade_error.message
    );
    assert!(
        grade_error.suggestion.contains("“Pursuant to applicable"),
        "{}",
        grade_error.suggestion
    );
    assert_eq!(grade_error.location.part, Some(Part::Text));
}

#[test]
fn each_long_sentence_is_a_warning_quoting_its_start() {
    let found = check(LEGALESE, Locale::En, &ReadabilityLimits::default());
    let long: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code == "readability.long_sentence")
        .collect();
    assert_eq!(long.len(), 1, "{found:#?}");
    assert_eq!(long[0].severity, FindingSeverity::Warning);
    let excerpt = long[0].location.excerpt.clone().unwrap_or_default();
    assert!(
        excerpt.starts_with("Pursuant to applicable statutory"),
        "{excerpt}"
    );
    assert!(
        excerpt.ends_with('…') && excerpt.chars().count() <= 60,
        "{excerpt}"
    );
}

#[test]
fn the_limits_decide_what_is_flagged() {
    let strict = ReadabilityLimits {
        max_grade: -5.0,
        max_sentence_words: 7,
    };
    let found = check(PLAIN_EN, Locale::En, &strict);
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "readability.grade",
            "readability.long_sentence",
            "readability.long_sentence"
        ]
    );
}
