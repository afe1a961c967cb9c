//! Import bombs: a line too long to hold, files in the wrong encoding and a million bad rows
//! are refused with a bounded, clear report naming lines, and nothing is written.

use candor::inventory::MAX_ERRORS;
use serde_json::Value;

use super::cli::candor_import;
use super::refusals::details;
use super::{Admin, SYSTEMS_CSV, count, import_audit, send, to_jsonl};
use crate::helpers::{TestApp, spawn_app};

/// Uploads raw bytes as `content_type`; returns (status, JSON body).
async fn upload(admin: &Admin<'_>, kind: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let request = admin
        .app
        .post(&format!("/api/v1/inventory/{kind}"))
        .bearer_auth(&admin.token)
        .header("content-type", content_type)
        .body(body);
    send(request).await
}

const TOO_LONG: &str =
    "longer than 65536 bytes (the most a line may have); the file was not read past it";

/// Nothing of any import is stored or audited.
async fn assert_nothing_written(app: &TestApp) {
    assert_eq!(count(app, "systems").await, 0);
    assert_eq!(count(app, "people").await, 0);
    assert!(import_audit(app).await.is_empty());
}

#[tokio::test]
async fn a_fifty_megabyte_line_is_refused_naming_its_line_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let mut file = b"system,description,owner,encrypted_at_rest\ncrm,CRM,Sales,true\n".to_vec();
    file.resize(file.len() + 50 * 1024 * 1024, b'x');
    let (status, body) = upload(&admin, "systems", "text/csv", file).await;
    assert_eq!(
        details(status, &body),
        vec![("line 3".to_owned(), TOO_LONG.to_owned())]
    );
    assert_nothing_written(&app).await;

    // The same as JSON Lines, through the binary, as the first line.
    let dir = tempfile::tempdir().unwrap();
    let mut file = b"{\"system\":\"".to_vec();
    file.resize(50 * 1024 * 1024, b'y');
    std::fs::write(dir.path().join("systems.jsonl"), file).unwrap();
    let out = candor_import(&app, dir.path(), &["systems", "systems.jsonl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("line 1: {TOO_LONG}")), "{stderr}");
    assert_nothing_written(&app).await;
}

#[tokio::test]
async fn a_utf16_file_is_refused_on_line_1_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let little: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(SYSTEMS_CSV.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let big: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(
            to_jsonl(SYSTEMS_CSV)
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    for (content_type, file) in [("text/csv", little), ("application/x-ndjson", big)] {
        let (status, body) = upload(&admin, "systems", content_type, file).await;
        assert_eq!(
            details(status, &body),
            vec![(
                "line 1".to_owned(),
                "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
                    .to_owned()
            )],
            "{content_type}"
        );
        assert_eq!(
            body["error"]["message"],
            "the header is not valid; nothing was imported"
        );
    }
    assert_nothing_written(&app).await;
}

#[tokio::test]
async fn latin1_bytes_are_refused_naming_each_line_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    // "Björk Müller" in Latin-1 on lines 3 and 4 (CSV), and lines 2 and 3 (JSON Lines).
    let csv = [
        &b"system,description,owner,encrypted_at_rest\ncrm,CRM,Sales,true\n"[..],
        b"web,Bj\xF6rk,Sales,true\n",
        b"app,App,M\xFCller,false\n",
    ]
    .concat();
    let (status, body) = upload(&admin, "systems", "text/csv", csv).await;
    assert_eq!(
        details(status, &body),
        vec![
            (
                "line 3".to_owned(),
                "description: not valid UTF-8".to_owned()
            ),
            ("line 4".to_owned(), "owner: not valid UTF-8".to_owned()),
        ]
    );
    let jsonl = [
        &b"{\"system\":\"crm\",\"description\":\"CRM\",\"owner\":\"x\",\"encrypted_at_rest\":true}\n"[..],
        b"{\"system\":\"web\",\"description\":\"Bj\xF6rk\"}\n",
        b"{\"system\":\"app\",\"owner\":\"M\xFCller\"}\n",
    ]
    .concat();
    let (status, body) = upload(&admin, "systems", "application/x-ndjson", jsonl).await;
    assert_eq!(
        details(status, &body),
        vec![
            (
                "line 2".to_owned(),
                "not valid UTF-8 (byte 34); save the file as UTF-8".to_owned()
            ),
            (
                "line 3".to_owned(),
                "not valid UTF-8 (byte 27); save the file as UTF-8".to_owned()
            ),
        ]
    );
    assert_nothing_written(&app).await;
}

#[tokio::test]
async fn a_utf8_byte_order_mark_at_the_start_is_accepted_in_both_formats() {
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    for (content_type, text) in [
        ("text/csv", SYSTEMS_CSV.to_owned()),
        ("application/x-ndjson", to_jsonl(SYSTEMS_CSV)),
    ] {
        let file = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
        let (status, body) = upload(&admin, "systems", content_type, file).await;
        assert_eq!(status, 200, "{content_type}: {body}");
        assert_eq!(body["rows"], 3, "{content_type}: {body}");
        assert_eq!(body["rejected"], 0, "{content_type}: {body}");
    }
    assert_eq!(count(&app, "systems").await, 3);
}

#[tokio::test]
async fn a_million_bad_rows_give_a_bounded_report_and_write_nothing() {
    const ROWS: usize = 1_000_000;
    let app = spawn_app().await;
    let admin = Admin::new(&app).await;
    let mut file = "system,description,owner,encrypted_at_rest\n".to_owned();
    file.push_str(&"x\n".repeat(ROWS));

    let (status, body) = upload(&admin, "systems", "text/csv", file.clone().into_bytes()).await;
    let listed = details(status, &body);
    assert_eq!(listed.len(), MAX_ERRORS);
    assert_eq!(
        listed[0],
        ("line 2".to_owned(), "expected 4 fields, found 1".to_owned())
    );
    assert_eq!(listed[MAX_ERRORS - 1].0, format!("line {}", MAX_ERRORS + 1));
    assert_eq!(
        body["error"]["message"],
        format!("{ROWS} of {ROWS} rows are invalid; nothing was imported")
    );
    assert_nothing_written(&app).await;

    // The binary lists the first 50 and says how many more there are.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("systems.csv"), file).unwrap();
    let out = candor_import(&app, dir.path(), &["systems", "systems.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 52, "{stderr}");
    assert_eq!(lines[1], "line 2: expected 4 fields, found 1");
    assert_eq!(lines[51], format!("and {} more", ROWS - 50));
    assert_nothing_written(&app).await;
}
