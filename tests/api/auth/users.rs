//! Staff account management through the API.

use super::*;

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
