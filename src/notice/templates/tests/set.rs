//! The set as files: overrides, hashes, the files a kind uses, reading a folder.

use std::path::Path;

use super::{minimal, minimal_with};
use crate::domain::notice::NoticeKind;
use crate::notice::templates::{TemplateSet, TemplateSetError};

#[test]
fn an_override_replaces_the_content_and_changes_the_kinds_hash() {
    let shipped = minimal();
    let edited = minimal_with(&[("update/en/text.hbs", "Edited.")]);
    assert_eq!(edited.get("update/en/text.hbs"), Some("Edited."));
    assert_eq!(
        shipped.get("update/en/text.hbs"),
        Some("{{> header}} update text\n"),
        "the shipped set is not touched"
    );
    assert_ne!(
        shipped.hash_for(NoticeKind::Update),
        edited.hash_for(NoticeKind::Update)
    );
    assert_eq!(edited.files().len(), shipped.files().len());
}

#[test]
fn an_override_of_an_unknown_path_is_refused_naming_it() {
    let refused = minimal().with_overrides([(
        "update/en/text.hsb".to_owned(),
        "Typo in the name.".to_owned(),
    )]);
    match refused {
        Err(e @ TemplateSetError::UnknownFile { .. }) => {
            assert!(e.to_string().contains("update/en/text.hsb"), "{e}");
        }
        other => panic!("expected an unknown file, got {other:?}"),
    }
}

#[test]
fn the_hash_follows_partials_and_locales_but_not_another_kinds_files() {
    let kind = NoticeKind::InitialNotice;
    let base = minimal().hash_for(kind);
    assert_eq!(base.len(), 64);
    assert!(
        base.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(base, minimal().hash_for(kind), "the hash is stable");
    let partial = minimal_with(&[("partials/es/footer.html.hbs", "changed")]);
    assert_ne!(partial.hash_for(kind), base);
    let locale = minimal_with(&[("locales/en.toml", "changed = true")]);
    assert_ne!(locale.hash_for(kind), base);
    let own = minimal_with(&[("initial-notice/es/subject.hbs", "changed")]);
    assert_ne!(own.hash_for(kind), base);
    let other_kind = minimal_with(&[("update/en/text.hbs", "changed")]);
    assert_eq!(other_kind.hash_for(kind), base);
    let tone = minimal_with(&[("tone.toml", "changed = true")]);
    assert_eq!(tone.hash_for(kind), base);
}

#[test]
fn the_hash_cannot_be_fooled_by_moving_bytes_between_files() {
    let a = TemplateSet::from_files([
        ("locales/en.toml".to_owned(), "ab".to_owned()),
        ("locales/es.toml".to_owned(), "c".to_owned()),
    ]);
    let b = TemplateSet::from_files([
        ("locales/en.toml".to_owned(), "a".to_owned()),
        ("locales/es.toml".to_owned(), "bc".to_owned()),
    ]);
    assert_ne!(
        a.hash_for(NoticeKind::Update),
        b.hash_for(NoticeKind::Update)
    );
}

#[test]
fn a_kind_uses_its_own_files_the_partials_and_the_locales() {
    let set = minimal();
    let files = set.kind_files(NoticeKind::Update);
    assert!(files.contains(&"update/es/html.hbs"));
    assert!(files.contains(&"partials/en/steps.text.hbs"));
    assert!(files.contains(&"locales/es.toml"));
    assert!(!files.iter().any(|f| f.starts_with("survey-")));
    assert!(!files.contains(&"tone.toml"));
    let mut sorted = files.clone();
    sorted.sort_unstable();
    assert_eq!(files, sorted);
    // 2 locales × 3 parts, 2 locales × 4 partials × 2 flavours, 2 locale files.
    assert_eq!(files.len(), 6 + 16 + 2);
}

fn write(root: &Path, path: &str, content: &[u8]) {
    let file = root.join(path);
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(file, content).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_folder_is_read_with_relative_paths_leaving_out_the_readme() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (path, content) in minimal().files() {
        write(dir.path(), path, content.as_bytes());
    }
    write(dir.path(), "README.md", b"# Notes");
    write(dir.path(), ".editorconfig", b"root = true");
    let loaded = TemplateSet::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, minimal());
    assert!(loaded.compile().is_ok());
}

#[test]
fn a_folder_with_a_file_that_is_not_text_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "update/en/text.hbs", &[0xff, 0xfe, 0x00]);
    let error = TemplateSet::load_dir(dir.path()).expect_err("not UTF-8");
    assert!(error.to_string().contains("update/en/text.hbs"), "{error}");
    let missing = TemplateSet::load_dir(&dir.path().join("nowhere")).expect_err("no folder");
    assert!(missing.to_string().contains("nowhere"), "{missing}");
}
