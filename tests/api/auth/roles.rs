//! The role matrix: every staff route answers each role exactly as its policy says.

use super::*;

// Routes whose allowed calls need more than a JSON body (file uploads, a finished mapping) have
// their role checks beside their other tests: `only_admins_may_import`,
// `only_responders_change_the_scope_and_anyone_on_staff_reads_it`,
// `responders_and_cx_leads_list_people_and_all_staff_read_the_impact`, and for obligations
// `a_mapped_incident_lists_each_law_with_due_times_and_status`,
// `marking_done_refuses_bad_fields_and_other_roles`,
// `an_unknown_or_uncovered_jurisdiction_is_404_naming_it`.
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
    GET    /api/v1/incidents/{i}/scope     401 200 200 200
    PUT    /api/v1/incidents/{i}/scope     401 403 200 403
    POST   /api/v1/incidents/{i}/mapping   401 403 202 403
    PUT    /api/v1/incidents/{i}/risk-assessment        401 403 200 403
    GET    /api/v1/incidents/{i}/risk-assessment        401 200 200 200
    PUT    /api/v1/incidents/{i}/events/determination   401 403 200 403
    GET    /api/v1/incidents/{i}/obligations/history    401 200 200 200
    GET    /api/v1/inventory/systems       401 200 200 200
    GET    /api/v1/audit                   401 200 200 403
    GET    /api/v1/audit/verify            401 200 403 403
    GET    /api/v1/users                   401 200 403 403
    POST   /api/v1/users                   401 201 403 403
    PATCH  /api/v1/users/{u}               401 200 403 403
";

const CALLERS: [&str; 4] = ["no token", "admin", "responder", "cx_lead"];

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
        ("PUT", "/api/v1/incidents/{i}/scope") => json!({ "systems": [] }),
        ("POST", "/api/v1/incidents/{i}/mapping") => json!({}),
        ("PUT", "/api/v1/incidents/{i}/risk-assessment") => {
            json!({ "likelihood": "possible", "notes": "Card numbers were masked." })
        }
        ("PUT", "/api/v1/incidents/{i}/events/determination") => {
            json!({ "at": "2026-11-19T16:00:00Z" })
        }
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
    assert_eq!(rows.len(), 21, "no row of the matrix was lost");
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
