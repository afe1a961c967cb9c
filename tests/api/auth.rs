//! Authentication and authorization through the real server: the role matrix, token attacks,
//! sign-in with its rate limit, and staff account management.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candor::domain::{Clock, Role};
use chrono::Duration;
use reqwest::{Method, Response};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, SECRET, TestApp, spawn_app, spawn_app_with};

// ---- helpers -------------------------------------------------------------------------------

/// Asserts the status and error code of a failure and returns its body.
async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "expected {status} {code}");
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    body
}

/// A 401 `unauthorized` that asks for a bearer token.
async fn assert_unauthorized(response: Response) {
    let challenge = response.headers().get("www-authenticate").cloned();
    assert_error(response, 401, "unauthorized").await;
    assert_eq!(challenge.expect("www-authenticate header"), "Bearer");
}

/// Claims a genuine token for `sub` would carry, issued now and good for an hour.
fn claims(app: &TestApp, sub: Uuid, roles: &[&str]) -> Value {
    let now = app.clock.now().timestamp();
    json!({
        "sub": sub, "roles": roles, "iat": now, "exp": now + 3600,
        "iss": "candor", "aud": "candor-staff",
    })
}

async fn get_with(app: &TestApp, path: &str, authorization: Option<&str>) -> Response {
    let mut request = app.get(path);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.expect("request sent")
}

async fn get_as(app: &TestApp, path: &str, token: &str) -> Response {
    get_with(app, path, Some(&format!("Bearer {token}"))).await
}

async fn create_user(app: &TestApp, admin: &str, body: Value) -> Response {
    let request = app.post("/api/v1/users").bearer_auth(admin).json(&body);
    request.send().await.expect("request sent")
}

async fn patch_user(app: &TestApp, admin: &str, id: Uuid, body: Value) -> Response {
    let request = app.patch(&format!("/api/v1/users/{id}"));
    let request = request.bearer_auth(admin).json(&body);
    request.send().await.expect("request sent")
}

/// Every (account_key, address) row of `login_failures`.
async fn login_failure_rows(app: &TestApp) -> Vec<(String, String)> {
    let sql = "SELECT account_key, address FROM login_failures";
    let stmt = Statement::from_string(app.db.get_database_backend(), sql.to_owned());
    let rows = app.db.query_all_raw(stmt).await.expect("query runs");
    rows.iter()
        .map(|row| {
            let key: String = row.try_get("", "account_key").expect("account_key");
            let address: String = row.try_get("", "address").expect("address");
            (key, address)
        })
        .collect()
}

/// The item of a JSON list whose `id` is `id`.
fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    let items = list.as_array().expect("a list");
    let found = items.iter().find(|item| item["id"] == id);
    found.unwrap_or_else(|| panic!("{id} is not in {list}"))
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("json body")
}

/// GETs `path` as `token`'s user and returns the JSON answer.
async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    json_of(get_as(app, path, token).await).await
}

fn fresh_email() -> String {
    format!("{}@staff.candor.test", Uuid::new_v4().simple())
}

// ---- the role matrix -----------------------------------------------------------------------

/// Route and status for each caller: no token, admin, responder, cx_lead. `{i}` is an existing
/// incident; `{u}` an existing cx_lead who is not the caller.
const MATRIX: &str = "
    GET    /api/v1/auth/me                 401 200 200 200
    GET    /api/v1/incidents               401 200 200 200
    GET    /api/v1/incidents/{i}           401 200 200 200
    GET    /api/v1/incidents/{i}/timeline  401 200 200 200
    POST   /api/v1/incidents               401 403 201 403
    PATCH  /api/v1/incidents/{i}           401 403 200 403
    POST   /api/v1/incidents/{i}/status    401 403 200 403
    POST   /api/v1/incidents/{i}/timeline  401 403 201 201
    GET    /api/v1/audit                   401 200 200 403
    GET    /api/v1/audit/verify            401 200 403 403
    GET    /api/v1/users                   401 200 403 403
    POST   /api/v1/users                   401 201 403 403
    PATCH  /api/v1/users/{u}               401 200 403 403
";

const CALLERS: [&str; 4] = ["no token", "admin", "responder", "cx_lead"];

fn new_user(email: &str, password: &str, roles: Value) -> Value {
    json!({ "email": email, "password": password, "roles": roles })
}

fn incident_body() -> Value {
    json!({ "title": "Payroll export mailed to a vendor", "severity": "high",
            "discovered_at": "2026-11-19T10:00:00Z" })
}

/// A valid body for each write route; the status move is a legal one from `reported`.
fn valid_body(method: &str, route: &str) -> Option<Value> {
    Some(match (method, route) {
        ("GET", _) => return None,
        ("POST", "/api/v1/incidents") => incident_body(),
        ("PATCH", "/api/v1/incidents/{i}") => json!({ "title": "Payroll export (confirmed)" }),
        ("POST", "/api/v1/incidents/{i}/status") => json!({ "status": "investigating" }),
        ("POST", "/api/v1/incidents/{i}/timeline") => json!({ "kind": "note", "text": "Called." }),
        ("POST", "/api/v1/users") => new_user(&fresh_email(), PASSWORD, json!(["cx_lead"])),
        ("PATCH", "/api/v1/users/{u}") => json!({ "roles": ["cx_lead", "responder"] }),
        other => panic!("no body for {other:?}"),
    })
}

/// Sends one matrix request (ids filled into `template`); returns status and error code.
async fn call(
    app: &TestApp,
    ids: [&str; 2],
    method: &str,
    template: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let path = template.replace("{i}", ids[0]).replace("{u}", ids[1]);
    let verb = Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = app.client.request(verb, app.url(&path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = valid_body(method, template) {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].clone())
}

#[tokio::test]
async fn every_route_answers_each_role_exactly_as_its_policy_says() {
    let app = spawn_app().await;
    let mut tokens = vec![None];
    for role in [Role::Admin, Role::Responder, Role::CxLead] {
        tokens.push(Some(app.token(&[role]).await));
    }
    let incident = app
        .open_incident(tokens[2].as_deref().expect("token"))
        .await;
    let user = app.add_user(&fresh_email(), &[Role::CxLead]).await;
    let user = user.to_string();
    let ids = [incident["id"].as_str().expect("incident id"), &user];

    let rows = MATRIX.lines().map(str::split_whitespace);
    let rows: Vec<Vec<&str>> = rows
        .map(Iterator::collect)
        .filter(|r: &Vec<_>| !r.is_empty())
        .collect();
    assert_eq!(rows.len(), 13, "every staff route is in the matrix");
    let mut mismatches = Vec::new();
    for row in rows {
        let (method, template) = (row[0], row[1]);
        for (n, caller) in CALLERS.iter().enumerate() {
            let expected: u16 = row[2 + n].parse().expect("status");
            let token = tokens[n].as_deref();
            let (status, code) = call(&app, ids, method, template, token).await;
            let want_code = match expected {
                401 => json!("unauthorized"),
                403 => json!("forbidden"),
                _ => Value::Null,
            };
            if (status, &code) != (expected, &want_code) {
                let route = format!("{method} {template} as {caller}");
                mismatches.push(format!("{route}: want {expected}, got {status} {code}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "policy mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn the_role_check_comes_before_the_body_is_read() {
    let app = spawn_app().await;
    let cx_lead = app.token(&[Role::CxLead]).await;
    for body in ["{not json", r#"{"unexpected": true}"#] {
        let request = app.post("/api/v1/incidents").bearer_auth(&cx_lead);
        let request = request.header("content-type", "application/json");
        let request = request.body(body);
        assert_error(request.send().await.expect("sent"), 403, "forbidden").await;
    }
    let anonymous = app.post("/api/v1/users").body("{not json").send().await;
    assert_unauthorized(anonymous.expect("sent")).await;
}

#[tokio::test]
async fn roles_in_force_are_the_token_roles_the_user_still_holds() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let (id, token) = app.user_with(&[Role::CxLead, Role::Responder]).await;
    let revoked = patch_user(&app, &admin, id, json!({ "roles": ["cx_lead"] })).await;
    assert_eq!(revoked.status(), 200);

    let me = get_json(&app, "/api/v1/auth/me", &token).await;
    assert_eq!(me["roles"], json!(["cx_lead"]));
    let request = app.post("/api/v1/incidents").bearer_auth(&token);
    let response = request.json(&incident_body()).send().await.expect("sent");
    assert_error(response, 403, "forbidden").await;
}

// ---- token attacks -------------------------------------------------------------------------

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

// ---- sign-in -------------------------------------------------------------------------------

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

const GUESS: &str = "guess guess guess";

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

// ---- staff accounts ------------------------------------------------------------------------

#[tokio::test]
async fn an_admin_adds_a_user_who_can_then_sign_in_and_is_listed() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let email = fresh_email();
    let roles = json!(["responder", "cx_lead"]);
    let body = json!({ "email": email.to_uppercase(), "password": PASSWORD, "roles": roles });
    let response = create_user(&app, &admin, body).await;
    assert_eq!(response.status(), 201);
    let created = json_of(response).await;
    assert_eq!(created["email"], email);
    assert_eq!(created["roles"], roles);
    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);

    let listed = get_json(&app, "/api/v1/users", &admin).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(by_id(&listed, id)["email"], email);

    let sql = format!("SELECT password_hash FROM users WHERE email = '{email}'");
    let stmt = Statement::from_string(app.db.get_database_backend(), sql);
    let row = app.db.query_one_raw(stmt).await.expect("query runs");
    let row = row.expect("the user's row");
    let hash: String = row.try_get("", "password_hash").expect("password_hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn adding_an_email_that_exists_in_another_case_is_409() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let email = fresh_email();
    app.add_user(&email, &[Role::Responder]).await;
    let body = json!({ "email": email.to_uppercase(), "password": PASSWORD, "roles": ["admin"] });
    assert_error(create_user(&app, &admin, body).await, 409, "duplicate").await;
}

#[tokio::test]
async fn an_invalid_new_user_is_422_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let (email, admin_role) = (fresh_email(), json!(["admin"]));
    let cases = [
        (
            "email",
            new_user("not-an-address", PASSWORD, admin_role.clone()),
        ),
        ("password", new_user(&email, "short pass1", admin_role)),
        ("roles", new_user(&email, PASSWORD, json!([]))),
        ("roles[0]", new_user(&email, PASSWORD, json!(["root"]))),
    ];
    for (field, body) in cases {
        let response = create_user(&app, &admin, body).await;
        let error = assert_error(response, 422, "validation_failed").await;
        assert_eq!(error["error"]["details"][0]["field"], field, "{error}");
    }
    let users = get_json(&app, "/api/v1/users", &admin).await;
    let count = users.as_array().expect("array").len();
    assert_eq!(count, 1, "only the admin exists: {users}");
}

#[tokio::test]
async fn a_disabled_user_can_neither_sign_in_nor_use_their_token() {
    let app = spawn_app().await;
    let admin = app.token(&[Role::Admin]).await;
    let email = fresh_email();
    let id = app.add_user(&email, &[Role::Responder]).await;
    let session = json_of(app.login(&email, PASSWORD).await).await;
    let token = session["token"].as_str().expect("token");

    let disabled = patch_user(&app, &admin, id, json!({ "disabled": true })).await;
    assert_eq!(disabled.status(), 200);
    let disabled = json_of(disabled).await;
    assert_eq!(disabled["disabled_at"], "2026-11-20T09:00:00Z");
    let login = app.login(&email, PASSWORD).await;
    assert_error(login, 401, "invalid_credentials").await;
    assert_unauthorized(get_as(&app, "/api/v1/incidents", token).await).await;

    let enabled = patch_user(&app, &admin, id, json!({ "disabled": false })).await;
    assert_eq!(enabled.status(), 200);
    let response = get_as(&app, "/api/v1/incidents", token).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out_and_nothing_half_changes() {
    let app = spawn_app().await;
    let (id, admin) = app.user_with(&[Role::Admin]).await;
    let attempts = [
        json!({ "roles": ["responder"] }),
        json!({ "disabled": true }),
        json!({ "roles": ["admin", "responder"], "disabled": true }),
    ];
    for body in attempts {
        let response = patch_user(&app, &admin, id, body).await;
        assert_error(response, 409, "self_lockout").await;
    }
    let users = get_json(&app, "/api/v1/users", &admin).await;
    let me = by_id(&users, &id.to_string());
    assert_eq!(me["roles"], json!(["admin"]));
    assert_eq!(me["disabled_at"], Value::Null);
    let missing = patch_user(&app, &admin, Uuid::new_v4(), json!({ "disabled": true })).await;
    assert_error(missing, 404, "not_found").await;
}

#[tokio::test]
async fn adding_a_user_is_audited_without_their_email() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.user_with(&[Role::Admin]).await;
    let email = fresh_email();
    let body = json!({ "email": email, "password": PASSWORD, "roles": ["cx_lead"] });
    let created = json_of(create_user(&app, &admin, body).await).await;

    let audit = get_json(&app, "/api/v1/audit", &admin).await;
    let entries = audit.as_array().expect("array");
    let is_added = |e: &&Value| e["action"] == "user.added";
    let added: Vec<&Value> = entries.iter().filter(is_added).collect();
    assert_eq!(added.len(), 2, "the test admin and the new user: {audit}");
    let entry = added.iter().find(|e| e["object_id"] == created["id"]);
    let entry = entry.expect("an entry for the new user");
    assert_eq!(entry["actor"], format!("user:{admin_id}"));
    let local = email.split('@').next().expect("local part");
    for entry in entries {
        let summary = entry["summary"].as_str().expect("summary");
        let leaks = summary.contains(local) || summary.contains('@');
        assert!(!leaks, "summary leaks an email: {summary}");
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
