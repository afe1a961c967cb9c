//! Notice elements that only some exposed data calls for (`when_any`): how the pack reads and
//! checks them, and which shipped elements are conditional.

use super::super::{NoticeElement, Pack, PackErrors};
use super::validator::{GOOD, PACK_TOML};
use super::{cats, pack};
use crate::domain::DataCategory;

/// GOOD with its notice element given `extra` lines (after its text).
fn load_with(extra: &str) -> Result<Pack, PackErrors> {
    let text = GOOD.replace(
        "text = \"What happened.\"\n",
        &format!("text = \"What happened.\"\n{extra}"),
    );
    assert_ne!(text, GOOD, "the fixture has no notice element to extend");
    Pack::from_files(vec![
        ("pack.toml".to_owned(), PACK_TOML.to_owned()),
        ("us-ca.toml".to_owned(), text),
    ])
}

fn problems_with(extra: &str) -> Vec<String> {
    match load_with(extra) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

fn element(when_any: Option<Vec<DataCategory>>) -> NoticeElement {
    NoticeElement {
        key: "cra_contacts".to_owned(),
        text: "Credit agencies.".to_owned(),
        when_any,
    }
}

#[test]
fn an_element_without_when_any_applies_whatever_the_data() {
    let always = element(None);
    assert!(always.applies_to(cats("")));
    assert!(always.applies_to(cats("email")));
}

#[test]
fn an_element_with_when_any_applies_only_when_one_of_its_categories_was_exposed() {
    let some = element(Some(vec![DataCategory::Ssn, DataCategory::DriversLicense]));
    assert!(some.applies_to(cats("name;drivers_license")));
    assert!(some.applies_to(cats("ssn")));
    assert!(!some.applies_to(cats("name;email;payment_card")));
    assert!(!some.applies_to(cats("")));
}

#[test]
fn when_any_is_read_in_vocabulary_order() {
    let pack =
        load_with("when_any = [\"security_qa\", \"ssn\"]\n").unwrap_or_else(|e| panic!("{e}"));
    let element = &pack.jurisdictions()[0].notice_elements[0];
    assert_eq!(
        element.when_any,
        Some(vec![DataCategory::Ssn, DataCategory::SecurityQa])
    );
}

#[test]
fn bad_when_any_lists_are_named_with_file_line_and_entry() {
    // The added line comes right after the fixture's last line.
    let line = GOOD.lines().count() + 1;
    let cases = [
        (
            "when_any = [\"ssn\", \"shoe_size\"]\n",
            format!(
                "us-ca.toml:{line}: notice_elements[0].when_any: unknown data category `shoe_size`"
            ),
        ),
        (
            "when_any = []\n",
            format!(
                "us-ca.toml:{line}: notice_elements[0].when_any: an empty list would match nobody"
            ),
        ),
        (
            "when_any = [\"ssn\", \"ssn\"]\n",
            format!("us-ca.toml:{line}: notice_elements[0].when_any: `ssn` is listed twice"),
        ),
        (
            "when_any = [\"any_personal_data\"]\n",
            format!(
                "us-ca.toml:{line}: notice_elements[0].when_any: `any_personal_data` is not allowed here"
            ),
        ),
    ];
    for (extra, expected) in cases {
        let problems = problems_with(extra);
        assert!(
            problems.iter().any(|p| p.starts_with(&expected)),
            "{extra:?}: expected {expected:?} in {problems:#?}"
        );
    }
}

#[test]
fn a_forbidden_statement_cannot_be_conditional() {
    let text = format!(
        "{GOOD}\n[[forbidden_statements]]\nkey = \"people_affected\"\ntext = \"How many.\"\nwhen_any = [\"ssn\"]\n"
    );
    let problems = match Pack::from_files(vec![
        ("pack.toml".to_owned(), PACK_TOML.to_owned()),
        ("us-ca.toml".to_owned(), text),
    ]) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
    };
    assert!(
        problems
            .iter()
            .any(|p| p.contains("forbidden_statements[0].when_any: `when_any` is not allowed")),
        "{problems:#?}"
    );
}

/// The shipped conditional elements: `(code, list, key, categories)`.
const SHIPPED: &[(&str, &str, &str, &str)] = &[
    (
        "US-CA",
        "notice",
        "cra_contacts",
        "ssn;drivers_license;government_id",
    ),
    (
        "US-CA",
        "notice",
        "identity_theft_services_offer",
        "ssn;tax_id;drivers_license;passport;military_id;government_id",
    ),
    (
        "US-CO",
        "notice",
        "change_credentials",
        "account_credentials;security_qa",
    ),
    (
        "US-IL",
        "notice",
        "change_credentials",
        "account_credentials;security_qa",
    ),
    (
        "US-CT",
        "notice",
        "identity_theft_services_offer",
        "ssn;tax_id",
    ),
    ("US-DE", "notice", "credit_monitoring_offer", "ssn"),
    ("US-MA", "notice", "credit_monitoring_offer", "ssn"),
    (
        "US-PA",
        "notice",
        "credit_monitoring_offer",
        "ssn;drivers_license;government_id;financial_account",
    ),
    ("US-VA", "regulator", "fein", "tax_id"),
];

#[test]
fn the_shipped_conditional_elements_are_exactly_the_expected_ones() {
    let mut found = Vec::new();
    for j in pack().jurisdictions() {
        let lists = [
            ("notice", &j.notice_elements),
            ("regulator", &j.regulator_notice_elements),
        ];
        for (list, elements) in lists {
            for e in elements.iter() {
                if let Some(any) = &e.when_any {
                    let keys: Vec<_> = any.iter().map(|c| c.as_str()).collect();
                    found.push((j.code.clone(), list, e.key.clone(), keys.join(";")));
                }
            }
        }
    }
    let mut expected: Vec<_> = SHIPPED
        .iter()
        .map(|(code, list, key, keys)| {
            (
                (*code).to_owned(),
                *list,
                (*key).to_owned(),
                (*keys).to_owned(),
            )
        })
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn every_shipped_element_whose_text_names_the_data_it_depends_on_is_conditional() {
    // Phrases the pack uses when an element depends on the data exposed.
    let conditional = ["when a ", "was exposed", "for breached", "when employee"];
    for j in pack().jurisdictions() {
        let all = j.notice_elements.iter().chain(&j.regulator_notice_elements);
        for e in all {
            let text = e.text.to_lowercase();
            if conditional.iter().any(|c| text.contains(c)) {
                assert!(e.when_any.is_some(), "{} {} needs when_any", j.code, e.key);
            }
        }
    }
}

#[test]
fn californias_agency_contacts_are_required_for_a_licence_but_not_for_an_email_address() {
    let ca = pack()
        .jurisdiction("US-CA")
        .unwrap_or_else(|| panic!("US-CA missing"));
    let cra = ca
        .notice_elements
        .iter()
        .find(|e| e.key == "cra_contacts")
        .unwrap_or_else(|| panic!("no cra_contacts"));
    assert!(cra.applies_to(cats("name;drivers_license")));
    assert!(!cra.applies_to(cats("name;email;account_credentials")));
}
