//! A campaign renders once per shape (variant and the values templates branch on) and fills
//! in each person's own values: checked against rendering every message in full.

use mail_parser::MessageParser;

use super::{Person, drain, seeded, sent_campaign};
use crate::notices::app;

/// People who share a shape but not their names, with names that need escaping in HTML.
fn people() -> Vec<Person> {
    let names = [
        ("Ada", "Lovelace"),
        ("Seán", "O'Brien"),
        ("Zoë", "<Smith & Co>"),
        ("Ana", "Núñez"),
        ("Bo", "Li"),
        ("Cy", "Twombly"),
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let email = format!("s{i}@example.com");
            Person::new(&format!("S{i}"), *name, Some(&email))
        })
        .collect()
}

/// The `.eml` files of the file outbox, by name.
fn written(app: &crate::helpers::TestApp) -> std::collections::BTreeMap<String, String> {
    let dir = app.data_dir.path().join("outbox").join("notices");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

#[tokio::test]
async fn people_of_one_shape_get_their_own_values_in_a_message_identical_to_a_full_rendering() {
    let app = app().await;
    let desk = seeded(&app, &people()).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!(stats.sent, 6, "{stats:?}");
    assert_eq!(
        stats.rendered_in_full, 1,
        "only the shape's first person is rendered from the templates: {stats:?}"
    );
    let fast = written(&app);
    for (given, family, email) in [
        ("Seán", "O'Brien", "s1@example.com"),
        ("Zoë", "<Smith & Co>", "s2@example.com"),
    ] {
        let message = fast
            .values()
            .map(|m| MessageParser::default().parse(m.as_bytes()).unwrap())
            .find(|m| m.to().and_then(|a| a.first()).and_then(|a| a.address()) == Some(email))
            .expect("their message");
        let text = message.body_text(0).unwrap();
        let html = message.body_html(0).unwrap();
        assert!(text.contains(given), "{text}");
        assert!(html.contains(given), "{html}");
        for other in ["Ada", "Bo", "Cy"] {
            assert!(!text.contains(&format!("Dear {other}")), "{text}");
        }
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap();
        assert_eq!(to, format!("{given} {family}"));
    }

    // The same campaign rendered again by a fresh worker with no shapes known is the same,
    // byte for byte, message by message. A fresh worker renders each shape's first person
    // in full, so rendering one person per drain renders all of them in full.
    app.exec("UPDATE outbox_state SET status = 'pending', attempts = 0, sent_at = NULL")
        .await;
    let dir = app.data_dir.path().join("outbox").join("notices");
    std::fs::remove_dir_all(&dir).unwrap();
    let mut config = app.delivery.config().clone();
    config.batch = 1;
    config.concurrency = 1;
    let mut in_full = 0;
    let ids: Vec<i64> = super::outbox(&app).await.iter().map(|r| r.id).collect();
    for id in &ids {
        app.exec(&format!(
            "UPDATE outbox_state SET status = CASE WHEN id = {id} THEN 'pending' ELSE 'held' END \
             WHERE status IN ('pending', 'held')"
        ))
        .await;
        let fresh = candor::delivery::Worker::new(
            app.db.clone(),
            std::sync::Arc::new(app.clock.clone()),
            config.clone(),
        );
        let stats = fresh.run_until_idle().await.unwrap();
        assert_eq!(stats.sent, 1, "{stats:?}");
        in_full += stats.rendered_in_full;
    }
    assert_eq!(in_full, 6);
    assert_eq!(written(&app), fast);
}
