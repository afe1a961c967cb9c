//! Notices to people through the real server: drafts once per kind, previews for one person or
//! one variant, the dry run, the lint's rules firing and staying quiet, approval by a second CX
//! lead, approvals voided by template, audience and content changes, and edits refused.

mod approval;
mod drafts;
mod dry_run;
mod edits;
mod lint;
mod lint_prose;
mod preview;
mod void;

use candor::domain::Role;
use candor::settings::Settings;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::mapping::{Desk, spawn_app_with};
pub use crate::obligations::{call, mapped};

/// The kind every incident has one notice of, as the API spells it.
pub const INITIAL: &str = "initial-notice";
/// The English text body of the initial notice.
pub const TEXT_EN: &str = "initial-notice/en/text.hbs";

/// A test app whose notices come from "Sample Company", with https links.
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// Like [`app`], with a chance to change the settings further.
pub async fn app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.organization_name = "Sample Company".into();
        s.organization_website = "https://www.sample-company.test".into();
        s.public_url = "https://notices.sample-company.test".into();
        s.organization_contact = "Sample Company privacy team".into();
        customize(s);
    })
    .await
}

/// A fresh CX lead on the desk's incident, with their user id.
pub async fn lead<'a>(desk: &Desk<'a>) -> (Uuid, Desk<'a>) {
    let (id, token) = desk.app.user_with(&[Role::CxLead]).await;
    let lead = Desk {
        app: desk.app,
        token,
        incident: desk.incident.clone(),
    };
    (id, lead)
}

/// POSTs a new draft of `kind`.
pub async fn create(desk: &Desk<'_>, kind: &str) -> (u16, Value) {
    call(
        desk,
        Method::POST,
        "/notices",
        Some(json!({ "kind": kind })),
    )
    .await
}

/// Creates a draft of `kind`, which must succeed; returns its id.
pub async fn created(desk: &Desk<'_>, kind: &str) -> String {
    let (status, body) = create(desk, kind).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("notice id").to_owned()
}

/// `/notices/{nid}{rest}`.
pub fn at(nid: &str, rest: &str) -> String {
    format!("/notices/{nid}{rest}")
}

/// The words of a draft the shipped templates lint clean with (`src/notice/sample.rs`).
pub fn clean_content() -> Value {
    json!({
        "what_happened": "On March 3, someone used a stolen staff password to get into our billing system. They copied some customer records before we found them and shut them out two days later.",
        "what_we_are_doing": "We locked the stolen account and reset every staff password. We added a second check to every staff sign-in. We told the police, and we are working with a security firm to check all our systems.",
        "likely_consequences": "Someone could use this information to pretend to be you, to open accounts in your name, or to send you emails that look like they come from us.",
        "offer": {
            "provider": "Sample Monitoring",
            "months": 24,
            "url": "https://monitoring.sample-company.test/enroll",
            "code": "SC-2026-0317",
            "enroll_by": "2027-06-30",
        },
        "contact": {
            "name": "Sample Company privacy team",
            "email": "privacy@sample-company.test",
            "phone": "+1 800 555 0100",
            "hours": "Monday to Friday, 8 am to 8 pm Eastern",
            "url": "https://www.sample-company.test/help",
            "postal_address": "Sample Company, 100 Main Street, Springfield, IL 62701",
        },
        "password_reset_url": "https://www.sample-company.test/reset",
    })
}

/// PATCHes the draft, which must succeed; returns the draft.
pub async fn patch(desk: &Desk<'_>, nid: &str, change: Value) -> Value {
    let (status, body) = call(desk, Method::PATCH, &at(nid, ""), Some(change)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// An initial notice with clean content, written by `desk`; returns its id.
pub async fn clean_draft(desk: &Desk<'_>) -> String {
    let nid = created(desk, INITIAL).await;
    patch(desk, &nid, clean_content()).await;
    nid
}

/// GETs the draft, which must succeed.
pub async fn notice(desk: &Desk<'_>, nid: &str) -> Value {
    let (status, body) = desk.get(&at(nid, "")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `/notices/{nid}/templates/{file}`, the file percent-encoded.
pub fn template_at(nid: &str, file: &str) -> String {
    at(nid, &format!("/templates/{}", file.replace('/', "%2F")))
}

/// PUTs a template file of the draft.
pub async fn put_template(desk: &Desk<'_>, nid: &str, file: &str, content: &str) -> (u16, Value) {
    let body = json!({ "content": content });
    call(desk, Method::PUT, &template_at(nid, file), Some(body)).await
}

/// One file as the draft has it: its content, and whether the draft has its own copy.
pub async fn template(desk: &Desk<'_>, nid: &str, file: &str) -> (String, bool) {
    let (status, body) = desk.get(&at(nid, "/templates")).await;
    assert_eq!(status, 200, "{body}");
    let found = body
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == file);
    let found = found.unwrap_or_else(|| panic!("the draft has no file {file}: {body}"));
    let content = found["content"].as_str().expect("content").to_owned();
    (content, found["edited"].as_bool().expect("edited"))
}

/// The shipped English text body with `from` replaced by `to` (which must be there).
pub async fn text_with(desk: &Desk<'_>, nid: &str, from: &str, to: &str) -> String {
    let (shipped, _) = template(desk, nid, TEXT_EN).await;
    assert!(shipped.contains(from), "{TEXT_EN} has no {from:?}");
    shipped.replacen(from, to, 1)
}

/// Lints the draft, which must answer 200; returns the report.
pub async fn lint_report(desk: &Desk<'_>, nid: &str) -> Value {
    let (status, report) = desk.post(&at(nid, "/lint")).await;
    assert_eq!(status, 200, "{report}");
    report
}

/// The findings of a report whose code starts with `prefix`.
pub fn findings<'r>(report: &'r Value, prefix: &str) -> Vec<&'r Value> {
    let all = report["findings"].as_array().expect("findings");
    all.iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with(prefix)))
        .collect()
}

/// The report's errors as `code @ file`, for assertions and failure messages.
pub fn errors(report: &Value) -> Vec<String> {
    let all = report["findings"].as_array().expect("findings");
    all.iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{} @ {}", f["code"], f["location"]["file"]))
        .collect()
}

/// Approves the draft as `desk`.
pub async fn approve(desk: &Desk<'_>, nid: &str) -> (u16, Value) {
    desk.post(&at(nid, "/approve")).await
}

/// Approves the draft as `desk`, which must succeed; returns the draft.
pub async fn approved(desk: &Desk<'_>, nid: &str) -> Value {
    let (status, body) = approve(desk, nid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved", "{body}");
    body
}

/// The dry run, which must answer 200.
pub async fn dry_run(desk: &Desk<'_>, nid: &str) -> Value {
    let (status, body) = desk.get(&at(nid, "/variants")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The preview for a query (`customer_ref=CA1`); use [`encode`] for values.
pub async fn preview(desk: &Desk<'_>, nid: &str, query: &str) -> (u16, Value) {
    desk.get(&at(nid, &format!("/preview?{query}"))).await
}

/// A query value percent-encoded (variant keys hold `/`, `+` and `,`).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The incident's audit entries with this action.
pub async fn audited(desk: &Desk<'_>, action: &str) -> Vec<Value> {
    let all = desk.audit().await;
    all.into_iter().filter(|e| e["action"] == action).collect()
}

/// Whether a JSON value is 64 lowercase hex digits.
pub fn is_sha256(value: &Value) -> bool {
    value.as_str().is_some_and(|s| {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Every stored notice as `(kind, status, voided_reason)`, oldest first.
pub async fn stored(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    let sql = "SELECT kind, status, voided_reason FROM notices ORDER BY created_at, id";
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("query runs");
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "kind").expect("kind"),
                row.try_get("", "status").expect("status"),
                row.try_get("", "voided_reason").expect("voided_reason"),
            )
        })
        .collect()
}
