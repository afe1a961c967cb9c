//! The schema's migrations run both ways on the database under test: each `down` undoes its
//! `up`, so an operator can step a release back with the data kept, and the schema built again
//! from nothing serves the API.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

use crate::delivery::{crowd, drain, outbox, outbox_from, sent_campaign};
use crate::helpers::spawn_app;

/// The names of the indexes of the outbox's two tables.
async fn outbox_indexes(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT indexname AS name FROM pg_indexes \
             WHERE tablename IN ('outbox', 'outbox_state') ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master \
             WHERE type = 'index' AND tbl_name IN ('outbox', 'outbox_state') ORDER BY 1"
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

    // Messages in every kind of state: sent with a reply and a digest, one waiting a retry
    // with its error and a stale lease, and a new one never tried.
    let desk = crowd(&app, 3).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!(stats.sent, 3, "{stats:?}");
    let ids: Vec<i64> = outbox(&app).await.iter().map(|r| r.id).collect();
    app.exec(&format!(
        "UPDATE outbox_state SET status = 'retrying', last_error = 'greylisted', \
                lease_owner = 'w1', sent_at = NULL WHERE id = {}",
        ids[1]
    ))
    .await;
    app.exec(&format!(
        "UPDATE outbox_state SET status = 'pending', attempts = 0, sent_at = NULL, \
                reply = NULL, body_sha256 = NULL WHERE id = {}",
        ids[2]
    ))
    .await;
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].reply.is_some() && rows[0].body_sha256.is_some(),
        "{rows:#?}"
    );
    let before = outbox_indexes(&app.db).await;
    assert!(
        before.contains(&"ix_outbox_state_due".to_owned()),
        "{before:?}"
    );

    // The latest step back: one wide table again, every message's state on its row, with the
    // claim indexes of before.
    Migrator::down(&app.db, Some(1))
        .await
        .expect("the latest down runs");
    assert_eq!(outbox_from(&app.db, "outbox").await, rows);
    let stepped = outbox_indexes(&app.db).await;
    for back in [
        "ix_outbox_due",
        "ix_outbox_leased",
        "ix_outbox_campaign_status",
    ] {
        assert!(
            stepped.contains(&back.to_owned()),
            "{back} not in {stepped:?}"
        );
    }
    assert!(
        !stepped
            .iter()
            .any(|name| name.starts_with("ix_outbox_state")),
        "{stepped:?}"
    );
    // And forward again: the same messages, split.
    Migrator::up(&app.db, None)
        .await
        .expect("the latest up runs again");
    assert_eq!(outbox(&app).await, rows);
    assert_eq!(outbox_indexes(&app.db).await, before);

    // Every step back, then everything again.
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
