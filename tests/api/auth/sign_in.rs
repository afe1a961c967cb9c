//! Sign-in and its rate limit per account and per address.

use super::*;

#[tokio::test]
async fn signing_in_returns_a_token_its_expiry_and_the_user() {
    let app = spawn_app().await;
    let roles = [Role::Responder, Role::Admin];
    let id = app.add_user("Ada.Lovelace@Staff.Candor.test", &roles).await;
    let typed = "  ADA.lovelace@staff.candor.TEST ";
    let response = app.login(typed, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["expires_at"], "2026-11-20T17:00:00Z");
    assert_eq!(body["user"]["id"], id.to_string());
    assert_eq!(body["user"]["email"], "ada.lovelace@staff.candor.test");
    assert_eq!(body["user"]["roles"], json!(["admin", "responder"]));
    assert_eq!(body["user"]["disabled_at"], Value::Null);
    let token = body["token"].as_str().expect("token");
    let me = get_json(&app, "/api/v1/auth/me", token).await;
    assert_eq!(me["id"], body["user"]["id"]);
    assert_eq!(me["roles"], body["user"]["roles"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    let email = fresh_email();
    app.add_user(&email, &[Role::Responder]).await;
    let wrong_password = app.login(&email, "not the right passphrase").await;
    let wrong_password = assert_error(wrong_password, 401, "invalid_credentials").await;
    let unknown = app.login(&fresh_email(), PASSWORD).await;
    let unknown = assert_error(unknown, 401, "invalid_credentials").await;
    assert_eq!(wrong_password, unknown);
}

#[tokio::test]
async fn the_sixth_attempt_is_rate_limited_even_with_the_right_password_until_the_window_passes() {
    let app = spawn_app().await;
    let email = fresh_email();
    app.add_user(&email, &[Role::Responder]).await;
    for _ in 0..5 {
        let response = app.login(&email, GUESS).await;
        assert_error(response, 401, "invalid_credentials").await;
    }
    let limited = app.login(&email, PASSWORD).await;
    let retry_after = limited.headers().get("retry-after").cloned();
    assert_error(limited, 429, "rate_limited").await;
    // Every failure was at the same instant, so the whole 15-minute window remains.
    assert_eq!(retry_after.expect("Retry-After header"), "900");

    app.clock.advance(Duration::minutes(14));
    assert_error(app.login(&email, PASSWORD).await, 429, "rate_limited").await;
    app.clock.advance(Duration::minutes(2));
    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_successful_sign_in_clears_the_accounts_failures() {
    let app = spawn_app().await;
    let email = fresh_email();
    app.add_user(&email, &[Role::CxLead]).await;
    for _ in 0..2 {
        for _ in 0..4 {
            assert_eq!(app.login(&email, GUESS).await.status(), 401);
        }
        assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
    }
}

#[tokio::test]
async fn failures_across_accounts_from_one_address_are_limited_too() {
    let app = spawn_app_with(|s| s.login_max_failures_per_address = 3).await;
    let email = fresh_email();
    app.add_user(&email, &[Role::CxLead]).await;
    for _ in 0..3 {
        assert_eq!(app.login(&fresh_email(), GUESS).await.status(), 401);
    }
    assert_error(app.login(&email, PASSWORD).await, 429, "rate_limited").await;
}

#[tokio::test]
async fn failed_sign_ins_are_stored_without_the_typed_email() {
    let app = spawn_app().await;
    let known = fresh_email();
    app.add_user(&known, &[Role::Responder]).await;
    let unknown = "Someone.Else@Example.com";
    assert_eq!(app.login(&known, GUESS).await.status(), 401);
    assert_eq!(app.login(unknown, GUESS).await.status(), 401);

    let rows = login_failure_rows(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row.1, "127.0.0.1");
        for email in [known.as_str(), unknown] {
            let local = email.split('@').next().expect("local part").to_lowercase();
            let stored = format!("{} {}", row.0, row.1).to_lowercase();
            assert!(!stored.contains(&local), "{row:?} reveals {email}");
        }
    }
}

// Attempts are counted before the password is checked, under a lock on the account and the
// address, so a burst of parallel guesses is held to the same limit as a sequence.
#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_per_account_limit() {
    let app = spawn_app().await;
    let email = fresh_email();
    app.add_user(&email, &[Role::Responder]).await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = app.post("/api/v1/auth/login");
        let request = request.json(&json!({ "email": email, "password": GUESS }));
        guesses.spawn(async move { request.send().await.expect("sent").status() });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses.iter().filter(|s| s.as_u16() == 401).count();
    assert_eq!(
        checked, 5,
        "passwords checked in a burst of 20: {statuses:?}"
    );
}
