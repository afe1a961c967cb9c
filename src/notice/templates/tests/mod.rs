//! Tests of the template engine, over a small complete set built here and over the shipped
//! set.

mod compile;
mod helpers;
mod render;
mod set;
mod shipped;

use serde_json::{Value, json};

use super::{Compiled, TemplateSet};
use crate::domain::DataCategory;
use crate::domain::notice::{Locale, NoticeKind, Part};

/// A locale file naming every category.
fn locale_file(date_format: &str, months: &[&str; 12], list_and: &str) -> String {
    let months: Vec<String> = months.iter().map(|m| format!("{m:?}")).collect();
    let mut text = format!(
        "date_format = {date_format:?}\nmonths = [{}]\nlist_and = {list_and:?}\n\n[categories]\n",
        months.join(", ")
    );
    for category in DataCategory::ALL {
        text.push_str(&format!(
            "{} = \"{} words\"\n",
            category.as_str(),
            category.as_str()
        ));
    }
    text
}

fn english() -> String {
    locale_file(
        "{month} {day}, {year}",
        &[
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "and",
    )
}

fn spanish() -> String {
    locale_file(
        "{day} de {month} de {year}",
        &[
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "y",
    )
}

/// A complete, valid set whose templates say little: `{{> header}}` and the kind's name.
fn minimal() -> TemplateSet {
    let mut files = vec![
        ("tone.toml".to_owned(), String::new()),
        ("locales/en.toml".to_owned(), english()),
        ("locales/es.toml".to_owned(), spanish()),
    ];
    for locale in Locale::ALL {
        for name in super::REQUIRED_PARTIALS {
            for flavor in ["text", "html"] {
                files.push((
                    format!("partials/{locale}/{name}.{flavor}.hbs"),
                    format!("[{name} {locale}]"),
                ));
            }
        }
        for kind in NoticeKind::ALL {
            for part in Part::ALL {
                files.push((
                    format!("{kind}/{locale}/{part}.hbs"),
                    format!("{{{{> header}}}} {kind} {part}\n"),
                ));
            }
        }
    }
    TemplateSet::from_files(files)
}

/// The minimal set with some files replaced.
fn minimal_with(edits: &[(&str, &str)]) -> TemplateSet {
    minimal()
        .with_overrides(
            edits
                .iter()
                .map(|(p, c)| ((*p).to_owned(), (*c).to_owned())),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn compiled(set: &TemplateSet) -> Compiled {
    set.compile().unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("the set does not compile:\n{}", lines.join("\n"))
    })
}

/// Renders one part of the update kind in `locale` after replacing its template with `body`.
fn render_update(
    locale: Locale,
    part: Part,
    body: &str,
    context: &Value,
) -> Result<(String, std::collections::BTreeSet<String>), super::RenderProblem> {
    let path = format!("update/{locale}/{part}.hbs");
    let set = minimal_with(&[(&path, body)]);
    compiled(&set).render_part(NoticeKind::Update, locale, part, context)
}

fn context() -> Value {
    json!({
        "locale": "en",
        "person": { "given_name": "Ana", "tenure_years": 3, "vip": false },
        "incident": { "discovered_on": "2026-03-03", "occurred_from": null },
        "notice": { "date": "2026-11-20T09:30:00-05:00", "what_happened": "A <b>bad</b> day." },
        "exposed": { "categories": [
            { "key": "name", "words": "your name" },
            { "key": "email", "words": "your email address" },
            { "key": "ssn", "words": "your Social Security number" }
        ] },
        "law": { "codes": ["US-CA", "EU"] }
    })
}
