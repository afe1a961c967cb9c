//! Rendering: strict mode, errors at their file and line, elements, escaping, tidying.

use serde_json::json;

use super::{compiled, context, minimal_with, render_update};
use crate::domain::notice::{Locale, NoticeKind, Part};

#[test]
fn a_missing_variable_fails_naming_the_file_the_line_and_the_variable() {
    let problem = render_update(
        Locale::En,
        Part::Text,
        "Dear {{person.given_name}},\n\n{{#if person.vip}}VIP{{/if}}\nYou joined {{person.joined}}.\n",
        &context(),
    )
    .expect_err("strict mode");
    assert_eq!(problem.file, "update/en/text.hbs");
    assert_eq!(problem.line, Some(4), "{problem}");
    assert!(problem.message.contains("person.joined"), "{problem}");
    assert!(
        problem.to_string().starts_with("update/en/text.hbs:4:"),
        "{problem}"
    );
}

#[test]
fn an_error_inside_a_partial_names_the_partials_file() {
    let set = minimal_with(&[
        ("partials/es/contact.html.hbs", "<p>\n{{contact.phone}}</p>"),
        ("update/es/html.hbs", "<h1>Hola</h1>\n{{> contact}}"),
    ]);
    let problem = compiled(&set)
        .render_part(NoticeKind::Update, Locale::Es, Part::Html, &context())
        .expect_err("no contact in the context");
    assert_eq!(problem.file, "partials/es/contact.html.hbs", "{problem}");
    assert_eq!(problem.line, Some(2), "{problem}");
    assert!(problem.message.contains("contact.phone"), "{problem}");
}

#[test]
fn a_missing_partial_names_the_file_it_expected() {
    let problem = render_update(Locale::En, Part::Text, "{{> signature}}", &context())
        .expect_err("no such partial");
    assert_eq!(problem.file, "update/en/text.hbs");
    assert!(
        problem.message.contains("partials/en/signature.text.hbs"),
        "{problem}"
    );
}

#[test]
fn an_element_counts_only_when_it_renders_visible_text() {
    let html = "<div>{{#element \"what_happened\"}}<p>{{notice.what_happened}}</p>{{/element}}\
        {{#element \"contact\"}}  <p> </p>\n<!-- later --> &nbsp; {{/element}}\
        {{#element \"cra_contacts\"}}{{#if person.vip}}<p>Equifax</p>{{/if}}{{/element}}\
        {{#element \"breach_date\"}}{{/element}}</div>";
    let (output, elements) =
        render_update(Locale::En, Part::Html, html, &context()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        elements.into_iter().collect::<Vec<_>>(),
        ["what_happened"],
        "{output}"
    );
    assert!(
        output.contains("<p>A &lt;b&gt;bad&lt;/b&gt; day.</p>"),
        "{output}"
    );

    let text = "{{#element \"what_you_can_do\"}}\n  \n{{/element}}{{#element \"notice_date\"}}{{date notice.date}}{{/element}}";
    let (_, elements) =
        render_update(Locale::En, Part::Text, text, &context()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(elements.into_iter().collect::<Vec<_>>(), ["notice_date"]);
}

#[test]
fn an_element_without_a_key_is_a_render_error() {
    for body in [
        "{{#element}}Text{{/element}}",
        "{{#element \"What Happened\"}}Text{{/element}}",
        "{{#element 3}}Text{{/element}}",
    ] {
        let problem = render_update(Locale::En, Part::Text, body, &context())
            .expect_err("the key is required");
        assert_eq!(problem.file, "update/en/text.hbs", "{body}: {problem}");
        assert!(problem.message.contains("element"), "{body}: {problem}");
    }
}

#[test]
fn render_gives_each_parts_elements_and_tidies_subject_and_text() {
    let set = minimal_with(&[
        (
            "initial-notice/en/subject.hbs",
            "\n  Notice of a data breach\n  {{#if person.vip}}for you{{/if}}\r\n at Shop  \n",
        ),
        (
            "initial-notice/en/text.hbs",
            "Dear {{person.given_name}},   \r\n\r\n\r\n\r\n{{#if person.vip}}\nVIP\n{{/if}}\n\n\n\
             {{#element \"what_happened\"}}{{notice.what_happened}}{{/element}}\n",
        ),
        (
            "initial-notice/en/html.hbs",
            "{{#element \"contact\"}}<p>Call us</p>{{/element}}",
        ),
    ]);
    let rendered = compiled(&set)
        .render(NoticeKind::InitialNotice, Locale::En, &context())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rendered.subject, "Notice of a data breach at Shop");
    assert_eq!(rendered.text, "Dear Ana,\n\nA <b>bad</b> day.\n");
    assert_eq!(rendered.html, "<p>Call us</p>");
    let elements = |part: Part| rendered.elements[&part].iter().cloned().collect::<Vec<_>>();
    assert!(elements(Part::Subject).is_empty());
    assert_eq!(elements(Part::Text), ["what_happened"]);
    assert_eq!(elements(Part::Html), ["contact"]);
}

#[test]
fn handlebars_own_helpers_work_in_strict_mode() {
    let body = "{{#if (eq person.given_name \"Ana\")}}eq {{/if}}\
        {{#if (ne person.tenure_years 2)}}ne {{/if}}\
        {{#if (and person.given_name (not person.vip))}}and-not {{/if}}\
        {{#if (or person.vip (gt person.tenure_years 2))}}or-gt {{/if}}\
        {{#if (lt person.tenure_years 10)}}lt {{/if}}\
        {{lookup law.codes 1}} \
        {{#unless incident.occurred_from}}unknown-start{{/unless}}\
        {{#each exposed.categories}} {{@index}}:{{key}}{{/each}}\
        {{#with person}} {{given_name}}{{/with}}";
    let (output, _) =
        render_update(Locale::En, Part::Text, body, &context()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output,
        "eq ne and-not or-gt lt EU unknown-start 0:name 1:email 2:ssn Ana\n"
    );
}

#[test]
fn text_parts_are_not_escaped_and_html_parts_are() {
    let ctx = json!({ "locale": "en", "notice": { "what_happened": "Tom & Jerry's <list>" } });
    let (text, _) = render_update(Locale::En, Part::Text, "{{notice.what_happened}}", &ctx)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text, "Tom & Jerry's <list>\n");
    let (html, _) = render_update(Locale::En, Part::Html, "{{notice.what_happened}}", &ctx)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("Tom &amp; Jerry"), "{html}");
    assert!(html.contains("&lt;list&gt;"), "{html}");
}

#[test]
fn a_partial_renders_from_its_own_locale_and_flavour() {
    let set = minimal_with(&[
        (
            "partials/es/header.text.hbs",
            "Estimado/a {{person.given_name}}:",
        ),
        (
            "partials/es/header.html.hbs",
            "<p>{{notice.what_happened}}</p>",
        ),
    ]);
    let rendered = compiled(&set)
        .render(NoticeKind::SurveyReminder, Locale::Es, &context())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rendered.subject, "Estimado/a Ana: survey-reminder subject");
    assert_eq!(
        rendered.html,
        "<p>A &lt;b&gt;bad&lt;/b&gt; day.</p> survey-reminder html\n"
    );
}
