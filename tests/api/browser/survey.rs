//! The survey (`/s/{token}`) as a person answers it in Chromium: the three questions with
//! their labels, answers chosen by clicking labels and typing, the thanks after sending, and
//! refused answers shown beside their field with the input kept; checked in the stored rows
//! and the staff API.

use candor::delivery::LinkPurpose;
use candor::store::survey::responses;
use serde_json::json;

use super::Browser;
use crate::customer::{notified, row_of, rows_in, survey, token_for, two_people};
use crate::notices::{app, lead};

const RECOMMEND: &str = "How likely is it that you would recommend us to a friend or colleague?";
const CLARITY: &str = "How clear was our notice?";
const COMMENT: &str = "Is there anything we could have done better?";

#[tokio::test]
async fn a_person_answers_the_survey_in_the_browser_and_it_is_stored_once() {
    let app = app().await;
    let people = two_people();
    let (desk, browser) = tokio::join!(notified(&app, &people), Browser::launch());
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    browser.open(&app, &survey(&token)).await;

    assert_eq!(browser.text("h1").await, "How did we do?");
    assert_eq!(
        browser.texts("fieldset > legend").await,
        [RECOMMEND, CLARITY]
    );
    assert_eq!(browser.text("label[for=comment]").await, COMMENT);
    assert_eq!(
        browser.texts("fieldset:first-of-type label").await.len(),
        11 + 1,
        "0–10 and no answer, each with its label"
    );
    assert!(
        browser.is_checked("#recommend-none").await,
        "nothing chosen yet"
    );
    browser.screenshot("survey-page").await;
    browser.assert_accessible("the survey page").await;

    // By their labels, as a person clicks them: this fails if a label is not tied to its input.
    browser.click("label[for=recommend-9]").await;
    browser.click("label[for=clarity-4]").await;
    browser.fill("#comment", "Please call me next time.").await;
    browser.click("form button[type=submit]").await;

    browser.wait_for("p.done[role=status]").await;
    assert_eq!(
        browser.text("p.done[role=status]").await,
        "Thank you for your answers. They help us do better."
    );
    assert_eq!(browser.path().await, format!("/s/{token}?saved=1"));
    assert!(browser.is_checked("#recommend-9").await);
    assert!(browser.is_checked("#clarity-4").await);
    assert_eq!(browser.value("#comment").await, "Please call me next time.");
    assert!(
        browser
            .text("main")
            .await
            .contains("You answered on November 20, 2026."),
        "the page says when they answered"
    );
    browser.screenshot("survey-answered").await;

    assert_eq!(rows_in(&app, "survey_responses", None).await, 1);
    let link = row_of(&app, "A1").await.link_id;
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!(
        (row.recommend, row.clarity, row.revisions),
        (Some(9), Some(4), 0),
        "sent once, never revised"
    );
    assert_eq!(row.comment.as_deref(), Some("Please call me next time."));
    let (_, lead) = lead(&desk).await;
    let (status, listed) = lead.get("/survey/responses").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        (&listed[0]["customer_ref"], &listed[0]["recommend"]),
        (&json!("A1"), &json!(9))
    );
}

#[tokio::test]
async fn a_refused_answer_shows_its_error_beside_the_field_and_keeps_the_input() {
    let app = app().await;
    let people = two_people();
    let (desk, browser) = tokio::join!(notified(&app, &people), Browser::launch());
    let token = token_for(&app, &desk, "B2", LinkPurpose::Survey).await;
    browser.open(&app, &survey(&token)).await;

    // Nothing answered: the summary says so, above the form.
    browser.click("form button[type=submit]").await;
    browser.wait_for("#form-error").await;
    assert_eq!(
        browser.text("#form-error").await,
        "Please answer at least one question."
    );

    // A comment over 2,000 characters, as from a browser that ignores `maxlength` (WebDriver
    // types as a person does, so the page's limit would cut it short).
    let long = format!("Start of my answer. {}", "x".repeat(2_000));
    browser.click("label[for=recommend-8]").await;
    browser
        .script(
            "document.getElementById('comment').value = arguments[0];",
            vec![json!(long)],
        )
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#comment-error").await;
    assert_eq!(
        browser.text("#comment-error").await,
        "Your answer is too long. Please keep it to 2,000 characters."
    );
    browser
        .find("div.field > #comment-error + textarea#comment")
        .await;
    assert_eq!(
        browser
            .attr("#comment", "aria-describedby")
            .await
            .as_deref(),
        Some("comment-hint comment-error"),
        "the error is read out with the field"
    );
    assert_eq!(
        browser.texts("[role=alert] p").await,
        ["Your answers were not saved. Please check the form below."],
        "the summary once, the reason beside the field"
    );
    assert_eq!(browser.value("#comment").await, long, "the text is kept");
    assert!(
        browser.is_checked("#recommend-8").await,
        "the score is kept"
    );
    assert_eq!(browser.path().await, survey(&token), "not sent on");
    browser.screenshot("survey-error").await;
    browser
        .assert_accessible("the survey page with an error")
        .await;
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);

    // Shortened, it goes through, and it is the only response.
    browser.fill("#comment", "Shorter now.").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("p.done[role=status]").await;
    assert!(browser.is_checked("#recommend-8").await);
    assert_eq!(rows_in(&app, "survey_responses", None).await, 1);
    let link = row_of(&app, "B2").await.link_id;
    let row = responses::of_link(&app.db, link)
        .await
        .expect("read")
        .expect("a response");
    assert_eq!((row.recommend, row.clarity), (Some(8), None));
    assert_eq!(row.comment.as_deref(), Some("Shorter now."));
}
