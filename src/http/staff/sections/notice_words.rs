//! A notice draft's words as the staff edit form holds them: every part of the draft's content
//! the edit use-case takes (the paragraphs, the contact point, the monitoring offer, the
//! links, how VIP customers are told), read from a draft to prefill the form, and turned back
//! into the [`ContentChange`] the use-case takes, naming only the parts that changed. Input a
//! form cannot carry as typed (a month count that is not a number, a date that is not a date)
//! is refused here with the field named; the use-case checks the rest. Translations are kept
//! as they are (the API edits them). The form's data for the templates (the room's notices
//! section and the edit page share it) says whether this person may save it, and why not.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use serde_json::{Value, json};

use super::super::session::Staff;
use super::notices::on_team;
use super::steering::by_survey;
use crate::domain::Problem;
use crate::domain::notice::{NoticeKind, NoticeStatus, VipRoute};
use crate::notice::content::{Contact, ContentChange, DraftContent, Offer};
use crate::notice::drafts::Notice;

/// The edit form's fields, as typed (and as shown again when a save is refused).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct WordsForm {
    /// The draft's version the words were read at.
    pub version: String,
    pub what_happened: String,
    pub what_we_are_doing: String,
    pub likely_consequences: String,
    /// Only on an `update`'s form; absent: left as it is.
    pub update: Option<String>,
    /// A ticked box sends `on`.
    pub law_enforcement_delay: Option<String>,
    pub password_reset_url: String,
    /// Only on a survey notice's form; absent: left as it is.
    pub survey_closes_on: Option<String>,
    pub vip_route: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_hours: String,
    pub contact_url: String,
    pub contact_postal_address: String,
    /// A ticked box sends `on`: the offer below is made.
    pub offer: Option<String>,
    pub offer_provider: String,
    pub offer_months: String,
    pub offer_url: String,
    pub offer_code: String,
    pub offer_enroll_by: String,
}

/// Text as a textarea sends it (CRLF line ends), trimmed, as the draft keeps it.
fn text(typed: &str) -> String {
    typed.replace("\r\n", "\n").trim().to_owned()
}

/// An optional text: empty is none.
fn optional(typed: &str) -> Option<String> {
    Some(text(typed)).filter(|t| !t.is_empty())
}

/// An optional date (`YYYY-MM-DD`, as a date input sends it).
fn date(field: &str, typed: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(typed, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem::new(field, "must be a date (year-month-day)"));
            None
        }
    }
}

impl WordsForm {
    /// The form prefilled with a draft's words at `version`.
    pub(super) fn of(
        content: &DraftContent,
        version: i32,
        with_update: bool,
        with_survey: bool,
    ) -> Self {
        let c = &content.contact;
        let own = |v: &Option<String>| v.clone().unwrap_or_default();
        let offer = content.offer.as_ref();
        WordsForm {
            version: version.to_string(),
            what_happened: content.what_happened.clone(),
            what_we_are_doing: content.what_we_are_doing.clone(),
            likely_consequences: content.likely_consequences.clone(),
            update: with_update.then(|| own(&content.update)),
            law_enforcement_delay: content.law_enforcement_delay.then(|| "on".to_owned()),
            password_reset_url: own(&content.password_reset_url),
            survey_closes_on: with_survey.then(|| {
                content
                    .survey_closes_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            }),
            vip_route: content.vip_route.as_str().to_owned(),
            contact_name: c.name.clone(),
            contact_email: own(&c.email),
            contact_phone: own(&c.phone),
            contact_hours: own(&c.hours),
            contact_url: own(&c.url),
            contact_postal_address: own(&c.postal_address),
            offer: offer.map(|_| "on".to_owned()),
            offer_provider: offer.map(|o| o.provider.clone()).unwrap_or_default(),
            offer_months: offer.map(|o| o.months.to_string()).unwrap_or_default(),
            offer_url: offer.map(|o| o.url.clone()).unwrap_or_default(),
            offer_code: offer.and_then(|o| o.code.clone()).unwrap_or_default(),
            offer_enroll_by: offer
                .and_then(|o| o.enroll_by)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// The version the words were read at, when the form carries one.
    pub(super) fn read_version(&self) -> Option<i32> {
        self.version.trim().parse().ok()
    }

    /// The change from `current` to these words: only the parts that differ. Refused, with
    /// every problem named, when a field cannot be read.
    pub(super) fn change(&self, current: &DraftContent) -> Result<ContentChange, Vec<Problem>> {
        let mut problems = Vec::new();
        let vip_route = match self.vip_route.trim().parse::<VipRoute>() {
            Ok(route) => route,
            Err(_) => {
                problems.push(Problem::new("vip_route", "is not a way of telling VIPs"));
                current.vip_route
            }
        };
        let offer = self.offer(&mut problems);
        let closes = self
            .survey_closes_on
            .as_deref()
            .map(|typed| date("survey_closes_on", typed, &mut problems));
        if !problems.is_empty() {
            return Err(problems);
        }
        let contact = Contact {
            name: text(&self.contact_name),
            email: optional(&self.contact_email),
            phone: optional(&self.contact_phone),
            hours: optional(&self.contact_hours),
            url: optional(&self.contact_url),
            postal_address: optional(&self.contact_postal_address),
        };
        let paragraph = |typed: &str, now: &str| Some(text(typed)).filter(|t| t != now);
        let update = self.update.as_deref().map(optional);
        let delay = self.law_enforcement_delay.is_some();
        let reset = optional(&self.password_reset_url);
        Ok(ContentChange {
            version: self.read_version(),
            what_happened: paragraph(&self.what_happened, &current.what_happened),
            what_we_are_doing: paragraph(&self.what_we_are_doing, &current.what_we_are_doing),
            likely_consequences: paragraph(&self.likely_consequences, &current.likely_consequences),
            update: update.filter(|u| *u != current.update),
            law_enforcement_delay: Some(delay).filter(|d| *d != current.law_enforcement_delay),
            offer: Some(offer).filter(|o| *o != current.offer),
            contact: Some(contact).filter(|c| *c != current.contact),
            password_reset_url: Some(reset).filter(|r| *r != current.password_reset_url),
            survey_closes_on: closes.filter(|d| *d != current.survey_closes_on),
            vip_route: Some(vip_route).filter(|r| *r != current.vip_route),
            translations: None,
        })
    }

    /// The monitoring offer the form makes, if its box is ticked.
    fn offer(&self, problems: &mut Vec<Problem>) -> Option<Offer> {
        self.offer.as_ref()?;
        let months = match self.offer_months.trim().parse::<u32>() {
            Ok(m) => m,
            Err(_) => {
                problems.push(Problem::new(
                    "offer.months",
                    "must be a whole number of months",
                ));
                0
            }
        };
        Some(Offer {
            provider: text(&self.offer_provider),
            months,
            url: text(&self.offer_url),
            code: optional(&self.offer_code),
            enroll_by: date("offer.enroll_by", &self.offer_enroll_by, problems),
        })
    }
}

/// What the form calls a field the use-case names (`offer.months` → "Months of monitoring").
pub(super) fn label(field: &str) -> &str {
    match field {
        "what_happened" => "What happened",
        "what_we_are_doing" => "What we are doing",
        "likely_consequences" => "What could happen",
        "update" => "The news",
        "password_reset_url" => "Password reset address",
        "survey_closes_on" => "Survey closes on",
        "vip_route" => "How VIP customers are told",
        "contact.name" => "Contact name",
        "contact.email" => "Contact email",
        "contact.phone" => "Contact phone",
        "contact.hours" => "Phone hours",
        "contact.url" => "Help page address",
        "contact.postal_address" => "Postal address",
        "offer.provider" => "Monitoring provider",
        "offer.months" => "Months of monitoring",
        "offer.url" => "Enrolment address",
        "offer.code" => "Enrolment code",
        "offer.enroll_by" => "Enrol by",
        other => other,
    }
}

/// Each problem as a sentence naming the field as the form does.
pub(super) fn sentences(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| format!("{}: {}.", label(&p.field), p.message))
        .collect()
}

/// The words form of a draft (prefilled with its words, or with what was typed), and whether
/// this person may save it.
pub(super) fn edit_form(staff: &Staff, n: &Notice, typed: Option<WordsForm>) -> Value {
    let with_update = n.kind == NoticeKind::Update;
    let with_survey = by_survey(n.kind);
    let words =
        typed.unwrap_or_else(|| WordsForm::of(&n.content, n.version, with_update, with_survey));
    let why_not = if n.status == NoticeStatus::Sent {
        Some("This notice has been sent and can no longer change; draft an update instead.")
    } else if !on_team(staff) {
        Some(super::notice_edit::NOT_TEAM)
    } else {
        None
    };
    let routes: Vec<Value> = VipRoute::ALL
        .iter()
        .map(|r| {
            let label = match r {
                VipRoute::Notice => "Like everyone else: the notice",
                VipRoute::OutreachThenNotice => {
                    "Their account manager reaches out first; the notice follows"
                }
                VipRoute::OutreachOnly => {
                    "Their account manager reaches out instead of the notice"
                }
            };
            json!({ "value": r.as_str(), "label": label, "selected": words.vip_route == r.as_str() })
        })
        .collect();
    json!({
        "action": format!("/incidents/{}/notices/{}/edit", n.incident_id, n.id),
        "prefix": format!("w-{}", n.id),
        "words": words,
        "with_update": with_update,
        "with_survey": with_survey,
        "vip_routes": routes,
        "may_edit": why_not.is_none(),
        "why_not": why_not,
        "voids_approval": n.approval.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(content: &DraftContent) -> WordsForm {
        WordsForm::of(content, 3, false, false)
    }

    #[test]
    fn unchanged_words_name_no_change_and_a_textareas_line_ends_do_not_count() {
        let content = DraftContent {
            what_happened: "Line one.\nLine two.".into(),
            ..DraftContent::default()
        };
        let mut form = words(&content);
        assert!(form.change(&content).expect("readable").is_empty());
        form.what_happened = "Line one.\r\nLine two.\r\n".into();
        assert!(form.change(&content).expect("readable").is_empty());
        form.what_happened = "Line one changed.".into();
        let change = form.change(&content).expect("readable");
        assert_eq!(change.what_happened.as_deref(), Some("Line one changed."));
        assert_eq!(change.version, Some(3));
        assert!(change.contact.is_none() && change.offer.is_none());
    }

    #[test]
    fn an_unticked_offer_clears_it_and_unreadable_fields_are_each_named() {
        let content = DraftContent {
            offer: Some(Offer {
                provider: "Monitor".into(),
                months: 12,
                url: "https://m.test".into(),
                code: None,
                enroll_by: None,
            }),
            ..DraftContent::default()
        };
        let mut form = words(&content);
        form.offer = None;
        assert_eq!(form.change(&content).expect("readable").offer, Some(None));
        form.offer = Some("on".into());
        form.offer_months = "a year".into();
        form.offer_enroll_by = "next June".into();
        form.vip_route = "carrier pigeon".into();
        let problems = form.change(&content).expect_err("unreadable");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["vip_route", "offer.months", "offer.enroll_by"]);
        assert_eq!(
            sentences(&problems)[1],
            "Months of monitoring: must be a whole number of months."
        );
    }
}
