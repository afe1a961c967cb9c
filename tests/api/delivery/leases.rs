//! Exactly one notice per person: a second (or concurrent) send request adds nothing, a worker
//! killed mid-campaign leaves its claimed rows under a lease that the next worker takes over
//! once it lapses (re-sending with the same Message-ID and the same bytes), and two workers
//! draining one database never send a row twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use candor::delivery::Worker;
use candor::domain::Clock;
use chrono::Duration;
use serde_json::json;

use super::{
    approved_notice, count_rows, crowd, drain, eventually, only, outbox, send, smtp_app,
    stored_counts,
};
use crate::notices::{lead, mapped};
use crate::smtp_server::{Reply, TestSmtp};

#[tokio::test]
async fn sending_again_is_a_no_op_answering_200_with_the_same_campaign() {
    let app = crate::notices::app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    let (status, first) = send(&desk, &nid, None).await;
    assert_eq!(status, 202, "{first}");
    let (_, lead) = lead(&desk).await;
    let (status, again) = send(&lead, &nid, Some(json!({}))).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(count_rows(&app, "outbox").await, 2);

    drain(&app).await;
    let (status, after) = send(&desk, &nid, Some(json!({ "canary": 1 }))).await;
    assert_eq!(status, 200, "after delivery too: {after}");
    assert_eq!(after["id"], first["id"]);
    assert_eq!(after["canary_size"], 0, "the first request's options stand");
    assert_eq!(after["counts"], only(&[("sent", 2)]));
    assert_eq!(count_rows(&app, "outbox").await, 2);
    assert_eq!(count_rows(&app, "campaigns").await, 1);
    assert_eq!(count_rows(&app, "notice_links").await, 2);
}

#[tokio::test]
async fn two_concurrent_send_requests_make_one_campaign() {
    let app = crate::notices::app().await;
    let desk = mapped(&app).await;
    let nid = approved_notice(&desk).await;
    let (_, lead) = lead(&desk).await;
    let ((a, first), (b, second)) = tokio::join!(send(&desk, &nid, None), send(&lead, &nid, None));
    let mut statuses = [a, b];
    statuses.sort();
    assert!(
        statuses == [200, 202] || statuses == [202, 409],
        "{statuses:?}: {first} {second}"
    );
    let (winner, loser) = if a == 202 {
        (&first, &second)
    } else {
        (&second, &first)
    };
    match statuses {
        [200, 202] => assert_eq!(loser["id"], winner["id"]),
        _ => assert_eq!(loser["error"]["code"], "edit_conflict", "{loser}"),
    }
    assert_eq!(count_rows(&app, "campaigns").await, 1);
    assert_eq!(count_rows(&app, "outbox").await, 2);
}

#[tokio::test]
async fn a_worker_killed_mid_campaign_is_finished_after_its_lease_lapses_with_nobody_missed() {
    const PEOPLE: usize = 120;
    let smtp = TestSmtp::start().await;
    let stalled = Arc::new(Mutex::new(Vec::<String>::new()));
    {
        // After 30 messages went through, the next two transactions stall at the end of
        // DATA (one per sender), so the worker is caught mid-send.
        let data_seen = AtomicUsize::new(0);
        let stalled = Arc::clone(&stalled);
        at_data_end(&smtp, move |rcpt| {
            let mut stalled = stalled.lock().unwrap();
            if data_seen.fetch_add(1, Ordering::SeqCst) >= 30 && stalled.len() < 2 {
                stalled.push(rcpt.to_owned());
                return Reply::Stall(StdDuration::from_secs(3));
            }
            Reply::Accept
        });
    }
    let app = smtp_app(&smtp, |s| {
        s.delivery_concurrency = 2;
        s.delivery_batch = 10;
    })
    .await;
    let desk = crowd(&app, PEOPLE).await;
    super::sent_campaign(&desk, None).await;
    let lease_until = app.clock.now() + Duration::seconds(300);

    let worker = app.delivery.clone();
    let run = tokio::spawn(async move { worker.run_until_idle().await });
    eventually("both senders are caught mid-DATA", async || {
        stalled.lock().unwrap().len() == 2
    })
    .await;
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    assert_eq!(
        smtp.accepted().len(),
        30,
        "the stalled two are not taken yet"
    );
    // Outcomes already handed to the recorder are still written.
    eventually("the 30 accepted are recorded", async || {
        stored_counts(&app).await["sent"] == 30
    })
    .await;

    let stuck: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.status == "sending")
        .collect();
    assert!(stuck.len() >= 2, "{stuck:#?}");
    assert!(stuck.iter().all(|r| r.lease_until == Some(lease_until)));
    let owner = app.delivery.config().worker_id.clone();
    assert!(
        stuck
            .iter()
            .all(|r| r.lease_owner.as_ref() == Some(&owner) && r.attempts == 1),
        "{stuck:#?}"
    );
    let stalled: Vec<String> = stalled.lock().unwrap().clone();
    for rcpt in &stalled {
        assert!(stuck.iter().any(|r| &r.recipient == rcpt), "{rcpt}");
    }
    let pending = stored_counts(&app).await["pending"].as_i64().unwrap() as usize;
    assert_eq!(30 + stuck.len() + pending, PEOPLE);

    // A new worker, before the lease lapses: the rest go, the leased rows stay leased.
    let before_lapse = drain(&app).await;
    assert_eq!(before_lapse.claimed as usize, pending, "{before_lapse:?}");
    let still: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.status == "sending")
        .collect();
    assert_eq!(still, stuck, "a row under lease is nobody else's");

    app.clock.set(lease_until + Duration::seconds(1));
    let after_lapse = drain(&app).await;
    assert_eq!(after_lapse.claimed as usize, stuck.len(), "{after_lapse:?}");
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), PEOPLE, "one row per person");
    assert_eq!(stored_counts(&app).await, only(&[("sent", PEOPLE as i64)]));
    for row in &rows {
        let expected = if stuck.iter().any(|s| s.id == row.id) {
            2
        } else {
            1
        };
        assert_eq!(row.attempts, expected, "{row:?}");
    }

    // The stalled sessions end by taking their message: those outcomes were lost with the
    // worker, so those two people got the same message twice; nobody else did.
    eventually("the stalled messages are taken", async || {
        smtp.accepted().len() == PEOPLE + 2
    })
    .await;
    let counts = smtp.counts_by_message_id();
    assert_eq!(counts.len(), PEOPLE);
    for row in &rows {
        let seen = counts.get(&row.header_id()).copied().unwrap_or(0);
        let twice = stalled.contains(&row.recipient);
        assert_eq!(seen, if twice { 2 } else { 1 }, "{row:?}");
    }
    for rcpt in &stalled {
        let copies: Vec<_> = smtp
            .accepted()
            .into_iter()
            .filter(|m| &m.rcpt[0] == rcpt)
            .collect();
        assert_eq!(copies.len(), 2);
        assert_eq!(
            copies[0].data, copies[1].data,
            "a resend is the same message"
        );
    }
}

// Two runtime threads, so the two workers' claims truly overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_draining_one_database_never_send_a_row_twice() {
    const PEOPLE: usize = 300;
    let smtp = TestSmtp::start().await;
    let app = smtp_app(&smtp, |s| {
        s.delivery_concurrency = 4;
        s.delivery_batch = 10;
    })
    .await;
    let desk = crowd(&app, PEOPLE).await;
    super::sent_campaign(&desk, None).await;
    let mut config = app.delivery.config().clone();
    config.worker_id = format!("{}-second", config.worker_id);
    let second = Worker::new(app.db.clone(), Arc::new(app.clock.clone()), config);

    let (a, b) = tokio::join!(app.delivery.run_until_idle(), second.run_until_idle());
    let (a, b) = (
        a.expect("the first worker drains"),
        b.expect("the second drains"),
    );
    assert_eq!(a.claimed + b.claimed, PEOPLE as u64, "{a:?} {b:?}");
    assert_eq!(a.sent + b.sent, PEOPLE as u64, "{a:?} {b:?}");
    let counts = smtp.counts_by_message_id();
    assert_eq!(counts.len(), PEOPLE);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    assert_eq!(smtp.accepted().len(), PEOPLE);
    let rows = outbox(&app).await;
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1));
    for row in &rows {
        assert_eq!(counts.get(&row.header_id()), Some(&1), "{row:?}");
    }
}

#[tokio::test]
async fn rows_waiting_behind_a_slow_relay_keep_their_lease_and_go_once() {
    const PEOPLE: usize = 4;
    let smtp = TestSmtp::start().await;
    let stalled = Arc::new(AtomicUsize::new(0));
    {
        // The first message stalls at the end of its DATA, longer than a third of the lease
        // (the renewal's period); the rest go through.
        let stalled = Arc::clone(&stalled);
        at_data_end(&smtp, move |_| {
            if stalled.fetch_add(1, Ordering::SeqCst) == 0 {
                return Reply::Stall(StdDuration::from_secs(5));
            }
            Reply::Accept
        });
    }
    let app = smtp_app(&smtp, |s| {
        s.delivery_concurrency = 1;
        s.delivery_lease_seconds = 10;
    })
    .await;
    let desk = crowd(&app, PEOPLE).await;
    super::sent_campaign(&desk, None).await;
    let claimed_at = app.clock.now();
    let worker = app.delivery.clone();
    let run = tokio::spawn(async move { worker.run_until_idle().await });
    eventually("the first message stalls", async || {
        stalled.load(Ordering::SeqCst) > 0
    })
    .await;
    let held: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.status == "sending")
        .collect();
    assert_eq!(held.len(), PEOPLE, "one claim took them all: {held:#?}");
    assert!(
        held.iter()
            .all(|r| r.lease_until == Some(claimed_at + Duration::seconds(10))),
        "{held:#?}"
    );

    // Eight of the lease's ten seconds pass while the relay holds the first message; the
    // worker renews its leases from then, so nobody else may take the rows still waiting.
    app.clock.advance(Duration::seconds(8));
    let renewed = claimed_at + Duration::seconds(18);
    eventually(
        "the worker renews its leases on the rows still held",
        async || {
            let held: Vec<_> = outbox(&app)
                .await
                .into_iter()
                .filter(|r| r.status == "sending")
                .collect();
            !held.is_empty() && held.iter().all(|r| r.lease_until == Some(renewed))
        },
    )
    .await;
    assert_eq!(
        candor::store::delivery::outbox::reclaim_expired(&app.db, app.clock.now())
            .await
            .unwrap(),
        0,
        "no lease has lapsed"
    );

    let stats = run.await.unwrap().expect("the worker drains");
    assert_eq!(stats.sent as usize, PEOPLE, "{stats:?}");
    let counts = smtp.counts_by_message_id();
    assert_eq!(counts.len(), PEOPLE);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    assert_eq!(stored_counts(&app).await, only(&[("sent", PEOPLE as i64)]));
}

/// Scripts the relay's answer at the end of each DATA by recipient; RCPT is accepted. (The
/// script is asked twice per transaction of one recipient: at RCPT, then once the headers
/// are in.)
fn at_data_end(smtp: &TestSmtp, decide: impl Fn(&str) -> Reply + Send + Sync + 'static) {
    let asked = Mutex::new(HashMap::<String, usize>::new());
    smtp.script(move |rcpt, _| {
        let n = {
            let mut asked = asked.lock().unwrap();
            let n = asked.entry(rcpt.to_owned()).or_default();
            *n += 1;
            *n
        };
        if n % 2 == 1 {
            return Reply::Accept;
        }
        decide(rcpt)
    });
}
