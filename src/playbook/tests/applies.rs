//! Which playbooks attach to an incident by themselves: every condition of `applies_when`
//! must hold, an empty one never attaches, and the shipped ones attach to their incidents.

use crate::domain::playbook::IncidentKind;
use crate::domain::{CategorySet, Severity};
use crate::notice::templates::TemplateSet;
use crate::playbook::Playbooks;

fn cats(list: &str) -> CategorySet {
    CategorySet::parse_list(list).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn playbooks_attach_by_kind_severity_and_exposed_data() {
    let set = Playbooks::embedded().unwrap_or_else(|e| panic!("{e}"));
    let ids = |severity, kind, exposed: &str| -> Vec<String> {
        set.applicable(severity, kind, cats(exposed))
            .iter()
            .map(|p| p.id.clone())
            .collect()
    };
    assert_eq!(
        ids(Severity::Medium, IncidentKind::DataBreach, "name;ssn"),
        ["customer-data-breach"]
    );
    assert_eq!(
        ids(Severity::Low, IncidentKind::DataBreach, "name;ssn"),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(Severity::Low, IncidentKind::CredentialExposure, ""),
        ["credential-exposure"]
    );
    assert_eq!(
        ids(Severity::Critical, IncidentKind::LostDevice, "name"),
        ["lost-encrypted-device"]
    );
    assert_eq!(
        ids(Severity::High, IncidentKind::Ransomware, ""),
        ["ransomware"]
    );
    assert_eq!(
        ids(Severity::Critical, IncidentKind::Other, "name;ssn"),
        Vec::<String>::new()
    );
}

#[test]
fn every_condition_of_applies_when_must_hold_and_an_empty_one_never_attaches() {
    let with = |applies: &str| {
        let text = super::GOOD.replace(
            "[applies_when]\nseverity_at_least = \"high\"\nkinds = [\"data_breach\"]\ncategories_any = [\"ssn\", \"payment_card\"]\n",
            applies,
        );
        let files = vec![(super::FILE.to_owned(), text)];
        Playbooks::from_files(files, &TemplateSet::embedded()).unwrap_or_else(|e| panic!("{e}"))
    };
    let attaches = |set: &Playbooks, severity, kind, exposed: &str| {
        !set.applicable(severity, kind, cats(exposed)).is_empty()
    };
    let (high, breach) = (Severity::High, IncidentKind::DataBreach);

    let never = with("");
    assert!(!attaches(
        &never,
        Severity::Critical,
        breach,
        "name;ssn;payment_card"
    ));
    let never = with("[applies_when]\nkinds = []\n");
    assert!(!attaches(&never, Severity::Critical, breach, "name;ssn"));

    let set = with(
        super::GOOD
            .lines()
            .skip(5)
            .take(4)
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    );
    assert!(attaches(&set, high, breach, "name;payment_card"));
    assert!(attaches(&set, Severity::Critical, breach, "ssn"));
    assert!(
        !attaches(&set, Severity::Medium, breach, "ssn"),
        "severity below"
    );
    assert!(
        !attaches(&set, high, IncidentKind::Ransomware, "ssn"),
        "another kind"
    );
    assert!(
        !attaches(&set, high, breach, "name;email"),
        "none of categories_any"
    );

    let all = with("[applies_when]\ncategories_all = [\"name\", \"ssn\"]\n");
    assert!(attaches(
        &all,
        Severity::Low,
        IncidentKind::Other,
        "name;ssn;email"
    ));
    assert!(!attaches(
        &all,
        Severity::Low,
        IncidentKind::Other,
        "name;email"
    ));
}
