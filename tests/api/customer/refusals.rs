//! What the pages refuse: another person's link, the other page's token, tampered, forged and
//! staff tokens, expired and revoked links, forms without their CSRF token or from another
//! site; and the headers every page answer carries.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candor::delivery::LinkPurpose;
use candor::domain::Role;
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use super::html::accessibility_problems;
use super::*;
use crate::notices::app;

const NOT_FOUND: &str = "We cannot open this page";

#[tokio::test]
async fn a_token_for_one_person_never_reaches_another() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let (a, b) = (
        row_of(&app, "A1").await.link_id,
        row_of(&app, "B2").await.link_id,
    );
    let a_page = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let (_, _, body) = fetch(&app, &page(&a_page)).await;
    assert!(body.contains("Hello Ana,") && !body.contains("Brown"));

    // A's survey token with B's form token: refused, nothing stored for either.
    let a_survey = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let b_survey = token_for(&app, &desk, "B2", LinkPurpose::Survey).await;
    let b_csrf = csrf_of(&app, &survey(&b_survey)).await;
    let fields = [("csrf", b_csrf.as_str()), ("recommend", "0")];
    let (status, _, body) = post_form(&app, &survey(&a_survey), &fields, &[]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);

    // A's own answer is stored on A's link alone.
    let a_csrf = csrf_of(&app, &survey(&a_survey)).await;
    let fields = [("csrf", a_csrf.as_str()), ("recommend", "6")];
    let (status, _, _) = post_form(&app, &survey(&a_survey), &fields, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(rows_in(&app, "survey_responses", Some(a)).await, 1);
    assert_eq!(rows_in(&app, "survey_responses", Some(b)).await, 0);

    // A's link under another incident: no such link.
    let expires = link_expiry(&app, a).await;
    let elsewhere = keys()
        .sign(LinkPurpose::Page, a, Uuid::new_v4(), expires)
        .expect("signs");
    let (status, _, body) = fetch(&app, &page(&elsewhere)).await;
    assert_eq!(status, 404);
    assert!(body.contains(NOT_FOUND));
}

#[tokio::test]
async fn a_page_token_does_not_open_the_survey_nor_a_survey_token_the_page() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let page_token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let survey_token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    for path in [survey(&page_token), page(&survey_token)] {
        let (status, _, body) = fetch(&app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains(NOT_FOUND));
        assert_eq!(accessibility_problems(&body, "en"), Vec::<String>::new());
    }
    let fields = [("csrf", "x"), ("recommend", "5")];
    let (status, _, _) = post_form(&app, &survey(&page_token), &fields, &[]).await;
    assert_eq!(status, 404);
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);
}

#[tokio::test]
async fn tampered_forged_and_staff_tokens_all_get_the_same_not_found_page() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let genuine = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let b = row_of(&app, "B2").await.link_id;
    // The payload rewritten to name B's link, the signature kept.
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64")).expect("json");
    claims["sub"] = serde_json::json!(b);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    let forged = app.forge(&claims, "another secret, long enough to be a real one");
    let staff = app.token(&[Role::Admin]).await;
    let mut bodies = Vec::new();
    for token in [tampered, forged, staff, "not-a-token".to_owned()] {
        let (status, _, body) = fetch(&app, &page(&token)).await;
        assert_eq!(status, 404);
        assert!(body.contains(NOT_FOUND));
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "nothing says why");
    let (status, _, body) = fetch_with(&app, &page("x"), &[("accept-language", "es-ES")]).await;
    assert_eq!(status, 404);
    assert!(body.contains("No podemos abrir esta página"));
}

#[tokio::test]
async fn an_expired_token_or_link_gets_the_gone_page() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let a = row_of(&app, "A1").await.link_id;
    let now = candor::domain::Clock::now(&app.clock);
    let old = keys()
        .sign(
            LinkPurpose::Page,
            a,
            incident_id(&desk),
            now - chrono::Duration::hours(1),
        )
        .expect("signs");
    let (status, _, body) = fetch(&app, &page(&old)).await;
    assert_eq!(status, 410);
    assert!(body.contains("This link has expired"));

    // A token good for years, but its link row ended yesterday.
    let token = keys()
        .sign(
            LinkPurpose::Survey,
            a,
            incident_id(&desk),
            now + chrono::Duration::days(3650),
        )
        .expect("signs");
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE notice_links SET expires_at = $1 WHERE id = $2",
            [(now - chrono::Duration::days(1)).into(), a.into()],
        ))
        .await
        .expect("link aged");
    let (status, _, body) = fetch(&app, &survey(&token)).await;
    assert_eq!(status, 410);
    assert!(body.contains("This link has expired"));

    // Time passing does the same to a live link.
    let b_token = token_for(&app, &desk, "B2", LinkPurpose::Page).await;
    app.clock.advance(chrono::Duration::days(366));
    let (status, _, _) = fetch(&app, &page(&b_token)).await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn a_revoked_link_gets_the_gone_page_and_takes_no_answers() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let a = row_of(&app, "A1").await.link_id;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let csrf = csrf_of(&app, &survey(&token)).await;
    let (_, lead) = crate::notices::lead(&desk).await;
    let revoke = serde_json::json!({ "customer_ref": "A1" });
    let (status, revoked) = crate::survey::post_json(&lead, "/links/revoke", revoke).await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["link_id"], serde_json::json!(a));
    let (status, _, body) = fetch(&app, &survey(&token)).await;
    assert_eq!(status, 410);
    assert!(body.contains("This link no longer works"));
    let fields = [("csrf", csrf.as_str()), ("recommend", "9")];
    let (status, _, _) = post_form(&app, &survey(&token), &fields, &[]).await;
    assert_eq!(status, 410);
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_changes_nothing() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let page_token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let survey_token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let prefs = format!("{}/preferences", page(&page_token));
    let survey_csrf = csrf_of(&app, &survey(&survey_token)).await;
    for csrf in [None, Some("0".repeat(64)), Some(survey_csrf)] {
        let mut fields = vec![
            ("channel", "postal".to_owned()),
            ("frequency", "weekly".to_owned()),
        ];
        fields.extend(csrf.clone().map(|c| ("csrf", c)));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, body) = post_form(&app, &prefs, &fields, &[]).await;
        assert_eq!(status, 403, "{csrf:?}");
        assert!(body.contains("We could not save that"));
    }
    let (status, _, _) = post_form(&app, &survey(&survey_token), &[("recommend", "4")], &[]).await;
    assert_eq!(status, 403);
    assert_eq!(rows_in(&app, "contact_preferences", None).await, 0);
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);
}

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let csrf = csrf_of(&app, &survey(&token)).await;
    let fields = [("csrf", csrf.as_str()), ("recommend", "9")];
    for headers in [
        [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        [("origin", "https://evil.example"), ("x-nothing", "")],
        [("sec-fetch-site", "cross-site"), ("x-nothing", "")],
    ] {
        let (status, _, _) = post_form(&app, &survey(&token), &fields, &headers).await;
        assert_eq!(status, 403, "{headers:?}");
    }
    assert_eq!(rows_in(&app, "survey_responses", None).await, 0);
    let own = [
        ("origin", app.base.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    let (status, _, _) = post_form(&app, &survey(&token), &fields, &own).await;
    assert_eq!(status, 303, "the page's own origin");
    assert_eq!(rows_in(&app, "survey_responses", None).await, 1);
}

#[tokio::test]
async fn every_page_answer_carries_the_security_headers() {
    let app = app().await;
    let desk = notified(&app, &two_people()).await;
    let token = token_for(&app, &desk, "A1", LinkPurpose::Page).await;
    let survey_token = token_for(&app, &desk, "A1", LinkPurpose::Survey).await;
    let mut answers = Vec::new();
    for path in [page(&token), survey(&survey_token), page("nope")] {
        let (status, headers, _) = fetch(&app, &path).await;
        answers.push((status, headers));
    }
    let csrf = csrf_of(&app, &survey(&survey_token)).await;
    let refused = client()
        .post(app.url(&survey(&survey_token)))
        .form(&[("csrf", csrf.as_str()), ("recommend", "12")])
        .send()
        .await
        .expect("sent");
    answers.push((refused.status().as_u16(), refused.headers().clone()));
    assert_eq!(
        answers.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [200, 200, 404, 422]
    );
    for (status, headers) in &answers {
        let csp = headers["content-security-policy"].to_str().expect("csp");
        assert_eq!(
            csp,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
            "{status}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(
            headers["x-robots-tag"]
                .to_str()
                .expect("tag")
                .contains("noindex")
        );
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    }
    let (status, headers, css) = fetch(&app, "/assets/customer.css").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert!(
        headers["cache-control"]
            .to_str()
            .expect("cc")
            .contains("max-age")
    );
    assert!(css.contains("fieldset"));
}
