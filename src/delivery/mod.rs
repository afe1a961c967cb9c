//! Delivery of approved notices: sending a notice writes one outbox row per person and
//! channel (with the campaign's frozen render inputs) in the transaction that marks it sent;
//! workers claim rows under a lease, render and send each outside any transaction, and record
//! each message's own outcome. Email goes to an SMTP relay or, on a fresh instance, into
//! `.eml` files; letters go to a folder for a print-and-mail vendor. Campaigns can hold the
//! audience behind a canary, pause (by hand, or by their failure rate) and resume; bounces
//! reported back hand the person to the postal channel.
//!
//! Logs and errors carry ids and counts: never recipients, names, or a relay's reply (it can
//! echo an address), which are stored for staff instead.

mod control;
pub mod dsn;
mod enqueue;
pub mod links;
mod shapes;
mod snapshot;
mod status;
pub mod transport;
mod worker;

pub use control::{BounceOutcome, Steerer, pause, record_bounce, release, resume};
pub use enqueue::{SendOptions, Sent, Wave, send_notice, send_wave};
pub use links::{LinkKeys, LinkPurpose};
pub use snapshot::Snapshot;
pub use status::{Campaign, Counts, Message, Overview, overview, postal_manifest};
pub use worker::{DeliveryCounters, OutcomeLabels, RunStats, Worker};

use std::path::PathBuf;

use chrono::Duration;
use lettre::message::Mailbox;

use crate::domain::delivery::{CampaignState, RetryPolicy};
use crate::notice::drafts::NoticeError;
use transport::EmailTransport;

/// What a send stamps on its campaign.
#[derive(Debug, Clone)]
pub struct SendSettings {
    /// The sender of notices: the organization's name and `CANDOR_NOTICE_FROM`.
    pub from: Mailbox,
    /// How long people's links work.
    pub link_ttl: Duration,
}

/// When a campaign pauses itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoPause {
    /// How many recent outcomes are looked at.
    pub window: usize,
    /// How many must have been seen before judging.
    pub min_sample: usize,
    /// The failing share (0.0 to 1.0) past which the campaign pauses; 1.0 never pauses.
    pub threshold: f64,
}

impl Default for AutoPause {
    fn default() -> Self {
        AutoPause {
            window: 200,
            min_sample: 50,
            threshold: 0.2,
        }
    }
}

/// How the outbox worker sends.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub email: EmailTransport,
    /// Where letters are written, a folder per campaign.
    pub postal_dir: PathBuf,
    pub link_keys: LinkKeys,
    /// Sender tasks, each with its own relay connection.
    pub concurrency: usize,
    /// Messages per second across the worker's senders; 0: no cap.
    pub rate_per_second: u32,
    /// Rows the claimer claims at a time.
    pub batch: u64,
    /// How long a claim holds its rows before another worker may take them.
    pub lease: Duration,
    pub retry: RetryPolicy,
    pub auto_pause: AutoPause,
    /// How often an idle worker looks for due rows.
    pub poll: std::time::Duration,
    /// Names this worker's leases (several instances may share a database).
    pub worker_id: String,
}

/// Errors of delivery.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no such incident")]
    IncidentNotFound,
    #[error("no such campaign")]
    NotFound,
    #[error("no message with that Message-ID")]
    UnknownMessage,
    #[error("only a CX lead can do this")]
    NotCxLead,
    #[error("the campaign is already {0}")]
    AlreadyInState(CampaignState),
    #[error("the campaign was sent without a canary; nothing is held")]
    NoCanary,
    #[error("the campaign's held messages were already released")]
    AlreadyReleased,
    #[error(
        "a {0} goes out with the survey: to the people due one, by its schedule or by \
         POST /api/v1/incidents/{{id}}/survey/invite"
    )]
    SentBySurvey(crate::domain::notice::NoticeKind),
    #[error("the notice does not render: {0}")]
    Render(String),
    #[error("stored delivery data is unreadable: {0}")]
    Corrupt(String),
    #[error("a delivery task stopped: {0}")]
    Task(String),
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// The files of a data directory's postal outbox.
pub fn postal_outbox(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("outbox").join("postal")
}

/// The folder the file transport writes notices into.
pub fn notice_outbox(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("outbox").join("notices")
}
