//! Which laws call for a reader's notice, and what those laws say the notice must and must not
//! contain. Pure: the rules pack and the incident's computed obligations in, answers out.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::CategorySet;
use crate::rules::{Jurisdiction, JurisdictionResult, Pack, Recipient};

/// The laws whose duty to tell individuals is required for this incident.
#[derive(Debug, Clone, Default)]
pub struct NoticeLaws {
    /// Codes of the laws with a required individual-notice duty.
    codes: BTreeSet<String>,
}

impl NoticeLaws {
    /// From the incident's computed obligations.
    pub fn from_results(results: &[JurisdictionResult]) -> Self {
        let codes = results
            .iter()
            .filter(|j| {
                j.duties
                    .iter()
                    .any(|d| d.required && d.recipient == Recipient::Individuals)
            })
            .map(|j| j.code.clone())
            .collect();
        NoticeLaws { codes }
    }

    /// Every law of the pack counts as requiring individual notice (the sample audience of
    /// `candor notice lint`).
    pub fn all(pack: &Pack) -> Self {
        NoticeLaws {
            codes: pack
                .jurisdictions()
                .iter()
                .map(|j| j.code.clone())
                .collect(),
        }
    }

    /// The laws that call for one reader's notice: a required individual duty, the reader
    /// lives where the law reaches, and their data meets one of its trigger sets (only the
    /// data left unprotected by encryption, where the law's safe harbor lifts the duty).
    pub fn for_reader<'p>(
        &self,
        pack: &'p Pack,
        jurisdiction: &str,
        in_eu: bool,
        exposed: CategorySet,
        unprotected: CategorySet,
    ) -> ReaderLaws<'p> {
        let unprotected = unprotected.intersection(exposed);
        let laws =
            pack.jurisdictions()
                .iter()
                .filter(|j| self.codes.contains(&j.code))
                .filter(|j| j.covers.includes(jurisdiction, in_eu))
                .filter(|j| {
                    let harbored = j.duties.iter().any(|d| {
                        d.recipient == Recipient::Individuals && j.safe_harbor.removes(&d.id)
                    });
                    let data = if harbored { unprotected } else { exposed };
                    j.triggers.iter().any(|t| t.met_by(data))
                })
                .collect();
        ReaderLaws { laws, exposed }
    }
}

/// The laws behind one reader's notice.
#[derive(Debug, Clone)]
pub struct ReaderLaws<'p> {
    pub laws: Vec<&'p Jurisdiction>,
    exposed: CategorySet,
}

/// One law's word on one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawWord {
    /// `US-CA`.
    pub code: String,
    /// `California`.
    pub name: String,
    /// What the law says, in its own terms.
    pub text: String,
}

impl<'p> ReaderLaws<'p> {
    /// Only the laws `keep` keeps.
    pub fn only(self, keep: impl Fn(&Jurisdiction) -> bool) -> ReaderLaws<'p> {
        ReaderLaws {
            laws: self.laws.into_iter().filter(|j| keep(j)).collect(),
            exposed: self.exposed,
        }
    }

    /// The law codes, in pack order.
    pub fn codes(&self) -> Vec<String> {
        self.laws.iter().map(|j| j.code.clone()).collect()
    }

    /// Elements some law requires for this reader (given their data), with who says so.
    pub fn required(&self) -> BTreeMap<String, Vec<LawWord>> {
        let mut out: BTreeMap<String, Vec<LawWord>> = BTreeMap::new();
        for j in &self.laws {
            for e in j
                .notice_elements
                .iter()
                .filter(|e| e.applies_to(self.exposed))
            {
                out.entry(e.key.clone()).or_default().push(word(j, &e.text));
            }
        }
        out
    }

    /// Statements some law forbids in this reader's notice, with who says so.
    pub fn forbidden(&self) -> BTreeMap<String, Vec<LawWord>> {
        let mut out: BTreeMap<String, Vec<LawWord>> = BTreeMap::new();
        for j in &self.laws {
            for e in &j.forbidden_statements {
                out.entry(e.key.clone()).or_default().push(word(j, &e.text));
            }
        }
        out
    }
}

fn word(j: &Jurisdiction, text: &str) -> LawWord {
    LawWord {
        code: j.code.clone(),
        name: j.name.clone(),
        text: text.to_owned(),
    }
}

/// Every element key the pack knows (required or forbidden anywhere): templates may test any
/// of them under `law.requires` and `law.omit` in strict mode.
pub fn element_keys(pack: &Pack) -> BTreeSet<String> {
    pack.jurisdictions()
        .iter()
        .flat_map(|j| j.notice_elements.iter().chain(&j.forbidden_statements))
        .map(|e| e.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DataCategory::*;

    fn set(categories: &[crate::domain::DataCategory]) -> CategorySet {
        let mut s = CategorySet::EMPTY;
        for c in categories {
            s.insert(*c);
        }
        s
    }

    #[test]
    fn a_californian_with_a_social_security_number_exposed_is_owed_californias_elements() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let exposed = set(&[Name, Ssn]);
        let reader = laws.for_reader(&pack, "US-CA", false, exposed, exposed);
        assert!(reader.codes().contains(&"US-CA".to_owned()));
        let required = reader.required();
        assert!(required.contains_key("title_notice_of_data_breach"));
        assert!(required.contains_key("cra_contacts"));
    }

    #[test]
    fn elements_tied_to_other_data_are_not_required() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let exposed = set(&[AccountCredentials]);
        let reader = laws.for_reader(&pack, "US-CA", false, exposed, exposed);
        assert!(reader.codes().contains(&"US-CA".to_owned()));
        assert!(!reader.required().contains_key("cra_contacts"));
    }

    #[test]
    fn encrypted_data_under_a_safe_harbor_calls_for_no_notice() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let exposed = set(&[Name, Ssn]);
        let reader = laws.for_reader(&pack, "US-CA", false, exposed, CategorySet::EMPTY);
        assert!(!reader.codes().contains(&"US-CA".to_owned()));
    }

    #[test]
    fn only_laws_with_a_required_individual_duty_count() {
        let pack = Pack::embedded().unwrap();
        let exposed = set(&[Name, Ssn]);
        let none = NoticeLaws::default().for_reader(&pack, "US-CA", false, exposed, exposed);
        assert!(none.laws.is_empty());
    }

    #[test]
    fn massachusetts_forbids_saying_what_happened() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let exposed = set(&[Name, Ssn]);
        let reader = laws.for_reader(&pack, "US-MA", false, exposed, exposed);
        assert!(reader.forbidden().contains_key("what_happened"));
        assert!(element_keys(&pack).contains("what_happened"));
    }
}
