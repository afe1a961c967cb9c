//! A campaign of a few hundred people sent through a chaotic SMTP server (421 at the greeting
//! or MAIL, 451 at RCPT or after DATA, connections dropped mid-DATA, stalls past the client's
//! timeout, messages accepted and then the session dropped before the 250, and 550 for a fixed
//! set of addresses). Every notice must end `sent` or `failed` with its reason, none lost, the
//! backoff respected, and a message sent twice only when its fate was unknown, and then with
//! the same Message-ID. The faults are drawn from a fixed seed (`CANDOR_CHAOS_SEED` overrides
//! it), printed in every failure.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use candor::domain::Clock;
use chrono::{DateTime, Duration, Utc};

use crate::delivery::{OutboxRow, counts, crowd, drain, eventually, only, outbox};
use crate::delivery::{sent_campaign, smtp_app};
use crate::smtp_server::{Reply, Step, TestSmtp};

const PEOPLE: usize = 300;
const MAX_ATTEMPTS: u32 = 4;
const RETRY_BASE_SECONDS: i64 = 10;
const RETRY_MAX_SECONDS: i64 = 40;
/// The client waits 1 s per step; a stall outlasts it.
const STALL: std::time::Duration = std::time::Duration::from_millis(1_500);
/// Each stall costs a sender a second of real time: a few are enough.
const MAX_STALLS: usize = 8;
const MAX_ROUNDS: usize = 100;
const DEFAULT_SEED: u64 = 0x00C4_A05D_2026_1123;

/// The faults the server injected, by kind.
#[derive(Debug, Default, Clone)]
struct Injected {
    greeting_421: usize,
    mail_421: usize,
    rcpt_451: usize,
    data_451: usize,
    drop_mid_data: usize,
    stall_before_data: usize,
    stall_after_data: usize,
    accept_then_drop: usize,
    always_550: usize,
    always_451: usize,
}

/// The server's chaos: the seed, what it injected, and the Message-IDs whose fate the client
/// could not know (kept, but the client never saw the 250).
struct Chaos {
    seed: u64,
    /// Per key (a step and a recipient or Message-ID), how often it was asked.
    asked: HashMap<String, u64>,
    injected: Injected,
    stalls: usize,
    unknown_fate: HashSet<String>,
    refused: HashSet<String>,
    busy: HashSet<String>,
}

impl Chaos {
    /// A number in [0, 1) from the seed, the key and how often the key was asked: the same
    /// recipient meets the same faults at RCPT and DATA on every run, whatever order the
    /// senders go in (the greeting, MAIL and the stall budget depend on that order).
    fn roll(&mut self, key: &str) -> f64 {
        let n = self.asked.entry(key.to_owned()).or_default();
        *n += 1;
        let mut x = self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for byte in key.bytes() {
            x = (x ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
        }
        // splitmix64's finalizer.
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn stall(&mut self) -> Option<Reply> {
        (self.stalls < MAX_STALLS).then(|| {
            self.stalls += 1;
            Reply::Stall(STALL)
        })
    }

    fn decide(&mut self, step: Step<'_>) -> Reply {
        match step {
            Step::Greeting => match self.roll("greeting") {
                r if r < 0.03 => {
                    self.injected.greeting_421 += 1;
                    Reply::Closing
                }
                r if r < 0.04 => self.stall().map_or(Reply::Accept, |stall| {
                    self.injected.stall_before_data += 1;
                    stall
                }),
                _ => Reply::Accept,
            },
            Step::Mail => match self.roll("mail") {
                r if r < 0.03 => {
                    self.injected.mail_421 += 1;
                    Reply::Closing
                }
                r if r < 0.035 => self.stall().map_or(Reply::Accept, |stall| {
                    self.injected.stall_before_data += 1;
                    stall
                }),
                _ => Reply::Accept,
            },
            Step::Rcpt(address) if self.refused.contains(address) => {
                self.injected.always_550 += 1;
                Reply::Permanent
            }
            Step::Rcpt(address) if self.busy.contains(address) => {
                self.injected.always_451 += 1;
                Reply::Transient
            }
            Step::Rcpt(address) => {
                if self.roll(&format!("rcpt {address}")) < 0.05 {
                    self.injected.rcpt_451 += 1;
                    Reply::Transient
                } else {
                    Reply::Accept
                }
            }
            // Rolled by recipient: Message-IDs are new on every run, addresses are not.
            Step::Data { rcpt, message_id } => {
                let id = message_id.unwrap_or_default().to_owned();
                match self.roll(&format!("data {rcpt}")) {
                    r if r < 0.05 => {
                        self.injected.data_451 += 1;
                        Reply::Transient
                    }
                    r if r < 0.09 => {
                        self.injected.drop_mid_data += 1;
                        Reply::DropMidData
                    }
                    r if r < 0.13 => {
                        self.injected.accept_then_drop += 1;
                        self.unknown_fate.insert(id);
                        Reply::AcceptThenDrop
                    }
                    r if r < 0.14 => self.stall().map_or(Reply::Accept, |stall| {
                        self.injected.stall_after_data += 1;
                        self.unknown_fate.insert(id);
                        stall
                    }),
                    _ => Reply::Accept,
                }
            }
        }
    }
}

fn lock(chaos: &Mutex<Chaos>) -> std::sync::MutexGuard<'_, Chaos> {
    chaos.lock().unwrap_or_else(PoisonError::into_inner)
}

fn seed() -> u64 {
    std::env::var("CANDOR_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// The full backoff after the `n`th failed attempt: base·2^(n−1), capped.
fn full_backoff(n: i32) -> Duration {
    let doublings = u32::try_from(n - 1).unwrap_or(0).min(30);
    (Duration::seconds(RETRY_BASE_SECONDS) * (1 << doublings))
        .min(Duration::seconds(RETRY_MAX_SECONDS))
}

/// What one drain did to the rows, checked against the retry policy; returns the rows after.
async fn checked_round(
    app: &crate::helpers::TestApp,
    seed: u64,
    round: usize,
    history: &mut HashMap<i64, Vec<DateTime<Utc>>>,
) -> Vec<OutboxRow> {
    let before: HashMap<i64, OutboxRow> =
        outbox(app).await.into_iter().map(|r| (r.id, r)).collect();
    let now = app.clock.now();
    drain(app).await;
    let after = outbox(app).await;
    for row in &after {
        let was = &before[&row.id];
        let ctx = format!("seed {seed}, round {round}, row {}", row.id);
        assert_ne!(row.status, "sending", "{ctx}: left leased");
        let due =
            matches!(was.status.as_str(), "pending" | "retrying") && was.next_attempt_at <= now;
        if !due {
            assert_eq!(
                row.attempts, was.attempts,
                "{ctx}: attempted before it was due"
            );
            assert_eq!(row.status, was.status, "{ctx}");
            continue;
        }
        assert_eq!(
            row.attempts,
            was.attempts + 1,
            "{ctx}: a due row goes once per drain"
        );
        history.entry(row.id).or_default().push(now);
        if row.status == "retrying" {
            let full = full_backoff(row.attempts);
            let wait = row.next_attempt_at - now;
            // Equal jitter: between half the full wait and all of it (1 ms for rounding).
            assert!(
                wait >= full / 2 - Duration::milliseconds(1) && wait <= full,
                "{ctx}: waits {wait} after attempt {}, the policy allows {}..{full}",
                row.attempts,
                full / 2
            );
        }
    }
    after
}

#[tokio::test]
async fn a_campaign_through_a_chaotic_relay_ends_every_notice_sent_or_failed_without_losing_or_repeating_one()
 {
    let seed = seed();
    let people = crate::delivery::numbered(PEOPLE);
    let address = |i: usize| {
        people[i]
            .email
            .clone()
            .expect("numbered people have emails")
    };
    let refused: HashSet<String> = (0..PEOPLE).step_by(29).map(address).collect();
    let busy: HashSet<String> = (7..PEOPLE).step_by(61).map(address).collect();
    let chaos = Arc::new(Mutex::new(Chaos {
        seed,
        asked: HashMap::new(),
        injected: Injected::default(),
        stalls: 0,
        unknown_fate: HashSet::new(),
        refused: refused.clone(),
        busy: busy.clone(),
    }));
    let smtp = TestSmtp::start().await;
    let script = Arc::clone(&chaos);
    smtp.on_step(move |step| lock(&script).decide(step));
    let app = smtp_app(&smtp, |s| {
        s.smtp_timeout_seconds = 1;
        s.delivery_max_attempts = MAX_ATTEMPTS;
        s.delivery_retry_base_seconds = RETRY_BASE_SECONDS;
        s.delivery_retry_max_seconds = RETRY_MAX_SECONDS;
        // The chaos fails far more than the pause threshold; this test is about each message.
        s.delivery_auto_pause_rate = 1.0;
        // Small batches spread the stalls over the senders.
        s.delivery_batch = 10;
    })
    .await;
    let desk = crowd(&app, PEOPLE).await;
    sent_campaign(&desk, None).await;

    let mut history: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
    let mut settled = None;
    for round in 0..MAX_ROUNDS {
        let rows = checked_round(&app, seed, round, &mut history).await;
        let next = rows
            .iter()
            .filter(|r| matches!(r.status.as_str(), "pending" | "retrying"))
            .map(|r| r.next_attempt_at)
            .min();
        match next {
            // Half a base past the earliest: some rows fall due, later ones must wait.
            Some(at) => app
                .clock
                .set(at.max(app.clock.now()) + Duration::seconds(RETRY_BASE_SECONDS / 2)),
            None => {
                settled = Some((round + 1, rows));
                break;
            }
        }
    }
    let Some((rounds, rows)) = settled else {
        panic!("seed {seed}: the outbox did not settle in {MAX_ROUNDS} drains");
    };
    // A stall after DATA keeps its message only when it ends.
    eventually("the stalled sessions end", async || smtp.stalling() == 0).await;

    let (injected, unknown_fate) = {
        let chaos = lock(&chaos);
        (chaos.injected.clone(), chaos.unknown_fate.clone())
    };
    let accepted = smtp.accepted();
    let times_accepted = smtp.counts_by_message_id();
    let ctx = format!("seed {seed}");

    // None lost: one row per person, each with its own Message-ID, each sent or failed.
    assert_eq!(rows.len(), PEOPLE, "{ctx}");
    let refs: HashSet<_> = rows.iter().map(|r| r.customer_ref.clone()).collect();
    assert_eq!(refs.len(), PEOPLE, "{ctx}: a person is missing or doubled");
    let ids: HashMap<String, &OutboxRow> = rows.iter().map(|r| (r.header_id(), r)).collect();
    assert_eq!(ids.len(), PEOPLE, "{ctx}: Message-IDs are not distinct");
    for row in &rows {
        let ctx = format!("{ctx}, row {} ({})", row.id, row.status);
        let kept = times_accepted.get(&row.header_id()).copied().unwrap_or(0);
        match row.status.as_str() {
            "sent" => {
                assert!(kept >= 1, "{ctx}: sent but never accepted");
                let reply = row.reply.as_deref().unwrap_or_default();
                assert!(reply.starts_with("250 "), "{ctx}: {reply}");
                assert_eq!(row.last_error, None, "{ctx}");
            }
            "failed" if refused.contains(&row.recipient) => {
                assert_eq!(
                    row.last_error.as_deref(),
                    Some(
                        format!(
                            "550 5.1.1 <{}>: Recipient address rejected: User unknown",
                            row.recipient
                        )
                        .as_str()
                    ),
                    "{ctx}"
                );
                assert_eq!(kept, 0, "{ctx}");
            }
            "failed" => {
                // Out of attempts, with the last transient reason.
                assert_eq!(row.attempts, MAX_ATTEMPTS as i32, "{ctx}");
                let error = row.last_error.as_deref().unwrap_or_default();
                let prefix = format!("gave up after {MAX_ATTEMPTS} attempts; the last: ");
                let last = error.strip_prefix(&prefix);
                assert!(
                    last.is_some_and(|l| !l.is_empty() && !l.starts_with('5')),
                    "{ctx}: {error}"
                );
            }
            other => panic!("{ctx}: ends `{other}`"),
        }
        if refused.contains(&row.recipient) {
            assert_eq!(row.status, "failed", "{ctx}: a 550 address");
        }
        if busy.contains(&row.recipient) {
            assert_eq!(
                row.status, "failed",
                "{ctx}: an address always answered 451"
            );
        }
    }
    // Only rows' own Message-IDs, to their own recipients; a message kept twice only when its
    // fate was unknown (its duplicates carry the same Message-ID by construction of the count).
    for message in &accepted {
        let id = message.message_id.clone().unwrap_or_default();
        let row = ids.get(&id);
        assert!(
            row.is_some(),
            "{ctx}: the relay got a Message-ID no row has"
        );
        assert_eq!(
            message.rcpt,
            [row.map(|r| r.recipient.clone()).unwrap_or_default()],
            "{ctx}"
        );
    }
    let duplicated: Vec<&String> = times_accepted
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    for id in &duplicated {
        assert!(
            unknown_fate.contains(*id),
            "{ctx}: {id} was kept {} times though each of its fates was known",
            times_accepted[*id]
        );
    }
    for (id, row) in &ids {
        if row.status == "failed" && times_accepted.contains_key(id) {
            assert!(
                unknown_fate.contains(id),
                "{ctx}: a failed row's message was kept"
            );
        }
    }
    // Backoff across the whole history: each attempt at least half the full wait after the
    // one before.
    for (id, times) in &history {
        for (n, pair) in times.windows(2).enumerate() {
            let gap = pair[1] - pair[0];
            let least = full_backoff(i32::try_from(n).unwrap_or(0) + 1) / 2;
            assert!(
                gap >= least - Duration::milliseconds(1),
                "{ctx}: row {id} went again after {gap}"
            );
        }
    }
    let sent = rows.iter().filter(|r| r.status == "sent").count();
    let failed = rows.len() - sent;
    assert_eq!(
        counts(&desk).await,
        only(&[("sent", sent as i64), ("failed", failed as i64)]),
        "{ctx}: the API's counts"
    );
    let retried = history.values().filter(|t| t.len() > 1).count();
    let gave_up = rows
        .iter()
        .filter(|r| {
            r.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("gave up"))
        })
        .count();
    println!(
        "smtp chaos, seed {seed}: {PEOPLE} people, {rounds} drains, {} SMTP transactions; \
         injected {:?}; outcome: {sent} sent, {failed} failed ({} by 550, {gave_up} out of \
         attempts), {retried} retried, {} unknown-fate messages, {} duplicated (kept {} extra \
         times)",
        smtp.attempts(),
        injected,
        failed - gave_up,
        unknown_fate.len(),
        duplicated.len(),
        duplicated
            .iter()
            .map(|id| times_accepted[*id] - 1)
            .sum::<usize>(),
    );
    // The chaos did happen (a seed that injected nothing would prove nothing).
    assert!(
        injected.greeting_421 + injected.mail_421 > 0
            && injected.rcpt_451 + injected.data_451 > 0
            && injected.drop_mid_data > 0
            && injected.stall_before_data + injected.stall_after_data > 0
            && injected.accept_then_drop > 0
            && retried > 0
            && gave_up > 0,
        "{ctx}: too little chaos: {injected:?}"
    );
}
