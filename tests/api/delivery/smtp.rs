//! What arrives: a campaign drained into a real SMTP server over TCP (ours, in the test
//! process, and postfix's `smtp-sink`) or into the file outbox, checked message by message
//! against the stored rows — recipients, MIME shape, headers, the person's own words and link,
//! and the recorded hash of what was sent.

use candor::delivery::{LinkKeys, LinkPurpose};
use candor::domain::Clock;
use mail_parser::{MessageParser, MimeHeaders};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::{
    OutboxRow, Person, crowd, delivery, drain, only, outbox, seeded, sent_campaign, smtp_app,
    stored_counts,
};
use crate::helpers::SECRET;
use crate::smtp_server::{Options, SmtpSink, TestSmtp};

/// The personal-page token in a body: what follows `https://notices.sample-company.test/n/`.
fn page_token(body: &str) -> String {
    const PAGE: &str = "https://notices.sample-company.test/n/";
    let start = body
        .find(PAGE)
        .unwrap_or_else(|| panic!("no page link in {body}"))
        + PAGE.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

/// A header as sent, its folded lines included.
fn raw_header(raw: &str, name: &str) -> String {
    let prefix = format!("{name}:");
    let mut lines = raw.split("\r\n").skip_while(|l| !l.starts_with(&prefix));
    let mut header = lines.next().unwrap_or_default().to_owned();
    for folded in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        header.push_str(folded);
    }
    header
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn each_person_receives_one_utf8_text_and_html_notice_with_their_own_data_link_and_message_id()
 {
    let smtp = TestSmtp::start().await;
    let app = smtp_app(&smtp, |_| {}).await;
    let mut jose = Person::new("ES1", ("José", "Núñez"), Some("jose@example.com"));
    jose.locale = "es";
    let mut ada = Person::new("CA1", ("Ada", "Lovelace"), Some("ada@example.com"));
    ada.categories = "name;email";
    let desk = seeded(&app, &[jose, ada]).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!((stats.claimed, stats.sent), (2, 2), "{stats:?}");

    let rows = outbox(&app).await;
    let listed = delivery(&desk, "").await;
    let received = smtp.accepted();
    assert_eq!(received.len(), 2, "one message per person");
    let keys = LinkKeys::derive(&SecretString::from(SECRET));
    let incident = desk.incident.rsplit('/').next().unwrap().to_owned();
    for row in &rows {
        let got: Vec<_> = received
            .iter()
            .filter(|m| m.message_id.as_deref() == Some(row.header_id().as_str()))
            .collect();
        assert_eq!(got.len(), 1, "{row:?}");
        let got = got[0];
        assert_eq!(
            got.rcpt,
            [row.recipient.as_str()],
            "the envelope names the row's address"
        );
        assert_eq!(row.status, "sent");
        // The server keeps the message as the protocol delivers it (dot-unstuffed, CRLF line
        // ends): byte for byte the message as built, which the stored hash is of (and which
        // the file outbox writes).
        let delivered = got.data.as_slice();
        assert!(
            delivered.ends_with(b"--\r\n"),
            "the closing boundary ends the message"
        );
        assert_eq!(
            row.body_sha256.as_deref(),
            Some(sha256(delivered).as_str()),
            "the stored hash is of the message the relay took"
        );
        let api = listed["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == row.id)
            .unwrap_or_else(|| panic!("row {} not listed: {listed}", row.id));
        assert_eq!(api["message_id"], row.header_id());
        assert!(api["reply"].as_str().unwrap().starts_with("250 "), "{api}");

        // The relay offers 8BITMIME and every line fits SMTP's limit: the parts go as they
        // are, never quoted-printable or base64.
        let raw = String::from_utf8_lossy(&got.data);
        assert!(
            !raw.contains("quoted-printable") && !raw.contains("Transfer-Encoding: base64"),
            "{raw}"
        );
        assert!(
            got.data
                .split(|b| *b == b'\n')
                .all(|line| line.len() <= 999)
        );
        assert_eq!(
            raw.contains("Content-Transfer-Encoding: 8bit"),
            !got.data.is_ascii(),
            "{raw}"
        );
        assert!(
            !raw.to_ascii_lowercase().contains("list-unsubscribe"),
            "a legal notice has no unsubscribe header"
        );
        let mail = MessageParser::default()
            .parse(&got.data)
            .expect("parseable");
        assert_eq!(mail.message_id(), Some(row.message_id.as_str()));
        let root = mail.content_type().unwrap();
        assert_eq!(
            (root.ctype(), root.subtype()),
            ("multipart", Some("alternative"))
        );
        let text_type = mail.text_part(0).unwrap().content_type().unwrap();
        assert_eq!(
            (text_type.subtype(), text_type.attribute("charset")),
            (Some("plain"), Some("utf-8"))
        );
        let html_type = mail.html_part(0).unwrap().content_type().unwrap();
        assert_eq!(
            (html_type.subtype(), html_type.attribute("charset")),
            (Some("html"), Some("utf-8"))
        );
        let to = mail.to().unwrap().first().unwrap();
        assert_eq!(to.address(), Some(row.recipient.as_str()));
        let reply_to = mail.reply_to().unwrap().first().unwrap();
        assert_eq!(reply_to.address(), Some("privacy@sample-company.test"));
        let text = mail.body_text(0).unwrap().into_owned();
        let html = mail.body_html(0).unwrap().into_owned();
        match row.customer_ref.as_deref() {
            Some("ES1") => {
                assert_eq!(
                    mail.subject(),
                    Some("Aviso de brecha de datos de Sample Company sobre su información")
                );
                let subject = raw_header(&raw, "Subject");
                assert!(subject.contains("=?utf-8?"), "encoded: {subject}");
                assert_eq!(to.name(), Some("José Núñez"));
                assert!(text.contains("Hola, José:"), "{text}");
                assert!(text.contains("su número de Seguro Social"), "{text}");
                assert!(html.contains("su número de Seguro Social"), "{html}");
            }
            Some("CA1") => {
                assert_eq!(
                    mail.subject(),
                    Some("Notice of Data Breach from Sample Company about your information")
                );
                assert_eq!(to.name(), Some("Ada Lovelace"));
                assert!(text.contains("Dear Ada,"), "{text}");
                assert!(
                    text.contains("The breach involved your name and your email address."),
                    "{text}"
                );
                assert!(!text.contains("your Social Security number"), "{text}");
            }
            other => panic!("unexpected row for {other:?}"),
        }

        let token = page_token(&text);
        assert_eq!(page_token(&html), token, "both parts carry the same link");
        let claims = keys
            .verify(LinkPurpose::Page, &token, app.clock.now())
            .expect("the page token verifies");
        assert_eq!(claims.sub, row.link_id);
        assert_eq!(claims.inc.to_string(), incident);
        assert_eq!(link_owner(&app, row).await, row.person_key);
    }
    assert_ne!(rows[0].link_id, rows[1].link_id);
}

#[tokio::test]
async fn a_relay_without_8bitmime_gets_every_notice_in_7_bit_with_the_same_words() {
    let smtp = TestSmtp::start_with(Options {
        no_8bitmime: true,
        ..Options::default()
    })
    .await;
    let app = smtp_app(&smtp, |_| {}).await;
    let mut jose = Person::new("ES1", ("José", "Núñez"), Some("jose@example.com"));
    jose.locale = "es";
    let desk = seeded(&app, &[jose]).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!((stats.claimed, stats.sent), (1, 1), "{stats:?}");
    let received = smtp.accepted();
    assert!(received[0].data.is_ascii(), "the wire form is 7-bit");
    let mail = MessageParser::default()
        .parse(&received[0].data)
        .expect("parseable");
    assert!(mail.body_text(0).unwrap().contains("José"));
    assert!(mail.body_html(0).unwrap().contains("José"));
}

/// The person a row's link row belongs to.
async fn link_owner(app: &crate::helpers::TestApp, row: &OutboxRow) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let found = app
        .db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT person_key FROM notice_links WHERE id = $1",
            [row.link_id.into()],
        ))
        .await
        .expect("query runs")
        .expect("the link row exists");
    found.try_get("", "person_key").expect("person_key")
}

#[tokio::test]
async fn without_a_relay_each_message_is_one_eml_file_named_by_its_message_id_and_written_once() {
    let app = crate::notices::app().await;
    let desk = crowd(&app, 5).await;
    sent_campaign(&desk, None).await;
    drain(&app).await;
    let dir = app.data_dir.path().join("outbox").join("notices");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let rows = outbox(&app).await;
    let mut expected: Vec<String> = rows
        .iter()
        .map(|r| format!("{}.eml", r.message_id))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    let mut modified = Vec::new();
    for row in &rows {
        let path = dir.join(format!("{}.eml", row.message_id));
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(row.body_sha256.as_deref(), Some(sha256(&bytes).as_str()));
        let mail = MessageParser::default().parse(&bytes).unwrap();
        let to = mail.to().unwrap().first().unwrap();
        assert_eq!(to.address(), Some(row.recipient.as_str()));
        assert!(row.reply.as_deref().unwrap().starts_with("written to "));
        modified.push(std::fs::metadata(&path).unwrap().modified().unwrap());
    }

    let again = drain(&app).await;
    assert_eq!(again.claimed, 0, "{again:?}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 5);
    for (row, before) in rows.iter().zip(modified) {
        let path = dir.join(format!("{}.eml", row.message_id));
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }
    assert_eq!(stored_counts(&app).await, only(&[("sent", 5)]));
}

#[tokio::test]
async fn a_campaign_drained_into_postfix_smtp_sink_arrives_once_per_person() {
    let sink = SmtpSink::start();
    let url = format!("smtp://127.0.0.1:{}", sink.port());
    let app = crate::notices::app_with(|s| s.smtp_url = Some(SecretString::from(url))).await;
    let desk = crowd(&app, 12).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!(stats.sent, 12, "{stats:?}");
    assert_eq!(stored_counts(&app).await, only(&[("sent", 12)]));
    let messages = sink.messages();
    assert_eq!(messages.len(), 12, "one file per message");
    for row in outbox(&app).await {
        let header = format!("Message-ID: {}", row.header_id());
        let mine: Vec<&String> = messages.iter().filter(|m| m.contains(&header)).collect();
        assert_eq!(mine.len(), 1, "{}", row.message_id);
        let to = mine[0]
            .lines()
            .find(|l| l.starts_with("To: "))
            .unwrap_or_else(|| panic!("no To header: {}", mine[0]));
        assert!(to.contains(&format!("<{}>", row.recipient)), "{to}");
        assert!(row.reply.as_deref().unwrap().starts_with("250"), "{row:?}");
    }
}
