//! `candor playbook check` through the real binary: the shipped playbooks pass (embedded and
//! from the folder), a broken file is refused with every problem at its line, a single file
//! may start a shipped playbook, and `CANDOR_NOTICE_TEMPLATES` is what notices are checked
//! against.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candor::notice::templates::TemplateSet;

const CANDOR: &str = env!("CARGO_BIN_EXE_candor");

/// `candor playbook check ARGS` with a clean environment of its own in `dir`.
fn check(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(CANDOR);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", dir.join("data"));
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.args(["playbook", "check"])
        .args(args)
        .output()
        .expect("candor runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn shipped_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("playbooks")
}

#[test]
fn the_shipped_playbooks_check_clean_embedded_and_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = shipped_folder();
    for args in [vec![], vec![folder.to_str().unwrap()]] {
        let out = check(dir.path(), &args, &[]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        for id in [
            "credential-exposure v1",
            "customer-data-breach v1",
            "lost-encrypted-device v1",
            "ransomware v1",
        ] {
            assert!(
                stdout.lines().any(|l| l.starts_with(id)),
                "{args:?}: no line for {id}: {stdout}"
            );
        }
        assert!(
            stdout.contains("customer-data-breach v1 (Customer data breach): 16 steps"),
            "{stdout}"
        );
        assert!(stdout.contains(": 4 playbooks"), "{stdout}");
    }
}

#[test]
fn a_broken_playbook_is_refused_with_every_problem_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(
        &file,
        "id = \"broken\"\nname = \"Broken\"\nversion = 0\nsummary = \"s\"\n\n\
         [[steps]]\nid = \"a\"\ntitle = \"A\"\nowner = \"boss\"\nneeds = [\"b\"]\ntask = []\n\n\
         [[steps]]\nid = \"b\"\ntitle = \"B\"\nowner = \"responder\"\nneeds = [\"a\"]\n\
         action = \"send_notice\"\nnotice = \"regulator-report\"\n",
    )
    .unwrap();
    let out = check(dir.path(), &[file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "broken.toml:3: version: must be 1 or more (raise it with every change)",
            "broken.toml:7: steps.a.needs: the steps need each other in a cycle: a → b → a",
            "broken.toml:9: steps.a.owner: unknown `boss`; expected one of `admin`, `responder`, `cx_lead`",
            "broken.toml:19: steps.b.notice: `regulator-report` goes to a regulator, not to people; use the `notify_regulator` action",
            &format!("playbooks refused ({}): 4 problems", file.display()),
        ]
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_single_file_may_start_a_shipped_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ransomware.toml");
    std::fs::copy(shipped_folder().join("ransomware.toml"), &file).unwrap();
    let out = check(dir.path(), &[file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with(": 1 playbook\n"));

    // The same file in a folder of its own is a set without the breach playbook.
    let out = check(dir.path(), &[dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no playbook `customer-data-breach` in the set"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn notices_are_checked_against_the_templates_candor_notice_templates_names() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    for (path, content) in TemplateSet::embedded().files() {
        if path == "initial-notice/es/html.hbs" {
            continue;
        }
        let target = templates.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, content).unwrap();
    }
    let out = check(dir.path(), &[], &[("CANDOR_NOTICE_TEMPLATES", &templates)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    for file in ["credential-exposure.toml", "customer-data-breach.toml"] {
        assert!(
            stderr.lines().any(|l| l.starts_with(file)
                && l.contains("steps.send-notice.notice: the notice templates have no complete `initial-notice`")),
            "{file}: {stderr}"
        );
    }
    assert!(
        stderr.ends_with("playbooks refused (embedded playbooks): 2 problems\n"),
        "{stderr}"
    );
}
