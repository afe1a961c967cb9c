//! Failures against a real SMTP server: a 4xx backs off (exponentially, with jitter) and goes
//! again with the same Message-ID once due, a 5xx fails at once with the relay's words, a
//! connection dropped mid-DATA is retried, and a message out of attempts fails for good.

use candor::domain::Clock;
use chrono::Duration;

use super::{drain, only, outbox, row_of, sent_campaign, smtp_app, stored_counts};
use crate::notices::mapped;
use crate::smtp_server::{Reply, TestSmtp};

const ADA: &str = "ada@example.com";

#[tokio::test]
async fn a_451_backs_off_within_the_jitter_bounds_and_the_same_message_goes_when_due() {
    let smtp = TestSmtp::start().await;
    // The tries at the end of DATA are counted by Message-ID: Ada's message is refused the
    // first time its id is seen, and taken only when the same id comes back.
    smtp.script(|rcpt, tries| match (rcpt, tries) {
        (ADA, 0) => Reply::Transient,
        _ => Reply::Accept,
    });
    let app = smtp_app(&smtp, |s| s.delivery_retry_base_seconds = 60).await;
    let desk = mapped(&app).await;
    sent_campaign(&desk, None).await;
    let sent_at = app.clock.now();

    let stats = drain(&app).await;
    assert_eq!((stats.sent, stats.retrying), (1, 1), "{stats:?}");
    let ada = row_of(&app, "CA1").await;
    assert_eq!((ada.status.as_str(), ada.attempts), ("retrying", 1));
    let error = ada.last_error.clone().unwrap();
    assert!(error.starts_with("451 4.3.0"), "{error}");
    // Equal jitter at the first failure: between half the base and the base.
    let wait = ada.next_attempt_at - sent_at;
    assert!(
        wait >= Duration::seconds(30) && wait <= Duration::seconds(60),
        "{wait}"
    );
    assert_eq!(ada.lease_owner, None);
    assert_eq!(row_of(&app, "DE1").await.status, "sent");
    assert_eq!(smtp.attempts(), 2);

    app.clock
        .set(ada.next_attempt_at - Duration::milliseconds(1));
    let early = drain(&app).await;
    assert_eq!(early.claimed, 0, "not due yet: {early:?}");
    assert_eq!(smtp.attempts(), 2, "nothing reached the relay");

    app.clock.set(ada.next_attempt_at);
    let due = drain(&app).await;
    assert_eq!((due.claimed, due.sent), (1, 1), "{due:?}");
    let ada_after = row_of(&app, "CA1").await;
    assert_eq!((ada_after.status.as_str(), ada_after.attempts), ("sent", 2));
    assert_eq!(
        ada_after.last_error, None,
        "a success clears the last error"
    );
    assert_eq!(ada_after.message_id, ada.message_id);
    assert_eq!(smtp.attempts(), 3);
    let counts = smtp.counts_by_message_id();
    assert_eq!(counts.get(&ada.header_id()), Some(&1), "{counts:?}");
    assert_eq!(counts.len(), 2);
    assert_eq!(stored_counts(&app).await, only(&[("sent", 2)]));
}

#[tokio::test]
async fn a_550_fails_at_once_with_the_relays_reply_and_is_never_retried() {
    let smtp = TestSmtp::start().await;
    smtp.script(|rcpt, _| match rcpt {
        ADA => Reply::Permanent,
        _ => Reply::Accept,
    });
    let app = smtp_app(&smtp, |_| {}).await;
    let desk = mapped(&app).await;
    sent_campaign(&desk, None).await;
    let stats = drain(&app).await;
    assert_eq!((stats.sent, stats.failed), (1, 1), "{stats:?}");
    let ada = row_of(&app, "CA1").await;
    assert_eq!((ada.status.as_str(), ada.attempts), ("failed", 1));
    assert_eq!(
        ada.last_error.as_deref(),
        Some("550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown")
    );
    let (_, overview) = desk.get("/delivery?status=failed").await;
    assert_eq!(overview["messages"][0]["error"], ada.last_error.unwrap());

    app.clock.advance(Duration::days(2));
    let later = drain(&app).await;
    assert_eq!(later.claimed, 0, "{later:?}");
    assert_eq!(smtp.attempts(), 2);
    assert_eq!(
        stored_counts(&app).await,
        only(&[("sent", 1), ("failed", 1)])
    );
}

#[tokio::test]
async fn a_connection_dropped_mid_data_is_retried_and_the_message_then_goes() {
    let smtp = TestSmtp::start().await;
    smtp.script(|rcpt, tries| match (rcpt, tries) {
        (ADA, 0) => Reply::DropMidData,
        _ => Reply::Accept,
    });
    let app = smtp_app(&smtp, |s| s.delivery_concurrency = 1).await;
    let desk = mapped(&app).await;
    sent_campaign(&desk, None).await;
    let first = drain(&app).await;
    assert_eq!((first.sent, first.retrying), (1, 1), "{first:?}");
    let ada = row_of(&app, "CA1").await;
    assert_eq!(ada.status, "retrying");
    let error = ada.last_error.clone().unwrap();
    assert!(error.contains("connection lost"), "{error}");
    assert!(smtp.accepted().iter().all(|m| m.rcpt != [ADA]));

    app.clock.set(ada.next_attempt_at);
    let second = drain(&app).await;
    assert_eq!(second.sent, 1, "{second:?}");
    let ada = row_of(&app, "CA1").await;
    assert_eq!((ada.status.as_str(), ada.attempts), ("sent", 2));
    let counts = smtp.counts_by_message_id();
    assert_eq!(counts.get(&ada.header_id()), Some(&1), "{counts:?}");
}

#[tokio::test]
async fn a_message_refused_451_on_its_last_attempt_fails_saying_it_gave_up() {
    let smtp = TestSmtp::start().await;
    smtp.script(|rcpt, _| match rcpt {
        ADA => Reply::Transient,
        _ => Reply::Accept,
    });
    let app = smtp_app(&smtp, |s| {
        s.delivery_max_attempts = 2;
        s.delivery_retry_base_seconds = 10;
    })
    .await;
    let desk = mapped(&app).await;
    sent_campaign(&desk, None).await;
    drain(&app).await;
    let ada = row_of(&app, "CA1").await;
    assert_eq!((ada.status.as_str(), ada.attempts), ("retrying", 1));

    app.clock.advance(Duration::seconds(10));
    let last = drain(&app).await;
    assert_eq!((last.claimed, last.failed), (1, 1), "{last:?}");
    let ada = row_of(&app, "CA1").await;
    assert_eq!((ada.status.as_str(), ada.attempts), ("failed", 2));
    let error = ada.last_error.unwrap();
    assert!(error.starts_with("gave up after 2 attempts"), "{error}");
    assert!(
        error.contains("451 4.3.0"),
        "the last reply is kept: {error}"
    );

    app.clock.advance(Duration::hours(2));
    assert_eq!(drain(&app).await.claimed, 0);
    assert_eq!(smtp.attempts(), 3, "Emmy once, Ada twice");
    assert_eq!(
        stored_counts(&app).await,
        only(&[("sent", 1), ("failed", 1)])
    );
    assert_eq!(outbox(&app).await.len(), 2);
}
