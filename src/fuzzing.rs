//! Entry points for the fuzz targets (`fuzz/`); not an API. Each takes arbitrary bytes and
//! runs one parser over them the way the product does; none may panic, whatever the input.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};

use crate::domain::notice::Locale;
use crate::domain::{CategorySet, DataCategory};
use crate::inventory::Format;
use crate::inventory::check::validate;
use crate::inventory::rows::{Customers, Holdings, RowKind, Systems};
use crate::inventory::source::{Record, Source};
use crate::notice::lint::links::{self, ContactDetails};
use crate::notice::lint::readability::{self, ReadabilityLimits};
use crate::notice::lint::tone::ToneList;
use crate::notice::templates::TemplateSet;
use crate::rules::{Facts, Group, Pack, RiskLikelihood, evaluate};

/// Reads `data` as a systems, customers or holdings file (`kind` 0, 1, 2) in `format`,
/// validating every record as pass 1 of an import does.
pub fn inventory(kind: u8, format: Format, data: &[u8]) {
    match kind % 3 {
        0 => read_all(&Systems, format, data),
        1 => read_all(&Customers, format, data),
        _ => {
            let known = ["crm", "billing-db", "web"].map(str::to_owned).into();
            read_all(&Holdings { known }, format, data)
        }
    }
}

fn read_all<K: RowKind>(kind: &K, format: Format, data: &[u8]) {
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(Ok(mut source)) = Source::from_reader(reader, format, K::COLUMNS) else {
        return;
    };
    let mut record = Record::default();
    while let Ok(true) = source.next(&mut record) {
        let _ = validate(kind, &record);
        let _ = source.raw();
    }
}

/// Lints `text` as a notice: replaces the template set's file number `file` with it and
/// compiles the set (what saving a draft's edit does), and runs the readability, tone and
/// link checks over it.
pub fn notice_template(file: u8, text: &str) {
    let set = embedded_templates();
    let paths: Vec<String> = set.files().keys().cloned().collect();
    let path = paths[usize::from(file) % paths.len()].clone();
    if let Ok(edited) = set.with_overrides([(path, text.to_owned())]) {
        let _ = edited.compile();
    }
    let limits = ReadabilityLimits::default();
    for &locale in Locale::ALL {
        let _ = readability::check(text, locale, &limits);
        let _ = readability::grade(text, locale);
        if let Some(tone) = embedded_tone() {
            let _ = tone.check(text, locale);
        }
    }
    let contact = ContactDetails {
        name: "Customer Care".into(),
        email: Some("care@example.com".into()),
        phone: Some("+1 415 555 0100".into()),
        url: Some("https://example.com/incident".into()),
    };
    let _ = links::check(text, text, &contact);
    let _ = ToneList::parse(text);
}

/// Loads `text` as a jurisdiction file of the rules pack (beside the shipped `pack.toml`) and,
/// if it is valid, evaluates facts derived from `seed` against it.
pub fn rules(seed: &[u8], text: &str) {
    let files = vec![
        ("pack.toml".to_owned(), PACK_TOML.to_owned()),
        ("fuzz.toml".to_owned(), text.to_owned()),
    ];
    let fuzzed = Pack::from_files(files);
    let pack = match &fuzzed {
        Ok(pack) => pack,
        Err(_) => shipped(),
    };
    let byte = |i: usize| seed.get(i).copied().unwrap_or(0);
    let categories = |b: u8| {
        let mut set = CategorySet::default();
        for (i, &c) in DataCategory::ALL.iter().enumerate() {
            if ((u64::from(b) * 0x9E37_79B9) >> (i % 32)) & 1 == 1 {
                set.insert(c);
            }
        }
        set
    };
    let jurisdictions: Vec<&str> = pack
        .jurisdictions()
        .iter()
        .map(|j| j.code.as_str())
        .collect();
    let population: Vec<Group> = (0..usize::from(byte(0) % 4))
        .map(|i| Group {
            jurisdiction: jurisdictions
                .get(usize::from(byte(i + 1)) % jurisdictions.len().max(1))
                .map_or("US-CA".to_owned(), |c| (*c).to_owned()),
            in_eu: byte(i + 2) % 2 == 1,
            exposed: categories(byte(i + 3)),
            unprotected: categories(byte(i + 3) & byte(i + 4)),
            people: i64::from_le_bytes(std::array::from_fn(|k| byte(i + 5 + k))),
        })
        .collect();
    let discovered_at =
        DateTime::<Utc>::from_timestamp(i64::from(byte(13)) * 10_000_000, 0).unwrap_or_default();
    let traits: BTreeSet<String> = pack.traits().keys().cloned().collect();
    let facts = Facts {
        discovered_at,
        anchors: BTreeMap::new(),
        organization_traits: &traits,
        population: &population,
        risk: RiskLikelihood::ALL.get(usize::from(byte(14)) % 4).copied(),
    };
    let _ = evaluate(pack, &facts);
}

/// The shipped templates, read once (what varies is the one file replaced).
fn embedded_templates() -> &'static TemplateSet {
    static SET: OnceLock<TemplateSet> = OnceLock::new();
    SET.get_or_init(TemplateSet::embedded)
}

/// The shipped tone list, its patterns compiled once (the fuzzed text is what it checks).
fn embedded_tone() -> Option<&'static ToneList> {
    static TONE: OnceLock<Option<ToneList>> = OnceLock::new();
    TONE.get_or_init(|| ToneList::embedded().ok()).as_ref()
}

/// The shipped pack, loaded once (facts are fuzzed against it when the file is not valid).
fn shipped() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().expect("the shipped pack is valid"))
}

const PACK_TOML: &str = include_str!("../playbooks/jurisdictions/pack.toml");
