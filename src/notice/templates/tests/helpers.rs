//! `date`, `list` and `plural` in English and Spanish, and what they refuse.

use serde_json::{Value, json};

use super::{context, render_update};
use crate::domain::notice::{Locale, Part};

fn text(locale: Locale, body: &str, ctx: &Value) -> String {
    render_update(locale, Part::Text, body, ctx)
        .map(|(output, _)| output.trim_end().to_owned())
        .unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[test]
fn dates_are_written_in_the_locales_words() {
    let ctx = context();
    assert_eq!(
        text(Locale::En, "{{date incident.discovered_on}}", &ctx),
        "March 3, 2026"
    );
    assert_eq!(
        text(Locale::Es, "{{date incident.discovered_on}}", &ctx),
        "3 de marzo de 2026"
    );
    assert_eq!(
        text(Locale::En, "{{date notice.date}}", &ctx),
        "November 20, 2026",
        "a timestamp's own date"
    );
    assert_eq!(
        text(Locale::Es, "{{date \"2027-01-09\"}}", &ctx),
        "9 de enero de 2027"
    );
}

#[test]
fn a_value_that_is_not_a_date_fails_naming_its_path() {
    let ctx = context();
    for (body, path) in [
        ("{{date incident.occurred_from}}", "incident.occurred_from"),
        ("{{date person.given_name}}", "person.given_name"),
        ("Sent {{date notice.sent_on}}", "notice.sent_on"),
    ] {
        let problem = render_update(Locale::En, Part::Text, body, &ctx).expect_err("not a date");
        assert_eq!(problem.file, "update/en/text.hbs");
        assert_eq!(problem.line, Some(1));
        assert!(problem.message.contains(path), "{body}: {problem}");
        // The value may be personal data: the message names its path and kind only.
        assert!(!problem.message.contains("Ana"), "{body}: {problem}");
    }
}

#[test]
fn lists_are_joined_with_the_locales_and() {
    let ctx = json!({
        "locale": "es",
        "three": [{ "words": "a" }, { "words": "b" }, { "words": "c" }],
        "two": ["x", "y"],
        "one": ["solo"],
        "none": []
    });
    assert_eq!(
        text(Locale::En, "{{list three \"words\"}}", &ctx),
        "a, b and c"
    );
    assert_eq!(
        text(Locale::Es, "{{list three \"words\"}}", &ctx),
        "a, b y c"
    );
    assert_eq!(text(Locale::En, "{{list two}}", &ctx), "x and y");
    assert_eq!(text(Locale::Es, "{{list two}}", &ctx), "x y y");
    assert_eq!(
        text(Locale::Es, "{{list one}}|{{list none}}|", &ctx),
        "solo||"
    );
    assert_eq!(
        text(
            Locale::En,
            "{{list exposed.categories \"words\"}}",
            &context()
        ),
        "your name, your email address and your Social Security number"
    );
}

#[test]
fn a_list_of_objects_needs_a_field_that_every_item_has() {
    let ctx = context();
    for (body, expected) in [
        ("{{list exposed.categories}}", "name the field"),
        ("{{list exposed.categories \"label\"}}", "`label`"),
        ("{{list person.given_name}}", "person.given_name"),
        ("{{list exposed.missing \"words\"}}", "exposed.missing"),
    ] {
        let problem = render_update(Locale::En, Part::Text, body, &ctx).expect_err("refused");
        assert!(problem.message.contains(expected), "{body}: {problem}");
    }
}

#[test]
fn plural_picks_the_word_that_fits_the_number() {
    let ctx = json!({ "one": 1, "two": 2, "none": 0, "text_one": "1" });
    let body = "{{one}} {{plural one \"year\" \"years\"}}, {{two}} {{plural two \"year\" \"years\"}}, \
                {{none}} {{plural none \"year\" \"years\"}}, {{plural text_one \"año\" \"años\"}}";
    assert_eq!(
        text(Locale::En, body, &ctx),
        "1 year, 2 years, 0 years, año"
    );
    let spanish = "{{plural two \"año\" \"años\"}}";
    assert_eq!(text(Locale::Es, spanish, &ctx), "años");
    let problem = render_update(
        Locale::En,
        Part::Text,
        "{{plural \"many\" \"a\" \"b\"}}",
        &ctx,
    )
    .expect_err("not a number");
    assert!(problem.message.contains("number"), "{problem}");
    let problem = render_update(Locale::En, Part::Text, "{{plural one \"year\"}}", &ctx)
        .expect_err("two words");
    assert!(problem.message.contains("two words"), "{problem}");
}

#[test]
fn helper_output_is_escaped_in_html() {
    let ctx = json!({ "items": ["<b>", "Tom & Jerry"] });
    let (html, _) = render_update(Locale::En, Part::Html, "{{list items}}", &ctx)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(html.trim_end(), "&lt;b&gt; and Tom &amp; Jerry");
}
