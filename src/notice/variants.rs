//! Notice variants: the people of an audience grouped by what makes their notice differ
//! (language, place, exposed data, channel, the laws behind it), with how many get each, and
//! how a dry run differs from the one approved last.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::laws::NoticeLaws;
use crate::domain::notice::{Channel, Locale, VipRoute};
use crate::domain::{CategorySet, DataCategory};
use crate::rules::Pack;
use crate::store::notices::audience::VariantGroup;

/// People who get the same notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Stable across dry runs: `es/US-CA/name+ssn/email/US-CA`.
    pub key: String,
    pub locale: Locale,
    pub jurisdiction: String,
    pub exposed: CategorySet,
    pub channel: Channel,
    /// A VIP's account manager reaches out before the notice goes.
    pub outreach_first: bool,
    /// The laws that call for this notice.
    pub laws: Vec<String>,
    pub people: i64,
    /// The person a sample preview shows. Personal data: never log it or send it out.
    pub sample_key: String,
}

/// Groups an audience into variants, in key order.
pub fn variants(
    groups: &[VariantGroup],
    pack: &Pack,
    laws: &NoticeLaws,
    vip_route: VipRoute,
) -> Vec<Variant> {
    let mut by_key: BTreeMap<String, Variant> = BTreeMap::new();
    for g in groups {
        let locale = Locale::for_person(&g.locale);
        let vip = g.tier == "vip";
        let mut channel = match g.channel.as_str() {
            "email" => Channel::Email,
            "postal" => Channel::Postal,
            _ => Channel::Unreachable,
        };
        if vip && vip_route == VipRoute::OutreachOnly {
            channel = Channel::Outreach;
        }
        let outreach_first = vip && vip_route == VipRoute::OutreachThenNotice;
        let reader_laws = laws.for_reader(pack, &g.jurisdiction, g.in_eu, g.exposed, g.unprotected);
        let codes = reader_laws.codes();
        let key = variant_key(
            locale,
            &g.jurisdiction,
            g.exposed,
            channel,
            outreach_first,
            &codes,
        );
        by_key
            .entry(key.clone())
            .and_modify(|v| {
                v.people += g.people;
                if g.sample_key < v.sample_key {
                    v.sample_key = g.sample_key.clone();
                }
            })
            .or_insert_with(|| Variant {
                key,
                locale,
                jurisdiction: g.jurisdiction.clone(),
                exposed: g.exposed,
                channel,
                outreach_first,
                laws: codes,
                people: g.people,
                sample_key: g.sample_key.clone(),
            });
    }
    by_key.into_values().collect()
}

fn variant_key(
    locale: Locale,
    jurisdiction: &str,
    exposed: CategorySet,
    channel: Channel,
    outreach_first: bool,
    laws: &[String],
) -> String {
    let categories: Vec<&str> = exposed.iter().map(DataCategory::as_str).collect();
    let mut key = format!(
        "{}/{}/{}/{}",
        locale.as_str(),
        jurisdiction,
        categories.join("+"),
        channel.as_str()
    );
    if outreach_first {
        key.push_str("+outreach");
    }
    key.push('/');
    key.push_str(&if laws.is_empty() {
        "none".to_owned()
    } else {
        laws.join(",")
    });
    key
}

/// A variant as a dry run lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VariantView {
    pub key: String,
    pub locale: Locale,
    pub jurisdiction: String,
    pub categories: Vec<DataCategory>,
    pub channel: Channel,
    pub outreach_first: bool,
    pub laws: Vec<String>,
    pub people: i64,
}

impl From<&Variant> for VariantView {
    fn from(v: &Variant) -> Self {
        VariantView {
            key: v.key.clone(),
            locale: v.locale,
            jurisdiction: v.jurisdiction.clone(),
            categories: v.exposed.iter().collect(),
            channel: v.channel,
            outreach_first: v.outreach_first,
            laws: v.laws.clone(),
            people: v.people,
        }
    }
}

/// How a dry run differs from an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DryRunDiff {
    /// Variants that are new, with their people.
    pub added: BTreeMap<String, i64>,
    /// Variants that are gone, with the people they had.
    pub removed: BTreeMap<String, i64>,
    /// Variants whose head count changed: `[before, after]`.
    pub changed: BTreeMap<String, [i64; 2]>,
}

impl DryRunDiff {
    /// From the earlier and the current head counts by key.
    pub fn between(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> Self {
        let mut diff = DryRunDiff {
            added: BTreeMap::new(),
            removed: BTreeMap::new(),
            changed: BTreeMap::new(),
        };
        for (key, now) in after {
            match before.get(key) {
                None => {
                    diff.added.insert(key.clone(), *now);
                }
                Some(then) if then != now => {
                    diff.changed.insert(key.clone(), [*then, *now]);
                }
                Some(_) => {}
            }
        }
        for (key, then) in before {
            if !after.contains_key(key) {
                diff.removed.insert(key.clone(), *then);
            }
        }
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Head counts by variant key.
pub fn counts(variants: &[Variant]) -> BTreeMap<String, i64> {
    variants.iter().map(|v| (v.key.clone(), v.people)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(
        locale: &str,
        jurisdiction: &str,
        tier: &str,
        people: i64,
        sample: &str,
    ) -> VariantGroup {
        let mut exposed = CategorySet::EMPTY;
        exposed.insert(DataCategory::Name);
        exposed.insert(DataCategory::Ssn);
        VariantGroup {
            locale: locale.into(),
            jurisdiction: jurisdiction.into(),
            in_eu: false,
            exposed,
            unprotected: exposed,
            channel: "email".into(),
            tier: tier.into(),
            people,
            sample_key: sample.into(),
        }
    }

    #[test]
    fn regional_locales_share_a_variant_and_its_head_count() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let groups = [
            group("es", "US-CA", "standard", 3, "p:9"),
            group("es-MX", "US-CA", "standard", 2, "p:1"),
            group("en", "US-CA", "standard", 5, "p:5"),
        ];
        let v = variants(&groups, &pack, &laws, VipRoute::Notice);
        assert_eq!(v.len(), 2);
        let es = v.iter().find(|v| v.locale == Locale::Es).unwrap();
        assert_eq!(es.people, 5);
        assert_eq!(es.sample_key, "p:1");
        assert!(es.key.starts_with("es/US-CA/name+ssn/email/"));
        assert!(es.laws.contains(&"US-CA".to_owned()));
    }

    #[test]
    fn vips_routed_to_outreach_get_their_own_variant() {
        let pack = Pack::embedded().unwrap();
        let laws = NoticeLaws::all(&pack);
        let groups = [
            group("en", "US-CA", "vip", 1, "p:1"),
            group("en", "US-CA", "standard", 4, "p:2"),
        ];
        let only = variants(&groups, &pack, &laws, VipRoute::OutreachOnly);
        assert_eq!(
            only.iter()
                .filter(|v| v.channel == Channel::Outreach)
                .count(),
            1
        );
        let first = variants(&groups, &pack, &laws, VipRoute::OutreachThenNotice);
        assert_eq!(first.iter().filter(|v| v.outreach_first).count(), 1);
        let same = variants(&groups, &pack, &laws, VipRoute::Notice);
        assert_eq!(same.len(), 1);
        assert_eq!(same[0].people, 5);
    }

    #[test]
    fn a_diff_lists_added_removed_and_changed_variants() {
        let before = BTreeMap::from([
            ("a".to_owned(), 1),
            ("b".to_owned(), 2),
            ("c".to_owned(), 3),
        ]);
        let after = BTreeMap::from([
            ("b".to_owned(), 2),
            ("c".to_owned(), 4),
            ("d".to_owned(), 5),
        ]);
        let diff = DryRunDiff::between(&before, &after);
        assert_eq!(diff.added, BTreeMap::from([("d".to_owned(), 5)]));
        assert_eq!(diff.removed, BTreeMap::from([("a".to_owned(), 1)]));
        assert_eq!(diff.changed, BTreeMap::from([("c".to_owned(), [3, 4])]));
        assert!(DryRunDiff::between(&after, &after).is_empty());
    }
}
