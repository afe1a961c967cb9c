//! Approval: CX leads only, never the draft's last editor, never with lint errors, and bound to
//! exactly the templates, audience, rules and words it was given for.

use serde_json::{Value, json};

use super::{
    TEXT_EN, app, approve, approved, audited, clean_draft, dry_run, is_sha256, lead, mapped,
    notice, patch, stored,
};
use candor::domain::Role;

#[tokio::test]
async fn a_responder_cannot_approve_a_notice() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let responder = desk.as_role(&[Role::Responder]).await;
    let (status, body) = approve(&responder, &nid).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(notice(&desk, &nid).await["status"], "draft");
    assert!(audited(&desk, "notice.approved").await.is_empty());
}

#[tokio::test]
async fn the_cx_lead_who_edited_the_draft_last_cannot_approve_it() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let (_, other) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let (status, body) = approve(&writer, &nid).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "own_edit");

    // The other lead edits it last: now it is theirs, and the writer may approve.
    patch(
        &other,
        &nid,
        json!({ "contact": super::clean_content()["contact"] }),
    )
    .await;
    let (status, body) = approve(&other, &nid).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("own_edit")),
        "{body}"
    );
    approved(&writer, &nid).await;
}

#[tokio::test]
async fn a_draft_with_lint_errors_is_not_approved() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let (_, approver) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let stock = "Out of an abundance of caution, we are writing to you about an event.";
    patch(&writer, &nid, json!({ "what_happened": stock })).await;

    let (status, body) = approve(&approver, &nid).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "lint_errors");
    let details = body["error"]["details"].as_array().expect("details");
    assert!(
        details.iter().any(|d| d["field"] == "draft.what_happened"
            && d["message"]
                .as_str()
                .unwrap()
                .starts_with("tone.abundance_of_caution")),
        "{body}"
    );

    let kept = notice(&desk, &nid).await;
    assert_eq!(kept["status"], "draft");
    assert_eq!(kept["approval"], Value::Null);
    assert!(
        kept["lint"]["errors"].as_u64().unwrap() >= 1,
        "the failed lint is kept: {kept}"
    );
    assert_eq!(stored(&app).await[0].1, "draft");
    assert!(audited(&desk, "notice.approved").await.is_empty());
}

#[tokio::test]
async fn another_cx_lead_approves_a_clean_draft_for_exactly_what_it_is() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let (approver_id, approver) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let run = dry_run(&writer, &nid).await;

    let body = approved(&approver, &nid).await;
    let a = &body["approval"];
    assert_eq!(a["approved_by"], approver_id.to_string());
    assert_eq!(a["approved_at"], "2026-11-20T09:00:00Z");
    for hash in ["templates_hash", "audience_hash", "content_hash"] {
        assert!(is_sha256(&a[hash]), "{hash}: {a}");
    }
    let files = a["files"].as_object().expect("files");
    assert!(files.contains_key(TEXT_EN), "{a}");
    assert!(files.contains_key("partials/en/steps.text.hbs"), "{a}");
    assert!(files.contains_key("locales/es.toml"), "{a}");
    assert!(
        !files.keys().any(|f| f.starts_with("update/")),
        "another kind's files: {a}"
    );
    assert!(files.values().all(is_sha256), "{a}");
    assert_eq!(a["mapping_id"], run["mapping_id"]);
    assert_eq!(a["people"], 2);
    assert!(
        a["rules_version"].as_str().is_some_and(|v| !v.is_empty()),
        "{a}"
    );
    let variants: Value = run["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["key"].as_str().unwrap().to_owned(), v["people"].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into();
    assert_eq!(a["variants"], variants);
    assert_eq!(body["voided"], Value::Null);
    assert_eq!(body["lint"]["errors"], 0);

    assert_eq!(
        notice(&writer, &nid).await["status"],
        "approved",
        "a read keeps a valid approval"
    );
    assert_eq!(stored(&app).await[0].1, "approved");
    let entries = audited(&desk, "notice.approved").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor"], format!("user:{approver_id}"));
    assert_eq!(entries[0]["object_id"], nid);
    let summary = entries[0]["summary"].as_str().unwrap();
    assert!(summary.contains("2 people"), "{summary}");
}

#[tokio::test]
async fn an_approved_notice_is_not_approved_twice() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let (_, approver) = lead(&desk).await;
    let (_, third) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let first = approved(&approver, &nid).await;
    for lead in [&approver, &third] {
        let (status, body) = approve(lead, &nid).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "already_approved");
    }
    assert_eq!(notice(&writer, &nid).await["approval"], first["approval"]);
    assert_eq!(audited(&desk, "notice.approved").await.len(), 1);
}
