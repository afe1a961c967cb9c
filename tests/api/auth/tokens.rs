//! Token attacks: missing, malformed, expired, forged, `alg: none`, wrong audience or issuer.

use super::*;

#[tokio::test]
async fn requests_without_a_usable_bearer_token_get_401() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let headers = [
        None,
        Some("Bearer ".to_owned()),
        Some("Bearer".to_owned()),
        Some("Bearer not.a.token".to_owned()),
        Some("Bearer garbage".to_owned()),
        Some(format!("Basic {token}")),
        Some(token),
    ];
    for header in &headers {
        let response = get_with(&app, "/api/v1/incidents", header.as_deref()).await;
        assert_unauthorized(response).await;
    }
}

#[tokio::test]
async fn tokens_that_are_expired_or_signed_wrongly_get_401() {
    let app = spawn_app().await;
    let (id, _) = app.user_with(&[Role::Admin]).await;
    let now = app.clock.now().timestamp();
    let genuine = claims(&app, id, &["admin"]);
    // The same claims, signed properly, are accepted: each forgery below differs in one way.
    let control = get_as(&app, "/api/v1/users", &app.forge(&genuine, SECRET)).await;
    assert_eq!(control.status(), 200);
    let with = |key: &str, value: Value| {
        let mut claims = genuine.clone();
        claims[key] = value;
        app.forge(&claims, SECRET)
    };
    let wrong_key = "another-secret-another-secret-0123456789";
    let forged = [
        ("expired", with("exp", json!(now - 1))),
        ("expiring this second", with("exp", json!(now))),
        ("issued an hour ahead", with("iat", json!(now + 3600))),
        ("wrong audience", with("aud", json!("candor-public"))),
        ("wrong issuer", with("iss", json!("mallory"))),
        ("unknown user", with("sub", json!(Uuid::new_v4()))),
        ("wrong key", app.forge(&genuine, wrong_key)),
        ("no session id", {
            let mut claims = genuine.clone();
            claims.as_object_mut().expect("claims").remove("jti");
            app.forge(&claims, SECRET)
        }),
        ("alg none", unsigned_token(&genuine)),
        ("HS512 and the right secret", hs512_token(&genuine)),
    ];
    for (what, token) in forged {
        let response = get_as(&app, "/api/v1/users", &token).await;
        assert_eq!(response.status(), 401, "a token with {what} was accepted");
        assert_unauthorized(response).await;
    }
}

/// `{"alg":"none"}` header, the claims, and an empty signature.
fn unsigned_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

/// Signed with the right secret but HS512: the algorithm must be pinned to HS256.
fn hs512_token(claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes());
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
    jsonwebtoken::encode(&header, claims, &key).expect("token encodes")
}

#[tokio::test]
async fn a_real_token_stops_working_when_its_eight_hours_are_up() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    app.clock.advance(Duration::hours(8) - Duration::seconds(1));
    let response = get_as(&app, "/api/v1/incidents", &token).await;
    assert_eq!(response.status(), 200);
    app.clock.advance(Duration::seconds(1));
    assert_unauthorized(get_as(&app, "/api/v1/incidents", &token).await).await;
    app.clock.advance(Duration::hours(1));
    assert_unauthorized(get_as(&app, "/api/v1/incidents", &token).await).await;
}

#[tokio::test]
async fn an_admin_role_claimed_in_the_token_but_not_held_gets_403() {
    let app = spawn_app().await;
    let (id, _) = app.user_with(&[Role::Responder]).await;
    let token = app.forge(&claims(&app, id, &["admin", "responder"]), SECRET);
    for path in ["/api/v1/users", "/api/v1/audit/verify"] {
        assert_error(get_as(&app, path, &token).await, 403, "forbidden").await;
    }
    let me = get_json(&app, "/api/v1/auth/me", &token).await;
    assert_eq!(me["roles"], json!(["responder"]));
}
