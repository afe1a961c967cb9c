//! A draft's own words and settings: the paragraphs a CX lead writes, the contact point, the
//! monitoring offer, links, and how VIP customers are told. Checked field by field when a draft
//! is edited, with every problem named.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Problem;
use crate::domain::notice::{Locale, VipRoute};

/// The longest paragraph a draft may hold, in characters.
pub const MAX_PARAGRAPH_CHARS: usize = 4_000;
/// The longest short field (names, hours, codes), in characters.
pub const MAX_SHORT_CHARS: usize = 200;

/// What a CX lead writes for a notice. The paragraphs are in English; `translations` holds
/// them in the other languages readers have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct DraftContent {
    /// What happened, in plain words.
    pub what_happened: String,
    /// What the company did and is doing about it.
    pub what_we_are_doing: String,
    /// What could happen to the reader because of it.
    pub likely_consequences: String,
    /// The news an `update` carries.
    pub update: Option<String>,
    /// Notice was delayed because law enforcement asked.
    pub law_enforcement_delay: bool,
    /// Free identity or credit monitoring, when offered.
    pub offer: Option<Offer>,
    /// Where people reach a person.
    pub contact: Contact,
    /// Where people reset their password, when credentials were exposed.
    pub password_reset_url: Option<String>,
    /// When the survey closes (survey kinds).
    pub survey_closes_on: Option<NaiveDate>,
    /// How VIP customers are told.
    pub vip_route: VipRoute,
    /// The paragraphs in other languages (`es`); a reader whose language has none gets the
    /// English text, and the linter says so.
    #[serde(default)]
    pub translations: BTreeMap<Locale, Paragraphs>,
}

/// The paragraphs a draft writes, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Paragraphs {
    #[serde(default)]
    pub what_happened: String,
    #[serde(default)]
    pub what_we_are_doing: String,
    #[serde(default)]
    pub likely_consequences: String,
    #[serde(default)]
    pub update: Option<String>,
}

impl DraftContent {
    /// The paragraphs a reader of `locale` gets: the translation where it has the text, else
    /// the English.
    pub fn paragraphs(&self, locale: Locale) -> Paragraphs {
        let own = self.translations.get(&locale);
        let pick = |translated: Option<&String>, english: &String| {
            translated
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(english)
                .clone()
        };
        Paragraphs {
            what_happened: pick(own.map(|p| &p.what_happened), &self.what_happened),
            what_we_are_doing: pick(own.map(|p| &p.what_we_are_doing), &self.what_we_are_doing),
            likely_consequences: pick(
                own.map(|p| &p.likely_consequences),
                &self.likely_consequences,
            ),
            update: own
                .and_then(|p| p.update.clone())
                .filter(|t| !t.trim().is_empty())
                .or_else(|| self.update.clone()),
        }
    }

    /// The English paragraphs a reader of `locale` gets untranslated: `(field, text)`.
    pub fn untranslated(&self, locale: Locale) -> Vec<&'static str> {
        if locale == Locale::En {
            return Vec::new();
        }
        let own = self.translations.get(&locale);
        let missing = |english: &str, translated: Option<&str>| {
            !english.trim().is_empty() && translated.is_none_or(|t| t.trim().is_empty())
        };
        let mut out = Vec::new();
        let fields: [(&'static str, &str, Option<&str>); 4] = [
            (
                "what_happened",
                &self.what_happened,
                own.map(|p| p.what_happened.as_str()),
            ),
            (
                "what_we_are_doing",
                &self.what_we_are_doing,
                own.map(|p| p.what_we_are_doing.as_str()),
            ),
            (
                "likely_consequences",
                &self.likely_consequences,
                own.map(|p| p.likely_consequences.as_str()),
            ),
            (
                "update",
                self.update.as_deref().unwrap_or(""),
                own.and_then(|p| p.update.as_deref()),
            ),
        ];
        for (field, english, translated) in fields {
            if missing(english, translated) {
                out.push(field);
            }
        }
        out
    }
}

/// Free monitoring offered to the people affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Offer {
    /// Who provides it.
    pub provider: String,
    /// For how long, in months.
    pub months: u32,
    /// Where people enrol.
    pub url: String,
    /// The enrolment code, when one code serves everyone.
    pub code: Option<String>,
    /// The last day to enrol.
    pub enroll_by: Option<NaiveDate>,
}

/// The contact point named in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Contact {
    /// A team or a named person (a data protection officer for EU readers).
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When the phone line is answered.
    pub hours: Option<String>,
    pub url: Option<String>,
    pub postal_address: Option<String>,
}

/// A change to a draft's content: only the fields given change. A field set to `null` is
/// cleared where it may be empty.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentChange {
    /// The draft's version the change was made on; when given and no longer current, the
    /// change is refused.
    pub version: Option<i32>,
    pub what_happened: Option<String>,
    pub what_we_are_doing: Option<String>,
    pub likely_consequences: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub update: Option<Option<String>>,
    pub law_enforcement_delay: Option<bool>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Offer>)]
    pub offer: Option<Option<Offer>>,
    pub contact: Option<Contact>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub password_reset_url: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub survey_closes_on: Option<Option<NaiveDate>>,
    pub vip_route: Option<VipRoute>,
    /// The paragraphs in other languages; replaces the ones stored.
    pub translations: Option<BTreeMap<Locale, Paragraphs>>,
}

/// Tells a missing field (`None`) from one set to `null` (`Some(None)`).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

impl ContentChange {
    /// Whether the change touches nothing.
    pub fn is_empty(&self) -> bool {
        self.what_happened.is_none()
            && self.what_we_are_doing.is_none()
            && self.likely_consequences.is_none()
            && self.update.is_none()
            && self.law_enforcement_delay.is_none()
            && self.offer.is_none()
            && self.contact.is_none()
            && self.password_reset_url.is_none()
            && self.survey_closes_on.is_none()
            && self.vip_route.is_none()
            && self.translations.is_none()
    }

    /// The content with this change applied.
    pub fn apply(self, mut content: DraftContent) -> DraftContent {
        let trim = |s: String| s.trim().to_owned();
        if let Some(v) = self.what_happened {
            content.what_happened = trim(v);
        }
        if let Some(v) = self.what_we_are_doing {
            content.what_we_are_doing = trim(v);
        }
        if let Some(v) = self.likely_consequences {
            content.likely_consequences = trim(v);
        }
        if let Some(v) = self.update {
            content.update = v.map(trim).filter(|s| !s.is_empty());
        }
        if let Some(v) = self.law_enforcement_delay {
            content.law_enforcement_delay = v;
        }
        if let Some(v) = self.offer {
            content.offer = v;
        }
        if let Some(v) = self.contact {
            content.contact = v;
        }
        if let Some(v) = self.password_reset_url {
            content.password_reset_url = v.map(trim).filter(|s| !s.is_empty());
        }
        if let Some(v) = self.survey_closes_on {
            content.survey_closes_on = v;
        }
        if let Some(v) = self.vip_route {
            content.vip_route = v;
        }
        if let Some(v) = self.translations {
            content.translations = v
                .into_iter()
                .filter(|(locale, _)| *locale != Locale::En)
                .map(|(locale, p)| {
                    let p = Paragraphs {
                        what_happened: trim(p.what_happened),
                        what_we_are_doing: trim(p.what_we_are_doing),
                        likely_consequences: trim(p.likely_consequences),
                        update: p.update.map(trim).filter(|s| !s.is_empty()),
                    };
                    (locale, p)
                })
                .collect();
        }
        content
    }
}

impl DraftContent {
    /// Every problem with the content, by field. Empty paragraphs are allowed while drafting:
    /// the linter says which law needs them.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut long = |field: &str, text: &str, max: usize| {
            if text.chars().count() > max {
                problems.push(Problem::new(
                    field,
                    format!("must be at most {max} characters"),
                ));
            }
        };
        long("what_happened", &self.what_happened, MAX_PARAGRAPH_CHARS);
        long(
            "what_we_are_doing",
            &self.what_we_are_doing,
            MAX_PARAGRAPH_CHARS,
        );
        long(
            "likely_consequences",
            &self.likely_consequences,
            MAX_PARAGRAPH_CHARS,
        );
        long(
            "update",
            self.update.as_deref().unwrap_or(""),
            MAX_PARAGRAPH_CHARS,
        );
        for (locale, p) in &self.translations {
            let field = |name: &str| format!("translations.{locale}.{name}");
            for (name, text) in [
                ("what_happened", p.what_happened.as_str()),
                ("what_we_are_doing", p.what_we_are_doing.as_str()),
                ("likely_consequences", p.likely_consequences.as_str()),
                ("update", p.update.as_deref().unwrap_or("")),
            ] {
                long(&field(name), text, MAX_PARAGRAPH_CHARS);
            }
        }
        long("contact.name", &self.contact.name, MAX_SHORT_CHARS);
        for (field, value) in [
            ("contact.email", &self.contact.email),
            ("contact.phone", &self.contact.phone),
            ("contact.hours", &self.contact.hours),
            ("contact.url", &self.contact.url),
        ] {
            long(field, value.as_deref().unwrap_or(""), MAX_SHORT_CHARS);
        }
        long(
            "contact.postal_address",
            self.contact.postal_address.as_deref().unwrap_or(""),
            MAX_PARAGRAPH_CHARS,
        );
        if let Some(offer) = &self.offer {
            long("offer.provider", &offer.provider, MAX_SHORT_CHARS);
            long(
                "offer.code",
                offer.code.as_deref().unwrap_or(""),
                MAX_SHORT_CHARS,
            );
            if offer.provider.trim().is_empty() {
                problems.push(Problem::new("offer.provider", "must not be empty"));
            }
            if !(1..=120).contains(&offer.months) {
                problems.push(Problem::new("offer.months", "must be from 1 to 120"));
            }
            if let Some(reason) = url_problem(&offer.url) {
                problems.push(Problem::new("offer.url", reason));
            }
        }
        for (field, value) in [
            ("contact.url", &self.contact.url),
            ("password_reset_url", &self.password_reset_url),
        ] {
            if let Some(reason) = value.as_deref().and_then(url_problem) {
                problems.push(Problem::new(field, reason));
            }
        }
        problems
    }
}

/// Why a text is not an absolute web address, if it is not.
fn url_problem(text: &str) -> Option<String> {
    match url::Url::parse(text.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => None,
        Ok(_) => Some("must be an http or https address".to_owned()),
        Err(e) => Some(format!("is not a web address ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_sets_only_the_fields_it_names_and_null_clears_optional_ones() {
        let content = DraftContent {
            what_happened: "Old.".into(),
            update: Some("News.".into()),
            ..DraftContent::default()
        };
        let change: ContentChange = serde_json::from_str(
            r#"{"what_we_are_doing": " We reset passwords. ", "update": null}"#,
        )
        .unwrap();
        let changed = change.apply(content);
        assert_eq!(changed.what_happened, "Old.");
        assert_eq!(changed.what_we_are_doing, "We reset passwords.");
        assert_eq!(changed.update, None);
    }

    #[test]
    fn a_reader_gets_their_languages_paragraphs_else_the_english_and_the_gap_is_named() {
        let change: ContentChange = serde_json::from_str(
            r#"{"what_happened": "We lost a laptop.", "what_we_are_doing": "We locked it.",
                "translations": {"es": {"what_happened": " Perdimos un portátil. "}}}"#,
        )
        .unwrap();
        let content = change.apply(DraftContent::default());
        let es = content.paragraphs(Locale::Es);
        assert_eq!(es.what_happened, "Perdimos un portátil.");
        assert_eq!(es.what_we_are_doing, "We locked it.");
        assert_eq!(content.untranslated(Locale::Es), ["what_we_are_doing"]);
        assert!(content.untranslated(Locale::En).is_empty());
        assert_eq!(
            content.paragraphs(Locale::En).what_happened,
            "We lost a laptop."
        );
    }

    #[test]
    fn an_unknown_field_in_a_change_is_refused() {
        assert!(serde_json::from_str::<ContentChange>(r#"{"what_hapened": "x"}"#).is_err());
    }

    #[test]
    fn problems_name_each_bad_field() {
        let content = DraftContent {
            what_happened: "x".repeat(MAX_PARAGRAPH_CHARS + 1),
            offer: Some(Offer {
                provider: " ".into(),
                months: 0,
                url: "ftp://files".into(),
                code: None,
                enroll_by: None,
            }),
            password_reset_url: Some("not a url".into()),
            ..DraftContent::default()
        };
        let fields: Vec<String> = content.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "what_happened",
                "offer.provider",
                "offer.months",
                "offer.url",
                "password_reset_url"
            ]
        );
        assert!(DraftContent::default().problems().is_empty());
    }
}
