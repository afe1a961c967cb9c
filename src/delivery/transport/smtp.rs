//! One worker's SMTP session: sends built messages over one kept-open connection to the relay,
//! reconnecting when needed, and says what became of each message.
//!
//! We run the transaction (MAIL, RCPT, DATA, body) ourselves instead of lettre's `send`:
//! lettre drops the session after any 4xx/5xx reply, and a bounced address must not cost the
//! next message a new TCP + TLS + AUTH handshake. After a refusal mid-transaction we send RSET.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;

use super::{BuiltMessage, Outcome, SmtpRelay};

/// Sends messages through one connection to the relay; one per worker task.
pub struct SmtpSender {
    relay: Arc<SmtpRelay>,
    /// Boxed: a connection with its buffers is over a kilobyte.
    conn: Option<Box<AsyncSmtpConnection>>,
}

/// The SMTP step a failure happened at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Mail,
    Rcpt,
    Data,
    Body,
}

impl Step {
    fn awaited(self) -> &'static str {
        match self {
            Step::Mail => "the reply to MAIL FROM",
            Step::Rcpt => "the reply to RCPT TO",
            Step::Data => "the reply to DATA",
            Step::Body => "the relay to take the message (it may have been delivered)",
        }
    }
}

/// How one attempt ended.
enum Attempt {
    Accepted(String),
    /// A 4xx/5xx reply: the session itself is still good.
    Refused {
        step: Step,
        code: u16,
        reply: String,
    },
    /// The session failed (refused connection, timeout, dropped, garbled); it is dropped.
    /// `closed` when the relay had closed it, so nothing of the message was sent yet if `step`
    /// is `Mail`.
    Lost {
        step: Option<Step>,
        reason: String,
        closed: bool,
    },
    /// This relay can never take this message (e.g. it lacks SMTPUTF8).
    Unsendable(&'static str),
}

impl SmtpSender {
    /// A sender that connects on its first message.
    pub fn new(relay: Arc<SmtpRelay>) -> Self {
        SmtpSender { relay, conn: None }
    }

    /// Sends one message. Never panics, never logs the relay's words (they may hold the
    /// address): they are returned for staff.
    pub async fn send(&mut self, message: &BuiltMessage) -> Outcome {
        let reused = self.conn.is_some();
        let mut attempt = self.attempt(message).await;
        // A relay closes idle sessions, and lettre then reports "incomplete response" (lettre
        // #743). If a kept session turns out closed at MAIL FROM, none of the message went
        // out: try once more on a fresh session rather than fail the message.
        if reused
            && let Attempt::Lost {
                step: Some(Step::Mail),
                closed: true,
                ..
            } = attempt
        {
            attempt = self.attempt(message).await;
        }
        attempt.into()
    }

    /// Whether the relay takes 8-bit bodies (8BITMIME); connects first if need be (a relay
    /// that cannot be reached is asked again on the next message).
    pub async fn accepts_8bit(&mut self) -> bool {
        if self.conn.as_ref().is_some_and(|conn| conn.has_broken()) {
            self.conn = None;
        }
        if self.conn.is_none()
            && let Ok(conn) = self.relay.connect().await
        {
            self.conn = Some(Box::new(conn));
        }
        self.conn
            .as_ref()
            .is_some_and(|conn| conn.server_info().supports_feature(Extension::EightBitMime))
    }

    /// Ends the session politely (QUIT), if one is open.
    pub async fn close(&mut self) {
        if let Some(mut conn) = self.conn.take()
            && !conn.has_broken()
        {
            let _ = within(self.relay.timeout(), conn.quit()).await;
        }
    }

    async fn attempt(&mut self, message: &BuiltMessage) -> Attempt {
        let timeout = self.relay.timeout();
        if self.conn.as_ref().is_some_and(|conn| conn.has_broken()) {
            self.conn = None;
        }
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => match self.relay.connect().await {
                Ok(conn) => self.conn.insert(Box::new(conn)),
                Err(reason) => {
                    return Attempt::Lost {
                        step: None,
                        reason,
                        closed: false,
                    };
                }
            },
        };
        let attempt = match transaction(conn, message, timeout).await {
            Ok(response) => Attempt::Accepted(reply_text(&response)),
            Err(failure) => failure,
        };
        let keep = match &attempt {
            Attempt::Accepted(_) | Attempt::Unsendable(_) => true,
            // 421: the relay is closing the session.
            Attempt::Refused { code: 421, .. } => false,
            Attempt::Refused {
                step: Step::Body, ..
            } => true,
            Attempt::Refused { .. } => {
                matches!(within(timeout, conn.command(Rset)).await, Ok(Ok(_)))
            }
            Attempt::Lost { .. } => false,
        };
        if !keep {
            // Dropping the connection closes the socket; a QUIT could wait on a dead peer.
            self.conn = None;
        }
        attempt
    }
}

/// MAIL FROM, RCPT TO, DATA and the body, each step bounded by `timeout`.
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    message: &BuiltMessage,
    timeout: Duration,
) -> Result<Response, Attempt> {
    let mut parameters = Vec::new();
    let envelope = &message.envelope;
    let ascii = |address: &lettre::Address| AsRef::<str>::as_ref(address).is_ascii();
    if !(envelope.from().is_none_or(ascii) && envelope.to().iter().all(ascii)) {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Attempt::Unsendable(
                "the address is not ASCII and the relay does not offer SMTPUTF8",
            ));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !message.bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Attempt::Unsendable(
                "the message is not 7-bit and the relay does not offer 8BITMIME",
            ));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let mail = Mail::new(message.envelope.from().cloned(), parameters);
    run(timeout, Step::Mail, conn.command(mail)).await?;
    for to in message.envelope.to() {
        let rcpt = Rcpt::new(to.clone(), Vec::new());
        run(timeout, Step::Rcpt, conn.command(rcpt)).await?;
    }
    run(timeout, Step::Data, conn.command(Data)).await?;
    run(timeout, Step::Body, conn.message(&message.bytes)).await
}

/// One step: its reply, or how it failed.
async fn run(
    timeout: Duration,
    step: Step,
    command: impl Future<Output = Result<Response, lettre::transport::smtp::Error>>,
) -> Result<Response, Attempt> {
    match within(timeout, command).await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(err)) => Err(match err.status() {
            Some(code) => Attempt::Refused {
                step,
                code: code.into(),
                reply: describe_smtp_error(&err),
            },
            None => Attempt::Lost {
                step: Some(step),
                reason: format!(
                    "connection lost waiting for {}: {}",
                    step.awaited(),
                    describe_smtp_error(&err)
                ),
                closed: true,
            },
        }),
        Err(elapsed) => Err(Attempt::Lost {
            step: Some(step),
            reason: format!("{elapsed} waiting for {}", step.awaited()),
            closed: false,
        }),
    }
}

impl From<Attempt> for Outcome {
    fn from(attempt: Attempt) -> Outcome {
        match attempt {
            Attempt::Accepted(reply) => Outcome::Accepted { reply },
            // MAIL FROM names only our sender, the same for every message: a refusal there
            // (553 sender rejected, 530 login required, 503 out of sequence) is the settings'
            // or the session's fault, and would fail every message alike. So is a 530 anywhere.
            Attempt::Refused {
                step: Step::Mail,
                reply,
                ..
            }
            | Attempt::Refused {
                code: 530, reply, ..
            } => Outcome::Transient { reason: reply },
            Attempt::Refused { code, reply, .. } if (500..600).contains(&code) => {
                Outcome::Permanent { reason: reply }
            }
            Attempt::Refused { reply, .. } => Outcome::Transient { reason: reply },
            Attempt::Lost { reason, .. } => Outcome::Transient { reason },
            Attempt::Unsendable(reason) => Outcome::Permanent {
                reason: reason.to_owned(),
            },
        }
    }
}

/// "250 2.0.0 Ok: queued as 4F2A": the reply's code and lines.
fn reply_text(response: &Response) -> String {
    let mut text = response.code().to_string();
    for line in response.message() {
        text.push(' ');
        text.push_str(line);
    }
    text
}

/// A reply as "550 5.1.1 <…>: Recipient address rejected", else lettre's description of the
/// failure ("network error: Connection reset by peer").
pub(super) fn describe_smtp_error(err: &lettre::transport::smtp::Error) -> String {
    match (err.status(), std::error::Error::source(err)) {
        (Some(code), Some(message)) => format!("{code} {message}"),
        (Some(code), None) => code.to_string(),
        (None, _) => err.to_string(),
    }
}

/// A step that took longer than the relay's timeout.
#[derive(Debug)]
pub(super) struct TimedOut(Duration);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.subsec_millis() == 0 {
            write!(f, "timed out after {} s", self.0.as_secs())
        } else {
            write!(f, "timed out after {} ms", self.0.as_millis())
        }
    }
}

/// `future`, or `TimedOut` once `limit` has passed.
pub(super) async fn within<F: Future>(limit: Duration, future: F) -> Result<F::Output, TimedOut> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| TimedOut(limit))
}
