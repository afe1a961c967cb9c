//! The personal page: the person's own notice (their data, their steps, whom to call) in
//! their language, the updates posted since, their survey link, and their contact preferences.

use candor::delivery::LinkPurpose;
use serde_json::json;

use super::html::{accessibility_problems, checked, tags};
use super::*;
use crate::delivery::{Person, send};
use crate::notices::{app, approved, clean_content, created, lead, patch};

#[tokio::test]
async fn a_person_s_page_shows_their_own_data_steps_and_contact_in_accessible_html() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let (status, headers, body) = fetch(&app, &page(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(body.contains("Hello Ana,"), "their own name");
    assert!(
        !body.contains("Brown") && !body.contains("bo@example.com"),
        "nobody else's"
    );
    for words in [
        "your name",
        "your email address",
        "your Social Security number",
    ] {
        assert!(
            body.contains(&format!("<li>{words}</li>")),
            "data involved: {words}"
        );
    }
    assert!(
        body.contains("someone used a stolen staff password"),
        "what happened"
    );
    assert!(
        body.contains("We locked the stolen account"),
        "what we are doing"
    );
    // The steps partial as their notice had it: an SSN in the US calls for a freeze and an IP PIN.
    assert!(
        body.contains("irs.gov/ippin") && body.contains("credit freeze"),
        "steps"
    );
    assert!(body.contains("Sample Monitoring"), "the offer in the steps");
    assert!(
        body.contains("mailto:privacy@sample-company.test"),
        "the contact partial"
    );
    assert!(body.contains("+1 800 555 0100"));
    assert!(body.contains("There is no news yet."));
    assert!(!body.contains("/s/"), "not invited yet: no survey link");
    assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());
    assert_eq!(
        checked(&body, "channel"),
        vec!["email"],
        "their notice's channel"
    );
    assert_eq!(checked(&body, "frequency"), vec!["every"]);
    let channels: Vec<String> = tags(&body)
        .iter()
        .filter(|t| t.attr("name") == Some("channel"))
        .filter_map(|t| t.attr("value").map(str::to_owned))
        .collect();
    assert_eq!(channels, ["email", "postal", "sms"]);
    assert!(body.contains("We cannot send text messages yet."));
}

#[tokio::test]
async fn the_link_in_the_sent_message_opens_the_person_s_page() {
    let app = app().await;
    notified(&app, &two_people()[..1]).await;
    let dir = app.data_dir.path().join("outbox").join("notices");
    let file = std::fs::read_dir(dir)
        .expect("the file outbox")
        .next()
        .expect("one message")
        .expect("entry")
        .path();
    let bytes = std::fs::read(file).expect("message read");
    let mail = mail_parser::MessageParser::default()
        .parse(&bytes)
        .expect("a message");
    let text = mail.body_text(0).expect("a text body");
    let base = "https://notices.sample-company.test/n/";
    let start = text.find(base).expect("the page link") + base.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let (status, _, body) = fetch(&app, &page(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Hello Ana,"));
}

#[tokio::test]
async fn a_spanish_speaking_person_gets_their_page_and_survey_in_spanish() {
    let app = app().await;
    let mut ines = Person::new("E1", ("Inés", "Ortega"), Some("ines@example.com"));
    ines.locale = "es";
    let desk = notified(&app, &[ines]).await;
    let token = token_for(&app, &desk, "E1", LinkPurpose::Page).await;
    let (status, _, body) = fetch(&app, &page(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(accessibility_problems(&body, "es"), Vec::<String>::new());
    assert!(body.contains("Hola, Inés:"));
    assert!(body.contains("Sus datos afectados"));
    assert!(body.contains("<li>su número de Seguro Social</li>"));
    assert!(
        body.contains("Siga revisando los extractos"),
        "the Spanish steps"
    );
    assert!(body.contains("Cómo nos comunicamos con usted"));
    assert!(!body.contains("Your information"), "no English page words");

    let token = token_for(&app, &desk, "E1", LinkPurpose::Survey).await;
    let (status, _, body) = fetch(&app, &survey(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(accessibility_problems(&body, "es"), Vec::<String>::new());
    assert!(body.contains("¿Qué tal lo hicimos?"));
    assert!(body.contains("¿Hay algo que podríamos haber hecho mejor?"));
}

#[tokio::test]
async fn preferences_are_saved_shown_and_audited_without_personal_data() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let link = row_of(&app, "A1").await.link_id;
    let csrf = csrf_of(&app, &page(&token)).await;
    let action = format!("{}/preferences", page(&token));
    let fields = [
        ("csrf", csrf.as_str()),
        ("channel", "postal"),
        ("frequency", "weekly"),
    ];
    let (status, location, body) = post_form(&app, &action, &fields, &[]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, Some(format!("/n/{token}?saved=preferences")));
    let stored = candor::store::survey::preferences::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a preference row");
    assert_eq!(
        (stored.channel.as_str(), stored.frequency.as_str()),
        ("postal", "weekly")
    );

    let (status, _, body) = fetch(&app, &format!("/n/{token}?saved=preferences")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Thank you. We saved your choices."));
    assert_eq!(checked(&body, "channel"), vec!["postal"]);
    assert_eq!(checked(&body, "frequency"), vec!["weekly"]);

    let fields = [
        ("csrf", csrf.as_str()),
        ("channel", "sms"),
        ("frequency", "required"),
    ];
    let (status, _, _) = post_form(&app, &action, &fields, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(rows_in(&app, "contact_preferences", None).await, 1);
    let stored = candor::store::survey::preferences::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a preference row");
    assert_eq!(
        (stored.channel.as_str(), stored.frequency.as_str()),
        ("sms", "required")
    );

    let entries = crate::notices::audited(&desk, "customer.preferences").await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let summary = entries[0]["summary"].as_str().expect("summary");
    assert_eq!(
        summary,
        "a person set their contact preferences: postal, weekly"
    );
    assert_eq!(entries[0]["object_id"], link.to_string());
}

#[tokio::test]
async fn a_channel_that_cannot_reach_the_person_is_not_offered_and_is_refused() {
    let app = app().await;
    let mut no_address = Person::new("N1", ("Nia", "Nolan"), Some("nia@example.com"));
    no_address.address = false;
    let desk = notified(&app, &[no_address]).await;
    let token = token_for(&app, &desk, "N1", LinkPurpose::Page).await;
    let (_, _, body) = fetch(&app, &page(&token)).await;
    assert!(
        !body.contains("value=\"postal\""),
        "no post without an address"
    );
    let csrf = super::html::input_value(&body, "csrf").expect("csrf");
    let action = format!("{}/preferences", page(&token));
    for (channel, frequency) in [("postal", "weekly"), ("pigeon", "weekly"), ("email", "")] {
        let fields = [
            ("csrf", csrf.as_str()),
            ("channel", channel),
            ("frequency", frequency),
        ];
        let (status, _, body) = post_form(&app, &action, &fields, &[]).await;
        assert_eq!(status, 422, "{channel}/{frequency}: {body}");
        assert!(body.contains("Your choices were not saved."));
        assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());
    }
    assert_eq!(rows_in(&app, "contact_preferences", None).await, 0);
}

#[tokio::test]
async fn updates_posted_since_the_notice_show_on_the_page() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let nid = created(&desk, "update").await;
    let mut content = clean_content();
    content["update"] = json!("We finished checking every system. No other data was involved.");
    patch(&desk, &nid, content).await;
    let (_, lead) = lead(&desk).await;
    approved(&lead, &nid).await;
    let (status, body) = send(&desk, &nid, None).await;
    assert_eq!(status, 202, "{body}");

    let token = token_for(&app, &desk, "B2", LinkPurpose::Page).await;
    let (_, _, body) = fetch(&app, &page(&token)).await;
    assert!(body.contains("Posted on November 20, 2026"), "{body}");
    assert!(body.contains("We finished checking every system."));
    assert!(!body.contains("There is no news yet."));
}

#[tokio::test]
async fn the_survey_link_shows_once_the_person_was_invited_and_opens_their_survey() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let (_, _, before) = fetch(&app, &page(&token)).await;
    assert!(!before.contains("href=\"/s/"), "A1 is not invited yet");
    invite(&desk).await;
    let (_, _, body) = fetch(&app, &page(&token)).await;
    let link = tags(&body)
        .into_iter()
        .find_map(|t| {
            t.attr("href")
                .filter(|h| h.starts_with("/s/"))
                .map(str::to_owned)
        })
        .expect("a survey link");
    let (status, _, survey_body) = fetch(&app, &link).await;
    assert_eq!(status, 200, "{survey_body}");
    assert!(survey_body.contains("How did we do?"));
    assert!(
        survey_body.contains(&format!("href=\"/n/{token}\"")),
        "back to the same page"
    );
}
