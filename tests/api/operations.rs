//! Operating the service: probes, the OpenAPI document, Prometheus metrics and request ids.

use std::collections::BTreeMap;

use candor::domain::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::spawn_app;

/// Every route of the API and the methods it answers, as documented.
const ROUTES: [(&str, &[&str]); 58] = [
    ("/api/v1/auth/login", &["post"]),
    ("/api/v1/auth/me", &["get"]),
    ("/api/v1/auth/logout", &["post"]),
    ("/api/v1/users", &["get", "post"]),
    ("/api/v1/users/{id}", &["patch"]),
    ("/api/v1/incidents", &["get", "post"]),
    ("/api/v1/incidents/{id}", &["get", "patch"]),
    ("/api/v1/incidents/{id}/status", &["post"]),
    ("/api/v1/incidents/{id}/timeline", &["get", "post"]),
    ("/api/v1/incidents/{id}/scope", &["get", "put"]),
    ("/api/v1/incidents/{id}/scope/records", &["post"]),
    ("/api/v1/incidents/{id}/mapping", &["post"]),
    ("/api/v1/incidents/{id}/mapping/{run_id}", &["get"]),
    ("/api/v1/incidents/{id}/impact", &["get"]),
    ("/api/v1/incidents/{id}/affected", &["get"]),
    ("/api/v1/incidents/{id}/risk-assessment", &["get", "put"]),
    ("/api/v1/incidents/{id}/events/{anchor}", &["put"]),
    ("/api/v1/incidents/{id}/obligations", &["get"]),
    ("/api/v1/incidents/{id}/obligations/history", &["get"]),
    (
        "/api/v1/incidents/{id}/obligations/{duty_key}/done",
        &["post"],
    ),
    ("/api/v1/incidents/{id}/reports/regulator", &["get"]),
    ("/api/v1/incidents/{id}/notices", &["get", "post"]),
    ("/api/v1/incidents/{id}/notices/{nid}", &["get", "patch"]),
    ("/api/v1/incidents/{id}/notices/{nid}/templates", &["get"]),
    (
        "/api/v1/incidents/{id}/notices/{nid}/templates/{path}",
        &["delete", "put"],
    ),
    ("/api/v1/incidents/{id}/notices/{nid}/lint", &["post"]),
    ("/api/v1/incidents/{id}/notices/{nid}/preview", &["get"]),
    ("/api/v1/incidents/{id}/notices/{nid}/variants", &["get"]),
    ("/api/v1/incidents/{id}/notices/{nid}/approve", &["post"]),
    ("/api/v1/incidents/{id}/notices/{nid}/send", &["post"]),
    ("/api/v1/incidents/{id}/delivery", &["get"]),
    (
        "/api/v1/incidents/{id}/delivery/campaigns/{cid}/pause",
        &["post"],
    ),
    (
        "/api/v1/incidents/{id}/delivery/campaigns/{cid}/resume",
        &["post"],
    ),
    (
        "/api/v1/incidents/{id}/delivery/campaigns/{cid}/release",
        &["post"],
    ),
    (
        "/api/v1/incidents/{id}/delivery/campaigns/{cid}/letters.csv",
        &["get"],
    ),
    ("/api/v1/delivery/bounces", &["post"]),
    ("/api/v1/incidents/{id}/survey", &["get"]),
    ("/api/v1/incidents/{id}/survey/schedule", &["get", "put"]),
    ("/api/v1/incidents/{id}/survey/invite", &["post"]),
    ("/api/v1/incidents/{id}/survey/responses", &["get"]),
    ("/api/v1/incidents/{id}/survey/responses.csv", &["get"]),
    (
        "/api/v1/incidents/{id}/survey/responses/{rid}/action",
        &["post"],
    ),
    ("/api/v1/incidents/{id}/actions", &["get"]),
    ("/api/v1/incidents/{id}/actions/{aid}", &["patch"]),
    ("/api/v1/incidents/{id}/links/revoke", &["post"]),
    ("/api/v1/incidents/{id}/playbook", &["get", "post"]),
    (
        "/api/v1/incidents/{id}/playbook/steps/{step}/complete",
        &["post"],
    ),
    (
        "/api/v1/incidents/{id}/playbook/steps/{step}/approve",
        &["post"],
    ),
    (
        "/api/v1/incidents/{id}/playbook/steps/{step}/assign",
        &["post"],
    ),
    ("/api/v1/incidents/{id}/playbook/tasks/{task}", &["get"]),
    (
        "/api/v1/incidents/{id}/playbook/tasks/{task}/complete",
        &["post"],
    ),
    ("/api/v1/inventory/systems", &["get", "post"]),
    ("/api/v1/inventory/customers", &["post"]),
    ("/api/v1/inventory/holdings", &["post"]),
    ("/api/v1/audit", &["get"]),
    ("/api/v1/audit/verify", &["get"]),
    ("/healthz", &["get"]),
    ("/readyz", &["get"]),
];

fn content_type(response: &reqwest::Response) -> String {
    let value = response
        .headers()
        .get("content-type")
        .expect("content-type");
    value.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_probes_answer_ok_and_ready_and_readyz_notices_a_lost_database() {
    let app = spawn_app().await;
    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(content_type(&response), "application/json");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "status": status })
        );
    }
    // The test holds a handle on the server's own pool; closing it takes the database away.
    app.db.clone().close().await.expect("pool closes");
    let response = app.get("/readyz").send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "status": "unavailable" }));
    let response = app.get("/healthz").send().await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "liveness does not depend on the database"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_methods() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "application/json");
    let doc: Value = response.json().await.unwrap();
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, got {version}");
    assert_eq!(doc["info"]["title"], "Candor API");

    let paths = doc["paths"].as_object().expect("paths");
    let documented: BTreeMap<&str, Vec<&str>> = paths
        .iter()
        .map(|(path, item)| {
            let methods = item.as_object().unwrap().keys();
            let methods = methods.map(String::as_str).filter(|m| is_method(m));
            (path.as_str(), methods.collect())
        })
        .collect();
    let expected: BTreeMap<&str, Vec<&str>> = ROUTES
        .iter()
        .map(|(path, methods)| (*path, methods.to_vec()))
        .collect();
    assert_eq!(documented, expected);
}

fn is_method(key: &str) -> bool {
    ["get", "post", "put", "patch", "delete", "head", "options"].contains(&key)
}

#[tokio::test]
async fn every_api_operation_but_login_requires_the_bearer_scheme() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (&scheme["type"], &scheme["scheme"]),
        (&json!("http"), &json!("bearer"))
    );
    let mut checked = 0;
    for (path, methods) in ROUTES {
        for method in methods {
            let security = &doc["paths"][path][method]["security"];
            if path == "/api/v1/auth/login" || !path.starts_with("/api/v1/") {
                assert!(security.is_null(), "{method} {path} is public: {security}");
            } else {
                assert_eq!(security, &json!([{ "bearer": [] }]), "{method} {path}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 67);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_never_name_an_incident() {
    let app = spawn_app().await;
    let token = app.token(&[Role::Responder]).await;
    let incident = app.open_incident(&token).await;
    let id = incident["id"].as_str().unwrap();
    let unknown = Uuid::new_v4();
    for path in [
        "/api/v1/incidents".to_owned(),
        "/api/v1/incidents?severity=high".to_owned(),
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{unknown}"),
        format!("/api/v1/incidents/{id}/nothing-here"),
    ] {
        app.get(&path).bearer_auth(&token).send().await.unwrap();
    }

    let response = app.get("/metrics").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let openmetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    assert_eq!(content_type(&response), openmetrics);
    let text = response.text().await.unwrap();
    let counter = "candor_http_requests_total";
    let expected = [
        format!(r#"{counter}{{method="GET",route="/api/v1/incidents",status="200"}} 2"#),
        format!(r#"{counter}{{method="POST",route="/api/v1/incidents",status="201"}} 1"#),
        format!(r#"{counter}{{method="GET",route="/api/v1/incidents/{{id}}",status="200"}} 1"#),
        format!(r#"{counter}{{method="GET",route="/api/v1/incidents/{{id}}",status="404"}} 1"#),
        format!(r#"{counter}{{method="GET",route="unmatched",status="404"}} 1"#),
        format!(r#"{counter}{{method="POST",route="/api/v1/auth/login",status="200"}} 1"#),
    ];
    let lines: Vec<&str> = text.lines().collect();
    for line in &expected {
        assert!(
            lines.contains(&line.as_str()),
            "missing `{line}` in:\n{text}"
        );
    }
    let histogram =
        r#"candor_http_request_duration_seconds_count{method="GET",route="/api/v1/incidents"} 2"#;
    assert!(lines.contains(&histogram), "{text}");
    for concrete in [
        id.to_owned(),
        unknown.to_string(),
        "nothing-here".to_owned(),
    ] {
        assert!(
            !text.contains(&concrete),
            "metrics name `{concrete}`:\n{text}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_callers() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    for path in ["/healthz", "/nope", "/api/v1/incidents", "/metrics"] {
        let response = app.get(path).send().await.unwrap();
        let id = response
            .headers()
            .get("x-request-id")
            .expect("x-request-id");
        let id = Uuid::parse_str(id.to_str().unwrap()).expect("a uuid");
        assert!(!seen.contains(&id), "each request gets its own id");
        seen.push(id);
    }
    let response = app
        .get("/api/v1/incidents")
        .header("x-request-id", "trace-abc-123")
        .send();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
}
