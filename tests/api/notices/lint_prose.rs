//! The lint's prose rules, readability and tone, and its links and contact rule, each firing on
//! a draft made to break it and staying quiet on a clean one.

use serde_json::json;

use super::{
    TEXT_EN, app, clean_draft, findings, lead, lint_report, mapped, patch, put_template, text_with,
};

/// Dense legalese: long sentences of long words.
const LEGALESE: &str = "Notwithstanding the aforementioned circumstances, the organization's comprehensive investigative determination substantively indicated unauthorized exfiltration of personally identifiable information, necessitating individualized notification pursuant to applicable jurisdictional requirements and contractual indemnification considerations.\n\nConsequently, affected individuals are encouraged to exercise heightened vigilance regarding unsolicited communications, to scrutinize financial institution statements, and to contemplate implementation of precautionary identity verification mechanisms, including consumer reporting agency fraud alerts and comprehensive credit monitoring subscriptions.\n\nThe organization unequivocally reaffirms its institutional commitment to maintaining administrative, technical and organizational safeguards commensurate with contemporary information security methodologies, regulatory expectations and industry-recognized certification frameworks.\n\n";

#[tokio::test]
async fn dense_legalese_in_a_template_fails_the_reading_grade() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let clean = lint_report(&writer, &nid).await;
    assert!(findings(&clean, "readability.grade").is_empty(), "{clean}");

    let anchor = "{{#element \"heading_what_we_are_doing\"}}";
    let dense = text_with(
        &writer,
        &nid,
        anchor,
        &format!("{LEGALESE}{LEGALESE}{anchor}"),
    )
    .await;
    let (status, body) = put_template(&writer, &nid, TEXT_EN, &dense).await;
    assert_eq!(status, 200, "{body}");

    let report = lint_report(&writer, &nid).await;
    let grade = findings(&report, "readability.grade");
    assert_eq!(grade.len(), 1, "{report}");
    assert_eq!(grade[0]["severity"], "error");
    assert_eq!(grade[0]["rule"], "readability");
    assert_eq!(grade[0]["location"]["file"], TEXT_EN, "{}", grade[0]);
    assert!(
        grade[0]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 8.0"),
        "{}",
        grade[0]
    );
    let long = findings(&report, "readability.long_sentence");
    assert!(
        long.iter().any(|f| f["location"]["file"] == TEXT_EN),
        "the long sentences are found in the template: {report}"
    );
}

#[tokio::test]
async fn a_stock_phrase_in_the_drafts_words_is_flagged_where_it_was_written() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let clean = lint_report(&writer, &nid).await;
    assert!(findings(&clean, "tone.").is_empty(), "{clean}");

    let stock = "Out of an abundance of caution, we are writing to you about an event in our billing system. Someone used a stolen staff password to get in.";
    patch(&writer, &nid, json!({ "what_happened": stock })).await;
    let report = lint_report(&writer, &nid).await;
    let tone = findings(&report, "tone.");
    assert_eq!(tone.len(), 1, "{report}");
    let f = tone[0];
    assert_eq!(f["code"], "tone.abundance_of_caution");
    assert_eq!(f["rule"], "tone");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["file"], "draft.what_happened", "{f}");
    assert_eq!(f["location"]["line"], 1, "{f}");
    assert!(
        f["location"]["excerpt"]
            .as_str()
            .unwrap()
            .contains("abundance of caution"),
        "{f}"
    );
    assert!(report["errors"].as_u64().unwrap() >= 1, "{report}");
}

#[tokio::test]
async fn a_contact_nobody_can_reach_is_a_links_error() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let clean = lint_report(&writer, &nid).await;
    assert!(findings(&clean, "links.").is_empty(), "{clean}");

    let contact = json!({ "name": "Sample Company privacy team", "email": null, "phone": null,
                          "hours": null, "url": null, "postal_address": null });
    patch(&writer, &nid, json!({ "contact": contact })).await;
    let report = lint_report(&writer, &nid).await;
    let links = findings(&report, "links.");
    assert!(!links.is_empty(), "{report}");
    assert!(links.iter().all(|f| f["rule"] == "links"), "{report}");
    let unreachable = links.iter().find(|f| f["code"] == "links.no_contact");
    let unreachable = unreachable.unwrap_or_else(|| panic!("no links.no_contact: {report}"));
    assert_eq!(unreachable["severity"], "error");
    assert_eq!(unreachable["variants"], 2, "{unreachable}");
}
