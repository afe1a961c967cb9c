//! Authentication and authorization through the real server: the role matrix, token attacks,
//! sign-in with its rate limit, and staff account management.

mod roles;
mod sign_in;
mod sign_out;
mod tokens;
mod users;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candor::domain::{Clock, Role};
use chrono::Duration;
use reqwest::{Method, Response};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

pub use crate::helpers::{PASSWORD, SECRET, TestApp, spawn_app, spawn_app_with};

/// Asserts the status and error code of a failure and returns its body.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "expected {status} {code}");
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    body
}

/// A 401 `unauthorized` that asks for a bearer token.
pub async fn assert_unauthorized(response: Response) {
    let challenge = response.headers().get("www-authenticate").cloned();
    assert_error(response, 401, "unauthorized").await;
    assert_eq!(challenge.expect("www-authenticate header"), "Bearer");
}

/// Claims a genuine token for `sub` would carry, issued now and good for an hour.
pub fn claims(app: &TestApp, sub: Uuid, roles: &[&str]) -> Value {
    let now = app.clock.now().timestamp();
    json!({
        "sub": sub, "roles": roles, "iat": now, "exp": now + 3600,
        "iss": "candor", "aud": "candor-staff", "jti": Uuid::new_v4(),
    })
}

pub async fn get_with(app: &TestApp, path: &str, authorization: Option<&str>) -> Response {
    let mut request = app.get(path);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.expect("request sent")
}

pub async fn get_as(app: &TestApp, path: &str, token: &str) -> Response {
    get_with(app, path, Some(&format!("Bearer {token}"))).await
}

pub async fn create_user(app: &TestApp, admin: &str, body: Value) -> Response {
    let request = app.post("/api/v1/users").bearer_auth(admin).json(&body);
    request.send().await.expect("request sent")
}

pub async fn patch_user(app: &TestApp, admin: &str, id: Uuid, body: Value) -> Response {
    let request = app.patch(&format!("/api/v1/users/{id}"));
    let request = request.bearer_auth(admin).json(&body);
    request.send().await.expect("request sent")
}

/// Every (account_key, address) row of `login_failures`.
pub async fn login_failure_rows(app: &TestApp) -> Vec<(String, String)> {
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
pub fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    let items = list.as_array().expect("a list");
    let found = items.iter().find(|item| item["id"] == id);
    found.unwrap_or_else(|| panic!("{id} is not in {list}"))
}

pub async fn json_of(response: Response) -> Value {
    response.json().await.expect("json body")
}

/// GETs `path` as `token`'s user and returns the JSON answer.
pub async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    json_of(get_as(app, path, token).await).await
}

pub fn fresh_email() -> String {
    format!("{}@staff.candor.test", Uuid::new_v4().simple())
}

pub const GUESS: &str = "guess guess guess";

pub fn new_user(email: &str, password: &str, roles: Value) -> Value {
    json!({ "email": email, "password": password, "roles": roles })
}
