//! The shipped pack: every file passes, the embedded copy is the folder, and the version
//! follows the content.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::super::{PACK_FILE, Pack, Recipient};
use super::pack;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("playbooks/jurisdictions")
}

fn load_folder() -> Pack {
    Pack::load_dir(&folder()).unwrap_or_else(|e| panic!("{e}"))
}

/// The 31 regimes of the reference facts.
const REFERENCE_CODES: &[&str] = &[
    "AU",
    "BR",
    "CA-PIPEDA",
    "EU",
    "GB",
    "JP",
    "SG",
    "US-AZ",
    "US-CA",
    "US-CO",
    "US-CT",
    "US-DE",
    "US-FL",
    "US-FTC-GLBA",
    "US-FTC-HBNR",
    "US-HIPAA",
    "US-IL",
    "US-MA",
    "US-MD",
    "US-ME",
    "US-NJ",
    "US-NY",
    "US-NY-DFS500",
    "US-OK",
    "US-OR",
    "US-PA",
    "US-SEC-8K",
    "US-TX",
    "US-VA",
    "US-VT",
    "US-WA",
];

#[test]
fn every_shipped_file_passes_validation_and_covers_the_reference() {
    let loaded = load_folder();
    let codes: Vec<_> = loaded
        .jurisdictions()
        .iter()
        .map(|j| j.code.as_str())
        .collect();
    assert_eq!(codes, REFERENCE_CODES);
    for j in loaded.jurisdictions() {
        assert_eq!(
            j.file,
            format!("{}.toml", j.code.to_lowercase()),
            "file name of {}",
            j.code
        );
    }
}

#[test]
fn the_embedded_pack_is_the_folder() {
    let mut on_disk: Vec<String> = std::fs::read_dir(folder())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = super::super::embedded::FILES
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    assert_eq!(embedded, on_disk, "update src/rules/embedded.rs");
    for (name, text) in super::super::embedded::FILES {
        let disk = std::fs::read_to_string(folder().join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(*text, disk, "{name} changed since the build");
    }
    assert_eq!(pack().version(), load_folder().version());
}

#[test]
fn the_version_is_the_release_plus_a_hash_that_follows_every_byte() {
    let version = pack().version();
    assert_eq!(version.release, "2026.11.2");
    assert_eq!(version.content_hash.len(), 12);
    assert!(version.content_hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        version.to_string(),
        format!("2026.11.2+{}", version.content_hash)
    );

    let files = |edit: &dyn Fn(&str, String) -> String| {
        super::super::embedded::FILES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), edit(name, (*text).to_owned())))
            .collect::<Vec<_>>()
    };
    let same = Pack::from_files(files(&|_, t| t)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.version(), version);
    let edited = Pack::from_files(files(&|name, t| {
        if name == "us-ca.toml" {
            t.replace("threshold = 500", "threshold = 501")
        } else {
            t
        }
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(edited.version().content_hash, version.content_hash);
    assert_eq!(edited.version().release, version.release);
}

#[test]
fn the_trait_vocabulary_is_the_one_the_sector_regimes_use() {
    let traits: BTreeSet<&str> = pack().traits().keys().map(String::as_str).collect();
    let used: BTreeSet<&str> = pack()
        .jurisdictions()
        .iter()
        .filter_map(|j| j.covers.organization_trait.as_deref())
        .collect();
    assert_eq!(traits, used);
    assert_eq!(
        traits,
        BTreeSet::from([
            "ftc_financial_institution",
            "hipaa_covered_entity",
            "nydfs_covered_entity",
            "phr_vendor",
            "sec_registrant"
        ])
    );
}

#[test]
fn every_law_that_tells_people_lists_what_the_notice_must_say_or_says_why_not() {
    // Statutes with no content list say so in a note; the others list elements.
    for j in pack().jurisdictions() {
        let tells_people = j
            .duties
            .iter()
            .any(|d| d.recipient == Recipient::Individuals);
        if tells_people && j.notice_elements.is_empty() {
            let explained = j.notes.iter().any(|n| n.contains("content"));
            assert!(
                explained,
                "{} has no notice elements and no note about content",
                j.code
            );
        }
    }
}

#[test]
fn the_pack_file_is_named_pack_toml() {
    assert!(
        super::super::embedded::FILES
            .iter()
            .any(|(n, _)| *n == PACK_FILE)
    );
    assert_eq!(pack().jurisdictions().len(), REFERENCE_CODES.len());
    assert!(pack().duty_count() > REFERENCE_CODES.len());
}
