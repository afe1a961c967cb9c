//! The built-in sample audience `candor notice lint` checks the shipped templates against: for
//! every law in the rules pack, a reader where it reaches, with each of its trigger sets
//! exposed, in every locale, by email and by post, plus a person known only by a record. Each
//! sample assumes the organization has that law's trait and that the law's individual notice
//! is required, so every law's required and forbidden elements are checked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::content::{Contact, DraftContent, Offer, Paragraphs};
use super::context::{self, Address, ContextInput, IncidentFacts, Links, Organization, Reader};
use super::laws::{NoticeLaws, element_keys};
use super::lint::LintCase;
use super::templates::Compiled;
use crate::domain::notice::{Channel, Locale, NoticeKind};
use crate::domain::{CategorySet, DataCategory};
use crate::rules::{Jurisdiction, Pack, Selector, Trigger};

/// The organization the samples come from.
pub fn organization() -> Organization {
    Organization {
        name: "Sample Company".to_owned(),
        website: Some("https://www.sample-company.test".to_owned()),
    }
}

/// A draft as a careful CX lead would fill it in.
pub fn content(kind: NoticeKind) -> DraftContent {
    DraftContent {
        what_happened: "On March 3, someone used a stolen staff password to get into our billing system. They copied some customer records before we found them and shut them out two days later.".to_owned(),
        what_we_are_doing: "We locked the stolen account and reset every staff password. We added a second check to every staff sign-in. We told the police, and we are working with a security firm to check all our systems.".to_owned(),
        likely_consequences: "Someone could use this information to pretend to be you. They could open accounts in your name, or send you fake emails that look like ours.".to_owned(),
        update: (kind == NoticeKind::Update).then(|| {
            "Our review is finished. We found no other systems the person got into. We checked our systems for signs that your data was used, and we found none so far.".to_owned()
        }),
        law_enforcement_delay: false,
        offer: Some(Offer {
            provider: "Sample Monitoring".to_owned(),
            months: 24,
            url: "https://monitoring.sample-company.test/enroll".to_owned(),
            code: Some("SC-2026-0317".to_owned()),
            enroll_by: NaiveDate::from_ymd_opt(2026, 6, 30),
        }),
        contact: Contact {
            name: "Sample Company privacy team".to_owned(),
            email: Some("privacy@sample-company.test".to_owned()),
            phone: Some("+1 800 555 0100".to_owned()),
            hours: Some("Monday to Friday, 8 am to 8 pm Eastern".to_owned()),
            url: Some("https://www.sample-company.test/help".to_owned()),
            postal_address: Some("Sample Company, 100 Main Street, Springfield, IL 62701".to_owned()),
        },
        password_reset_url: Some("https://www.sample-company.test/reset".to_owned()),
        survey_closes_on: NaiveDate::from_ymd_opt(2026, 5, 1),
        vip_route: Default::default(),
        translations: BTreeMap::from([(
            Locale::Es,
            Paragraphs {
                what_happened: "El 3 de marzo, alguien usó la contraseña robada de un empleado para entrar en nuestro sistema de facturación. Copió algunos registros de clientes. Lo descubrimos y le cerramos el paso dos días después.".to_owned(),
                what_we_are_doing: "Bloqueamos la cuenta robada y cambiamos todas las contraseñas del personal. Añadimos un segundo control a cada acceso del personal. Avisamos a la policía. Una empresa de seguridad nos ayuda a revisar todos nuestros sistemas.".to_owned(),
                likely_consequences: "Alguien podría usar esta información para hacerse pasar por usted. Podría abrir cuentas a su nombre o enviarle correos falsos que parezcan nuestros.".to_owned(),
                update: (kind == NoticeKind::Update).then(|| {
                    "Terminamos nuestra revisión. No encontramos otros sistemas afectados. Revisamos si sus datos se usaron, y hasta ahora no vimos ninguna señal.".to_owned()
                }),
            },
        )]),
    }
}

/// Where a law reaches, as one place a sample reader lives.
fn place(j: &Jurisdiction) -> Option<(String, bool)> {
    if j.covers.in_eu {
        return Some(("DE".to_owned(), true));
    }
    j.covers.people.first().map(|s| match s {
        Selector::Code(code) => (code.clone(), false),
        Selector::RegionsOf(country) => (format!("{country}-NY"), false),
        Selector::Everyone => ("US-NY".to_owned(), false),
    })
}

fn sample_set(trigger: &Trigger) -> CategorySet {
    let mut set = CategorySet::EMPTY;
    set.insert(DataCategory::Name);
    set.insert(DataCategory::Email);
    for key in trigger.keys() {
        if let Ok(category) = key.parse::<DataCategory>() {
            set.insert(category);
        }
    }
    set
}

/// Every sample case of one kind.
pub fn cases(
    pack: &Pack,
    compiled: &Compiled,
    kind: NoticeKind,
    today: NaiveDate,
) -> Vec<LintCase> {
    let keys: BTreeSet<String> = element_keys(pack);
    let draft = content(kind);
    let organization = organization();
    let incident = IncidentFacts {
        id: Uuid::from_u128(0x5a3c_0000_0000_0000_0000_0000_0000_0001),
        discovered_on: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or(today),
        occurred_from: NaiveDate::from_ymd_opt(2026, 3, 3),
        occurred_to: NaiveDate::from_ymd_opt(2026, 3, 5),
    };
    let links = Links {
        personal_page: "https://notices.sample-company.test/n/SAMPLE".to_owned(),
        survey: matches!(
            kind,
            NoticeKind::SurveyInvitation | NoticeKind::SurveyReminder
        )
        .then(|| "https://notices.sample-company.test/s/SAMPLE".to_owned()),
    };
    let all_laws = NoticeLaws::all(pack);
    let words = |locale: Locale, c: DataCategory| {
        compiled
            .category_words(locale, c.as_str())
            .map(str::to_owned)
    };
    let mut out = Vec::new();
    // Only the initial notice carries the laws' elements; the other kinds are read for tone,
    // readability and links, for which one trigger set per law is enough.
    let per_law = if kind == NoticeKind::InitialNotice {
        usize::MAX
    } else {
        1
    };
    for j in pack.jurisdictions() {
        let Some((jurisdiction, in_eu)) = place(j) else {
            continue;
        };
        for trigger in j.triggers.iter().take(per_law) {
            let exposed = sample_set(trigger);
            let laws = all_laws.for_reader(pack, &jurisdiction, in_eu, exposed, exposed);
            // Only the laws whose trait (if any) is this law's own: one organization.
            let laws = laws.only(|l| l.covers.organization_trait.is_none() || l.code == j.code);
            for locale in Locale::ALL {
                for (channel, known) in [
                    (Channel::Email, true),
                    (Channel::Postal, true),
                    (Channel::Email, false),
                ] {
                    let reader =
                        sample_reader(&jurisdiction, in_eu, exposed, *locale, channel, known);
                    let context = context::build(&ContextInput {
                        kind,
                        reader: &reader,
                        incident: &incident,
                        content: &draft,
                        laws: &laws,
                        element_keys: &keys,
                        organization: &organization,
                        links: &links,
                        today,
                        words: &words,
                    });
                    out.push(LintCase {
                        variant: format!(
                            "{}/{}/{}/{}{}",
                            locale.as_str(),
                            jurisdiction,
                            trigger.label(),
                            channel.as_str(),
                            if known { "" } else { "/record-only" }
                        ),
                        locale: *locale,
                        channel,
                        context,
                        required: laws.required(),
                        forbidden: laws.forbidden(),
                    });
                }
            }
        }
    }
    out
}

fn sample_reader(
    jurisdiction: &str,
    in_eu: bool,
    exposed: CategorySet,
    locale: Locale,
    channel: Channel,
    known: bool,
) -> Reader {
    let country = jurisdiction
        .split('-')
        .next()
        .unwrap_or(jurisdiction)
        .to_owned();
    Reader {
        person_key: if known {
            "p:1".to_owned()
        } else {
            "u:e:sample@example.test".to_owned()
        },
        customer_ref: known.then(|| "C-0001".to_owned()),
        given_name: known.then(|| "Alex".to_owned()),
        family_name: known.then(|| "Rivera".to_owned()),
        locale,
        vip: false,
        customer_since: if known {
            NaiveDate::from_ymd_opt(2019, 4, 1)
        } else {
            None
        },
        jurisdiction: jurisdiction.to_owned(),
        in_eu,
        exposed,
        unprotected: exposed,
        channel,
        address: (channel == Channel::Postal).then(|| Address {
            line1: "12 Elm Street".to_owned(),
            city: "Springfield".to_owned(),
            region: jurisdiction.split('-').nth(1).unwrap_or("").to_owned(),
            postal_code: "01101".to_owned(),
            country,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notice::FindingSeverity;
    use crate::notice::lint::readability::ReadabilityLimits;
    use crate::notice::lint::tone::ToneList;
    use crate::notice::lint::{LintInput, lint};
    use crate::notice::templates::TemplateSet;

    #[test]
    fn the_shipped_templates_lint_clean_for_every_shipped_jurisdiction() {
        let pack = Pack::embedded().unwrap();
        let set = TemplateSet::embedded();
        let compiled = set.compile().expect("the shipped templates compile");
        let tone = ToneList::embedded().expect("the shipped tone list parses");
        let limits = ReadabilityLimits {
            max_grade: 8.0,
            max_sentence_words: 25,
        };
        let today = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        for kind in NoticeKind::ALL
            .iter()
            .copied()
            .filter(|k| k.is_for_people())
        {
            let cases = cases(&pack, &compiled, kind, today);
            let covered: BTreeSet<String> = cases
                .iter()
                .filter_map(|c| c.variant.split('/').nth(1).map(str::to_owned))
                .collect();
            assert!(
                covered.len() >= 20,
                "{kind}: samples cover {} places",
                covered.len()
            );
            let report = lint(&LintInput {
                kind,
                set: &set,
                compiled: &compiled,
                content: &content(kind),
                limits: &limits,
                tone: &tone,
                cases,
            });
            let errors: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.finding.severity == FindingSeverity::Error)
                .map(|f| {
                    format!(
                        "{} {:?}: {}",
                        f.finding.code, f.finding.location.file, f.finding.message
                    )
                })
                .collect();
            assert!(errors.is_empty(), "{kind}: {errors:#?}");
        }
    }
}
