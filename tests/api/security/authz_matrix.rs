//! The authorization matrix: every operation the served OpenAPI document lists, called by every
//! kind of caller (no token, each role, broken and revoked staff tokens, customer link tokens),
//! answers with the status its policy says, and a refusal says nothing about what it guards.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candor::delivery::LinkPurpose;
use candor::domain::{Clock, Role};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::claims;
use crate::customer::{incident_id, token_for, two_people};
use crate::delivery::{approved_notice, billing_exposure, drain, inventory, send};
use crate::helpers::{PASSWORD, SECRET, TestApp, spawn_app_with};
use crate::mapping::Desk;

/// The bearer token the bounce webhook is configured with in this test.
const WEBHOOK: &str = "relay-webhook-token-0123456789abcdef";

/// Who calls, in the order of the matrix columns.
const CALLERS: [&str; 10] = [
    "no token",
    "admin",
    "responder",
    "cx_lead",
    "expired",
    "other secret",
    "alg none",
    "signed out",
    "survey link",
    "page link",
];

/// Every operation of the API and what each caller gets. Columns: no token, admin, responder,
/// cx_lead, then the six bad callers (expired token, token signed with another secret,
/// `alg: none`, a signed-out session, a customer's survey token, a customer's page token),
/// which share one column since they must all be treated as no token at all.
///
/// A number is the exact status (the calls run in this order, each row by every caller in
/// column order, so a later 409 — pausing a paused campaign — is part of the expectation).
/// `+` means let in: the role passes the policy, but a successful call needs state or a body
/// this test does not prepare, so any answer but 401/403 (and never a 5xx) is right. The `+`
/// rows, and what they answer today: the forensic list and the three inventory imports (CSV
/// uploads, sent an empty JSON body: 415), marking a duty done and attaching a playbook (no
/// valid body: 422), the regulator report (no `jurisdiction`: 400), editing the sent notice
/// and its template files (422/404), approving the sent notice (409), the survey invite (no
/// approved invitation: 409), follow-up actions (made-up response and action ids: 404), and
/// playbook steps and tasks (no playbook attached, made-up step and task: 404) — the
/// step-owner role checks behind those live in the playbook tests.
///
/// Placeholders: `{id}` the incident (a user on `/users/{id}`), `{nid}` its sent notice,
/// `{cid}` its campaign, `{run_id}` its mapping run, others made up.
const MATRIX: &str = "
    POST   /api/v1/auth/login                                       200 200 200 200 200
    GET    /api/v1/auth/me                                          401 200 200 200 401
    POST   /api/v1/auth/logout                                      401 204 204 204 401
    GET    /api/v1/users                                            401 200 403 403 401
    POST   /api/v1/users                                            401 201 403 403 401
    PATCH  /api/v1/users/{id}                                       401 200 403 403 401
    GET    /api/v1/incidents                                        401 200 200 200 401
    POST   /api/v1/incidents                                        401 403 201 403 401
    GET    /api/v1/incidents/{id}                                   401 200 200 200 401
    PATCH  /api/v1/incidents/{id}                                   401 403 200 403 401
    POST   /api/v1/incidents/{id}/status                            401 403 200 403 401
    GET    /api/v1/incidents/{id}/timeline                          401 200 200 200 401
    POST   /api/v1/incidents/{id}/timeline                          401 403 201 201 401
    GET    /api/v1/incidents/{id}/scope                             401 200 200 200 401
    PUT    /api/v1/incidents/{id}/scope                             401 403 200 403 401
    POST   /api/v1/incidents/{id}/scope/records                     401 403 +   403 401
    POST   /api/v1/incidents/{id}/mapping                           401 403 202 403 401
    GET    /api/v1/incidents/{id}/mapping/{run_id}                  401 200 200 200 401
    GET    /api/v1/incidents/{id}/impact                            401 200 200 200 401
    GET    /api/v1/incidents/{id}/affected                          401 403 200 200 401
    PUT    /api/v1/incidents/{id}/risk-assessment                   401 403 200 403 401
    GET    /api/v1/incidents/{id}/risk-assessment                   401 200 200 200 401
    PUT    /api/v1/incidents/{id}/events/{anchor}                   401 403 200 403 401
    GET    /api/v1/incidents/{id}/obligations                       401 200 200 200 401
    GET    /api/v1/incidents/{id}/obligations/history               401 200 200 200 401
    POST   /api/v1/incidents/{id}/obligations/{duty_key}/done       401 403 +   403 401
    GET    /api/v1/incidents/{id}/reports/regulator                 401 +   +   +   401
    GET    /api/v1/incidents/{id}/notices                           401 200 200 200 401
    POST   /api/v1/incidents/{id}/notices                           401 403 201 201 401
    GET    /api/v1/incidents/{id}/notices/{nid}                     401 200 200 200 401
    PATCH  /api/v1/incidents/{id}/notices/{nid}                     401 403 +   +   401
    GET    /api/v1/incidents/{id}/notices/{nid}/templates           401 200 200 200 401
    PUT    /api/v1/incidents/{id}/notices/{nid}/templates/{path}    401 403 +   +   401
    DELETE /api/v1/incidents/{id}/notices/{nid}/templates/{path}    401 403 +   +   401
    POST   /api/v1/incidents/{id}/notices/{nid}/lint                401 403 200 200 401
    GET    /api/v1/incidents/{id}/notices/{nid}/preview             401 403 200 200 401
    GET    /api/v1/incidents/{id}/notices/{nid}/variants            401 403 200 200 401
    POST   /api/v1/incidents/{id}/notices/{nid}/approve             401 403 403 +   401
    POST   /api/v1/incidents/{id}/notices/{nid}/send                401 403 200 200 401
    GET    /api/v1/incidents/{id}/delivery                          401 403 200 200 401
    POST   /api/v1/incidents/{id}/delivery/campaigns/{cid}/pause    401 403 200 409 401
    POST   /api/v1/incidents/{id}/delivery/campaigns/{cid}/resume   401 403 403 200 401
    POST   /api/v1/incidents/{id}/delivery/campaigns/{cid}/release  401 403 403 409 401
    GET    /api/v1/incidents/{id}/delivery/campaigns/{cid}/letters.csv 401 403 200 200 401
    POST   /api/v1/delivery/bounces                                 401 401 401 401 401
    GET    /api/v1/incidents/{id}/survey                            401 200 403 200 401
    PUT    /api/v1/incidents/{id}/survey/schedule                   401 403 403 200 401
    GET    /api/v1/incidents/{id}/survey/schedule                   401 403 200 200 401
    POST   /api/v1/incidents/{id}/survey/invite                     401 403 403 +   401
    GET    /api/v1/incidents/{id}/survey/responses                  401 200 403 200 401
    GET    /api/v1/incidents/{id}/survey/responses.csv              401 200 403 200 401
    POST   /api/v1/incidents/{id}/survey/responses/{rid}/action     401 403 403 +   401
    GET    /api/v1/incidents/{id}/actions                           401 200 403 200 401
    PATCH  /api/v1/incidents/{id}/actions/{aid}                     401 403 403 +   401
    POST   /api/v1/incidents/{id}/links/revoke                      401 403 403 200 401
    GET    /api/v1/incidents/{id}/playbook                          401 200 200 200 401
    POST   /api/v1/incidents/{id}/playbook                          401 403 +   +   401
    POST   /api/v1/incidents/{id}/playbook/steps/{step}/complete    401 +   +   +   401
    POST   /api/v1/incidents/{id}/playbook/steps/{step}/approve     401 +   +   +   401
    POST   /api/v1/incidents/{id}/playbook/steps/{step}/assign      401 +   +   +   401
    GET    /api/v1/incidents/{id}/playbook/tasks/{task}             401 +   +   +   401
    POST   /api/v1/incidents/{id}/playbook/tasks/{task}/complete    401 +   +   +   401
    GET    /api/v1/inventory/systems                                401 200 200 200 401
    POST   /api/v1/inventory/systems                                401 +   403 403 401
    POST   /api/v1/inventory/customers                              401 +   403 403 401
    POST   /api/v1/inventory/holdings                               401 +   403 403 401
    GET    /api/v1/audit                                            401 200 200 403 401
    GET    /api/v1/audit/verify                                     401 200 403 403 401
    GET    /healthz                                                 200 200 200 200 200
    GET    /readyz                                                  200 200 200 200 200
";

/// One matrix row: the operation and the expected answer for each of [`CALLERS`].
struct Row<'m> {
    method: &'m str,
    path: &'m str,
    expected: Vec<&'m str>,
}

fn rows() -> Vec<Row<'static>> {
    let lines = MATRIX.lines().map(str::split_whitespace);
    let cells: Vec<Vec<&str>> = lines.map(Iterator::collect).collect();
    cells
        .into_iter()
        .filter(|cells| !cells.is_empty())
        .map(|cells| {
            assert_eq!(cells.len(), 7, "a matrix row has 7 cells: {cells:?}");
            let mut expected = cells[2..6].to_vec();
            expected.extend(std::iter::repeat_n(cells[6], CALLERS.len() - 4));
            Row {
                method: cells[0],
                path: cells[1],
                expected,
            }
        })
        .collect()
}

/// The (METHOD, path) operations the served OpenAPI document lists.
async fn documented(app: &TestApp) -> BTreeSet<(String, String)> {
    let response = app.get("/api/v1/openapi.json").send().await.expect("sent");
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            let methods = ["get", "post", "put", "patch", "delete", "head", "options"];
            if methods.contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// What the matrix calls with: ids of prepared state and a token per caller.
struct World {
    incident: String,
    notice: String,
    campaign: String,
    run: String,
    user: String,
    /// A token per caller, `None` for no token; in [`CALLERS`] order.
    tokens: Vec<Option<String>>,
    /// Signed-in admin credentials, for the login row.
    login: Value,
    /// Words a refusal must never carry (ids and names of what it guards).
    secrets: Vec<String>,
}

/// A mapped incident with an approved initial notice sent to two people (so the customers
/// hold real link tokens), and a token for every caller.
async fn world(app: &TestApp) -> World {
    inventory(app, &two_people()).await;
    let desk = Desk::open(app).await;
    desk.scope(vec![billing_exposure()]).await;
    let run = desk.map().await;
    let run = run["id"].as_str().expect("run id").to_owned();
    let notice = approved_notice(&desk).await;
    let (status, campaign) = send(&desk, &notice, None).await;
    assert_eq!(status, 202, "{campaign}");
    drain(app).await;
    let incident = incident_id(&desk).to_string();
    let campaign = campaign["id"].as_str().expect("campaign id").to_owned();
    let survey = token_for(app, &desk, "A1", LinkPurpose::Survey).await;
    let page = token_for(app, &desk, "A1", LinkPurpose::Page).await;

    let (admin_id, admin) = app.user_with(&[Role::Admin]).await;
    let responder = app.token(&[Role::Responder]).await;
    let cx_lead = app.token(&[Role::CxLead]).await;
    let genuine = claims(app, admin_id, &["admin"]);
    let mut expired = genuine.clone();
    expired["exp"] = json!(app.clock.now().timestamp() - 1);
    let expired = app.forge(&expired, SECRET);
    let other_secret = app.forge(&genuine, "another-secret-another-secret-0123456789");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{header}.{}.", URL_SAFE_NO_PAD.encode(genuine.to_string()));
    let signed_out = signed_out_admin(app).await;

    let email = format!("{}@staff.candor.test", Uuid::new_v4().simple());
    app.add_user(&email, &[Role::Responder]).await;
    let other = crate::auth::fresh_email();
    let user = app.add_user(&other, &[Role::CxLead]).await.to_string();
    let tokens = [
        None,
        Some(admin),
        Some(responder),
        Some(cx_lead),
        Some(expired),
        Some(other_secret),
        Some(alg_none),
        Some(signed_out),
        Some(survey),
        Some(page),
    ];
    World {
        secrets: vec![incident.clone(), notice.clone(), campaign.clone()]
            .into_iter()
            .chain(["Ana", "Alvarez", "ana@example.com", "billing-db"].map(String::from))
            .collect(),
        incident,
        notice,
        campaign,
        run,
        user,
        tokens: tokens.into(),
        login: json!({ "email": email, "password": PASSWORD }),
    }
}

/// An admin's token whose session was signed out.
async fn signed_out_admin(app: &TestApp) -> String {
    let token = app.token(&[Role::Admin]).await;
    let request = app.post("/api/v1/auth/logout").bearer_auth(&token);
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), 204, "sign-out works");
    token
}

/// The concrete path for a documented template.
fn concrete(world: &World, path: &str) -> String {
    let id = if path.starts_with("/api/v1/users/") {
        &world.user
    } else {
        &world.incident
    };
    let made_up = Uuid::new_v4().to_string();
    path.replace("{id}", id)
        .replace("{nid}", &world.notice)
        .replace("{cid}", &world.campaign)
        .replace("{anchor}", "determination")
        .replace("{path}", "text%2Fen.txt.hbs")
        .replace("{duty_key}", "made-up-duty")
        .replace("{step}", "made-up-step")
        .replace("{run_id}", &world.run)
        .replace("{rid}", &made_up)
        .replace("{aid}", &made_up)
        .replace("{task}", &made_up)
        + if path.ends_with("/preview") {
            "?customer_ref=A1"
        } else {
            ""
        }
}

/// The body an allowed caller sends: a valid one where this test prepares the state.
fn body(world: &World, caller: usize, method: &str, path: &str) -> Option<Value> {
    let incident = json!({ "title": "Payroll export mailed to a vendor", "severity": "high",
                           "discovered_at": "2026-11-19T10:00:00Z" });
    Some(match (method, path) {
        ("GET" | "DELETE", _) => return None,
        ("POST", "/api/v1/auth/login") => world.login.clone(),
        ("POST", "/api/v1/auth/logout") => return None,
        ("POST", "/api/v1/users") => json!({ "email": crate::auth::fresh_email(),
            "password": PASSWORD, "roles": ["cx_lead"] }),
        ("PATCH", "/api/v1/users/{id}") => json!({ "roles": ["cx_lead", "responder"] }),
        ("POST", "/api/v1/incidents") => incident,
        ("PATCH", "/api/v1/incidents/{id}") => json!({ "title": "Payroll export (confirmed)" }),
        ("POST", "/api/v1/incidents/{id}/status") => json!({ "status": "investigating" }),
        ("POST", "/api/v1/incidents/{id}/timeline") => json!({ "kind": "note", "text": "Called." }),
        ("PUT", "/api/v1/incidents/{id}/risk-assessment") => {
            json!({ "likelihood": "possible", "notes": "Card numbers were masked." })
        }
        ("PUT", "/api/v1/incidents/{id}/events/{anchor}") => {
            json!({ "at": "2026-11-19T16:00:00Z" })
        }
        // The initial notice exists already; each role that may draft one drafts another kind.
        ("POST", "/api/v1/incidents/{id}/notices") => match caller {
            2 => json!({ "kind": "survey-invitation" }),
            _ => json!({ "kind": "survey-reminder" }),
        },
        ("PUT", "/api/v1/incidents/{id}/scope") => json!({ "systems": [billing_exposure()] }),
        ("POST", "/api/v1/incidents/{id}/links/revoke") => json!({ "customer_ref": "B2" }),
        ("POST", "/api/v1/delivery/bounces") => json!({ "message_id": "<nobody@candor.test>" }),
        _ => json!({}),
    })
}

/// What one call answered.
struct Answer {
    status: u16,
    body: String,
}

async fn call(
    app: &TestApp,
    world: &World,
    row: &Row<'_>,
    caller: usize,
    token: Option<&str>,
) -> Answer {
    let verb = Method::from_bytes(row.method.as_bytes()).expect("method");
    let mut request = app
        .client
        .request(verb, app.url(&concrete(world, row.path)));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body(world, caller, row.method, row.path) {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    Answer {
        status: response.status().as_u16(),
        body: response.text().await.unwrap_or_default(),
    }
}

/// Whether `answer` is what `expected` says; `Err` explains a mismatch.
fn check(expected: &str, answer: &Answer) -> Result<(), String> {
    let Answer { status, body } = answer;
    if expected == "+" {
        let refused = [401, 403].contains(status) || *status >= 500;
        return match refused {
            true => Err(format!("want let in, got {status} {body}")),
            false => Ok(()),
        };
    }
    let want: u16 = expected.parse().expect("a status");
    if *status != want {
        return Err(format!("want {want}, got {status} {body}"));
    }
    let code = match want {
        401 => "unauthorized",
        403 => "forbidden",
        _ => return Ok(()),
    };
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    match parsed["error"]["code"] == code {
        true => Ok(()),
        false => Err(format!("want code {code}, got {body}")),
    }
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_its_policy_says_and_refusals_leak_nothing() {
    let app = spawn_app_with(|s| s.bounce_webhook_token = Some(WEBHOOK.into())).await;
    let world = world(&app).await;
    let rows = rows();

    // A route the document lists must have a row, and a row must name a listed route.
    let served = documented(&app).await;
    let listed: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(
        listed.len(),
        rows.len(),
        "a route has two rows in the matrix"
    );
    let missing: Vec<_> = served.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes with no row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for undocumented routes: {stale:?}"
    );

    let mut mismatches = Vec::new();
    let mut refusals: BTreeMap<u16, BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        for (n, caller) in CALLERS.iter().enumerate() {
            let token = match (row.path, n) {
                // Signing out ends the caller's session: each role signs out a fresh one.
                ("/api/v1/auth/logout", 1..=3) => {
                    let role = [Role::Admin, Role::Responder, Role::CxLead][n - 1];
                    Some(app.token(&[role]).await)
                }
                _ => world.tokens[n].clone(),
            };
            let answer = call(&app, &world, row, n, token.as_deref()).await;
            if let Err(why) = check(row.expected[n], &answer) {
                mismatches.push(format!("{} {} as {caller}: {why}", row.method, row.path));
            }
            if [401, 403].contains(&answer.status) {
                refusals
                    .entry(answer.status)
                    .or_default()
                    .insert(answer.body);
            }
        }
    }
    eprintln!(
        "authorization matrix: {} operations x {} callers = {} requests, {} mismatches",
        rows.len(),
        CALLERS.len(),
        rows.len() * CALLERS.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} policy mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    // Every refusal of a kind is the same few words: nothing of the route, its ids or data.
    for (status, bodies) in &refusals {
        assert_eq!(bodies.len(), 1, "{status} bodies differ: {bodies:#?}");
        let body = bodies.first().expect("a body");
        let parsed: Value = serde_json::from_str(body).expect("json refusal");
        let error = parsed["error"].as_object().expect("error object");
        let keys: Vec<&String> = error.keys().collect();
        assert_eq!(keys, ["code", "message"], "{status}: {body}");
        assert_eq!(parsed.as_object().expect("object").len(), 1, "{body}");
        for secret in &world.secrets {
            assert!(!body.contains(secret.as_str()), "{status} names {secret}");
        }
    }
    assert_eq!(
        refusals.keys().copied().collect::<Vec<_>>(),
        [401, 403],
        "both kinds of refusal were seen"
    );
}

#[tokio::test]
async fn the_bounce_webhook_takes_only_its_own_token() {
    let app = spawn_app_with(|s| s.bounce_webhook_token = Some(WEBHOOK.into())).await;
    let admin = app.token(&[Role::Admin]).await;
    let report = json!({ "message_id": "<nobody@candor.test>" });
    let post = |token: &str| {
        let request = app.post("/api/v1/delivery/bounces").bearer_auth(token);
        request.json(&report).send()
    };
    let wrong = post(&admin).await.expect("sent");
    assert_eq!(wrong.status(), 401, "a staff token is not the webhook's");
    let prefix = post(&WEBHOOK[..WEBHOOK.len() - 1]).await.expect("sent");
    assert_eq!(prefix.status(), 401, "part of the token is not the token");
    let right = post(WEBHOOK).await.expect("sent");
    assert_eq!(
        right.status(),
        404,
        "let in, and told the message is unknown"
    );
    let body: Value = right.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unknown_message", "{body}");
}
