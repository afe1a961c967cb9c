//! The outbox worker. One claimer task claims batches of due rows under a lease and deals them
//! out to the sender tasks; each sender owns one connection to the relay, renders and sends
//! each row outside any transaction, and hands each message's outcome to the marker, which
//! records outcomes in batches and pauses a campaign whose failure rate passes the threshold.
//! While rows wait their turn the worker renews its leases on them; a row whose worker stopped
//! is claimed again when its lease lapses and goes out with the same Message-ID.
//!
//! One claimer rather than one per sender: on PostgreSQL, senders claiming at once each walk
//! past the rows the others hold (`SKIP LOCKED` still has to look at them), and that cost
//! grows with the square of the number of senders. Instances sharing a database still claim
//! side by side.
//!
//! Logs carry campaign ids and counts, never recipients or what the relay said about them.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use rand::Rng;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

/// The marker records once it holds this many outcomes (taking up to twice as many at once
/// when they are waiting)…
const MARK_BATCH: usize = 512;
/// …or once the first of them has waited this long: one statement and one commit for
/// hundreds of messages rather than a few (a commit per handful of messages cost the
/// PostgreSQL server and the worker more CPU than the sending did), while an outcome still
/// reaches the database within moments of the relay's reply.
const MARK_LINGER: std::time::Duration = std::time::Duration::from_millis(20);

use super::snapshot::CampaignRender;
use super::transport::{
    BuiltMessage, EmailSender, Outcome, OutgoingMessage, PostalLetter, build_message, write_letter,
};
use super::{DeliveryConfig, DeliveryError};
use crate::audit::{self, AuditEvent};
use crate::domain::Clock;
use crate::domain::audit::Actor;
use crate::domain::delivery::{CampaignState, FailureWindow, Retry};
use crate::store;
use crate::store::delivery::outbox::{self, Claimed, Mark};

/// Messages the worker finished, by outcome (`sent`, `retrying`, `failed`): exposed on
/// `/metrics` as `candor_delivery_messages_total`.
#[derive(Debug, Clone, Default)]
pub struct DeliveryCounters {
    pub messages: Family<OutcomeLabels, Counter>,
}

/// The label of [`DeliveryCounters::messages`].
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub claimed: u64,
    /// Messages rendered from the templates for their person alone; the rest were their
    /// shape's rendering with the person's values filled in.
    pub rendered_in_full: u64,
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// A claimed row, prepared by a sender.
enum Ready {
    /// An email to send.
    Email(ReadyEmail),
    /// Dealt with already (a letter written, a row that could not be rendered): its
    /// campaign and outcome.
    Done(Uuid, Mark),
}

struct ReadyEmail {
    row: Claimed,
    built: BuiltMessage,
    /// The SHA-256 of `built`'s bytes, in hex: what was sent, on record.
    digest: String,
    /// Whether the rate cap let it through when it was built (always, without a cap).
    paced: bool,
}

/// Sends the outbox. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    /// What [`Inner::db`] gives, opened at first use.
    own: OnceLock<DatabaseConnection>,
    clock: Arc<dyn Clock>,
    config: DeliveryConfig,
    wake: Notify,
    renders: Mutex<HashMap<Uuid, Arc<tokio::sync::OnceCell<Arc<CampaignRender>>>>>,
    windows: Mutex<HashMap<Uuid, FailureWindow>>,
    limiter: Option<DefaultDirectRateLimiter>,
    counters: DeliveryCounters,
    rendered_in_full: std::sync::atomic::AtomicU64,
}

impl Inner {
    /// The connection the worker claims, records and loads campaigns through: on a SQLite
    /// file, a connection of its own, so claims and outcomes share one page cache (a tenth of
    /// the SQLite thread's time in the delivery bench went to re-reading pages when they
    /// took turns on the service's pool); otherwise the service's pool.
    fn db(&self) -> &DatabaseConnection {
        self.own.get_or_init(|| store::own_connection(&self.db))
    }
}

impl Worker {
    /// A worker sending from `db` as `config` says.
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, config: DeliveryConfig) -> Self {
        let limiter = NonZeroU32::new(config.rate_per_second)
            .map(|rate| RateLimiter::direct(Quota::per_second(rate)));
        Worker {
            inner: Arc::new(Inner {
                db,
                own: OnceLock::new(),
                clock,
                config,
                wake: Notify::new(),
                renders: Mutex::default(),
                windows: Mutex::default(),
                limiter,
                counters: DeliveryCounters::default(),
                rendered_in_full: Default::default(),
            }),
        }
    }

    /// The counters this worker adds to (register them with the service's metrics).
    pub fn counters(&self) -> &DeliveryCounters {
        &self.inner.counters
    }

    /// The worker's settings.
    pub fn config(&self) -> &DeliveryConfig {
        &self.inner.config
    }

    /// Tells a waiting worker there is work (a notice was sent, a campaign resumed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Forgets a campaign's recent failures (after a person resumes it).
    pub fn forget_failures(&self, campaign_id: Uuid) {
        if let Ok(mut windows) = self.inner.windows.lock() {
            windows.remove(&campaign_id);
        }
    }

    /// Runs in the background while the service runs: drains the outbox, then waits to be
    /// woken or for the poll interval (retries fall due, leases lapse, other instances add).
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move {
            loop {
                match worker.run_until_idle().await {
                    Ok(stats) if stats.claimed > 0 => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "the outbox worker failed; it tries again shortly");
                    }
                }
                let _ =
                    tokio::time::timeout(worker.inner.config.poll, worker.inner.wake.notified())
                        .await;
            }
        })
    }

    /// Sends every due message, returning once none is left to claim.
    pub async fn run_until_idle(&self) -> Result<RunStats, DeliveryError> {
        let inner = &self.inner;
        let full_before = inner
            .rendered_in_full
            .load(std::sync::atomic::Ordering::Relaxed);
        let reclaimed = outbox::reclaim_expired(inner.db(), inner.clock.now()).await?;
        if reclaimed > 0 {
            tracing::warn!(
                rows = reclaimed,
                "outbox rows whose worker stopped are due again"
            );
        }
        let (marks, received) = mpsc::channel::<(Uuid, Mark)>(4096);
        let marker = tokio::spawn(marker(self.clone(), received));
        // While rows wait their turn their leases are renewed, so a slow relay never lets a
        // lease lapse under a row this worker still means to send. Held in a set, so the
        // renewal stops with this run even when the run is cancelled (leases then lapse).
        let mut renewal = tokio::task::JoinSet::new();
        renewal.spawn(renewer(self.clone()));
        // Room for one batch waiting while the senders work through the last: the claimer
        // stays a batch ahead, and little more is held under lease than is being sent.
        let batch = claim_size(&inner.config);
        let (rows, dealt) = mpsc::channel::<Claimed>(usize::try_from(batch).unwrap_or(1024));
        let dealt = Arc::new(tokio::sync::Mutex::new(dealt));
        let claimer = tokio::spawn(claimer(self.clone(), rows));
        let mut senders = tokio::task::JoinSet::new();
        for _ in 0..inner.config.concurrency.max(1) {
            let worker = self.clone();
            let marks = marks.clone();
            let dealt = Arc::clone(&dealt);
            senders.spawn(async move { worker.sender(&dealt, marks).await });
        }
        drop(marks);
        let mut first_error = None;
        while let Some(joined) = senders.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(e)) => first_error = first_error.or(Some(e)),
                Err(e) => {
                    first_error = first_error.or(Some(DeliveryError::Task(e.to_string())));
                }
            }
        }
        // With every sender gone the claimer's next hand-off fails and it stops; rows it
        // claimed and could not hand over lapse with their lease and go out again.
        drop(dealt);
        let claimed = match claimer.await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                first_error = first_error.or(Some(e));
                0
            }
            Err(e) => {
                first_error = first_error.or(Some(DeliveryError::Task(e.to_string())));
                0
            }
        };
        let marked = marker.await;
        drop(renewal);
        let mut stats = marked.map_err(|e| DeliveryError::Task(e.to_string()))??;
        stats.claimed = claimed;
        stats.rendered_in_full = inner
            .rendered_in_full
            .load(std::sync::atomic::Ordering::Relaxed)
            - full_before;
        match first_error {
            Some(e) => Err(e),
            None => Ok(stats),
        }
    }

    /// One sender task: takes claimed rows as they are dealt, sends each and reports its
    /// outcome, until the claimer has nothing more.
    ///
    /// While the relay takes one message, the sender already holds the next when one is
    /// dealt without waiting: its commands then go out behind this message's data
    /// ([`EmailSender::send_then`]). And while it waits for the relay's reply it prepares the
    /// message after that, so when the reply comes the next write goes out at once: the
    /// rendering, building and hashing happen while the relay works rather than between its
    /// reply and the next message.
    async fn sender(
        &self,
        dealt: &tokio::sync::Mutex<mpsc::Receiver<Claimed>>,
        marks: mpsc::Sender<(Uuid, Mark)>,
    ) -> Result<(), DeliveryError> {
        let mut email = self.inner.config.email.sender();
        let result = async {
            // Prepared rows, in order: at most the next two.
            let mut prepared: VecDeque<Ready> = VecDeque::with_capacity(2);
            loop {
                let ready = match prepared.pop_front() {
                    Some(ready) => ready,
                    None => {
                        let Some(row) = dealt.lock().await.recv().await else {
                            return Ok(());
                        };
                        let eight_bit = eight_bit_for(&mut email, &row).await;
                        self.prepare(row, eight_bit).await
                    }
                };
                let (campaign, mark) = match ready {
                    Ready::Done(campaign, mark) => (campaign, mark),
                    Ready::Email(current) => {
                        let ahead = email.writes_ahead();
                        if ahead
                            && prepared.is_empty()
                            && let Some(row) = deal_now(dealt)
                        {
                            let eight_bit = eight_bit_for(&mut email, &row).await;
                            prepared.push_back(self.prepare(row, eight_bit).await);
                        }
                        let later = match ahead && prepared.len() == 1 {
                            true => deal_now(dealt),
                            false => None,
                        };
                        let eight_bit = match &later {
                            Some(row) => eight_bit_for(&mut email, row).await,
                            None => false,
                        };
                        let next = match prepared.front() {
                            Some(Ready::Email(next)) if next.paced => Some(&next.built),
                            _ => None,
                        };
                        let (sent, later) =
                            tokio::join!(self.send(&mut email, current, next), async {
                                match later {
                                    Some(row) => Some(self.prepare(row, eight_bit).await),
                                    None => None,
                                }
                            });
                        prepared.extend(later);
                        sent
                    }
                };
                if marks.send((campaign, mark)).await.is_err() {
                    return Err(DeliveryError::Task("the outcome recorder stopped".into()));
                }
            }
        }
        .await;
        email.close().await;
        result
    }

    /// Sends a built email, `next`'s commands behind it if given; its outcome as a mark.
    async fn send(
        &self,
        email: &mut EmailSender,
        ready: ReadyEmail,
        next: Option<&BuiltMessage>,
    ) -> (Uuid, Mark) {
        if !ready.paced
            && let Some(limiter) = &self.inner.limiter
        {
            limiter.until_ready().await;
        }
        let outcome = match next {
            Some(next) => email.send_then(&ready.built, next).await,
            None => email.send(&ready.built).await,
        };
        let mark = self.mark(&ready.row, outcome, ready.digest);
        (ready.row.campaign_id, mark)
    }

    /// Renders a row and builds its email, or, for a row that needs no relay (a letter, or
    /// one that cannot be rendered), deals with it and says its outcome.
    /// `eight_bit`: the relay takes 8-bit bodies ([`eight_bit_for`]).
    async fn prepare(&self, row: Claimed, eight_bit: bool) -> Ready {
        let inner = &self.inner;
        let campaign = row.campaign_id;
        let done = |mark| Ready::Done(campaign, mark);
        let render = match self.campaign(row.campaign_id).await {
            Ok(render) => render,
            Err(e) => {
                return done(self.mark(
                    &row,
                    Outcome::Transient {
                        reason: e.to_string(),
                    },
                    String::new(),
                ));
            }
        };
        let rendered = match render.render(&inner.config.link_keys, &row) {
            Ok(r) => r,
            Err(e) => {
                return done(self.mark(
                    &row,
                    Outcome::Permanent {
                        reason: e.to_string(),
                    },
                    String::new(),
                ));
            }
        };
        if rendered.full {
            inner
                .rendered_in_full
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let language = rendered.locale.as_str();
        let r = &rendered.rendered;
        match row.channel.as_str() {
            "email" => {
                let message = OutgoingMessage {
                    eight_bit,
                    message_id: &row.message_id,
                    from: &render.from,
                    reply_to: Some(&render.reply_to),
                    to_address: &row.recipient,
                    to_name: rendered.name.as_deref(),
                    subject: &r.subject,
                    text: &r.text,
                    html: &r.html,
                    date: render.date,
                    language,
                };
                match build_message(&message) {
                    // A message built ahead goes out ahead only if the rate cap has room
                    // for it now; otherwise it waits its turn when it is sent.
                    Ok(built) => Ready::Email(ReadyEmail {
                        paced: inner.limiter.as_ref().is_none_or(|l| l.check().is_ok()),
                        digest: sha256_hex(&built.bytes),
                        row,
                        built,
                    }),
                    Err(e) => done(self.mark(&row, Outcome::from(e), String::new())),
                }
            }
            "postal" => {
                let outcome = self.write_letter(&row, &rendered).await;
                done(self.mark(&row, outcome, sha256_hex(r.text.as_bytes())))
            }
            other => done(self.mark(
                &row,
                Outcome::Permanent {
                    reason: format!("no channel `{other}`"),
                },
                String::new(),
            )),
        }
    }

    /// Writes a row's letter (a file write and an fsync: on the blocking pool).
    async fn write_letter(
        &self,
        row: &Claimed,
        rendered: &super::snapshot::RenderedRow,
    ) -> Outcome {
        let address: serde_json::Value = serde_json::from_str(&row.recipient).unwrap_or_default();
        let field = |k: &str| {
            address
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let fields = [
            field("line1"),
            field("city"),
            field("region"),
            field("postal_code"),
            field("country"),
        ];
        let letter_id = row
            .message_id
            .split('@')
            .next()
            .unwrap_or(&row.message_id)
            .to_owned();
        let name = rendered.name.clone();
        let subject = rendered.rendered.subject.clone();
        let text = rendered.rendered.text.clone();
        let language = rendered.locale.as_str();
        let dir = self
            .inner
            .config
            .postal_dir
            .join(row.campaign_id.to_string());
        let written = tokio::task::spawn_blocking(move || {
            let [line1, city, region, postal_code, country] = &fields;
            write_letter(
                &dir,
                &PostalLetter {
                    letter_id: &letter_id,
                    name: name.as_deref(),
                    line1,
                    city,
                    region,
                    postal_code,
                    country,
                    subject: &subject,
                    text: &text,
                    language,
                },
            )
        })
        .await;
        written.unwrap_or_else(|e| Outcome::Transient {
            reason: format!("the letter writer stopped: {e}"),
        })
    }

    /// An outcome as the mark to record, with the retry policy applied; `digest`: the SHA-256
    /// of what was sent (empty when nothing was).
    fn mark(&self, row: &Claimed, outcome: Outcome, digest: String) -> Mark {
        let now = self.inner.clock.now();
        let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
        match outcome {
            Outcome::Accepted { reply } => Mark::Sent {
                id: row.id,
                at: now,
                reply,
                body_sha256: digest,
            },
            Outcome::Permanent { reason } => Mark::Failed {
                id: row.id,
                error: reason,
            },
            Outcome::Transient { reason } => {
                let jitter = rand::rng().random::<f64>();
                match self.inner.config.retry.after_failure(attempts, jitter) {
                    Retry::After(wait) => Mark::Retry {
                        id: row.id,
                        next: now + wait,
                        error: reason,
                    },
                    Retry::GiveUp => Mark::Failed {
                        id: row.id,
                        error: format!("gave up after {attempts} attempts; the last: {reason}"),
                    },
                }
            }
        }
    }

    /// A campaign's renderer, compiled once per worker: senders meeting a campaign at once
    /// wait for the first to load it (so they share its shapes, too).
    async fn campaign(&self, id: Uuid) -> Result<Arc<CampaignRender>, DeliveryError> {
        let cell = {
            let mut renders = self
                .inner
                .renders
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(renders.entry(id).or_default())
        };
        let render = cell
            .get_or_try_init(|| async {
                let db = self.inner.db();
                let row = store::delivery::campaign(db, id)
                    .await?
                    .ok_or(DeliveryError::NotFound)?;
                let variants = store::delivery::variants(db, id).await?;
                Ok::<_, DeliveryError>(Arc::new(CampaignRender::load(&row, &variants)?))
            })
            .await?;
        Ok(Arc::clone(render))
    }
}

/// A row dealt out at once, if one is waiting and no other sender is taking one.
fn deal_now(dealt: &tokio::sync::Mutex<mpsc::Receiver<Claimed>>) -> Option<Claimed> {
    dealt.try_lock().ok()?.try_recv().ok()
}

/// Whether `row`'s message goes 8-bit: an email whose relay offers 8BITMIME (asked of the
/// session, which connects first if need be; letters never ask).
async fn eight_bit_for(email: &mut EmailSender, row: &Claimed) -> bool {
    row.channel == "email" && email.accepts_8bit().await
}

/// The SHA-256 of `bytes`, in hex.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Claims due rows a batch at a time and hands them to the senders, until none is due or no
/// sender is left; returns how many rows it claimed.
async fn claimer(worker: Worker, rows: mpsc::Sender<Claimed>) -> Result<u64, DeliveryError> {
    let inner = &worker.inner;
    let mut claimed = 0;
    loop {
        let now = inner.clock.now();
        let batch = outbox::claim(
            inner.db(),
            &inner.config.worker_id,
            claim_size(&inner.config),
            now,
            now + inner.config.lease,
        )
        .await?;
        if batch.is_empty() {
            return Ok(claimed);
        }
        claimed += batch.len() as u64;
        for row in batch {
            if rows.send(row).await.is_err() {
                return Ok(claimed);
            }
        }
    }
}

/// Rows a claim takes: the configured batch, and under a rate cap no more than a quarter of a
/// lease's worth at that rate, so rows are not held far longer than the cap lets them go.
fn claim_size(config: &DeliveryConfig) -> u64 {
    let batch = config.batch.max(1);
    match u64::from(config.rate_per_second) {
        0 => batch,
        rate => {
            let seconds = u64::try_from(config.lease.num_seconds()).unwrap_or(0);
            batch.min((rate * seconds / 4).max(1))
        }
    }
}

/// Renews the leases of the rows this worker holds every third of a lease, until aborted.
async fn renewer(worker: Worker) {
    let inner = &worker.inner;
    let every = (inner.config.lease / 3)
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(1))
        .max(std::time::Duration::from_secs(1));
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        let until = inner.clock.now() + inner.config.lease;
        if let Err(e) = outbox::renew(inner.db(), &inner.config.worker_id, until).await {
            tracing::warn!(error = %e, "renewing the worker's leases failed; it tries again");
        }
    }
}

/// Records outcomes in batches as they come, and pauses campaigns failing too often.
async fn marker(
    worker: Worker,
    mut received: mpsc::Receiver<(Uuid, Mark)>,
) -> Result<RunStats, DeliveryError> {
    let inner = &worker.inner;
    let mut stats = RunStats::default();
    let mut batch: Vec<(Uuid, Mark)> = Vec::with_capacity(2 * MARK_BATCH);
    while received.recv_many(&mut batch, 2 * MARK_BATCH).await > 0 {
        let deadline = tokio::time::Instant::now() + MARK_LINGER;
        while batch.len() < MARK_BATCH {
            let room = 2 * MARK_BATCH - batch.len();
            match tokio::time::timeout_at(deadline, received.recv_many(&mut batch, room)).await {
                // Every sender has finished, or the wait is over.
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let marks: Vec<Mark> = batch.iter().map(|(_, m)| m.clone()).collect();
        record_with_retries(inner, &marks).await?;
        let mut tripped = Vec::new();
        if let Ok(mut windows) = inner.windows.lock() {
            for (campaign, mark) in &batch {
                let failed = !matches!(mark, Mark::Sent { .. });
                let outcome = match mark {
                    Mark::Sent { .. } => {
                        stats.sent += 1;
                        "sent"
                    }
                    Mark::Retry { .. } => {
                        stats.retrying += 1;
                        "retrying"
                    }
                    Mark::Failed { .. } => {
                        stats.failed += 1;
                        "failed"
                    }
                };
                inner
                    .counters
                    .messages
                    .get_or_create(&OutcomeLabels { outcome })
                    .inc();
                let a = &inner.config.auto_pause;
                let window = windows
                    .entry(*campaign)
                    .or_insert_with(|| FailureWindow::new(a.window, a.min_sample, a.threshold));
                if let Some(t) = window.record(failed) {
                    window.clear();
                    tripped.push((*campaign, t));
                }
            }
        }
        batch.clear();
        for (campaign, t) in tripped {
            auto_pause(inner, campaign, t.failed, t.of).await?;
        }
    }
    Ok(stats)
}

/// Records a batch, trying again a few times: a database that blinks should not leave
/// messages to be sent twice.
async fn record_with_retries(inner: &Inner, marks: &[Mark]) -> Result<(), DeliveryError> {
    let mut wait = std::time::Duration::from_millis(100);
    for attempt in 1.. {
        match outbox::record(inner.db(), marks, inner.clock.now()).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 => {
                tracing::warn!(error = %e, attempt, "recording delivery outcomes failed; retrying");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    unreachable!("the loop returns")
}

async fn auto_pause(
    inner: &Inner,
    campaign_id: Uuid,
    failed: usize,
    of: usize,
) -> Result<(), DeliveryError> {
    let now: DateTime<Utc> = inner.clock.now();
    let reason = format!(
        "paused automatically: {failed} of the last {of} messages failed; check the relay and the failures, then resume"
    );
    let txn = store::begin_write(inner.db()).await?;
    let moved = store::delivery::set_state(
        &txn,
        campaign_id,
        CampaignState::Paused.as_str(),
        Some(reason.clone()),
        None,
        now,
    )
    .await?;
    if moved {
        let incident = store::delivery::campaign(&txn, campaign_id)
            .await?
            .map(|c| c.incident_id);
        audit::record(
            &txn,
            now,
            AuditEvent {
                actor: Actor::System,
                action: "delivery.auto_paused",
                object_type: "campaign",
                object_id: campaign_id.to_string(),
                incident_id: incident,
                summary: reason,
            },
        )
        .await?;
        tracing::warn!(campaign = %campaign_id, failed, of, "campaign paused by its failure rate");
    }
    txn.commit().await?;
    Ok(())
}
