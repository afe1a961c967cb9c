//! The validator names every problem of a bad pack, each as `file:line: field: reason`.

use std::path::Path;

use super::super::{Pack, PackErrors};

pub(super) const PACK_TOML: &str = r#"release = "test-1"

[traits]
sample_trait = "A trait that only tests use."
"#;

/// A valid jurisdiction; each test breaks it in one or more places.
pub(super) const GOOD: &str = r#"code = "US-CA"
name = "Test law"
version = 1
verified_on = 2026-11-22
verification = "verified"
citation = "Test Code 1.1"
sources = ["https://example.org/law"]
time_zone = "America/Los_Angeles"

[covers]
people = ["US-CA"]
noun_singular = "resident"
noun_plural = "residents"

[triggers]
sets = [["name", "ssn"], ["account_credentials"]]

[encryption_safe_harbor]
applies = true
removes = ["individuals", "attorney_general"]

[risk_of_harm]
exemption = true

[[duties]]
id = "individuals"
recipient = "individuals"
recipient_name = "Affected residents"
threshold = 1
operator = ">="
days = 30
anchor = "discovery"
due_text = "Within 30 days of discovery."
risk_exempt_when = ["unlikely"]
basis = "Test Code 1.1(a)"

[[duties]]
id = "attorney_general"
recipient = "attorney_general"
recipient_name = "Test Attorney General"
threshold = 500
operator = ">"
days = 15
anchor = "individual_notice"
basis = "Test Code 1.1(b)"

[[notice_elements]]
key = "what_happened"
text = "What happened."
"#;

/// A duty whose `below_threshold` can never apply, followed by the header it replaces.
const EXTRA_DUTY_BELOW_ANY: &str = r#"[[duties]]
id = "extra"
recipient = "media"
recipient_name = "Media"
threshold = 1
operator = ">="
anchor = "discovery"
due_text = "Soon."
basis = "Test Code 1.2"

[duties.below_threshold]
days = 2
anchor = "discovery"

[[notice_elements]]"#;

/// Loads `files` (plus pack.toml unless given) from a fresh folder.
fn load(files: &[(&str, &str)]) -> Result<Pack, PackErrors> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let has_pack = files.iter().any(|(name, _)| *name == "pack.toml");
    let mut all = files.to_vec();
    if !has_pack {
        all.push(("pack.toml", PACK_TOML));
    }
    for (name, text) in all {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dir.path().join("README.md"), "not a rule file")
        .unwrap_or_else(|e| panic!("{e}"));
    Pack::load_dir(dir.path())
}

/// The problems of GOOD with `from` replaced by `to` (which must occur).
fn problems_after(edits: &[(&str, &str)]) -> Vec<String> {
    let mut text = GOOD.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    match load(&[("us-ca.toml", &text)]) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_fixture_itself_is_valid() {
    match load(&[("us-ca.toml", GOOD)]) {
        Ok(pack) => {
            assert_eq!(pack.jurisdictions().len(), 1);
            assert_eq!(pack.version().release, "test-1");
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn each_kind_of_bad_input_is_named() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[(r#""name", "ssn""#, r#""name", "shoe_size""#)],
            "us-ca.toml:16: triggers.sets[0]: unknown data category `shoe_size`",
        ),
        (
            &[(
                r#"recipient = "attorney_general""#,
                r#"recipient = "governor""#,
            )],
            "duties.attorney_general.recipient: unknown `governor`",
        ),
        (
            &[(
                r#"noun_singular"#,
                "organization_trait = \"bank\"\nnoun_singular",
            )],
            "covers.organization_trait: unknown trait `bank`; pack.toml defines `sample_trait`",
        ),
        (
            &[(
                r#"anchor = "individual_notice""#,
                r#"anchor = "press_release""#,
            )],
            "duties.attorney_general.anchor: unknown `press_release`",
        ),
        (
            &[("threshold = 500", "threshold = -3")],
            "duties.attorney_general.threshold: -3 is not a head count",
        ),
        (
            &[("threshold = 1\n", "threshold = 0\n")],
            "duties.individuals.threshold: 0 is not a head count: use 1 or more with `>=`",
        ),
        (
            &[(r#"operator = ">""#, r#"operator = "=>""#)],
            "duties.attorney_general.operator: unknown `=>`",
        ),
        (
            &[("citation = \"Test Code 1.1\"\n", "")],
            "us-ca.toml: citation: missing",
        ),
        (
            &[(r#"sources = ["https://example.org/law"]"#, "sources = []")],
            "sources: needs at least one URL",
        ),
        (
            &[(r#""https://example.org/law""#, r#""see the statute book""#)],
            "sources[0]: `see the statute book` is not an http(s) URL",
        ),
        (
            &[("America/Los_Angeles", "Mars/Olympus_Mons")],
            "time_zone: `Mars/Olympus_Mons` is not an IANA time zone",
        ),
        (
            &[
                ("days = 30\n", ""),
                ("due_text = \"Within 30 days of discovery.\"\n", ""),
            ],
            "duties.individuals: has neither a deadline (hours or days) nor a due_text",
        ),
        (
            &[("days = 30\n", "days = 30\nhours = 4\n")],
            "duties.individuals.hours: give hours or days, not both",
        ),
        (
            &[("days = 15\n", "hours = 15\nbusiness_days = true\n")],
            "duties.attorney_general.business_days: business days need `days`, not `hours`",
        ),
        (
            &[(
                r#"removes = ["individuals", "attorney_general"]"#,
                r#"removes = ["individuals", "regulator"]"#,
            )],
            "encryption_safe_harbor.removes: no duty has the id `regulator`",
        ),
        (
            &[(
                r#"risk_exempt_when = ["unlikely"]"#,
                r#"risk_exempt_when = ["high"]"#,
            )],
            "a high likelihood of harm never removes a duty",
        ),
        (
            &[("exemption = true", "exemption = false")],
            "duties.individuals.risk_exempt_when: the jurisdiction has no risk-of-harm exemption",
        ),
        (
            &[(
                r#"["account_credentials"]"#,
                r#"["any_personal_data", "email"]"#,
            )],
            "`any_personal_data` must stand alone in its set",
        ),
        (
            &[(r#"["account_credentials"]"#, r#"["ssn", "name"]"#)],
            "triggers.sets[1]: the same set is listed twice",
        ),
        (
            &[(r#"people = ["US-CA"]"#, r#"people = ["US"]"#)],
            "covers.people: `US` matches nobody: people in US are coded by region; use `US-*`",
        ),
        (
            &[(r#"people = ["US-CA"]"#, r#"people = ["EU"]"#)],
            "for the EU use in_eu = true",
        ),
        (
            &[(r#"id = "attorney_general""#, r#"id = "individuals""#)],
            "duties.individuals.id: `individuals` is used twice",
        ),
        (
            &[("version = 1", "version = 0")],
            "us-ca.toml:3: version: must be a whole number, 1 or more",
        ),
        (
            &[(
                "verified_on = 2026-11-22",
                "verified_on = 2026-11-22T10:00:00Z",
            )],
            "verified_on: must be a plain date",
        ),
        (
            &[(
                r#"verification = "verified""#,
                r#"verification = "checked""#,
            )],
            "verification: unknown `checked`",
        ),
        (
            &[(r#"key = "what_happened""#, r#"key = "What Happened""#)],
            "notice_elements[0].key: use lowercase letters",
        ),
        (
            &[("[[notice_elements]]", EXTRA_DUTY_BELOW_ANY)],
            "duties.extra.below_threshold: never applies: the threshold is met by anyone",
        ),
        (
            &[
                ("days = 15\n", "days = 0\n"),
                (r#"anchor = "individual_notice""#, r#"anchor = "discovery""#),
            ],
            "days = 0 means 'no later than the anchor event'",
        ),
        (
            &[(r#"code = "US-CA""#, r#"code = "california""#)],
            "code: `california` is not a code",
        ),
        (
            &[("threshold = 500", "treshold = 500")],
            "us-ca.toml:41: file: unknown field `treshold`",
        ),
        (&[("[covers]", "[covers\n")], "us-ca.toml:10: file:"),
    ];
    let mut missed = Vec::new();
    for (edits, expected) in cases {
        let problems = problems_after(edits);
        if !problems.iter().any(|p| p.contains(expected)) {
            missed.push(format!("{expected:?}\n    got {problems:?}"));
        }
    }
    assert!(missed.is_empty(), "not reported:\n{}", missed.join("\n"));
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let problems = problems_after(&[
        (r#""name", "ssn""#, r#""name", "shoe_size""#),
        (r#"operator = ">""#, r#"operator = "=>""#),
        ("America/Los_Angeles", "Nowhere/Special"),
        ("citation = \"Test Code 1.1\"\n", ""),
    ]);
    assert_eq!(problems.len(), 4, "{problems:#?}");
}

#[test]
fn a_code_used_by_two_files_is_refused() {
    let problems = match load(&[("us-ca.toml", GOOD), ("california.toml", GOOD)]) {
        Ok(_) => panic!("a duplicate code passed"),
        Err(e) => e.0,
    };
    let text: Vec<_> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["us-ca.toml:1: code: duplicate code `US-CA`, already used by california.toml"]
    );
}

#[test]
fn a_pack_needs_its_pack_toml_a_release_and_some_jurisdiction() {
    let missing = Pack::from_files(vec![("us-ca.toml".to_owned(), GOOD.to_owned())]);
    assert!(missing.is_err_and(|e| {
        e.0.iter()
            .any(|p| p.file == "pack.toml" && p.reason.starts_with("missing"))
    }));
    let empty = load(&[("pack.toml", PACK_TOML)]);
    assert!(empty.is_err_and(|e| e.to_string().contains("no jurisdiction files")));
    let no_release = load(&[
        ("pack.toml", "[traits]\nbad-name = \"\"\n"),
        ("us-ca.toml", GOOD),
    ]);
    let text = no_release
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string());
    assert!(text.contains("pack.toml: release: missing"), "{text}");
    assert!(
        text.contains("traits.bad-name: a trait name is lowercase"),
        "{text}"
    );
    assert!(
        text.contains("traits.bad-name: say what the trait means"),
        "{text}"
    );
}

#[test]
fn a_folder_that_cannot_be_read_is_one_problem() {
    let result = Pack::load_dir(Path::new("/nonexistent/candor/rules"));
    assert!(
        result
            .is_err_and(|e| e.0.len() == 1 && e.0[0].reason.starts_with("cannot read the folder"))
    );
}

#[test]
fn a_due_text_is_written_when_the_file_gives_none() {
    let pack = load(&[("us-ca.toml", GOOD)]).unwrap_or_else(|e| panic!("{e}"));
    let ag = &pack.jurisdictions()[0].duties[1];
    assert_eq!(
        ag.deadline.text,
        "Within 15 days after the notice to individuals."
    );
}
