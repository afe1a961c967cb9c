//! Edits refused: a stale version, an unknown field, a template that does not compile, a file
//! that is not the kind's; and a template reverted to the shipped one.

use reqwest::Method;
use serde_json::json;

use super::{
    INITIAL, TEXT_EN, app, at, audited, call, clean_draft, created, lead, mapped, notice, patch,
    put_template, template, template_at, text_with,
};
use crate::inventory::count;

#[tokio::test]
async fn a_change_made_on_a_stale_version_is_refused() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = created(&desk, INITIAL).await;
    let read = notice(&desk, &nid).await["version"].as_i64().unwrap();

    let first = json!({ "version": read, "what_happened": "Someone got into our billing system." });
    let saved = patch(&desk, &nid, first).await;
    assert_eq!(saved["version"], read + 1);

    let (_, other) = lead(&desk).await;
    let stale = json!({ "version": read, "what_happened": "Nothing happened." });
    let (status, body) = call(&other, Method::PATCH, &at(&nid, ""), Some(stale)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "edit_conflict");
    let kept = notice(&desk, &nid).await;
    assert_eq!(
        kept["content"]["what_happened"],
        "Someone got into our billing system."
    );
    assert_eq!(kept["version"], read + 1);
    assert_eq!(kept["edited_by"], saved["edited_by"]);
    assert_eq!(audited(&desk, "notice.edited").await.len(), 1);
}

#[tokio::test]
async fn a_change_with_an_unknown_field_is_refused() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = created(&desk, INITIAL).await;
    let change = json!({ "what_hapened": "Typo in the field name." });
    let (status, body) = call(&desk, Method::PATCH, &at(&nid, ""), Some(change)).await;
    assert!((400..500).contains(&status), "{status} {body}");
    let kept = notice(&desk, &nid).await;
    assert_eq!(kept["version"], 1);
    let (status, body) = call(&desk, Method::PATCH, &at(&nid, ""), Some(json!({}))).await;
    assert_eq!(
        status, 422,
        "an empty change names nothing to change: {body}"
    );
}

#[tokio::test]
async fn a_template_that_does_not_compile_is_refused_and_nothing_is_stored() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = clean_draft(&desk).await;
    let (shipped, _) = template(&desk, &nid, TEXT_EN).await;
    let version = notice(&desk, &nid).await["version"].clone();
    let broken = text_with(
        &desk,
        &nid,
        "{{> header}}\n",
        "{{> header}}\n{{#if person.vip}}\nHello\n",
    )
    .await;

    let (status, body) = put_template(&desk, &nid, TEXT_EN, &broken).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "template_invalid");
    let details = body["error"]["details"].as_array().expect("details");
    assert!(!details.is_empty(), "{body}");
    let field = details[0]["field"].as_str().unwrap();
    let place = field
        .strip_prefix(&format!("{TEXT_EN}:"))
        .unwrap_or_else(|| panic!("{field}"));
    let numbers: Vec<&str> = place.split(':').collect();
    assert_eq!(numbers.len(), 2, "file:line:col, got {field}");
    assert!(
        numbers
            .iter()
            .all(|n| n.parse::<u32>().is_ok_and(|n| n > 0)),
        "{field}"
    );

    assert_eq!(template(&desk, &nid, TEXT_EN).await, (shipped, false));
    assert_eq!(count(&app, "notice_template_edits").await, 0);
    let kept = notice(&desk, &nid).await;
    assert_eq!(kept["version"], version);
    assert_eq!(kept["edited_files"], json!([]));
    assert!(audited(&desk, "notice.template_edited").await.is_empty());
}

#[tokio::test]
async fn reverting_a_template_goes_back_to_the_shipped_file() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = clean_draft(&desk).await;
    let (shipped, _) = template(&desk, &nid, TEXT_EN).await;
    let edited = text_with(&desk, &nid, "We are sorry.", "We are truly sorry.").await;
    let (status, body) = put_template(&desk, &nid, TEXT_EN, &edited).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["edited_files"], json!([TEXT_EN]));
    assert_eq!(template(&desk, &nid, TEXT_EN).await, (edited, true));
    assert_eq!(count(&app, "notice_template_edits").await, 1);
    let (_, p) = desk.get(&at(&nid, "/preview?customer_ref=CA1")).await;
    assert!(
        p["text"].as_str().unwrap().contains("We are truly sorry."),
        "{p}"
    );

    let (status, body) = call(&desk, Method::DELETE, &template_at(&nid, TEXT_EN), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["edited_files"], json!([]));
    assert_eq!(template(&desk, &nid, TEXT_EN).await, (shipped, false));
    assert_eq!(count(&app, "notice_template_edits").await, 0);
    assert_eq!(audited(&desk, "notice.template_reverted").await.len(), 1);

    let (status, body) = call(&desk, Method::DELETE, &template_at(&nid, TEXT_EN), None).await;
    assert_eq!(status, 404, "nothing left to revert: {body}");
    assert_eq!(body["error"]["code"], "unknown_template_file");
}

#[tokio::test]
async fn only_the_files_the_kind_uses_can_be_edited() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = clean_draft(&desk).await;
    let version = notice(&desk, &nid).await["version"].clone();
    for file in [
        "update/en/text.hbs",
        "initial-notice/fr/text.hbs",
        "tone.toml",
        "../secrets",
    ] {
        let (status, body) = put_template(&desk, &nid, file, "Hello.\n").await;
        assert_eq!(status, 404, "{file}: {body}");
        assert_eq!(
            body["error"]["code"], "unknown_template_file",
            "{file}: {body}"
        );
    }
    assert_eq!(count(&app, "notice_template_edits").await, 0);
    assert_eq!(notice(&desk, &nid).await["version"], version);
}
