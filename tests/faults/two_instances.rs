//! Two instances on one database, both with the delivery worker on, sending the same
//! campaign: their claims never overlap, so no Message-ID reaches a relay twice and every
//! person's row ends `sent` once. Each instance has its own relay, so the test also sees that
//! both did part of the work.

use std::collections::HashSet;
use std::time::Duration;

use crate::sink::Sink;
use crate::{Candor, Delivery, Store, campaign, count, env_number, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sending_one_campaign_never_deliver_a_message_twice() {
    let people = env_number("CANDOR_FAULTS_PEOPLE", 300);
    let delivery = Delivery {
        concurrency: 4,
        batch: 10,
        lease_seconds: 60,
        rate: 100,
    };
    let (sink_a, sink_b) = (Sink::start().await, Sink::start().await);
    // SQLite too: both processes open the same file (WAL), and its writes are serialized.
    let store = Store::fresh().await;
    campaign::send_to(&store.settings(&sink_a, delivery), people).await;
    let db = store.open(&sink_a, delivery).await;

    let a = Candor::spawn(&store, &sink_a, delivery, "a", &[]);
    let b = Candor::spawn(&store, &sink_b, delivery, "b", &[]);
    a.wait_ready(Duration::from_secs(60)).await;
    b.wait_ready(Duration::from_secs(60)).await;

    let budget = Duration::from_secs(people / 20 + 60);
    let finished = eventually(budget, || async {
        count(&db, "status = 'sent'").await == people
    })
    .await;
    let (ta, tb) = (sink_a.tally(), sink_b.tally());
    eprintln!(
        "[{}] {people} people: instance A sent {}, instance B sent {}; duplicates A {}, B {}",
        store.backend(),
        ta.accepted,
        tb.accepted,
        ta.duplicates,
        tb.duplicates
    );
    assert!(
        finished,
        "not every row was sent within {budget:?}: {} sent; logs:\n{}\n{}",
        count(&db, "status = 'sent'").await,
        a.log_text(),
        b.log_text()
    );
    let both: HashSet<String> = sink_a.ids().into_iter().chain(sink_b.ids()).collect();
    assert_eq!(
        ta.duplicates + tb.duplicates,
        0,
        "an instance sent a message twice"
    );
    assert_eq!(
        ta.accepted + tb.accepted,
        people,
        "the two relays together got each message once (A {}, B {})",
        ta.accepted,
        tb.accepted
    );
    assert_eq!(
        both.len() as u64,
        people,
        "no Message-ID went to both relays"
    );
    assert!(
        ta.accepted > 0 && tb.accepted > 0,
        "both instances took part (A {}, B {})",
        ta.accepted,
        tb.accepted
    );
    assert_eq!(count(&db, "1 = 1").await, people, "one row per person");
    db.close().await.ok();
}
