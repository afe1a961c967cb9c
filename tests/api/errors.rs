//! Bad input and unknown routes: every failure is a JSON body of the stable error shape with the
//! documented status and code, never a 500 and never plain text.

use candor::domain::Role;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// Sends `request` and asserts a JSON error of `status` and `code`; returns the `error` object.
async fn refused(request: RequestBuilder, status: u16, code: &str) -> Value {
    let response = request.send().await.expect("request sent");
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response.headers().get("content-type").cloned();
    let content_type = content_type.map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{body}");
    body["error"].clone()
}

/// The `field` of every detail, in order.
fn fields(error: &Value) -> Vec<&str> {
    let details = error["details"].as_array().into_iter().flatten();
    details.map(|d| d["field"].as_str().unwrap()).collect()
}

fn valid_incident() -> Value {
    json!({
        "title": "Laptop with payroll exports stolen",
        "severity": "high",
        "discovered_at": "2026-11-20T08:00:00Z",
    })
}

/// A signed-in responder (and admin, to query the audit log).
struct Responder<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Responder<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let token = app.token(&[Role::Responder, Role::Admin]).await;
        Self { app, token }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.app.get(path).bearer_auth(&self.token)
    }

    /// `POST /api/v1/incidents` with `body` as JSON.
    fn create(&self, body: &Value) -> RequestBuilder {
        self.app
            .post("/api/v1/incidents")
            .bearer_auth(&self.token)
            .json(body)
    }

    /// `POST /api/v1/incidents` with a raw body and content type.
    fn create_raw(&self, content_type: &str, body: &str) -> RequestBuilder {
        let request = self.app.post("/api/v1/incidents").bearer_auth(&self.token);
        request
            .header("content-type", content_type)
            .body(body.to_owned())
    }

    /// How many incidents exist: nothing refused may have created one.
    async fn incidents(&self) -> u64 {
        let response = self.get("/api/v1/incidents").send().await.unwrap();
        let page: Value = response.json().await.expect("json");
        page["total"].as_u64().expect("total")
    }
}

#[tokio::test]
async fn malformed_json_is_400_malformed_json_and_creates_nothing() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let trailing = format!("{} trailing", valid_incident());
    for raw in [r#"{"title": "#, "not json", &trailing, ""] {
        let request = responder.create_raw("application/json", raw);
        let error = refused(request, 400, "malformed_json").await;
        let message = error["message"].as_str().unwrap();
        let expected = "the body is not valid JSON (line 1, column ";
        assert!(message.starts_with(expected), "{raw}: {error}");
    }
    assert_eq!(responder.incidents().await, 0);
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_422_naming_the_field() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let cases = [
        ("severity", json!("severe")),
        ("title", json!(5)),
        ("discovered_at", json!("yesterday")),
        ("commander_id", json!("not-a-uuid")),
        ("occurred_from", json!([])),
        ("status", json!("closed")),
    ];
    for (field, value) in cases {
        let mut body = valid_incident();
        body[field] = value;
        let error = refused(responder.create(&body), 422, "validation_failed").await;
        assert_eq!(fields(&error), [field], "{error}");
    }
    let mut unknown = valid_incident();
    unknown["status"] = json!("closed");
    let error = refused(responder.create(&unknown), 422, "validation_failed").await;
    let message = error["details"][0]["message"].as_str().unwrap();
    let expected = "unknown field `status`, expected one of `title`, `summary`, `severity`";
    assert!(message.starts_with(expected), "{error}");
    assert_eq!(responder.incidents().await, 0);
}

#[tokio::test]
async fn a_missing_field_is_422_saying_which_field_is_missing() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let mut missing = valid_incident();
    missing.as_object_mut().unwrap().remove("severity");
    let error = refused(responder.create(&missing), 422, "validation_failed").await;
    assert_eq!(error["details"][0]["message"], "missing field `severity`");
    assert_eq!(responder.incidents().await, 0);
}

// serde reports a missing field at the enclosing struct; the detail must still name it.
#[tokio::test]
async fn a_missing_field_is_named_in_the_details() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let mut missing = valid_incident();
    missing.as_object_mut().unwrap().remove("severity");
    let error = refused(responder.create(&missing), 422, "validation_failed").await;
    assert_eq!(fields(&error), ["severity"], "{error}");
}

#[tokio::test]
async fn a_body_that_is_not_declared_as_json_is_415() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let body = valid_incident().to_string();
    let request = app.post("/api/v1/incidents").bearer_auth(&responder.token);
    refused(request.body(body.clone()), 415, "unsupported_media_type").await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
    ] {
        let request = responder.create_raw(content_type, &body);
        refused(request, 415, "unsupported_media_type").await;
    }
    assert_eq!(responder.incidents().await, 0);
    // A charset parameter and a +json subtype are still JSON.
    for content_type in [
        "application/json; charset=utf-8",
        "application/vnd.api+json",
    ] {
        let response = responder.create_raw(content_type, &body).send().await;
        assert_eq!(response.unwrap().status(), 201, "{content_type}");
    }
    assert_eq!(responder.incidents().await, 2);
}

#[tokio::test]
async fn a_bad_uuid_in_the_path_is_400_bad_path() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    for path in [
        "/api/v1/incidents/42",
        "/api/v1/incidents/not-a-uuid/timeline",
    ] {
        refused(responder.get(path), 400, "bad_path").await;
    }
    let moved = app
        .post("/api/v1/incidents/zzz/status")
        .bearer_auth(&responder.token);
    let moved = moved.json(&json!({ "status": "investigating" }));
    refused(moved, 400, "bad_path").await;
}

#[tokio::test]
async fn a_bad_query_is_400_bad_query() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let queries = [
        "incidents?status=bogus",
        "incidents?severity=severe",
        "incidents?per_page=0",
        "incidents?per_page=201",
        "incidents?page=0",
        "incidents?page=-1",
        "incidents?page=two",
        "incidents?colour=red",
        "audit?incident=nope",
        "audit?limit=0",
        "audit?limit=1001",
    ];
    for query in queries {
        refused(responder.get(&format!("/api/v1/{query}")), 400, "bad_query").await;
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404_and_a_wrong_method_a_json_405() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let paths = [
        "/nope",
        "/api/v1/incidentz",
        "/api/v2/incidents",
        "/api/v1/incidents/x/y/z",
    ];
    for path in paths {
        let error = refused(responder.get(path), 404, "not_found").await;
        assert_eq!(error["message"], "no such route");
    }
    let one = format!("/api/v1/incidents/{}", Uuid::new_v4());
    let requests = [
        app.client.delete(app.url("/api/v1/incidents")),
        app.client.put(app.url(&one)),
        app.get(&format!("{one}/status")),
        app.post("/healthz"),
    ];
    for request in requests {
        let request = request.bearer_auth(&responder.token);
        refused(request, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn business_rules_are_422_with_one_detail_per_broken_field() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let stranger = Uuid::new_v4();
    let cases = [
        (json!({ "title": "   " }), vec!["title"]),
        (json!({ "title": "x".repeat(201) }), vec!["title"]),
        // The manual clock reads 2026-11-20T09:00Z; five minutes of skew are tolerated.
        (
            json!({ "discovered_at": "2026-11-20T09:06:00Z" }),
            vec!["discovered_at"],
        ),
        (
            json!({ "occurred_from": "2026-11-21T00:00:00Z" }),
            vec!["occurred_from"],
        ),
        (
            json!({ "occurred_from": "2026-11-10T00:00:00Z", "occurred_to": "2026-11-09T00:00:00Z" }),
            vec!["occurred_to"],
        ),
        (json!({ "commander_id": stranger }), vec!["commander_id"]),
        (
            json!({ "title": "", "discovered_at": "2026-12-01T00:00:00Z", "commander_id": stranger }),
            vec!["title", "discovered_at", "commander_id"],
        ),
    ];
    for (overrides, expected) in cases {
        let mut body = valid_incident();
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        let error = refused(responder.create(&body), 422, "validation_failed").await;
        assert_eq!(fields(&error), expected, "{error}");
    }
    assert_eq!(responder.incidents().await, 0);
    // Just inside the tolerated skew is fine.
    let mut body = valid_incident();
    body["discovered_at"] = json!("2026-11-20T09:05:00Z");
    assert_eq!(responder.create(&body).send().await.unwrap().status(), 201);
}

#[tokio::test]
async fn an_unknown_incident_is_a_json_404_on_every_route() {
    let app = spawn_app().await;
    let responder = Responder::new(&app).await;
    let one = format!("/api/v1/incidents/{}", Uuid::new_v4());
    let (status, timeline) = (format!("{one}/status"), format!("{one}/timeline"));
    let requests = [
        app.get(&one),
        app.patch(&one).json(&json!({ "title": "New title" })),
        app.post(&status)
            .json(&json!({ "status": "investigating" })),
        app.get(&timeline),
        app.post(&timeline)
            .json(&json!({ "kind": "note", "text": "hello" })),
    ];
    for request in requests {
        let request = request.bearer_auth(&responder.token);
        let error = refused(request, 404, "not_found").await;
        assert_eq!(error["message"], "incident not found");
    }
}

fn oversized() -> Value {
    let mut body = valid_incident();
    body["summary"] = json!("x".repeat(4096));
    body
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_413_and_creates_nothing() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let responder = Responder::new(&app).await;
    let response = responder.create(&oversized()).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(responder.incidents().await, 0);
}

// An oversized body is refused in the API's own error shape, like every other error.
#[tokio::test]
async fn a_body_over_the_size_limit_is_a_json_error() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let responder = Responder::new(&app).await;
    let response = responder.create(&oversized()).send().await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["code"].is_string(), "{body}");
}

#[tokio::test]
async fn requests_without_a_valid_token_are_json_401_and_wrong_roles_json_403() {
    let app = spawn_app().await;
    let request = app.post("/api/v1/incidents").json(&valid_incident());
    let response = request.try_clone().unwrap().send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    refused(request, 401, "unauthorized").await;
    let forged = app.get("/api/v1/incidents").bearer_auth("not.a.token");
    refused(forged, 401, "unauthorized").await;
    // The role check comes before the body is read: a bad body still answers 403.
    let cx_lead = app.token(&[Role::CxLead]).await;
    let request = app.post("/api/v1/incidents").bearer_auth(&cx_lead);
    let request = request.header("content-type", "application/json").body("{");
    refused(request, 403, "forbidden").await;
}
