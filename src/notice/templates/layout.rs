//! The shape of a template set: which paths it must hold, what each path is, and how
//! Handlebars' template names map back to files.

use crate::domain::notice::{Locale, NoticeKind, Part};

/// The phrases the tone lint flags; part of the set, read by the linter.
pub const TONE_FILE: &str = "tone.toml";

/// The partials every locale must have, in both flavours.
pub const REQUIRED_PARTIALS: &[&str] = &["header", "footer", "contact", "steps"];

/// Which registry a file belongs to: text (no escaping; subjects and text bodies) or HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flavor {
    Text,
    Html,
}

impl Flavor {
    /// The registry a part renders with.
    pub fn of(part: Part) -> Flavor {
        match part {
            Part::Subject | Part::Text => Flavor::Text,
            Part::Html => Flavor::Html,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Flavor::Text => "text",
            Flavor::Html => "html",
        }
    }
}

/// What a file of the set is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRole {
    Tone,
    Locale(Locale),
    Partial {
        locale: Locale,
        name: String,
        flavor: Flavor,
    },
    Template {
        kind: NoticeKind,
        locale: Locale,
        part: Part,
    },
}

/// What `path` is, or `None` when it fits no place in the layout.
pub fn classify(path: &str) -> Option<FileRole> {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        [TONE_FILE] => Some(FileRole::Tone),
        ["locales", file] => {
            let locale = file.strip_suffix(".toml")?.parse().ok()?;
            Some(FileRole::Locale(locale))
        }
        ["partials", locale, file] => {
            let locale = locale.parse().ok()?;
            let stem = file.strip_suffix(".hbs")?;
            let (name, flavor) = if let Some(name) = stem.strip_suffix(".text") {
                (name, Flavor::Text)
            } else {
                (stem.strip_suffix(".html")?, Flavor::Html)
            };
            is_partial_name(name).then(|| FileRole::Partial {
                locale,
                name: name.to_owned(),
                flavor,
            })
        }
        [kind, locale, file] => Some(FileRole::Template {
            kind: kind.parse().ok()?,
            locale: locale.parse().ok()?,
            part: file.strip_suffix(".hbs")?.parse().ok()?,
        }),
        _ => None,
    }
}

/// Partial names are what `{{> name}}` can spell: lowercase letters, digits, `_` and `-`.
fn is_partial_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// `<kind>/<locale>/<part>.hbs`.
pub fn template_path(kind: NoticeKind, locale: Locale, part: Part) -> String {
    format!("{kind}/{locale}/{part}.hbs")
}

/// `locales/<locale>.toml`.
pub fn locale_path(locale: Locale) -> String {
    format!("locales/{locale}.toml")
}

/// `partials/<locale>/<name>.<text|html>.hbs`.
pub fn partial_path(locale: Locale, name: &str, flavor: Flavor) -> String {
    format!("partials/{locale}/{name}.{}.hbs", flavor.suffix())
}

/// The name a kind's part is registered under: `<kind>/<part>`.
pub fn template_name(kind: NoticeKind, part: Part) -> String {
    format!("{kind}/{part}")
}

/// The file behind a Handlebars template name in a locale's registry of `flavor`: a kind's part
/// (`update/text`) or a partial (`header`).
pub fn file_for_template_name(name: &str, locale: Locale, flavor: Flavor) -> String {
    match name.split_once('/') {
        Some((kind, part)) => match (kind.parse::<NoticeKind>(), part.parse::<Part>()) {
            (Ok(kind), Ok(part)) => template_path(kind, locale, part),
            _ => name.to_owned(),
        },
        None => partial_path(locale, name, flavor),
    }
}

/// Every file a complete set must hold, in path order (`tone.toml` is the linter's business).
pub fn required_files() -> Vec<String> {
    let mut files = Vec::new();
    for locale in Locale::ALL {
        files.push(locale_path(*locale));
        for name in REQUIRED_PARTIALS {
            for flavor in [Flavor::Text, Flavor::Html] {
                files.push(partial_path(*locale, name, flavor));
            }
        }
        for kind in NoticeKind::ALL {
            for part in Part::ALL {
                files.push(template_path(*kind, *locale, *part));
            }
        }
    }
    files.sort();
    files
}

/// Whether a kind's hash and linter depend on `path`: its own templates, every partial and
/// every locale file.
pub fn used_by(kind: NoticeKind, path: &str) -> bool {
    path.starts_with("partials/")
        || path.starts_with("locales/")
        || path
            .strip_prefix(kind.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
}
