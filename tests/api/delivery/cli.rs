//! `candor delivery …` through the real binary, against the test app's own database: bounce
//! reports read from a mailbox folder, and a one-off drain.

use std::path::Path;
use std::process::{Command, Output};

use super::{approved_notice, counts, delivery, only, send};
use crate::helpers::TestApp;
use crate::notices::{app, mapped};

fn candor(app: &TestApp, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANDOR_DATA_DIR", dir.join("data"))
        .env("CANDOR_DATABASE_URL", &app.database_url)
        .env("CANDOR_JWT_SECRET", crate::helpers::SECRET)
        .env("CANDOR_ORGANIZATION_NAME", "Sample Company")
        .arg("delivery")
        .args(args)
        .output()
        .expect("candor runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A bounce report for `message_id` as a relay would mail it back.
fn dsn(message_id: &str, action: &str, status: &str) -> String {
    format!(
        "From: MAILER-DAEMON@relay.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; relay.example\r\n\r\n\
         Final-Recipient: rfc822; emmy@example.com\r\n\
         Action: {action}\r\nStatus: {status}\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         Message-ID: {message_id}\r\nSubject: Notice\r\n\
         --b--\r\n"
    )
}

#[tokio::test]
async fn the_cli_drains_the_outbox_and_reads_bounce_reports_from_a_folder() {
    let app = app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    assert_eq!(send(&desk, &nid, None).await.0, 202);
    let dir = tempfile::tempdir().unwrap();

    let out = candor(&app, dir.path(), &["drain"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("2 messages claimed: 2 sent, 0 to retry, 0 failed"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(counts(&desk).await, only(&[("sent", 2)]));
    let written = std::fs::read_dir(dir.path().join("data/outbox/notices"))
        .unwrap()
        .count();
    assert_eq!(
        written, 2,
        "the drain wrote the file outbox of its data directory"
    );

    let page = delivery(&desk, "").await;
    let ids: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    let mailbox = dir.path().join("new");
    std::fs::create_dir(&mailbox).unwrap();
    std::fs::write(mailbox.join("1.eml"), dsn(ids[0], "failed", "5.1.1")).unwrap();
    std::fs::write(mailbox.join("2.eml"), dsn(ids[1], "delayed", "4.4.7")).unwrap();
    std::fs::write(
        mailbox.join("3.eml"),
        dsn("<someone-else@example.org>", "failed", "5.1.1"),
    )
    .unwrap();

    let out = candor(&app, dir.path(), &["bounces", "new"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with(
            "3 reports read: 1 notices marked bounced (1 letters queued), 2 changed nothing"
        ),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stderr).contains("emmy"), "{}", text(&out.stderr));
    // The person has a postal address on record: a letter is queued instead.
    assert_eq!(
        counts(&desk).await,
        only(&[("sent", 1), ("bounced", 1), ("pending", 1)])
    );
    let bounced = delivery(&desk, "?status=bounced").await;
    assert_eq!(bounced["messages"][0]["message_id"], ids[0]);
    assert!(
        bounced["messages"][0]["error"]
            .as_str()
            .unwrap()
            .contains("5.1.1 smtp; 550 5.1.1 user unknown"),
        "{bounced}"
    );

    let again = candor(&app, dir.path(), &["bounces", "new/1.eml"]);
    assert!(text(&again.stdout).starts_with("1 reports read: 0 notices marked bounced"));
    std::fs::write(mailbox.join("junk.eml"), "hello").unwrap();
    let junk = candor(&app, dir.path(), &["bounces", "new/junk.eml"]);
    assert!(!junk.status.success(), "an unreadable report fails the run");
}
