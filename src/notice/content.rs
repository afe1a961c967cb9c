//! A draft's own words and settings: the paragraphs a CX lead writes, the contact point, the
//! monitoring offer, links, and how VIP customers are told. Checked field by field when a draft
//! is edited, with every problem named.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Problem;
use crate::domain::notice::VipRoute;

/// The longest paragraph a draft may hold, in characters.
pub const MAX_PARAGRAPH_CHARS: usize = 4_000;
/// The longest short field (names, hours, codes), in characters.
pub const MAX_SHORT_CHARS: usize = 200;

/// What a CX lead writes for a notice.
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
}

/// Tells a missing field (`None`) from one set to `null` (`Some(None)`).
mod double_option {
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
