//! Approvals voided: by a template edited through the API or on disk, by a new audience, and by
//! new words; and kept when nothing they were given for changed.

use std::path::Path;

use serde_json::{Value, json};

use super::{
    TEXT_EN, app, app_with, approved, audited, clean_draft, lead, mapped, notice, patch,
    put_template, stored, text_with,
};
use crate::mapping::{Desk, customer, holding};

/// Copies a folder and everything under it.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder made");
    for entry in std::fs::read_dir(from).expect("folder read") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("file copied");
        }
    }
}

/// Appends a line to a file.
fn append(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).expect("file read");
    text.push_str(line);
    std::fs::write(path, text).expect("file written");
}

/// The draft's void: it must be back in `draft` with no approval; returns the reason.
fn void_reason(draft: &Value) -> String {
    assert_eq!(draft["status"], "draft", "{draft}");
    assert_eq!(draft["approval"], Value::Null, "{draft}");
    let at = draft["voided"]["at"]
        .as_str()
        .unwrap_or_else(|| panic!("not voided: {draft}"));
    assert_eq!(at, "2026-11-20T09:00:00Z");
    draft["voided"]["reason"].as_str().unwrap().to_owned()
}

/// A clean draft by one CX lead, approved by another; returns (writer, notice id).
async fn approved_draft<'a>(desk: &Desk<'a>) -> (Desk<'a>, String) {
    let (_, writer) = lead(desk).await;
    let (_, approver) = lead(desk).await;
    let nid = clean_draft(&writer).await;
    approved(&approver, &nid).await;
    (writer, nid)
}

#[tokio::test]
async fn a_template_edited_through_the_api_voids_the_approval_naming_the_file() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (writer, nid) = approved_draft(&desk).await;
    let edited = text_with(&writer, &nid, "We are sorry.", "We are very sorry.").await;
    let (status, body) = put_template(&writer, &nid, TEXT_EN, &edited).await;
    assert_eq!(status, 200, "{body}");
    let reason = void_reason(&body);
    assert!(reason.contains(TEXT_EN), "{reason}");
    assert_eq!(body["edited_files"], json!([TEXT_EN]));
    assert!(void_reason(&notice(&desk, &nid).await).contains(TEXT_EN));
    let stored = stored(&app).await;
    assert_eq!(stored[0].1, "draft");
    assert!(
        stored[0].2.as_deref().unwrap().contains(TEXT_EN),
        "{stored:?}"
    );
    assert_eq!(audited(&desk, "notice.template_edited").await.len(), 1);
}

#[tokio::test]
async fn a_template_edited_on_disk_voids_the_approval_when_it_is_next_read() {
    let folder = tempfile::tempdir().expect("temp dir");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("notice-templates");
    copy_dir(&shipped, folder.path());
    let templates = folder.path().to_owned();
    let app = app_with(|s| s.notice_templates = Some(templates)).await;
    let desk = mapped(&app).await;
    let (writer, nid) = approved_draft(&desk).await;

    // Another kind's file is not part of what the initial notice was approved for.
    append(
        &folder.path().join("update/en/text.hbs"),
        "A line for updates only.\n",
    );
    assert_eq!(notice(&writer, &nid).await["status"], "approved");

    append(&folder.path().join(TEXT_EN), "One more line on disk.\n");
    let (status, list) = desk.get("/notices").await;
    assert_eq!(status, 200, "{list}");
    let reason = void_reason(&list[0]);
    assert!(reason.contains(TEXT_EN), "{reason}");
    assert!(!reason.contains("update/en/text.hbs"), "{reason}");
    assert!(void_reason(&notice(&writer, &nid).await).contains(TEXT_EN));

    let voided = audited(&desk, "notice.approval_voided").await;
    assert_eq!(
        voided.len(),
        1,
        "voided once, however often it is read: {voided:?}"
    );
    assert_eq!(voided[0]["actor"], "system");
    assert_eq!(voided[0]["object_id"], nid);
    assert!(
        voided[0]["summary"].as_str().unwrap().contains(TEXT_EN),
        "{}",
        voided[0]
    );
    assert_eq!(stored(&app).await[0].1, "draft");
}

#[tokio::test]
async fn a_new_audience_voids_the_approval() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (writer, nid) = approved_draft(&desk).await;
    customer(
        &app,
        "CA2",
        ("Alan", "Turing"),
        Some("alan@example.com"),
        None,
        ("US", "CA"),
    )
    .await;
    holding("billing-db", "CA2")
        .customer("CA2")
        .categories("name;email;ssn")
        .insert(&app)
        .await;
    desk.map().await;

    let draft = notice(&writer, &nid).await;
    let reason = void_reason(&draft);
    assert!(reason.contains("audience"), "{reason}");
    assert!(reason.contains("2 people approved, 3 now"), "{reason}");
    let voided = audited(&desk, "notice.approval_voided").await;
    assert_eq!(voided.len(), 1, "{voided:?}");
}

#[tokio::test]
async fn mapping_the_same_people_again_keeps_the_approval() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (writer, nid) = approved_draft(&desk).await;
    let before = notice(&writer, &nid).await;
    desk.map().await;
    let after = notice(&writer, &nid).await;
    assert_eq!(after["status"], "approved", "{after}");
    assert_eq!(after["approval"], before["approval"]);
    assert_eq!(after["voided"], Value::Null);
    assert!(audited(&desk, "notice.approval_voided").await.is_empty());
}

#[tokio::test]
async fn new_words_void_the_approval() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (writer, nid) = approved_draft(&desk).await;
    let change = json!({ "what_we_are_doing": "We locked the stolen account. We reset every staff password." });
    let body = patch(&writer, &nid, change).await;
    let reason = void_reason(&body);
    assert!(reason.contains("content"), "{reason}");
    assert_eq!(void_reason(&notice(&desk, &nid).await), reason);
    assert_eq!(stored(&app).await[0].1, "draft");
}
