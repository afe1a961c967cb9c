//! The schema's migrations run both ways on the database under test: each `down` undoes its
//! `up`, so an operator can step a release back, and the schema built again from nothing
//! serves the API.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

use crate::helpers::spawn_app;

/// The names of the outbox table's indexes.
async fn outbox_indexes(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'outbox' ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' ORDER BY 1"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("the indexes are listed")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("a name"))
        .collect()
}

async fn applied(db: &sea_orm::DatabaseConnection) -> usize {
    Migrator::get_applied_migrations(db)
        .await
        .expect("the applied migrations are listed")
        .len()
}

#[tokio::test]
async fn every_migration_steps_down_and_the_schema_built_again_serves_the_api() {
    let app = spawn_app().await;
    let all = applied(&app.db).await;
    assert_eq!(all, Migrator::migrations().len(), "the app migrated fully");

    // The latest step back: the claim index of before, without the two partial ones.
    let before = outbox_indexes(&app.db).await;
    assert!(before.contains(&"ix_outbox_due".to_owned()), "{before:?}");
    Migrator::down(&app.db, Some(1))
        .await
        .expect("the latest down runs");
    let stepped = outbox_indexes(&app.db).await;
    assert!(
        stepped.contains(&"ix_outbox_status_due".to_owned()),
        "{stepped:?}"
    );
    for gone in ["ix_outbox_due", "ix_outbox_leased"] {
        assert!(!stepped.contains(&gone.to_owned()), "{gone} in {stepped:?}");
    }

    // Every other step back, then everything again.
    Migrator::down(&app.db, None)
        .await
        .expect("every down runs");
    assert_eq!(applied(&app.db).await, 0);
    Migrator::up(&app.db, None)
        .await
        .expect("every up runs again");
    assert_eq!(applied(&app.db).await, all);
    assert_eq!(outbox_indexes(&app.db).await, before);

    // The rebuilt schema serves: a user is made and opens an incident.
    let token = app.token(&[candor::domain::Role::Responder]).await;
    let incident: Value = app.open_incident(&token).await;
    assert!(incident["id"].is_string(), "{incident}");
}
