//! `kill -9` in the middle of a campaign: the service is killed at random moments while its
//! outbox worker sends, restarted on the same database and data directory, and in the end
//! every person has exactly one `sent` row and got the notice at least once; the messages the
//! relay saw twice are bounded by what the killed processes had claimed and not yet recorded.

use std::time::{Duration, Instant};

use rand::Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::sink::Sink;
use crate::{Candor, Delivery, Store, campaign, count, env_number, eventually};

/// The delivery settings of these runs: a short lease so rows of a killed worker come back
/// soon (10 s is the smallest the settings accept), small batches so a kill strands few.
fn delivery(rate: u32) -> Delivery {
    Delivery {
        concurrency: 4,
        batch: 10,
        lease_seconds: 10,
        rate,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_killed_mid_send_three_times_reaches_everyone_exactly_once() {
    let people = env_number("CANDOR_FAULTS_PEOPLE", 300);
    let rounds = env_number("CANDOR_FAULTS_ROUNDS", 3);
    kill_and_restart(
        people,
        rounds,
        delivery(env_number("CANDOR_FAULTS_RATE", 100)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "heavy: cargo test --release --test faults -- --ignored (see RELIABILITY.md)"]
async fn a_campaign_of_ten_thousand_killed_twenty_times_reaches_everyone_exactly_once() {
    let people = env_number("CANDOR_FAULTS_PEOPLE", 10_000);
    let rounds = env_number("CANDOR_FAULTS_ROUNDS", 20);
    kill_and_restart(
        people,
        rounds,
        delivery(env_number("CANDOR_FAULTS_RATE", 400)),
    )
    .await;
}

async fn kill_and_restart(people: u64, rounds: u32, delivery: Delivery) {
    let sink = Sink::start().await;
    let store = Store::fresh().await;
    let settings = store.settings(&sink, delivery);
    let started = Instant::now();
    campaign::send_to(&settings, people).await;
    let db = store.open(&sink, delivery).await;
    assert_eq!(
        count(&db, "status = 'pending'").await,
        people,
        "the notice queues one email per person"
    );
    eprintln!(
        "[{}] {people} notices queued in {:.1}s",
        store.backend(),
        started.elapsed().as_secs_f64()
    );

    let mut rng = rand::rng();
    let mut kills = 0;
    let mut stranded = 0;
    for round in 1..=rounds {
        let before = sink.tally().accepted;
        let owners_before = leases(&db).await;
        let mut candor = Candor::serve(&store, &sink, delivery, "serve").await;
        // Kill while it sends: after it has delivered something in this round, a random
        // moment later.
        let sending = eventually(Duration::from_secs(30), || async {
            sink.tally().accepted > before
        })
        .await;
        if !sending {
            // Nothing left that is due now (the rest wait for leases): stop killing.
            eprintln!("round {round}: nothing due to send; no kill");
            break;
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..800))).await;
        candor.kill9();
        kills += 1;
        // Rows the dead process had claimed and not recorded: the most it can send twice.
        let claimed: u64 = leases(&db)
            .await
            .into_iter()
            .filter(|(owner, _)| !owners_before.iter().any(|(o, _)| o == owner))
            .map(|(_, n)| n)
            .sum();
        stranded += claimed;
        eprintln!(
            "round {round}: killed after {} deliveries this round; {claimed} rows stranded under its lease",
            sink.tally().accepted - before
        );
    }

    let finish = Instant::now();
    let _candor = Candor::serve(&store, &sink, delivery, "serve").await;
    let lease = Duration::from_secs(delivery.lease_seconds as u64);
    let budget = lease * 3 + Duration::from_secs(people / 20 + 60);
    let finished = eventually(budget, || async {
        count(&db, "status = 'sent'").await == people
    })
    .await;
    let tally = sink.tally();
    eprintln!(
        "[{}] {people} people, {rounds} rounds, {kills} kills, {stranded} rows stranded at kills; \
         relay accepted {} messages, {} distinct, {} duplicates; last start to done {:.1}s",
        store.backend(),
        tally.accepted,
        tally.distinct,
        tally.duplicates,
        finish.elapsed().as_secs_f64()
    );
    assert!(
        finished,
        "not every row was sent within {budget:?}: {} sent, {} sending, {} retrying, {} failed",
        count(&db, "status = 'sent'").await,
        count(&db, "status = 'sending'").await,
        count(&db, "status = 'retrying'").await,
        count(&db, "status = 'failed'").await,
    );
    assert!(kills > 0, "the test killed the service at least once");

    // Exactly one `sent` row per person, and nobody without one.
    assert_eq!(count(&db, "1 = 1").await, people, "one row per person");
    assert_eq!(
        crate::scalar(
            &db,
            "SELECT COUNT(DISTINCT person_key) AS n FROM outbox_messages WHERE status = 'sent'"
        )
        .await,
        people,
        "every person has a sent row"
    );
    // Everyone got it; nobody got it more often than a kill could cause.
    assert_eq!(
        tally.distinct, people,
        "the relay saw every person's message"
    );
    let window = kills as u64 * delivery.concurrency as u64 * delivery.batch;
    assert!(
        tally.duplicates <= stranded,
        "{} duplicates, but the killed processes held only {stranded} rows unrecorded",
        tally.duplicates
    );
    assert!(
        tally.duplicates <= window,
        "{} duplicates exceed the in-flight window of {kills} kills × {} senders × batch {} = {window}",
        tally.duplicates,
        delivery.concurrency,
        delivery.batch
    );
    db.close().await.ok();
}

/// Rows under lease, by the worker holding them.
async fn leases(db: &DatabaseConnection) -> Vec<(String, u64)> {
    let sql = "SELECT lease_owner, COUNT(*) AS n FROM outbox_state \
               WHERE status = 'sending' GROUP BY lease_owner";
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("lease query")
        .into_iter()
        .map(|row| {
            let owner: Option<String> = row.try_get("", "lease_owner").expect("owner");
            let n: i64 = row.try_get("", "n").expect("count");
            (owner.unwrap_or_default(), n as u64)
        })
        .collect()
}
