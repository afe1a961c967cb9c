//! One table, every shipped jurisdiction: at least one population that triggers it and one that
//! does not. Expectations come from the reference facts, not from the pack.

use std::collections::BTreeSet;

use super::super::Anchor;
use super::{Scenario, group, pack, required};

struct Case {
    code: &'static str,
    traits: &'static [&'static str],
    anchors: &'static [(Anchor, &'static str)],
    /// `(residence, exposed categories, people)`.
    people: &'static [(&'static str, &'static str, i64)],
    /// `None`: the jurisdiction must not appear; `Some(ids)`: exactly these duties required.
    required: Option<&'static [&'static str]>,
}

const fn case(
    code: &'static str,
    people: &'static [(&'static str, &'static str, i64)],
    required: Option<&'static [&'static str]>,
) -> Case {
    Case {
        code,
        traits: &[],
        anchors: &[],
        people,
        required,
    }
}

const fn sector(
    code: &'static str,
    traits: &'static [&'static str],
    people: &'static [(&'static str, &'static str, i64)],
    required: Option<&'static [&'static str]>,
) -> Case {
    Case {
        code,
        traits,
        anchors: &[],
        people,
        required,
    }
}

const NONE: Option<&[&str]> = Some(&[]);
const MATERIAL: &[(Anchor, &str)] = &[(Anchor::MaterialityDetermination, "2026-01-08T20:00:00Z")];

const CASES: &[Case] = &[
    case(
        "EU",
        &[("FR", "email", 10)],
        Some(&["supervisory_authority", "individuals"]),
    ),
    case("EU", &[("GB", "email", 10)], None),
    case("GB", &[("GB", "name", 10)], Some(&["ico", "individuals"])),
    case("GB", &[("IE", "name", 10)], None),
    sector(
        "US-HIPAA",
        &["hipaa_covered_entity"],
        &[("US-TX", "name;health", 10)],
        Some(&["individuals", "hhs"]),
    ),
    sector(
        "US-HIPAA",
        &["hipaa_covered_entity"],
        &[("US-TX", "name;ssn", 10)],
        NONE,
    ),
    sector("US-HIPAA", &[], &[("US-TX", "name;health", 10)], None),
    Case {
        code: "US-SEC-8K",
        traits: &["sec_registrant"],
        anchors: MATERIAL,
        people: &[("GB", "email", 10)],
        required: Some(&["sec"]),
    },
    sector(
        "US-SEC-8K",
        &["sec_registrant"],
        &[("GB", "email", 10)],
        NONE,
    ),
    sector("US-SEC-8K", &[], &[("US-NY", "name;ssn", 10)], None),
    sector(
        "US-NY-DFS500",
        &["nydfs_covered_entity"],
        &[("GB", "email", 5)],
        Some(&["superintendent"]),
    ),
    sector("US-NY-DFS500", &[], &[("US-NY", "email", 5)], None),
    sector(
        "US-FTC-HBNR",
        &["phr_vendor"],
        &[("US-CA", "health", 10)],
        Some(&["individuals", "ftc"]),
    ),
    sector(
        "US-FTC-HBNR",
        &["phr_vendor"],
        &[("US-CA", "name;email", 10)],
        NONE,
    ),
    sector(
        "US-FTC-GLBA",
        &["ftc_financial_institution"],
        &[("US-OH", "name;email", 500)],
        Some(&["ftc"]),
    ),
    sector(
        "US-FTC-GLBA",
        &["ftc_financial_institution"],
        &[("US-OH", "name;email", 499)],
        NONE,
    ),
    case(
        "US-CA",
        &[("US-CA", "name;ssn", 10)],
        Some(&["individuals"]),
    ),
    case(
        "US-CA",
        &[("US-CA", "email;security_qa", 10)],
        Some(&["individuals"]),
    ),
    case("US-CA", &[("US-CA", "name;email;phone", 10)], NONE),
    case(
        "US-NY",
        &[("US-NY", "name;payment_card", 10)],
        Some(&["individuals", "state_agencies"]),
    ),
    case("US-NY", &[("US-NY", "name;passport", 10)], NONE),
    case("US-TX", &[("US-TX", "health", 10)], Some(&["individuals"])),
    case("US-TX", &[("US-TX", "name;passport", 10)], NONE),
    case(
        "US-FL",
        &[("US-FL", "name;passport", 10)],
        Some(&["individuals"]),
    ),
    case("US-FL", &[("US-FL", "name;tax_id", 10)], NONE),
    case(
        "US-MA",
        &[("US-MA", "name;financial_account", 10)],
        Some(&[
            "individuals",
            "attorney_general",
            "ocabr",
            "consumer_reporting_agencies",
        ]),
    ),
    case("US-MA", &[("US-MA", "name;passport", 10)], NONE),
    case(
        "US-WA",
        &[("US-WA", "name;date_of_birth", 10)],
        Some(&["individuals"]),
    ),
    case("US-WA", &[("US-WA", "name;tax_id", 10)], NONE),
    case(
        "US-CO",
        &[("US-CO", "payment_card;access_code", 10)],
        Some(&["individuals"]),
    ),
    case("US-CO", &[("US-CO", "name;tax_id", 10)], NONE),
    case(
        "US-IL",
        &[("US-IL", "name;payment_card", 10)],
        Some(&["individuals"]),
    ),
    case("US-IL", &[("US-IL", "name;passport", 10)], NONE),
    case(
        "US-NJ",
        &[("US-NJ", "name;ssn", 10)],
        Some(&["state_police", "individuals"]),
    ),
    case("US-NJ", &[("US-NJ", "name;health", 10)], NONE),
    case(
        "US-VA",
        &[("US-VA", "name;military_id", 10)],
        Some(&["individuals", "attorney_general"]),
    ),
    case("US-VA", &[("US-VA", "name;health", 10)], NONE),
    case(
        "US-MD",
        &[("US-MD", "name;genetic", 10)],
        Some(&["attorney_general", "individuals"]),
    ),
    case("US-MD", &[("US-MD", "name;date_of_birth", 10)], NONE),
    case(
        "US-CT",
        &[("US-CT", "name;tax_id", 10)],
        Some(&["individuals", "attorney_general"]),
    ),
    case("US-CT", &[("US-CT", "name;date_of_birth", 10)], NONE),
    case(
        "US-OR",
        &[("US-OR", "name;government_id", 10)],
        Some(&["individuals"]),
    ),
    case("US-OR", &[("US-OR", "name;tax_id", 10)], NONE),
    case(
        "US-VT",
        &[("US-VT", "name;access_code", 10)],
        Some(&["attorney_general", "individuals"]),
    ),
    case("US-VT", &[("US-VT", "name;date_of_birth", 10)], NONE),
    case(
        "US-DE",
        &[("US-DE", "name;account_credentials", 10)],
        Some(&["individuals"]),
    ),
    case("US-DE", &[("US-DE", "account_credentials", 10)], NONE),
    case(
        "US-PA",
        &[("US-PA", "name;health_insurance", 10)],
        Some(&["individuals"]),
    ),
    case("US-PA", &[("US-PA", "name;health", 10)], NONE),
    case(
        "US-AZ",
        &[("US-AZ", "name;private_key", 10)],
        Some(&["individuals"]),
    ),
    case("US-AZ", &[("US-AZ", "name;date_of_birth", 10)], NONE),
    case(
        "US-ME",
        &[("US-ME", "name;access_code", 10)],
        Some(&["individuals", "attorney_general"]),
    ),
    case("US-ME", &[("US-ME", "name;health", 10)], NONE),
    case(
        "US-OK",
        &[("US-OK", "name;biometric", 10)],
        Some(&["individuals"]),
    ),
    case("US-OK", &[("US-OK", "name;passport", 10)], NONE),
    case(
        "CA-PIPEDA",
        &[("CA-ON", "email", 10)],
        Some(&["privacy_commissioner", "individuals"]),
    ),
    case("CA-PIPEDA", &[("US-CA", "email", 10)], None),
    case("AU", &[("AU", "name", 10)], Some(&["oaic", "individuals"])),
    case("AU", &[("NZ", "name", 10)], None),
    case("BR", &[("BR", "email", 10)], Some(&["anpd", "individuals"])),
    case("BR", &[("PT", "email", 10)], None),
    case("SG", &[("SG", "email", 10)], Some(&["pdpc", "individuals"])),
    case("SG", &[("MY", "email", 10)], None),
    case(
        "JP",
        &[("JP", "payment_card", 10)],
        Some(&["ppc_preliminary", "ppc_final", "individuals"]),
    ),
    case("JP", &[("JP", "name;email", 10)], NONE),
];

#[test]
fn every_case_in_the_table_gets_exactly_the_expected_duties() {
    let mut failures = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let population = c
            .people
            .iter()
            .map(|(home, data, n)| group(home, data, *n))
            .collect();
        let mut scenario = Scenario::new(population).with_traits(c.traits);
        for (anchor, when) in c.anchors {
            scenario = scenario.with_anchor(*anchor, when);
        }
        let found = scenario.run().into_iter().find(|r| r.code == c.code);
        let got = found.as_ref().map(required);
        let want = c
            .required
            .map(|ids| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        if got != want {
            failures.push(format!(
                "case {i} ({} {:?}): want {want:?}, got {got:?}",
                c.code, c.people
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_has_a_triggering_and_a_non_triggering_case_for_every_shipped_jurisdiction() {
    let codes: BTreeSet<&str> = pack()
        .jurisdictions()
        .iter()
        .map(|j| j.code.as_str())
        .collect();
    let triggers: BTreeSet<&str> = CASES
        .iter()
        .filter(|c| c.required.is_some_and(|r| !r.is_empty()))
        .map(|c| c.code)
        .collect();
    let quiet: BTreeSet<&str> = CASES
        .iter()
        .filter(|c| c.required.is_none_or(|r| r.is_empty()))
        .map(|c| c.code)
        .collect();
    assert_eq!(triggers, codes, "jurisdictions without a triggering case");
    assert_eq!(quiet, codes, "jurisdictions without a non-triggering case");
}
