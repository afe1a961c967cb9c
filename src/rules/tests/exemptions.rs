//! What removes a duty: the encryption safe harbor (never when the key was compromised) and a
//! recorded risk assessment (never by default).

use super::super::RiskLikelihood;
use super::{Scenario, duty, encrypted, group, required};

fn ca(people: Vec<super::Group>) -> super::super::JurisdictionResult {
    Scenario::new(people).result("US-CA")
}

#[test]
fn encrypted_data_with_a_safe_key_is_spared_but_a_compromised_key_is_not() {
    let safe = ca(vec![encrypted(group("US-CA", "name;ssn", 900), "name")]);
    assert_eq!(safe.people_removed_by_safe_harbor, 900);
    assert!(required(&safe).is_empty());
    assert!(
        duty(&safe, "individuals")
            .basis
            .contains("encryption safe harbor")
    );

    // The mapping reports data whose key was compromised as unprotected.
    let compromised = ca(vec![encrypted(group("US-CA", "name;ssn", 900), "name;ssn")]);
    assert_eq!(compromised.people_removed_by_safe_harbor, 0);
    assert_eq!(required(&compromised), ["individuals", "attorney_general"]);

    let partly = ca(vec![
        encrypted(group("US-CA", "name;ssn", 600), "name"),
        group("US-CA", "name;ssn", 400),
    ]);
    assert_eq!(duty(&partly, "attorney_general").people, 400);
    assert!(!duty(&partly, "attorney_general").required);
}

#[test]
fn under_gdpr_encryption_spares_the_individuals_but_not_the_authority() {
    let result = Scenario::new(vec![encrypted(group("DE", "name;email", 20), "")]).result("EU");
    assert!(duty(&result, "supervisory_authority").required);
    assert!(!duty(&result, "individuals").required);
    assert_eq!(result.people_removed_by_safe_harbor, 20);
    let basis = &duty(&result, "supervisory_authority").basis;
    assert!(
        basis.contains("20 people in the EU have exposed data"),
        "{basis}"
    );
}

#[test]
fn a_risk_assessment_removes_only_what_it_is_recorded_to_remove() {
    let eu = |risk: Option<RiskLikelihood>| {
        let mut s = Scenario::new(vec![group("FR", "email", 10)]);
        s.risk = risk;
        s.result("EU")
    };
    assert_eq!(
        required(&eu(None)),
        ["supervisory_authority", "individuals"]
    );
    assert_eq!(
        required(&eu(Some(RiskLikelihood::High))),
        ["supervisory_authority", "individuals"]
    );
    assert_eq!(
        required(&eu(Some(RiskLikelihood::Possible))),
        ["supervisory_authority"]
    );
    let unlikely = eu(Some(RiskLikelihood::Unlikely));
    assert!(required(&unlikely).is_empty());
    assert_eq!(
        unlikely.removed_by_risk_assessment,
        ["EU/supervisory_authority", "EU/individuals"]
    );
    assert_eq!(unlikely.risk_assessment, Some(RiskLikelihood::Unlikely));
    assert!(
        duty(&unlikely, "individuals")
            .basis
            .contains("rates harm as unlikely")
    );

    // California has no harm test: an assessment changes nothing.
    let ca = Scenario::new(vec![group("US-CA", "name;ssn", 10)])
        .with_risk(RiskLikelihood::Unlikely)
        .result("US-CA");
    assert_eq!(required(&ca), ["individuals"]);
    assert!(ca.removed_by_risk_assessment.is_empty());
}

#[test]
fn singapore_presumes_significant_harm_until_an_assessment_is_recorded() {
    let sg = |n, risk: Option<RiskLikelihood>| {
        let mut s = Scenario::new(vec![group("SG", "name;email", n)]);
        s.risk = risk;
        s.result("SG")
    };
    let presumed = sg(10, None);
    assert!(duty(&presumed, "pdpc").required);
    assert!(
        duty(&presumed, "pdpc")
            .basis
            .contains("high risk of harm is presumed")
    );
    assert!(required(&sg(10, Some(RiskLikelihood::Possible))).is_empty());
    assert_eq!(required(&sg(500, Some(RiskLikelihood::Possible))), ["pdpc"]);
    assert_eq!(
        required(&sg(10, Some(RiskLikelihood::High))),
        ["pdpc", "individuals"]
    );
}
