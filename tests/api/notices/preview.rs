//! Previews: the notice as one person of the audience gets it, or as a dry-run variant's sample
//! person gets it.

use serde_json::{Value, json};

use super::{
    app, clean_draft, dry_run, encode, findings, lead, lint_report, mapped, patch, preview,
};
use crate::mapping::customer;

fn elements(preview: &Value, part: &str) -> Vec<String> {
    let list = preview["elements"][part]
        .as_array()
        .unwrap_or_else(|| panic!("{preview}"));
    list.iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_californian_gets_the_english_notice_with_their_name_and_their_laws() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;

    let (status, p) = preview(&writer, &nid, "customer_ref=CA1").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["locale"], "en");
    assert_eq!(p["channel"], "email");
    assert_eq!(p["laws"], json!(["US-CA"]));
    assert_eq!(p["links_are_samples"], true);
    assert!(
        p["variant"].as_str().unwrap().starts_with("en/US-CA/"),
        "{}",
        p["variant"]
    );
    assert!(
        p["subject"]
            .as_str()
            .unwrap()
            .contains("Notice of Data Breach"),
        "{}",
        p["subject"]
    );
    let text = p["text"].as_str().unwrap();
    for expected in [
        "Notice of Data Breach",
        "Dear Ada,",
        "Social Security",
        "someone used a stolen staff password",
        "Sample Monitoring",
    ] {
        assert!(
            text.contains(expected),
            "the text lacks {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("Emmy"),
        "another reader's name leaked into the notice"
    );
    let html = p["html"].as_str().unwrap();
    assert!(html.contains("<p>Dear Ada,</p>"), "{html}");
    for part in ["text", "html"] {
        let shown = elements(&p, part);
        for key in [
            "what_happened",
            "data_involved",
            "contact",
            "identity_theft_services_offer",
        ] {
            assert!(
                shown.iter().any(|k| k == key),
                "{part} lacks {key}: {shown:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_spanish_speaking_person_gets_the_spanish_templates() {
    let app = app().await;
    let desk = mapped(&app).await;
    app.exec("UPDATE people SET locale='es-MX' WHERE customer_ref='DE1'")
        .await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;

    let (status, p) = preview(&writer, &nid, "customer_ref=DE1").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["locale"], "es");
    assert_eq!(p["laws"], json!(["EU"]));
    assert!(
        p["variant"].as_str().unwrap().starts_with("es/DE/"),
        "{}",
        p["variant"]
    );
    let subject = p["subject"].as_str().unwrap();
    assert!(subject.starts_with("Aviso de brecha de datos"), "{subject}");
    let text = p["text"].as_str().unwrap();
    for expected in ["Hola, Emmy:", "Qué pasó", "su número de Seguro Social"] {
        assert!(
            text.contains(expected),
            "the text lacks {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("What Happened"),
        "English headings in a Spanish notice:\n{text}"
    );
    assert!(
        p["html"].as_str().unwrap().contains("lang=\"es\""),
        "{}",
        p["html"]
    );

    let (status, english) = preview(&writer, &nid, "customer_ref=CA1").await;
    assert_eq!(status, 200, "{english}");
    assert_eq!(english["locale"], "en", "only DE1 speaks Spanish");
}

#[tokio::test]
async fn a_spanish_reader_gets_the_drafts_spanish_paragraphs_and_the_lint_names_what_is_untranslated()
 {
    let app = app().await;
    let desk = mapped(&app).await;
    app.exec("UPDATE people SET locale='es' WHERE customer_ref='DE1'")
        .await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let english = "someone used a stolen staff password";
    let (_, before) = preview(&writer, &nid, "customer_ref=DE1").await;
    assert!(
        before["text"].as_str().unwrap().contains(english),
        "{before}"
    );
    let report = lint_report(&writer, &nid).await;
    let untranslated = findings(&report, "language.untranslated.");
    assert_eq!(untranslated.len(), 3, "{report}");
    assert!(
        untranslated.iter().all(|f| f["severity"] == "warning"),
        "{report}"
    );

    let spanish = "alguien usó la contraseña robada de un empleado";
    patch(
        &writer,
        &nid,
        json!({"translations": {"es": {
            "what_happened": format!("El 3 de marzo, {spanish} para entrar en nuestro sistema."),
            "what_we_are_doing": "Bloqueamos la cuenta y cambiamos todas las contraseñas.",
            "likely_consequences": "Alguien podría hacerse pasar por usted.",
        }}}),
    )
    .await;
    let (_, after) = preview(&writer, &nid, "customer_ref=DE1").await;
    let text = after["text"].as_str().unwrap();
    assert!(text.contains(spanish), "{text}");
    assert!(!text.contains(english), "{text}");
    let (_, californian) = preview(&writer, &nid, "customer_ref=CA1").await;
    assert!(californian["text"].as_str().unwrap().contains(english));
    let report = lint_report(&writer, &nid).await;
    assert!(findings(&report, "language.").is_empty(), "{report}");
}

#[tokio::test]
async fn a_person_outside_the_audience_has_no_preview() {
    let app = app().await;
    let desk = mapped(&app).await;
    // Known to the inventory but held in no exposed system.
    customer(
        &app,
        "NY1",
        ("Grace", "Hopper"),
        Some("grace@example.com"),
        None,
        ("US", "NY"),
    )
    .await;
    desk.map().await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    for who in ["NY1", "NOBODY"] {
        let (status, body) = preview(&writer, &nid, &format!("customer_ref={who}")).await;
        assert_eq!(status, 404, "{who}: {body}");
        assert_eq!(body["error"]["code"], "not_in_audience", "{who}: {body}");
    }
}

#[tokio::test]
async fn a_variant_from_the_dry_run_previews_its_sample_person() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;

    let run = dry_run(&writer, &nid).await;
    let variants = run["variants"].as_array().unwrap();
    let german = variants
        .iter()
        .find(|v| v["jurisdiction"] == "DE")
        .expect("a German variant");
    let key = german["key"].as_str().unwrap();
    let (status, p) = preview(&writer, &nid, &format!("variant={}", encode(key))).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["variant"], key);
    assert_eq!(p["laws"], german["laws"]);
    assert!(
        p["text"].as_str().unwrap().contains("Dear Emmy,"),
        "{}",
        p["text"]
    );

    let (status, body) = preview(&writer, &nid, "variant=en%2FXX%2Fname%2Femail%2Fnone").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "unknown_variant");
}

#[tokio::test]
async fn a_preview_names_exactly_one_person_or_variant() {
    let app = app().await;
    let desk = mapped(&app).await;
    let (_, writer) = lead(&desk).await;
    let nid = clean_draft(&writer).await;
    let key = dry_run(&writer, &nid).await["variants"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for query in ["", &format!("customer_ref=CA1&variant={}", encode(&key))] {
        let (status, body) = preview(&writer, &nid, query).await;
        assert_eq!(status, 422, "{query:?}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    }
}
