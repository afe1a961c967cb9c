//! The customer pages' templates and words, embedded in the binary and compiled once (strict
//! Handlebars, HTML escaping): rendering a page in a locale, phrases with values filled in,
//! dates in the reader's language, and the locale a browser asks for.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use handlebars::Handlebars;
use serde_json::Value;

use crate::domain::notice::Locale;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("templates/layout.hbs")),
    ("personal", include_str!("templates/personal.hbs")),
    ("survey", include_str!("templates/survey.hbs")),
    ("problem", include_str!("templates/problem.hbs")),
];

const WORDS: &[(Locale, &str)] = &[
    (Locale::En, include_str!("words/en.toml")),
    (Locale::Es, include_str!("words/es.toml")),
];

/// Shown when a page cannot be rendered at all.
const FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Something went wrong</title></head><body><h1>Something went wrong on our side</h1>\
    <p>We are sorry. Please try again in a few minutes.</p></body></html>";

/// The compiled pages and their words.
pub(super) struct Pages {
    registry: Handlebars<'static>,
    words: BTreeMap<Locale, Value>,
}

impl Pages {
    /// The pages, compiled on first use; `None` (logged) if they do not compile, which the
    /// tests rule out.
    pub(super) fn get() -> Option<&'static Pages> {
        static PAGES: OnceLock<Result<Pages, String>> = OnceLock::new();
        match PAGES.get_or_init(Pages::build) {
            Ok(pages) => Some(pages),
            Err(e) => {
                tracing::error!(error = %e, "the customer page templates do not compile");
                None
            }
        }
    }

    fn build() -> Result<Pages, String> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        for (name, text) in TEMPLATES {
            registry
                .register_template_string(name, *text)
                .map_err(|e| format!("{name}.hbs: {e}"))?;
        }
        let mut words = BTreeMap::new();
        for (locale, text) in WORDS {
            let parsed: toml::Value =
                toml::from_str(text).map_err(|e| format!("{locale}.toml: {e}"))?;
            let json = serde_json::to_value(parsed).map_err(|e| format!("{locale}.toml: {e}"))?;
            words.insert(*locale, json);
        }
        Ok(Pages { registry, words })
    }

    /// The words of `locale` at a dotted path (`page.title`); the path itself when missing
    /// (the tests check every locale has every word).
    pub(super) fn word(&self, locale: Locale, path: &str) -> String {
        let pointer = format!("/{}", path.replace('.', "/"));
        self.words
            .get(&locale)
            .and_then(|w| w.pointer(&pointer))
            .and_then(Value::as_str)
            .map_or_else(|| path.to_owned(), str::to_owned)
    }

    /// A word with its `{name}` values filled in.
    pub(super) fn phrase(&self, locale: Locale, path: &str, fills: &[(&str, &str)]) -> String {
        let mut text = self.word(locale, path);
        for (name, value) in fills {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A date as the reader's language writes it: `March 3, 2026`, `3 de marzo de 2026`.
    pub(super) fn date(&self, locale: Locale, date: NaiveDate) -> String {
        let month = self
            .words
            .get(&locale)
            .and_then(|w| w.get("months"))
            .and_then(|m| m.get(date.month0() as usize))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.phrase(
            locale,
            "date",
            &[
                ("month", &month),
                ("day", &date.day().to_string()),
                ("year", &date.year().to_string()),
            ],
        )
    }

    /// Renders `template` in `locale` with `data` (an object: the page's values), adding the
    /// language and the words (`t`), as an answer with `status`; the fallback page (500) if it
    /// does not render.
    pub(super) fn respond(
        &self,
        status: StatusCode,
        template: &str,
        locale: Locale,
        mut data: Value,
    ) -> Response {
        if let Value::Object(map) = &mut data {
            map.insert("lang".into(), Value::String(locale.as_str().to_owned()));
            let words = self.words.get(&locale).cloned().unwrap_or(Value::Null);
            map.insert("t".into(), words);
        }
        match self.registry.render(template, &data) {
            Ok(body) => html(status, body),
            Err(e) => {
                tracing::error!(template, error = %e, "a customer page did not render");
                fallback()
            }
        }
    }
}

/// An HTML answer.
fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// The answer when the pages do not compile.
pub(super) fn fallback() -> Response {
    html(StatusCode::INTERNAL_SERVER_ERROR, FALLBACK.to_owned())
}

/// The locale a browser asks for (`Accept-Language`), by preference; English otherwise.
pub(super) fn locale_of(headers: &HeaderMap) -> Locale {
    let Some(accept) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Locale::En;
    };
    let mut asked: Vec<(f32, Locale)> = accept
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let language = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            let locale = Locale::ALL
                .iter()
                .copied()
                .find(|l| l.as_str() == language)?;
            (q > 0.0).then_some((q, locale))
        })
        .collect();
    asked.sort_by(|a, b| b.0.total_cmp(&a.0));
    asked.first().map_or(Locale::En, |(_, locale)| *locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value, prefix: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    keys(v, &format!("{prefix}.{k}"), out);
                }
            }
            _ => out.push(prefix.to_owned()),
        }
    }

    #[test]
    fn the_pages_compile_and_every_locale_has_every_word() {
        let pages = Pages::build().expect("the customer pages compile");
        let mut all: Vec<Vec<String>> = Vec::new();
        for locale in Locale::ALL {
            let mut found = Vec::new();
            keys(&pages.words[locale], "", &mut found);
            found.sort();
            all.push(found);
        }
        assert!(all.windows(2).all(|w| w[0] == w[1]), "{all:#?}");
    }

    #[test]
    fn dates_read_the_way_each_language_writes_them() {
        let pages = Pages::build().expect("the customer pages compile");
        let day = NaiveDate::from_ymd_opt(2026, 3, 3).expect("date");
        assert_eq!(pages.date(Locale::En, day), "March 3, 2026");
        assert_eq!(pages.date(Locale::Es, day), "3 de marzo de 2026");
    }

    #[test]
    fn the_browser_language_picks_the_page_language() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_LANGUAGE, value.parse().expect("header"));
            locale_of(&headers)
        };
        assert_eq!(with("es-MX,es;q=0.9,en;q=0.8"), Locale::Es);
        assert_eq!(with("fr-FR, en;q=0.5, es;q=0.7"), Locale::Es);
        assert_eq!(with("de"), Locale::En);
        assert_eq!(locale_of(&HeaderMap::new()), Locale::En);
    }
}
