//! The shipped playbooks: each passes, the embedded copy is the folder, they attach to the
//! incidents they are written for, and their flows hand over where they should.

use std::path::{Path, PathBuf};

use super::super::embedded::FILES;
use crate::domain::notice::NoticeKind;
use crate::domain::playbook::{Action, Anchor, Playbook, StepKind};
use crate::domain::{CategorySet, DataCategory};
use crate::notice::templates::TemplateSet;
use crate::playbook::Playbooks;

const SHIPPED: [&str; 4] = [
    "credential-exposure",
    "customer-data-breach",
    "lost-encrypted-device",
    "ransomware",
];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("playbooks")
}

fn shipped() -> Playbooks {
    Playbooks::embedded().unwrap_or_else(|e| panic!("{e}"))
}

fn get<'a>(set: &'a Playbooks, id: &str) -> &'a Playbook {
    set.get(id).unwrap_or_else(|| panic!("no playbook {id}"))
}

fn cats(list: &str) -> CategorySet {
    CategorySet::parse_list(list).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_shipped_playbook_passes_validation_from_the_folder_and_embedded() {
    let loaded =
        Playbooks::load_dir(&folder(), &TemplateSet::embedded()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = loaded.all().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, SHIPPED);
    assert_eq!(loaded, shipped());
    for id in SHIPPED {
        let file = folder().join(format!("{id}.toml"));
        let one = Playbooks::load_file(&file, &TemplateSet::embedded(), &loaded)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.get(id), loaded.get(id));
        assert_eq!(one.len(), 1);
    }
}

#[test]
fn the_embedded_playbooks_are_the_folder() {
    let mut on_disk: Vec<String> = std::fs::read_dir(folder())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(embedded, on_disk, "update src/playbook/embedded.rs");
    for (name, text) in FILES {
        let disk = std::fs::read_to_string(folder().join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(*text, disk, "{name} changed since the build");
    }
}

#[test]
fn a_single_file_may_start_a_playbook_only_the_set_beside_it_has() {
    let file = folder().join("ransomware.toml");
    let templates = TemplateSet::embedded();
    let alone = Playbooks::load_file(&file, &templates, &Playbooks::default()).unwrap_err();
    assert_eq!(alone.0.len(), 1, "{alone}");
    assert!(
        alone.0[0].to_string().ends_with(
            "steps.start-breach-response.playbook: no playbook `customer-data-breach` in the set"
        ),
        "{alone}"
    );
    assert!(Playbooks::load_file(&file, &templates, &shipped()).is_ok());
    let missing =
        Playbooks::load_file(Path::new("no-such.toml"), &templates, &shipped()).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("no-such.toml: file: cannot read"),
        "{missing}"
    );
}

#[test]
fn shipped_notices_need_their_templates() {
    // Templates without an initial notice refuse every playbook that sends one.
    let shipped_templates = TemplateSet::embedded();
    let without = TemplateSet::from_files(
        shipped_templates
            .files()
            .iter()
            .filter(|(p, _)| !p.starts_with("initial-notice/"))
            .map(|(p, t)| (p.clone(), t.clone())),
    );
    let errors = Playbooks::embedded_for(&without).unwrap_err();
    let files: Vec<&str> = errors.0.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(
        files,
        ["credential-exposure.toml", "customer-data-breach.toml"]
    );
}

#[test]
fn the_breach_playbook_ties_its_notices_to_the_legal_duties_and_gates_them() {
    let set = shipped();
    let breach = get(&set, "customer-data-breach");
    let send = breach.step("send-notice").expect("send-notice");
    assert_eq!(
        send.kind,
        StepKind::Action(Action::SendNotice(NoticeKind::InitialNotice))
    );
    let anchor = |id: &str| {
        breach
            .step(id)
            .and_then(|s| s.due.as_ref())
            .map(|d| d.anchor.clone())
    };
    assert_eq!(
        anchor("send-notice"),
        Some(Anchor::Duty("individuals".into()))
    );
    assert_eq!(
        anchor("notify-regulator"),
        Some(Anchor::Duty("regulator".into()))
    );
    assert!(breach.step("send-notice").is_some_and(|s| {
        s.due
            .as_ref()
            .is_some_and(|d| d.offset < chrono::Duration::zero())
    }));
    // The notice waits for both approvals, CX lead's first.
    assert_eq!(send.needs, ["legal-sign-off"]);
    assert_eq!(
        breach.step("legal-sign-off").map(|s| s.needs.clone()),
        Some(vec!["cx-approval".to_owned()])
    );
    let actions: Vec<&str> = breach
        .steps
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Action(a) => Some(a.key()),
            _ => None,
        })
        .collect();
    assert_eq!(
        actions,
        [
            "map_affected",
            "compute_obligations",
            "notify_regulator",
            "send_notice",
            "personal_outreach",
            "schedule_survey",
            "close_incident"
        ]
    );
    assert_eq!(
        breach.step("schedule-survey").map(|s| s.kind.clone()),
        Some(StepKind::Action(Action::ScheduleSurvey {
            after: chrono::Duration::days(7),
            reminder_after: Some(chrono::Duration::days(5))
        }))
    );
}

#[test]
fn the_device_and_ransomware_playbooks_hand_over_to_the_breach_playbook_only_on_yes() {
    let set = shipped();
    for (id, question) in [
        ("lost-encrypted-device", "key_compromised"),
        ("ransomware", "exfiltration"),
    ] {
        let playbook = get(&set, id);
        for step in &playbook.steps {
            let is_start =
                step.kind == StepKind::Action(Action::StartPlaybook("customer-data-breach".into()));
            let is_close = step.kind == StepKind::Action(Action::CloseIncident);
            if is_start {
                assert_eq!(
                    step.condition,
                    Some((question.to_owned(), true)),
                    "{id}: {}",
                    step.id
                );
            }
            if is_close {
                assert_eq!(
                    step.condition,
                    Some((question.to_owned(), false)),
                    "{id}: {}",
                    step.id
                );
            }
            assert!(
                !matches!(step.kind, StepKind::Action(Action::SendNotice(_))),
                "{id} sends no notice itself"
            );
        }
    }
    let device = get(&set, "lost-encrypted-device");
    assert_eq!(
        device.step("key-decision").map(|s| s.kind.clone()),
        Some(StepKind::Gate {
            role: crate::domain::Role::Responder,
            decides: Some("key_compromised".into())
        })
    );
}

#[test]
fn the_credential_playbook_resets_before_it_tells_people() {
    let set = shipped();
    let creds = get(&set, "credential-exposure");
    assert_eq!(
        creds.step("draft-notice").map(|s| s.needs.clone()),
        Some(vec![
            "force-reset".to_owned(),
            "compute-obligations".to_owned()
        ])
    );
    assert!(
        creds
            .steps
            .iter()
            .any(|s| s.kind == StepKind::Action(Action::SendNotice(NoticeKind::InitialNotice)))
    );
    let exposed = cats("account_credentials");
    assert!(exposed.contains(DataCategory::AccountCredentials));
}

#[test]
fn a_yaml_playbook_is_refused_by_name_never_silently_left_out() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let toml =
        std::fs::read_to_string(folder().join("ransomware.toml")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("ransomware.toml"), toml).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("drill.yaml"), "id: drill\n").unwrap_or_else(|e| panic!("{e}"));
    let templates = TemplateSet::embedded();
    let refused = Playbooks::load_dir(dir.path(), &templates).unwrap_err();
    assert_eq!(refused.0.len(), 1, "{refused}");
    assert!(
        refused.0[0]
            .to_string()
            .starts_with("drill.yaml: file: playbooks are TOML files"),
        "{refused}"
    );
    let one = Playbooks::load_file(&dir.path().join("drill.yaml"), &templates, &shipped());
    assert!(one.is_err_and(|e| e.to_string().contains("playbooks are TOML files")));
}
