//! The incident room's notices, delivery and survey sections over HTTP: drafts listed with
//! their lint findings and where each was seen, the dry run, approval by a CX lead through the
//! form with the content hash shown (a responder sees the button disabled with the reason, and
//! a forged post changes nothing), the preview of a chosen person's text and HTML side by side,
//! editing a draft's words and its own template copies (a refused save keeps what was typed),
//! sending an approved notice once after confirming its head count (with a canary), pausing,
//! resuming and releasing a campaign by role against the real file outbox, and the survey's
//! rate, NPS chart, clarity and comments (comments for CX leads only); on SQLite and
//! PostgreSQL, and in Chromium on a tablet.
//!
//! One child per subject: `notices` (drafts, lint, dry run, approval, preview), `editing` (a
//! draft's words and template copies), `sending` (sending and the delivery controls), `survey`
//! (the survey's results) and `tablet` (the whole path in Chromium); the form helpers they share
//! live here.

mod editing;
mod notices;
mod sending;
mod survey;
mod tablet;

use serde_json::Value;

/// Text as the pages escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('=', "&#x3D;")
        .replace('`', "&#x60;")
}

/// The words form's fields for `content` (as the API spells it) read at `version`, as a
/// browser posts them: every field, a ticked box as `on`.
fn words(content: &Value, version: i64) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let c = &content["contact"];
    let o = &content["offer"];
    let mut out = vec![
        ("version".to_owned(), version.to_string()),
        ("what_happened".into(), text(&content["what_happened"])),
        (
            "what_we_are_doing".into(),
            text(&content["what_we_are_doing"]),
        ),
        (
            "likely_consequences".into(),
            text(&content["likely_consequences"]),
        ),
        (
            "password_reset_url".into(),
            text(&content["password_reset_url"]),
        ),
        ("vip_route".into(), "notice".into()),
        ("contact_name".into(), text(&c["name"])),
        ("contact_email".into(), text(&c["email"])),
        ("contact_phone".into(), text(&c["phone"])),
        ("contact_hours".into(), text(&c["hours"])),
        ("contact_url".into(), text(&c["url"])),
        ("contact_postal_address".into(), text(&c["postal_address"])),
        ("offer_provider".into(), text(&o["provider"])),
        ("offer_months".into(), o["months"].to_string()),
        ("offer_url".into(), text(&o["url"])),
        ("offer_code".into(), text(&o["code"])),
        ("offer_enroll_by".into(), text(&o["enroll_by"])),
    ];
    if !o.is_null() {
        out.push(("offer".into(), "on".into()));
    }
    out
}

/// `fields` with `name` set to `value`.
fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
