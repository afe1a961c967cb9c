//! `candor import …` through the real binary, against the test app's own database.

use std::path::Path;
use std::process::{Command, Output};

use super::{CUSTOMERS_CSV, SYSTEMS_CSV, count, holdings_csv, import_audit};
use crate::helpers::{TestApp, spawn_app};

/// Runs `candor import ARGS…` in `dir` against the app's database.
pub(super) fn candor_import(app: &TestApp, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", dir.join("data"))
        .env("CANDOR_DATABASE_URL", &app.database_url)
        .arg("import")
        .args(args)
        .output()
        .expect("candor runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_cli_imports_reports_counts_and_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("systems.csv"), SYSTEMS_CSV).unwrap();
    std::fs::write(dir.path().join("customers.data"), CUSTOMERS_CSV).unwrap();
    let out = candor_import(&app, dir.path(), &["systems", "systems.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("systems: 3 rows, 3 written, 0 unchanged, 0 rejected in "),
        "{}",
        text(&out.stdout)
    );
    let out = candor_import(&app, dir.path(), &["systems", "systems.csv"]);
    assert!(text(&out.stdout).starts_with("systems: 3 rows, 0 written, 3 unchanged, 0 rejected"));

    // A name that does not tell the format needs --format.
    let out = candor_import(&app, dir.path(), &["customers", "customers.data"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("name the format"),
        "{}",
        text(&out.stderr)
    );
    let out = candor_import(
        &app,
        dir.path(),
        &["customers", "customers.data", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(count(&app, "people").await, 3);
    assert_eq!(import_audit(&app).await.len(), 3);
}

#[tokio::test]
async fn the_cli_refuses_a_bad_file_with_exit_1_listing_50_lines_and_a_count() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("systems.csv"), SYSTEMS_CSV).unwrap();
    assert!(
        candor_import(&app, dir.path(), &["systems", "systems.csv"])
            .status
            .success()
    );
    let bad = holdings_csv(60).replace("name;email", "name;email;shoe_size");
    std::fs::write(dir.path().join("holdings.csv"), bad).unwrap();
    let out = candor_import(&app, dir.path(), &["holdings", "holdings.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "candor: 60 of 60 rows are invalid; nothing was imported"
    );
    assert_eq!(
        lines[1],
        "line 2: categories: unknown data category `shoe_size`"
    );
    assert_eq!(
        lines[50],
        "line 51: categories: unknown data category `shoe_size`"
    );
    assert_eq!(lines[51], "and 10 more");
    assert_eq!(lines.len(), 52);
    assert_eq!(count(&app, "holdings").await, 0);
}

#[tokio::test]
async fn skip_invalid_through_the_cli_writes_the_rejects_file_and_imports_good_rows() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("systems.csv"), SYSTEMS_CSV).unwrap();
    assert!(
        candor_import(&app, dir.path(), &["systems", "systems.csv"])
            .status
            .success()
    );
    let file = format!(
        "{}hr,x-1,c-1,,,name,2020-01-01,\nbilling-db,r-1,,,,name,2020-01-01,\n",
        holdings_csv(4)
    );
    std::fs::write(dir.path().join("holdings.csv"), file).unwrap();
    let args = ["holdings", "holdings.csv", "--skip-invalid", "rejects.csv"];
    let out = candor_import(&app, dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("holdings: 6 rows, 4 written, 0 unchanged, 2 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 rejected rows written to rejects.csv"),
        "{stdout}"
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    assert_eq!(
        rejects,
        "line,reason,system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to\n\
         6,system: unknown system `hr`,hr,x-1,c-1,,,name,2020-01-01,\n\
         7,duplicate record_ref for system `billing-db` (first seen on line 3),billing-db,r-1,,,,name,2020-01-01,\n"
    );
    assert_eq!(count(&app, "holdings").await, 4);
}

#[tokio::test]
async fn skip_invalid_writes_json_lines_rejects_for_a_json_lines_file() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = "{\"system\":\"crm\"}\n{\"system\":\"Not A Slug\",\"owner\":\"x\"}\n";
    std::fs::write(dir.path().join("systems.jsonl"), file).unwrap();
    let args = [
        "systems",
        "systems.jsonl",
        "--skip-invalid",
        "rejects.jsonl",
    ];
    let out = candor_import(&app, dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rejects = std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(rejects.trim()).unwrap();
    assert_eq!(entry["line"], 2);
    assert!(
        entry["reason"]
            .as_str()
            .unwrap()
            .starts_with("system: must be 1 to 64")
    );
    assert_eq!(
        entry["original"],
        "{\"system\":\"Not A Slug\",\"owner\":\"x\"}"
    );
    assert_eq!(count(&app, "systems").await, 1);
}
