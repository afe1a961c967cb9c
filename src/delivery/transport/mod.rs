//! The mail transports of the delivery capability: building a notice email (`mime`), sending
//! it through an SMTP relay (`relay`, `smtp`, `tls`) or into a folder of `.eml` files (`file`),
//! and writing postal letters and their manifest for a print-and-mail vendor (`postal`).
//!
//! Nothing here touches the database or logs personal data: each call says what became of one
//! message as an [`Outcome`], and the caller records it.

mod file;
mod mime;
mod postal;
mod relay;
mod smtp;
mod tls;

use std::path::PathBuf;
use std::sync::Arc;

pub use file::FileSender;
pub use mime::{BuiltMessage, MimeError, OutgoingMessage, build_message};
pub use postal::{PostalLetter, PostalManifestRow, write_letter, write_manifest};
pub use relay::{RelayError, SmtpRelay, TlsMode};
pub use smtp::SmtpSender;

/// What became of one message. `reply`/`reason` hold the server's own words (they may echo
/// the recipient's address: they are stored for staff, NEVER logged, never in Display of errors
/// that get logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The relay (or the file outbox) took the message: e.g. "250 2.0.0 Ok: queued as 4F2A" /
    /// "written to candor.3f2a.42@notices.example.org.eml".
    Accepted { reply: String },
    /// Worth retrying later: a 4xx reply, a timeout, a refused or dropped connection, a TLS
    /// handshake failure, a refused login, a full disk.
    Transient { reason: String },
    /// Will never succeed: a 5xx reply, an address lettre cannot parse, a message that cannot
    /// be built.
    Permanent { reason: String },
}

impl From<MimeError> for Outcome {
    /// A message that cannot be built never will be.
    fn from(err: MimeError) -> Outcome {
        Outcome::Permanent {
            reason: err.to_string(),
        }
    }
}

/// Where email goes: an SMTP relay, or `.eml` files in a folder (the embedded default).
#[derive(Clone, Debug)]
pub enum EmailTransport {
    Smtp(Arc<SmtpRelay>),
    File(PathBuf),
}

impl EmailTransport {
    /// One sender per worker task (each SMTP sender owns one connection).
    pub fn sender(&self) -> EmailSender {
        match self {
            EmailTransport::Smtp(relay) => EmailSender::Smtp(SmtpSender::new(Arc::clone(relay))),
            EmailTransport::File(dir) => EmailSender::File(FileSender::new(dir.clone())),
        }
    }

    /// "smtp://host:port (starttls required)" / "file outbox": for logs; never contains
    /// credentials.
    pub fn describe(&self) -> String {
        match self {
            EmailTransport::Smtp(relay) => relay.describe(),
            EmailTransport::File(_) => "file outbox".to_owned(),
        }
    }
}

/// One worker's way of sending email.
pub enum EmailSender {
    Smtp(SmtpSender),
    File(FileSender),
}

impl EmailSender {
    /// Sends one built message.
    pub async fn send(&mut self, message: &BuiltMessage) -> Outcome {
        match self {
            EmailSender::Smtp(sender) => sender.send(message).await,
            EmailSender::File(sender) => sender.send(message).await,
        }
    }

    /// Sends `message` with `next`'s commands written behind its data where the transport
    /// can ([`SmtpSender::send_then`]); the next call must send `next`.
    pub async fn send_then(&mut self, message: &BuiltMessage, next: &BuiltMessage) -> Outcome {
        match self {
            EmailSender::Smtp(sender) => sender.send_then(message, next).await,
            EmailSender::File(sender) => sender.send(message).await,
        }
    }

    /// Whether knowing the next message ahead saves anything: an open SMTP session whose
    /// relay offers PIPELINING.
    pub fn writes_ahead(&self) -> bool {
        match self {
            EmailSender::Smtp(sender) => sender.writes_ahead(),
            EmailSender::File(_) => false,
        }
    }

    /// Whether 8-bit bodies may be sent: the relay offers 8BITMIME (files take anything).
    pub async fn accepts_8bit(&mut self) -> bool {
        match self {
            EmailSender::Smtp(sender) => sender.accepts_8bit().await,
            EmailSender::File(_) => true,
        }
    }

    /// Politely QUITs an SMTP connection (no-op for files).
    pub async fn close(&mut self) {
        if let EmailSender::Smtp(sender) = self {
            sender.close().await;
        }
    }
}
