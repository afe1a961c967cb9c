//! The server starts, answers its probes, and runs on the database the environment asked for.

use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn the_suite_runs_on_the_database_the_environment_names() {
    let app = spawn_app().await;
    let expected = if std::env::var("CANDOR_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(app.backend, expected);
    assert_eq!(
        app.db.get_database_backend(),
        match expected {
            Backend::Postgres => sea_orm::DbBackend::Postgres,
            Backend::Sqlite => sea_orm::DbBackend::Sqlite,
        }
    );
    let ready = app.get("/readyz").send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}
