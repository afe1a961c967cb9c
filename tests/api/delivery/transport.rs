//! The mail transports over real TCP: notices built and sent to our scriptable `TestSmtp` and to
//! postfix's `smtp-sink`, each reply classified; the file outbox; postal letters and manifest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor::delivery::transport::{
    BuiltMessage, EmailTransport, FileSender, Outcome, OutgoingMessage, PostalLetter,
    PostalManifestRow, SmtpRelay, SmtpSender, build_message, write_letter, write_manifest,
};
use chrono::{TimeZone, Utc};
use lettre::message::Mailbox;
use mail_parser::{MessageParser, MimeHeaders};

use crate::smtp_server::{Options, Reply, SmtpSink, TestSmtp, TestTls};

const SUBJECT: &str = "Aviso importante: incidente de seguridad — acción recomendada";

fn from() -> Mailbox {
    "Candor Notices <notices@candor.example>".parse().unwrap()
}

fn reply_to() -> Mailbox {
    "Privacy Office <privacy@candor.example>".parse().unwrap()
}

/// A notice to `to`, with the row-stable id `candor.<n>@notices.candor.example`.
fn notice(n: u32, to: &str) -> BuiltMessage {
    let (from, reply_to) = (from(), reply_to());
    let id = format!("candor.3f2a9c.{n}@notices.candor.example");
    build_message(&OutgoingMessage {
        message_id: &id,
        from: &from,
        reply_to: Some(&reply_to),
        to_address: to,
        to_name: Some("José Núñez"),
        subject: SUBJECT,
        text: "Estimado José Núñez:\n\nLe escribimos porque sus datos… ñ ü é.\n",
        html: "<p>Estimado <b>José Núñez</b>:</p><p>Le escribimos porque sus datos… ñ ü é.</p>",
        date: Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap(),
        language: "es",
        eight_bit: false,
    })
    .unwrap()
}

fn sender(url: &str, timeout: Duration) -> SmtpSender {
    SmtpSender::new(Arc::new(
        SmtpRelay::from_url(url).unwrap().with_timeout(timeout),
    ))
}

fn assert_accepted(outcome: &Outcome) {
    assert!(
        matches!(outcome, Outcome::Accepted { reply } if reply.starts_with("250")),
        "{outcome:?}"
    );
}

/// The server refuses (550 at RCPT) every address starting with "gone".
fn refuse_gone(server: &TestSmtp) {
    server.script(|rcpt, _| {
        if rcpt.starts_with("gone") {
            Reply::Permanent
        } else {
            Reply::Accept
        }
    });
}

fn transient_reason(outcome: Outcome) -> String {
    match outcome {
        Outcome::Transient { reason } => reason,
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_built_notice_arrives_as_utf8_text_and_html_alternatives_with_its_own_message_id() {
    let server = TestSmtp::start().await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let outcome = sender.send(&notice(1, "jose@example.com")).await;
    assert!(
        matches!(&outcome, Outcome::Accepted { reply } if reply.starts_with("250 2.0.0 Ok: queued as")),
        "{outcome:?}"
    );
    sender.close().await;

    let received = server.accepted();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt, ["jose@example.com"]);
    assert!(received[0].data.is_ascii(), "the wire form is 7-bit");
    let mail = MessageParser::default().parse(&received[0].data).unwrap();
    let root = mail.content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    let text = mail.text_part(0).unwrap().content_type().unwrap();
    assert_eq!((text.ctype(), text.subtype()), ("text", Some("plain")));
    assert_eq!(text.attribute("charset"), Some("utf-8"));
    let html = mail.html_part(0).unwrap().content_type().unwrap();
    assert_eq!((html.ctype(), html.subtype()), ("text", Some("html")));
    assert!(mail.body_text(0).unwrap().contains("Estimado José Núñez"));
    assert!(mail.body_html(0).unwrap().contains("<b>José Núñez</b>"));
    assert_eq!(mail.subject(), Some(SUBJECT));
    let to = mail.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("José Núñez"), Some("jose@example.com"))
    );
    assert_eq!(
        mail.message_id(),
        Some("candor.3f2a9c.1@notices.candor.example")
    );
    assert_eq!(
        received[0].message_id.as_deref(),
        Some("<candor.3f2a9c.1@notices.candor.example>")
    );
    let reply_to = mail.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address(), Some("privacy@candor.example"));
    assert_eq!(mail.date().unwrap().to_rfc3339(), "2026-11-22T09:30:00Z");
    assert_eq!(
        mail.header_raw("Content-Language").map(str::trim),
        Some("es")
    );
    assert!(
        mail.header_raw("List-Unsubscribe").is_none(),
        "legal notices cannot be unsubscribed from"
    );
}

#[tokio::test]
async fn building_the_same_message_twice_gives_identical_bytes() {
    let first = notice(7, "jose@example.com");
    let again = notice(7, "jose@example.com");
    assert_eq!(first, again);
    assert_eq!(first.message_id, "<candor.3f2a9c.7@notices.candor.example>");
    let other = notice(8, "jose@example.com");
    let boundary = |m: &BuiltMessage| {
        let text = String::from_utf8(m.bytes.clone()).unwrap();
        let start = text.find("boundary=\"").unwrap() + 10;
        text[start..start + text[start..].find('"').unwrap()].to_owned()
    };
    assert_ne!(
        boundary(&first),
        boundary(&other),
        "the boundary follows the Message-ID"
    );
}

#[tokio::test]
async fn a_451_is_transient_and_the_next_send_on_the_same_sender_is_accepted() {
    let server = TestSmtp::start().await;
    server.script(|rcpt, tries| {
        if rcpt == "flaky@example.com" && tries == 0 {
            Reply::Transient
        } else {
            Reply::Accept
        }
    });
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let message = notice(2, "flaky@example.com");
    let reason = transient_reason(sender.send(&message).await);
    assert!(reason.starts_with("451 4.3.0"), "{reason}");
    assert_accepted(&sender.send(&message).await);
    assert_eq!(server.counts_by_message_id()[&message.message_id], 1);
    assert_eq!(
        (server.attempts(), server.sessions()),
        (2, 1),
        "one session for both"
    );
}

#[tokio::test]
async fn a_550_is_permanent_with_the_servers_reply_and_the_session_goes_on() {
    let server = TestSmtp::start().await;
    refuse_gone(&server);
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    match sender.send(&notice(3, "gone@example.com")).await {
        Outcome::Permanent { reason } => assert_eq!(
            reason,
            "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
        ),
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    assert_accepted(&sender.send(&notice(4, "here@example.com")).await);
    let received = server.accepted();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].rcpt,
        ["here@example.com"],
        "the RSET cleared the refused recipient"
    );
    assert_eq!(server.sessions(), 1);
}

#[tokio::test]
async fn a_connection_dropped_mid_data_is_transient_and_the_sender_reconnects() {
    let server = TestSmtp::start().await;
    server.script(|_, tries| {
        if tries == 0 {
            Reply::DropMidData
        } else {
            Reply::Accept
        }
    });
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let message = notice(5, "jose@example.com");
    let reason = transient_reason(sender.send(&message).await);
    assert!(reason.starts_with("connection lost"), "{reason}");
    assert_accepted(&sender.send(&message).await);
    assert_eq!(server.counts_by_message_id()[&message.message_id], 1);
    assert_eq!(server.sessions(), 2);
}

#[tokio::test]
async fn an_idle_session_closed_by_the_relay_is_replaced_without_failing_the_next_message() {
    let server = TestSmtp::start().await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    assert_accepted(&sender.send(&notice(6, "a@example.com")).await);
    server.close_sessions();
    assert_accepted(&sender.send(&notice(7, "b@example.com")).await);
    assert_eq!((server.accepted().len(), server.sessions()), (2, 2));
}

#[tokio::test]
async fn a_kept_session_the_relay_ended_with_a_421_is_replaced_without_failing_the_next_message() {
    let server = TestSmtp::start().await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    assert_accepted(&sender.send(&notice(25, "jose@example.com")).await);
    // The relay answers the next MAIL FROM with 421 and closes, as postfix does with a
    // session it timed out.
    server.once_at_mail(Reply::Closing);
    assert_accepted(&sender.send(&notice(26, "ana@example.com")).await);
    assert_eq!((server.accepted().len(), server.sessions()), (2, 2));
}

#[tokio::test]
async fn send_then_writes_the_next_messages_commands_behind_the_data_and_every_message_arrives_whole()
 {
    let server = TestSmtp::start().await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let messages: Vec<BuiltMessage> = (40..45)
        .map(|n| notice(n, &format!("person{n}@example.com")))
        .collect();
    // Without a known next message nothing goes ahead.
    assert_accepted(&sender.send(&notice(39, "first@example.com")).await);
    assert_eq!(server.written_ahead(), 0);
    assert!(sender.writes_ahead(), "the relay offers PIPELINING");
    for pair in messages.windows(2) {
        assert_accepted(&sender.send_then(&pair[0], &pair[1]).await);
    }
    assert_accepted(&sender.send(messages.last().unwrap()).await);
    sender.close().await;

    let received = server.accepted();
    assert_eq!(received.len(), 6);
    for (message, got) in messages.iter().zip(&received[1..]) {
        assert_eq!(got.message_id.as_deref(), Some(message.message_id.as_str()));
        assert_eq!(got.rcpt, [message.envelope.to()[0].to_string()]);
        assert_eq!(got.data, message.bytes, "the message arrived byte for byte");
    }
    assert_eq!(
        (server.written_ahead(), server.sessions()),
        (4, 1),
        "four messages carried their successor's commands, on one session"
    );
}

#[tokio::test]
async fn a_relay_without_pipelining_gets_nothing_ahead_and_still_every_message() {
    let server = TestSmtp::start_with(Options {
        no_pipelining: true,
        ..Options::default()
    })
    .await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let (a, b) = (notice(46, "a@example.com"), notice(47, "b@example.com"));
    assert_accepted(&sender.send(&a).await);
    assert!(!sender.writes_ahead());
    assert_accepted(&sender.send_then(&a, &b).await);
    assert_accepted(&sender.send(&b).await);
    assert_eq!(server.written_ahead(), 0);
    assert_eq!(server.counts_by_message_id()[&b.message_id], 1);
}

#[tokio::test]
async fn a_recipient_refused_behind_the_last_messages_data_fails_alone_and_the_session_goes_on() {
    let server = TestSmtp::start().await;
    refuse_gone(&server);
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let first = notice(48, "here@example.com");
    let refused = notice(49, "gone@example.com");
    let third = notice(50, "there@example.com");
    assert_accepted(&sender.send_then(&first, &refused).await);
    match sender.send_then(&refused, &third).await {
        Outcome::Permanent { reason } => assert!(reason.starts_with("550 5.1.1"), "{reason}"),
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    // The refusal came before the refused message's data: the third went on its own.
    assert_accepted(&sender.send(&third).await);
    let ids: Vec<_> = server
        .accepted()
        .into_iter()
        .filter_map(|m| m.message_id)
        .collect();
    assert_eq!(ids, [first.message_id.clone(), third.message_id.clone()]);
    assert_eq!(server.written_ahead(), 1);
    assert_eq!(server.sessions(), 1);
}

#[tokio::test]
async fn a_421_to_commands_sent_ahead_sends_that_message_on_a_new_session() {
    let server = TestSmtp::start().await;
    let mails = std::sync::atomic::AtomicUsize::new(0);
    // The relay answers the second MAIL FROM, the one written behind a's data, with 421 and
    // closes the session.
    server.on_step(move |step| match step {
        crate::smtp_server::Step::Mail
            if mails.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 =>
        {
            Reply::Closing
        }
        _ => Reply::Accept,
    });
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let (a, b) = (notice(51, "a@example.com"), notice(52, "b@example.com"));
    assert_accepted(&sender.send_then(&a, &b).await);
    assert_accepted(&sender.send(&b).await);
    let counts = server.counts_by_message_id();
    assert_eq!((counts[&a.message_id], counts[&b.message_id]), (1, 1));
    assert_eq!(server.sessions(), 2, "b went on a session of its own");
}

#[tokio::test]
async fn a_message_lost_with_its_session_takes_the_commands_sent_behind_it_along() {
    let server = TestSmtp::start().await;
    // The relay keeps the first message, then closes without replying.
    server.on_step(|step| match step {
        crate::smtp_server::Step::Data {
            rcpt: "a@example.com",
            ..
        } => Reply::AcceptThenDrop,
        _ => Reply::Accept,
    });
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let (a, b) = (notice(54, "a@example.com"), notice(55, "b@example.com"));
    let reason = transient_reason(sender.send_then(&a, &b).await);
    assert!(reason.starts_with("connection lost"), "{reason}");
    assert!(!sender.writes_ahead(), "the session is gone");
    assert_accepted(&sender.send(&b).await);
    assert_eq!(server.counts_by_message_id()[&b.message_id], 1);
    assert_eq!(server.sessions(), 2);
}

#[tokio::test]
async fn closing_a_sender_whose_next_message_was_announced_delivers_nothing_more() {
    let server = TestSmtp::start().await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let (a, b) = (notice(57, "a@example.com"), notice(58, "b@example.com"));
    assert_accepted(&sender.send_then(&a, &b).await);
    sender.close().await;
    // The relay sees the session end in b's DATA: b is not delivered, and a fresh sender
    // delivers it once.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!server.counts_by_message_id().contains_key(&b.message_id));
    let mut again = self::sender(&server.url(), Duration::from_secs(5));
    assert_accepted(&again.send(&b).await);
    assert_eq!(server.counts_by_message_id()[&b.message_id], 1);
}

#[tokio::test]
async fn a_message_built_8bit_for_a_relay_that_no_longer_offers_8bitmime_is_transient() {
    let server = TestSmtp::start_with(Options {
        no_8bitmime: true,
        ..Options::default()
    })
    .await;
    let (from, reply_to) = (from(), reply_to());
    // Built while the relay (another one behind the same address, say) offered 8BITMIME.
    let built = build_message(&OutgoingMessage {
        message_id: "candor.3f2a9c.59@notices.candor.example",
        from: &from,
        reply_to: Some(&reply_to),
        to_address: "jose@example.com",
        to_name: Some("José Núñez"),
        subject: SUBJECT,
        text: "Estimado José Núñez: sus datos… ñ ü é.\n",
        html: "<p>Estimado José Núñez: sus datos… ñ ü é.</p>",
        date: Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap(),
        language: "es",
        eight_bit: true,
    })
    .unwrap();
    assert!(!built.bytes.is_ascii());
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let reason = transient_reason(sender.send(&built).await);
    assert!(
        reason.contains("built 7-bit at the next attempt"),
        "{reason}"
    );
    assert!(server.accepted().is_empty());
    // Built again for this relay, it goes.
    assert_accepted(&sender.send(&notice(59, "jose@example.com")).await);
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut sender = sender(&format!("smtp://127.0.0.1:{port}"), Duration::from_secs(5));
    let reason = transient_reason(sender.send(&notice(8, "jose@example.com")).await);
    assert!(
        reason.starts_with("cannot connect to the relay"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_relay_that_stalls_past_the_timeout_is_transient_and_the_next_message_gets_a_new_session()
{
    let server = TestSmtp::start().await;
    server.script(|rcpt, _| {
        if rcpt == "slow@example.com" {
            Reply::Stall(Duration::from_secs(3))
        } else {
            Reply::Accept
        }
    });
    let mut sender = sender(&server.url(), Duration::from_millis(300));
    let started = Instant::now();
    let reason = transient_reason(sender.send(&notice(9, "slow@example.com")).await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        reason.starts_with("timed out after 300 ms waiting for the relay to take the message"),
        "{reason}"
    );
    assert_accepted(&sender.send(&notice(10, "quick@example.com")).await);
    assert_eq!(server.sessions(), 2);
}

#[tokio::test]
async fn starttls_required_against_a_relay_without_it_fails_transiently_and_sends_nothing() {
    let server = TestSmtp::start().await;
    let url = format!("smtp://127.0.0.1:{}?tls=required", server.port());
    let reason = transient_reason(
        sender(&url, Duration::from_secs(5))
            .send(&notice(11, "jose@example.com"))
            .await,
    );
    assert!(reason.contains("does not offer STARTTLS"), "{reason}");
    assert_eq!(server.attempts(), 0);
}

#[tokio::test]
async fn starttls_and_login_with_a_trusted_certificate_deliver_the_message() {
    let tls = TestTls::new();
    let login = Some(("mailer".to_owned(), "s3cret pass".to_owned()));
    let server = TestSmtp::start_with(Options {
        tls: Some(tls.clone()),
        implicit_tls: false,
        login,
        ..Options::default()
    })
    .await;
    let url = format!(
        "smtp://mailer:s3cret%20pass@localhost:{}?tls=required",
        server.port()
    );
    let relay = SmtpRelay::from_url(&url)
        .unwrap()
        .with_extra_root_certificate(tls.ca_der)
        .unwrap();
    let mut sender = SmtpSender::new(Arc::new(relay.with_timeout(Duration::from_secs(5))));
    assert_accepted(&sender.send(&notice(12, "jose@example.com")).await);
    assert_eq!(server.accepted().len(), 1);
}

#[tokio::test]
async fn starttls_to_a_relay_with_an_untrusted_certificate_is_transient() {
    let server = TestSmtp::start_with(Options {
        tls: Some(TestTls::new()),
        ..Options::default()
    })
    .await;
    let url = format!("smtp://localhost:{}?tls=opportunistic", server.port());
    let reason = transient_reason(
        sender(&url, Duration::from_secs(5))
            .send(&notice(13, "jose@example.com"))
            .await,
    );
    assert!(reason.starts_with("STARTTLS failed"), "{reason}");
    assert_eq!(server.attempts(), 0, "nothing was sent in the clear");
}

#[tokio::test]
async fn implicit_tls_delivers_over_our_own_handshake() {
    let tls = TestTls::new();
    let server = TestSmtp::start_with(Options {
        tls: Some(tls.clone()),
        implicit_tls: true,
        login: None,
        ..Options::default()
    })
    .await;
    let url = format!("smtps://localhost:{}", server.port());
    let relay = SmtpRelay::from_url(&url)
        .unwrap()
        .with_extra_root_certificate(tls.ca_der)
        .unwrap();
    let mut sender = SmtpSender::new(Arc::new(relay.with_timeout(Duration::from_secs(5))));
    assert_accepted(&sender.send(&notice(14, "jose@example.com")).await);
    assert_accepted(&sender.send(&notice(15, "ana@example.com")).await);
    assert_eq!((server.accepted().len(), server.sessions()), (2, 1));
}

#[tokio::test]
async fn a_wrong_relay_password_is_transient_because_it_is_not_the_messages_fault() {
    let login = Some(("mailer".to_owned(), "right".to_owned()));
    let server = TestSmtp::start_with(Options {
        login,
        ..Options::default()
    })
    .await;
    assert_wrong_login_refused(&server, 16).await;
}

/// Sends notice `n` as `mailer:wrong`: refused at login, transiently, without the password.
async fn assert_wrong_login_refused(server: &TestSmtp, n: u32) {
    let url = format!("smtp://mailer:wrong@127.0.0.1:{}", server.port());
    let reason = transient_reason(
        sender(&url, Duration::from_secs(5))
            .send(&notice(n, "jose@example.com"))
            .await,
    );
    assert!(
        reason.starts_with("the relay refused the login: 535"),
        "{reason}"
    );
    assert!(!reason.contains("wrong"), "{reason}");
}

#[tokio::test]
async fn a_login_by_challenge_delivers_and_a_wrong_one_is_refused() {
    let server = TestSmtp::start_with(Options {
        login: Some(("mailer".to_owned(), "right".to_owned())),
        login_by_challenge: true,
        ..Options::default()
    })
    .await;
    let url = format!("smtp://mailer:right@127.0.0.1:{}", server.port());
    assert_accepted(
        &sender(&url, Duration::from_secs(5))
            .send(&notice(18, "jose@example.com"))
            .await,
    );
    assert_wrong_login_refused(&server, 19).await;
    assert_eq!(server.accepted().len(), 1);
}

#[tokio::test]
async fn without_pipelining_each_step_waits_and_a_refusal_still_keeps_the_session() {
    let server = TestSmtp::start_with(Options {
        no_pipelining: true,
        ..Options::default()
    })
    .await;
    server.script(|rcpt, _| {
        if rcpt.starts_with("gone") {
            Reply::Permanent
        } else {
            Reply::Accept
        }
    });
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    assert_accepted(&sender.send(&notice(20, "here@example.com")).await);
    match sender.send(&notice(21, "gone@example.com")).await {
        Outcome::Permanent { reason } => assert!(reason.starts_with("550 5.1.1"), "{reason}"),
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    assert_accepted(&sender.send(&notice(22, "here2@example.com")).await);
    let received = server.accepted();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].rcpt, ["here2@example.com"]);
    assert_eq!(server.sessions(), 1);
}

#[tokio::test]
async fn a_refused_sender_under_pipelining_has_every_reply_read_before_the_next_message() {
    let server = TestSmtp::start().await;
    server.once_at_mail(Reply::Transient);
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let reason = transient_reason(sender.send(&notice(23, "jose@example.com")).await);
    assert!(
        reason.starts_with("451 4.3.0"),
        "the MAIL refusal is reported: {reason}"
    );
    // The RCPT and DATA sent with it were refused too; their replies must not be taken as
    // the next message's.
    assert_accepted(&sender.send(&notice(24, "jose@example.com")).await);
    assert_eq!(server.accepted().len(), 1);
    assert_eq!(server.sessions(), 1);
}

#[tokio::test]
async fn a_relay_refusing_the_sender_is_transient_because_every_message_would_fail_alike() {
    let login = Some(("mailer".to_owned(), "right".to_owned()));
    let server = TestSmtp::start_with(Options {
        login,
        ..Options::default()
    })
    .await;
    let mut sender = sender(&server.url(), Duration::from_secs(5));
    let reason = transient_reason(sender.send(&notice(17, "jose@example.com")).await);
    assert_eq!(reason, "530 5.7.0 Authentication required");
}

/// With Nagle on, a small write waits for the relay's delayed ACK (~40 ms on Linux; lettre
/// 0.11.23 left it on, and took 8 s for 200 messages). Our own stream sets TCP_NODELAY.
/// A regression guard with a generous bound, not a performance target.
#[tokio::test]
async fn two_hundred_messages_on_one_connection_do_not_wait_for_delayed_acks() {
    let sink = SmtpSink::start();
    let mut sender = sender(
        &format!("smtp://127.0.0.1:{}", sink.port()),
        Duration::from_secs(10),
    );
    let messages: Vec<BuiltMessage> = (0..200)
        .map(|n| notice(1000 + n, "jose@example.com"))
        .collect();
    let started = Instant::now();
    for message in &messages {
        assert_accepted(&sender.send(message).await);
    }
    let elapsed = started.elapsed();
    sender.close().await;
    assert!(
        elapsed < Duration::from_secs(4),
        "200 messages took {elapsed:?}: is TCP_NODELAY set?"
    );
    assert_eq!(sink.messages().len(), 200);
}

#[tokio::test]
async fn the_file_outbox_holds_one_eml_per_message_id_and_a_resend_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox").join("notices");
    let transport = EmailTransport::File(outbox.clone());
    assert_eq!(transport.describe(), "file outbox");
    let mut sender = transport.sender();
    let first = notice(20, "jose@example.com");
    let name = "candor.3f2a9c.20@notices.candor.example.eml";
    assert_eq!(
        sender.send(&first).await,
        Outcome::Accepted {
            reply: format!("written to {name}")
        }
    );
    assert_accepted_file(&mut FileSender::new(outbox.clone()), &first).await;
    sender.send(&notice(21, "ana@example.com")).await;
    let mut files: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [name, "candor.3f2a9c.21@notices.candor.example.eml"],
        "no temporary files left"
    );
    assert_eq!(std::fs::read(outbox.join(name)).unwrap(), first.bytes);
    sender.close().await;
}

async fn assert_accepted_file(sender: &mut FileSender, message: &BuiltMessage) {
    let outcome = sender.send(message).await;
    assert!(
        matches!(&outcome, Outcome::Accepted { reply } if reply.starts_with("written to")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_file_outbox_that_cannot_be_written_is_transient_and_names_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("outbox");
    std::fs::write(&blocked, b"a file where the folder should be").unwrap();
    let reason = transient_reason(
        FileSender::new(blocked)
            .send(&notice(22, "jose@example.com"))
            .await,
    );
    assert!(
        reason.starts_with("cannot write candor.3f2a9c.22@notices.candor.example.eml: "),
        "{reason}"
    );
    assert!(
        !reason.contains(&dir.path().display().to_string()),
        "{reason}"
    );
}

#[tokio::test]
async fn a_postal_letter_is_written_once_and_the_manifest_quotes_commas_and_keeps_non_ascii_names()
{
    let dir = tempfile::tempdir().unwrap();
    let letter = PostalLetter {
        letter_id: "candor.c42.7",
        name: Some("Núñez, José"),
        line1: "12 Calle Mayor",
        city: "Springfield",
        region: "IL",
        postal_code: "62704",
        country: "US",
        subject: "Aviso importante",
        text: "Estimado José:\r\nsus datos…",
        language: "es",
    };
    for _ in 0..2 {
        let outcome = write_letter(dir.path(), &letter);
        assert_eq!(
            outcome,
            Outcome::Accepted {
                reply: "letter written to candor.c42.7.txt".into()
            }
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a rewrite replaces the letter"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("candor.c42.7.txt")).unwrap(),
        "Núñez, José\n12 Calle Mayor\nSpringfield, IL 62704\nUS\n\nAviso importante\n\nEstimado José:\nsus datos…\n"
    );

    let row = PostalManifestRow {
        letter_id: letter.letter_id.into(),
        name: "Núñez, José".into(),
        line1: "12 \"Calle\" Mayor".into(),
        city: "Springfield".into(),
        region: "IL".into(),
        postal_code: "62704".into(),
        country: "US".into(),
        language: "es".into(),
        file: "candor.c42.7.txt".into(),
        written_at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
    };
    let mut csv = Vec::new();
    write_manifest(&mut csv, [row]).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "letter_id,name,line1,city,region,postal_code,country,language,file,written_at\r\n\
         candor.c42.7,\"Núñez, José\",\"12 \"\"Calle\"\" Mayor\",Springfield,IL,62704,US,es,candor.c42.7.txt,2026-11-22T10:00:00Z\r\n"
    );
    let mut empty = Vec::new();
    write_manifest(&mut empty, []).unwrap();
    assert!(
        String::from_utf8(empty)
            .unwrap()
            .starts_with("letter_id,name,"),
        "a header even with no letters"
    );
}
