//! Signing out ends the session at once: the token is refused afterwards wherever it was
//! copied, while the person's other sessions go on.

use super::*;
use crate::staff_client::{Browser, hidden, location};

async fn sign_in(app: &TestApp, email: &str) -> String {
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json body");
    body["token"].as_str().expect("token").to_owned()
}

async fn sign_out(app: &TestApp, token: &str) -> Response {
    let request = app.post("/api/v1/auth/logout").bearer_auth(token);
    request.send().await.expect("request sent")
}

#[tokio::test]
async fn a_signed_out_token_is_refused_though_it_has_not_expired() {
    let app = spawn_app().await;
    app.add_user("ops@example.test", &[Role::Responder]).await;
    let token = sign_in(&app, "ops@example.test").await;
    let other = sign_in(&app, "ops@example.test").await;
    assert_eq!(get_as(&app, "/api/v1/auth/me", &token).await.status(), 200);

    assert_eq!(sign_out(&app, &token).await.status(), 204);
    assert_unauthorized(get_as(&app, "/api/v1/auth/me", &token).await).await;
    assert_unauthorized(get_as(&app, "/api/v1/incidents", &token).await).await;
    // Signing out again with the ended token is refused like any other use of it.
    assert_unauthorized(sign_out(&app, &token).await).await;
    // The same person's other session is untouched.
    assert_eq!(get_as(&app, "/api/v1/auth/me", &other).await.status(), 200);
    // Without a token there is nothing to sign out.
    assert_unauthorized(app.post("/api/v1/auth/logout").send().await.expect("sent")).await;
}

#[tokio::test]
async fn an_ended_session_is_forgotten_once_its_token_would_have_expired() {
    let app = spawn_app().await;
    app.add_user("ops@example.test", &[Role::Responder]).await;
    let first = sign_in(&app, "ops@example.test").await;
    assert_eq!(sign_out(&app, &first).await.status(), 204);
    assert_eq!(revoked(&app).await, 1);

    // Nine hours on, the first token has expired: its row goes when the next session ends.
    app.clock.advance(Duration::hours(9));
    let second = sign_in(&app, "ops@example.test").await;
    assert_unauthorized(get_as(&app, "/api/v1/auth/me", &first).await).await;
    assert_eq!(sign_out(&app, &second).await.status(), 204);
    assert_eq!(revoked(&app).await, 1);
    assert_unauthorized(get_as(&app, "/api/v1/auth/me", &second).await).await;
}

#[tokio::test]
async fn signing_out_of_the_staff_pages_ends_the_session_not_only_the_cookie() {
    let app = spawn_app().await;
    let mut browser = Browser::signed_in(&app, "cx@example.test", &[Role::CxLead]).await;
    let (status, page) = browser.page("/incidents").await;
    assert_eq!(status, 200);
    // A copy of the session cookie, as a stolen or forgotten one would be.
    let copied = browser.cookie_header();

    let response = browser
        .post("/logout", &[("csrf", &hidden(&page, "csrf"))])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login?signed_out=1");
    assert_eq!(revoked(&app).await, 1);

    // The copied cookie no longer opens any page: every one asks to sign in.
    for path in ["/incidents", "/inventory"] {
        let response = browser
            .client
            .get(app.url(path))
            .header("cookie", &copied)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 303, "{path}");
        assert!(location(&response).starts_with("/login?next="), "{path}");
    }
    // And the sign-in form shows itself to it rather than sending it on (no redirect loop).
    let response = browser
        .client
        .get(app.url("/login?next=/incidents"))
        .header("cookie", &copied)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

async fn revoked(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) AS n FROM revoked_sessions";
    let stmt = Statement::from_string(app.db.get_database_backend(), sql.to_owned());
    let row = app
        .db
        .query_one_raw(stmt)
        .await
        .expect("query runs")
        .expect("a row");
    row.try_get("", "n").expect("n")
}
