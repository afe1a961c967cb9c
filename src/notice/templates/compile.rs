//! Compiling a template set: per locale a text and an HTML registry in strict mode, with the
//! partials, the kinds' parts and the helpers; every problem of the set reported at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use handlebars::{Handlebars, TemplateError};

use super::helpers;
use super::layout::{self, FileRole, Flavor};
use super::locale::{LocaleWords, saturate};
use super::problem::TemplateProblem;
use super::set::TemplateSet;
use crate::domain::notice::{Locale, NoticeKind, Part};

/// A template set compiled and checked: cheap to clone, shared across threads.
#[derive(Clone)]
pub struct Compiled {
    pub(super) locales: Arc<BTreeMap<Locale, LocaleRegistries>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("locales", &self.locales.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// One locale's registries and words.
pub(super) struct LocaleRegistries {
    /// No escaping: subjects and text bodies.
    pub(super) text: Handlebars<'static>,
    /// HTML escaping: HTML bodies.
    pub(super) html: Handlebars<'static>,
    pub(super) words: Arc<LocaleWords>,
}

impl LocaleRegistries {
    pub(super) fn registry(&self, flavor: Flavor) -> &Handlebars<'static> {
        match flavor {
            Flavor::Text => &self.text,
            Flavor::Html => &self.html,
        }
    }

    fn registry_mut(&mut self, flavor: Flavor) -> &mut Handlebars<'static> {
        match flavor {
            Flavor::Text => &mut self.text,
            Flavor::Html => &mut self.html,
        }
    }
}

impl TemplateSet {
    /// Compiles every locale's partials and templates in strict mode. Fails with every
    /// problem found — missing and unexpected files, bad locale files, templates that do not
    /// compile (with line and column) — in path order.
    pub fn compile(&self) -> Result<Compiled, Vec<TemplateProblem>> {
        let mut problems = layout_problems(self);
        let mut locales = BTreeMap::new();
        for locale in Locale::ALL {
            let registries = compile_locale(self, *locale, &mut problems);
            locales.insert(*locale, registries);
        }
        if problems.is_empty() {
            Ok(Compiled {
                locales: Arc::new(locales),
            })
        } else {
            problems.sort();
            problems.dedup();
            Err(problems)
        }
    }
}

impl Compiled {
    /// The words for a data category (`ssn`) in a locale, from `locales/<locale>.toml`.
    pub fn category_words(&self, locale: Locale, category_key: &str) -> Option<&str> {
        self.locales.get(&locale)?.words.category(category_key)
    }
}

/// Files the set lacks, and files that fit nowhere in the layout.
fn layout_problems(set: &TemplateSet) -> Vec<TemplateProblem> {
    let mut problems: Vec<TemplateProblem> = layout::required_files()
        .into_iter()
        .filter(|path| set.get(path).is_none())
        .map(|path| TemplateProblem::file(path, "missing: every kind, locale and part needs it"))
        .collect();
    problems.extend(
        set.files()
            .keys()
            .filter(|path| layout::classify(path).is_none())
            .map(|path| {
                TemplateProblem::file(
                    path.as_str(),
                    "not part of the template layout (locales/<locale>.toml, \
                     partials/<locale>/<name>.text.hbs or .html.hbs, <kind>/<locale>/<part>.hbs)",
                )
            }),
    );
    problems
}

/// A locale's words, partials and templates; what fails is added to `problems`.
fn compile_locale(
    set: &TemplateSet,
    locale: Locale,
    problems: &mut Vec<TemplateProblem>,
) -> LocaleRegistries {
    let locale_file = layout::locale_path(locale);
    let words = match set.get(&locale_file) {
        Some(text) => LocaleWords::parse(&locale_file, text).unwrap_or_else(|found| {
            problems.extend(found);
            LocaleWords::fallback()
        }),
        None => LocaleWords::fallback(),
    };
    let words = Arc::new(words);
    let mut registries = LocaleRegistries {
        text: new_registry(&words, Flavor::Text),
        html: new_registry(&words, Flavor::Html),
        words,
    };
    for (path, content) in set.files() {
        if let Some(FileRole::Partial {
            locale: of,
            name,
            flavor,
        }) = layout::classify(path)
            && of == locale
        {
            let registry = registries.registry_mut(flavor);
            if let Err(e) = registry.register_partial(&name, content) {
                problems.push(compile_problem(path, &e));
            }
        }
    }
    for kind in NoticeKind::ALL {
        for part in Part::ALL {
            let path = layout::template_path(*kind, locale, *part);
            let Some(content) = set.get(&path) else {
                continue;
            };
            let registry = registries.registry_mut(Flavor::of(*part));
            let name = layout::template_name(*kind, *part);
            if let Err(e) = registry.register_template_string(&name, content) {
                problems.push(compile_problem(&path, &e));
            }
        }
    }
    registries
}

/// A strict registry with Candor's helpers; the text flavour escapes nothing.
fn new_registry(words: &Arc<LocaleWords>, flavor: Flavor) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    if flavor == Flavor::Text {
        registry.register_escape_fn(handlebars::no_escape);
    }
    helpers::register(&mut registry, words, flavor == Flavor::Html);
    registry
}

/// A template that does not compile, at its line and column.
fn compile_problem(file: &str, e: &TemplateError) -> TemplateProblem {
    let (line, column) = e
        .pos()
        .map(|(line, column)| (saturate(line), saturate(column)))
        .unzip();
    TemplateProblem {
        file: file.to_owned(),
        line,
        column,
        message: e.reason().to_string(),
    }
}
