//! The shipped templates: the embedded copy is the folder, and the set compiles.

use std::path::PathBuf;

use crate::notice::templates::{TemplateSet, embedded};

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("notice-templates")
}

#[test]
fn the_embedded_list_is_exactly_the_folder() {
    let on_disk = TemplateSet::load_dir(&folder()).unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<&str> = embedded::FILES.iter().map(|(path, _)| *path).collect();
    let present: Vec<&str> = on_disk.files().keys().map(String::as_str).collect();
    assert_eq!(
        listed, present,
        "list every file of notice-templates/ (the README aside) in src/notice/templates/embedded.rs, in path order"
    );
    assert_eq!(
        TemplateSet::embedded(),
        on_disk,
        "a file changed since the build"
    );
}

#[test]
fn the_shipped_set_compiles_with_no_problems() {
    if let Err(problems) = TemplateSet::embedded().compile() {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("{} problem(s):\n{}", lines.len(), lines.join("\n"));
    }
}
