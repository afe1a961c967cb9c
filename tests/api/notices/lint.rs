//! The lint's rendering and law rules, each firing on a template made to break it and staying
//! quiet on a clean draft.

use serde_json::Value;

use super::{
    TEXT_EN, app, clean_draft, errors, findings, lead, lint_report, mapped, notice, put_template,
    text_with,
};
use crate::mapping::{Desk, customer, holding};

/// The line that shows what happened in the shipped English text body.
const WHAT_HAPPENED: &str = "{{#element \"what_happened\"}}{{#element \"cause\"}}{{#element \"third_parties\"}}{{notice.what_happened}}{{/element}}{{/element}}{{/element}}";
const OMIT_WHAT_HAPPENED: &str = "{{#unless law.omit.what_happened}}\n";

/// Adds a Massachusetts customer of `billing-db`, exposed like the others, and maps again.
async fn add_massachusetts(desk: &Desk<'_>) {
    let (app, home) = (desk.app, ("US", "MA"));
    customer(
        app,
        "MA1",
        ("Rosalind", "Franklin"),
        Some("ros@example.com"),
        None,
        home,
    )
    .await;
    let record = holding("billing-db", "MA1").customer("MA1");
    record.categories("name;email;ssn").insert(app).await;
    desk.map().await;
}

fn one<'r>(report: &'r Value, code: &str) -> &'r Value {
    let found = findings(report, code);
    let exact: Vec<&&Value> = found.iter().filter(|f| f["code"] == code).collect();
    assert_eq!(exact.len(), 1, "expected one {code} finding: {report}");
    exact[0]
}

#[tokio::test]
async fn a_clean_draft_lints_without_errors_for_every_variant() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let report = lint_report(&writer, &nid).await;
    assert_eq!(report["errors"], 0, "{:#?}", errors(&report));
    assert_eq!(report["variants_checked"], 2);

    // Every shipped locale, and a reader whose law forbids part of the notice.
    app.exec("UPDATE people SET locale='es-MX' WHERE customer_ref='DE1'")
        .await;
    add_massachusetts(&desk).await;
    let report = lint_report(&writer, &nid).await;
    assert_eq!(report["errors"], 0, "{:#?}", errors(&report));
    assert_eq!(report["variants_checked"], 3);
    for rule in ["rendering.", "law.", "tone.", "links.", "readability.grade"] {
        assert!(
            findings(&report, rule).is_empty(),
            "{rule} fired on a clean draft: {report}"
        );
    }
    let kept = notice(&writer, &nid).await;
    assert_eq!(
        kept["lint"]["errors"], 0,
        "the last lint is kept with the draft: {kept}"
    );
    assert_eq!(kept["lint"]["variants_checked"], 3);
}

#[tokio::test]
async fn a_value_the_templates_do_not_have_fails_rendering_at_its_file_and_line() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let broken = text_with(
        &writer,
        &nid,
        "{{> header}}\n",
        "{{> header}}\n{{person.nickname}}\n",
    )
    .await;
    let (status, body) = put_template(&writer, &nid, TEXT_EN, &broken).await;
    assert_eq!(
        status, 200,
        "strict mode fails when rendering, not when compiling: {body}"
    );

    let report = lint_report(&writer, &nid).await;
    let failed = one(&report, "rendering.failed");
    assert_eq!(failed["severity"], "error");
    assert_eq!(failed["rule"], "rendering");
    assert_eq!(failed["location"]["file"], TEXT_EN, "{failed}");
    assert_eq!(failed["location"]["line"], 2, "{failed}");
    assert_eq!(
        failed["variants"], 2,
        "every reader's notice fails: {failed}"
    );
    assert!(report["errors"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn content_a_law_requires_without_its_marker_is_reported_missing() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    // The words stay; only the marker that says they are "what happened" goes.
    let unmarked = text_with(&writer, &nid, WHAT_HAPPENED, "{{notice.what_happened}}").await;
    let (status, body) = put_template(&writer, &nid, TEXT_EN, &unmarked).await;
    assert_eq!(status, 200, "{body}");

    let report = lint_report(&writer, &nid).await;
    let missing = one(&report, "law.missing.what_happened");
    assert_eq!(missing["severity"], "error");
    assert_eq!(missing["rule"], "law");
    assert_eq!(missing["location"]["file"], TEXT_EN, "{missing}");
    assert_eq!(
        missing["location"]["part"], "text",
        "the HTML body still shows it: {missing}"
    );
    let examples = missing["examples"].as_array().unwrap();
    assert!(
        examples
            .iter()
            .any(|v| v.as_str().unwrap().contains("/US-CA/")),
        "{missing}"
    );
}

#[tokio::test]
async fn content_a_law_forbids_is_reported_when_the_template_shows_it() {
    let app = app().await;
    let desk = mapped(&app).await;
    add_massachusetts(&desk).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;

    let shipped = lint_report(&writer, &nid).await;
    assert!(
        findings(&shipped, "law.forbidden.").is_empty(),
        "the shipped templates leave it out for Massachusetts: {shipped}"
    );
    assert_eq!(shipped["variants_checked"], 3);

    let unguarded = text_with(&writer, &nid, OMIT_WHAT_HAPPENED, "").await;
    let close = unguarded.find("{{/unless}}\n").expect("the guard's end");
    let unguarded = format!(
        "{}{}",
        &unguarded[..close],
        &unguarded[close + "{{/unless}}\n".len()..]
    );
    let (status, body) = put_template(&writer, &nid, TEXT_EN, &unguarded).await;
    assert_eq!(status, 200, "{body}");

    let report = lint_report(&writer, &nid).await;
    let forbidden = one(&report, "law.forbidden.what_happened");
    assert_eq!(forbidden["severity"], "error");
    assert_eq!(forbidden["location"]["file"], TEXT_EN, "{forbidden}");
    assert_eq!(
        forbidden["variants"], 1,
        "only the Massachusetts reader: {forbidden}"
    );
    assert!(
        forbidden["examples"][0]
            .as_str()
            .unwrap()
            .contains("/US-MA/"),
        "{forbidden}"
    );
    assert!(findings(&report, "law.missing.").is_empty(), "{report}");
}
