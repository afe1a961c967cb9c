//! The survey: one response per person, changed in place; answers refused with the input kept;
//! a closed survey; two submissions at once.

use candor::delivery::LinkPurpose;
use candor::store::survey::responses;
use serde_json::json;

use super::html::{accessibility_problems, checked, tags, textarea};
use super::*;
use crate::notices::app;

#[tokio::test]
async fn a_person_answers_once_and_later_changes_the_same_response() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    invite(&desk).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let link = row_of(&app, "A1").await.link_id;
    let (status, _, body) = fetch(&app, &survey(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());
    let radios = tags(&body)
        .into_iter()
        .filter(|t| t.attr("type") == Some("radio"))
        .count();
    assert_eq!(
        radios,
        11 + 1 + 5 + 1,
        "0–10 and 1–5, each with a no-answer choice"
    );
    assert_eq!(checked(&body, "recommend"), vec![""], "nothing chosen yet");
    let csrf = super::html::input_value(&body, "csrf").expect("csrf");

    let first = [
        ("csrf", csrf.as_str()),
        ("recommend", "9"),
        ("clarity", "4"),
        ("comment", "Please call me next time."),
    ];
    let (status, location, body) = post_form(&app, &survey(&token), &first, &[]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, Some(format!("/s/{token}?saved=1")));
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!(
        (row.recommend, row.clarity, row.revisions),
        (Some(9), Some(4), 0)
    );
    assert_eq!(
        (row.jurisdiction.as_str(), row.tier.as_str()),
        ("US-CA", "standard")
    );
    assert_eq!(row.customer_ref.as_deref(), Some("A1"));

    let second = [
        ("csrf", csrf.as_str()),
        ("recommend", "3"),
        ("clarity", ""),
        ("comment", "It took too long to hear from you."),
    ];
    let (status, _, _) = post_form(&app, &survey(&token), &second, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        rows_in(&app, "survey_responses", None).await,
        1,
        "still one response"
    );
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!(
        (row.recommend, row.clarity, row.revisions),
        (Some(3), None, 1)
    );
    assert_eq!(
        row.comment.as_deref(),
        Some("It took too long to hear from you.")
    );

    let (_, _, body) = fetch(&app, &format!("/s/{token}?saved=1")).await;
    assert!(body.contains("Thank you for your answers."));
    assert_eq!(checked(&body, "recommend"), vec!["3"]);
    assert_eq!(checked(&body, "clarity"), vec![""]);
    assert_eq!(
        textarea(&body, "comment").as_deref(),
        Some("It took too long to hear from you.")
    );
    assert!(body.contains("You answered on November 20, 2026."));

    let entries = crate::notices::audited(&desk, "survey.answered").await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    for entry in &entries {
        let summary = entry["summary"].as_str().expect("summary");
        assert!(
            !summary.contains("call") && !summary.contains('9'),
            "{summary}"
        );
    }
}

#[tokio::test]
async fn refused_answers_come_back_with_the_input_kept_and_nothing_stored() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let csrf = csrf_of(&app, &survey(&token)).await;
    let long = format!("Start of my answer. {}", "x".repeat(2_000));
    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", "8"),
        ("comment", long.as_str()),
    ];
    let (status, _, body) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        textarea(&body, "comment").as_deref(),
        Some(long.as_str()),
        "the text is kept"
    );
    assert_eq!(checked(&body, "recommend"), vec!["8"], "the score is kept");
    assert!(body.contains("aria-describedby=\"comment-hint comment-error\""));
    assert!(body.contains("Please keep it to 2,000 characters."));
    assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());

    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", "11"),
        ("comment", "Fine."),
    ];
    let (status, _, body) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"recommend-error\""));
    assert_eq!(textarea(&body, "comment").as_deref(), Some("Fine."));

    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", ""),
        ("comment", "  "),
    ];
    let (status, _, body) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("Please answer at least one question."));

    let huge = "y".repeat(40 * 1024);
    let fields = [("csrf", csrf.as_str()), ("comment", huge.as_str())];
    let (status, _, body) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 413);
    assert!(body.contains("That was too long"));
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);
}

#[tokio::test]
async fn a_closed_survey_shows_the_answer_given_and_takes_no_more() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    invite_with(&desk, json!({ "survey_closes_on": "2026-11-25" })).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let csrf = csrf_of(&app, &survey(&token)).await;
    let (_, _, body) = fetch(&app, &survey(&token)).await;
    assert!(body.contains("The survey closes on November 25, 2026."));
    let fields = [
        ("csrf", csrf.as_str()),
        ("recommend", "7"),
        ("comment", "Clear enough."),
    ];
    let (status, _, _) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 303);

    app.clock.set("2026-11-26T00:00:00Z".parse().expect("time"));
    let (status, _, body) = fetch(&app, &survey(&token)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("This survey closed on November 25, 2026."),
        "{body}"
    );
    assert!(body.contains("<dd>7</dd>") && body.contains("<dd>Clear enough.</dd>"));
    assert!(!body.contains("<form"), "no form once closed");
    assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());

    let fields = [("csrf", csrf.as_str()), ("recommend", "1")];
    let (status, _, body) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 409);
    assert!(body.contains("This survey closed on November 25, 2026."));
    let link = row_of(&app, "A1").await.link_id;
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!((row.recommend, row.revisions), (Some(7), 0), "unchanged");
}

#[tokio::test]
async fn two_submissions_at_once_make_one_response() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "B2", LinkPurpose::Survey).await;
    let csrf = csrf_of(&app, &survey(&token)).await;
    let path = survey(&token);
    let send = |score: &'static str| {
        let fields = [("csrf", csrf.clone()), ("recommend", score.to_owned())];
        let request = client().post(app.url(&path)).form(&fields);
        async move { request.send().await.expect("sent").status().as_u16() }
    };
    let (a, b) = tokio::join!(send("10"), send("2"));
    assert_eq!((a, b), (303, 303));
    assert_eq!(rows_in(&app, "survey_responses", None).await, 1);
    let link = row_of(&app, "B2").await.link_id;
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!(row.revisions, 1, "the second became a change of the first");
}
