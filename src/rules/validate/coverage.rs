//! `[covers]` and category sets: residence selectors, nouns, the organization trait, and
//! trigger sets and `when_any` lists made only of known categories.

use std::collections::BTreeMap;

use super::super::model::{Coverage, Selector};
use super::super::problem::Problems;
use super::super::raw::{RawCovers, RawSets, RawTriggers, S};
use super::super::vocab::{ANY_PERSONAL_DATA, Trigger};
use super::required_text;
use crate::domain::jurisdiction::{ResidenceError, residence};
use crate::domain::{CategorySet, DataCategory};

/// `[covers]`.
pub(super) fn coverage(
    p: &mut Problems,
    raw: Option<&S<RawCovers>>,
    traits: &BTreeMap<String, String>,
) -> Option<Coverage> {
    let Some(raw) = raw else {
        p.add(
            None,
            "covers",
            "missing: say whose residence brings them under the law",
        );
        return None;
    };
    let at = Some(raw.span());
    let c = raw.get_ref();
    let before = p.count();
    let people: Vec<Selector> = c.people.iter().filter_map(|s| selector(p, s)).collect();
    if c.people.is_empty() && !c.in_eu {
        p.add(
            at.clone(),
            "covers.people",
            "covers nobody: list codes or set in_eu = true",
        );
    }
    if let Some(t) = &c.organization_trait
        && !traits.contains_key(t.get_ref())
    {
        let known: Vec<_> = traits.keys().map(|k| format!("`{k}`")).collect();
        p.add(
            Some(t.span()),
            "covers.organization_trait",
            format!(
                "unknown trait `{}`; pack.toml defines {}",
                t.get_ref(),
                known.join(", ")
            ),
        );
    }
    let singular = required_text(
        p,
        "covers.noun_singular",
        c.noun_singular.as_ref(),
        at.clone(),
    );
    let plural = required_text(p, "covers.noun_plural", c.noun_plural.as_ref(), at);
    if p.count() > before {
        return None;
    }
    Some(Coverage {
        people,
        in_eu: c.in_eu,
        organization_trait: c.organization_trait.as_ref().map(|t| t.get_ref().clone()),
        noun_singular: singular?,
        noun_plural: plural?,
    })
}

/// `*`, `US-*`, `US-CA` or `GB`, checked against the residence vocabulary.
fn selector(p: &mut Problems, raw: &S<String>) -> Option<Selector> {
    let value = raw.get_ref().as_str();
    let bad = |p: &mut Problems, reason: String| {
        p.add(Some(raw.span()), "covers.people", reason);
        None
    };
    if value == "*" {
        return Some(Selector::Everyone);
    }
    if let Some(country) = value.strip_suffix("-*") {
        return match country {
            "US" | "CA" => Some(Selector::RegionsOf(country.to_owned())),
            _ => bad(
                p,
                format!("`{value}`: only US and CA residents carry region codes"),
            ),
        };
    }
    let (country, region) = value.split_once('-').unwrap_or((value, ""));
    match residence(country, region) {
        Ok(r) if r.jurisdiction == value => Some(Selector::Code(value.to_owned())),
        Ok(r) => bad(p, format!("`{value}` is written `{}`", r.jurisdiction)),
        Err(ResidenceError::MissingRegion(c)) => bad(
            p,
            format!("`{value}` matches nobody: people in {c} are coded by region; use `{c}-*`"),
        ),
        Err(e) => bad(p, format!("`{value}`: {e} (for the EU use in_eu = true)")),
    }
}

/// `[triggers]`: at least one valid set, and the note.
pub(super) fn triggers(
    p: &mut Problems,
    raw: Option<&S<RawTriggers>>,
) -> (Vec<Trigger>, Option<String>) {
    let Some(t) = raw else {
        p.add(None, "triggers", "missing");
        return (Vec::new(), None);
    };
    let sets = match &t.get_ref().sets {
        Some(sets) if sets.get_ref().is_empty() => {
            p.add(Some(sets.span()), "triggers.sets", "needs at least one set");
            Vec::new()
        }
        Some(sets) => category_sets(p, "triggers.sets", sets.get_ref()),
        None => {
            p.add(Some(t.span()), "triggers.sets", "missing");
            Vec::new()
        }
    };
    (sets, t.get_ref().note.clone())
}

/// A list of category sets: known keys, no repeats, `any_personal_data` alone.
pub(super) fn category_sets(p: &mut Problems, field: &str, sets: &RawSets) -> Vec<Trigger> {
    let mut out: Vec<Trigger> = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let here = format!("{field}[{i}]");
        let keys = set.get_ref();
        if keys.is_empty() {
            p.add(
                Some(set.span()),
                here,
                "an empty set would match everyone; remove it",
            );
            continue;
        }
        let trigger = if keys.iter().any(|k| k.get_ref() == ANY_PERSONAL_DATA) {
            if keys.len() > 1 {
                p.add(
                    Some(set.span()),
                    here,
                    format!("`{ANY_PERSONAL_DATA}` must stand alone in its set"),
                );
                continue;
            }
            Trigger::AnyPersonalData
        } else {
            let mut categories = CategorySet::EMPTY;
            let mut ok = true;
            for key in keys {
                match key.get_ref().parse::<DataCategory>() {
                    Ok(c) if categories.contains(c) => {
                        p.add(Some(key.span()), &here, format!("`{c}` is listed twice"));
                        ok = false;
                    }
                    Ok(c) => categories.insert(c),
                    Err(e) => {
                        p.add(Some(key.span()), &here, format!("{e}"));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            Trigger::AllOf(categories)
        };
        if out.contains(&trigger) {
            p.add(Some(set.span()), here, "the same set is listed twice");
            continue;
        }
        out.push(trigger);
    }
    out
}

/// A non-empty list of known categories, none twice (`when_any`); returned in vocabulary order.
pub(super) fn category_list(
    p: &mut Problems,
    field: &str,
    list: &S<Vec<S<String>>>,
) -> Option<Vec<DataCategory>> {
    if list.get_ref().is_empty() {
        p.add(
            Some(list.span()),
            field,
            "an empty list would match nobody; remove the field to require the element always",
        );
        return None;
    }
    let mut categories = CategorySet::EMPTY;
    let mut ok = true;
    for key in list.get_ref() {
        let reason = match key.get_ref().parse::<DataCategory>() {
            Ok(c) if categories.contains(c) => format!("`{c}` is listed twice"),
            Ok(c) => {
                categories.insert(c);
                continue;
            }
            Err(_) if key.get_ref() == ANY_PERSONAL_DATA => format!(
                "`{ANY_PERSONAL_DATA}` is not allowed here; remove the field to require the \
                 element whatever the data"
            ),
            Err(e) => e.to_string(),
        };
        p.add(Some(key.span()), field, reason);
        ok = false;
    }
    ok.then(|| categories.iter().collect())
}
