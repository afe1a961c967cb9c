//! One worker's SMTP session: sends built messages over one kept-open connection to the relay,
//! reconnecting when needed, and says what became of each message.
//!
//! The transaction is ours (`session`): with a relay offering PIPELINING, MAIL, RCPT and DATA
//! go in one write and the message's data with its terminating dot in another, two round trips
//! a message. When the caller already holds the next message ([`SmtpSender::send_then`]), its
//! MAIL, RCPT and DATA go in the same write as this message's data (RFC 2920 3.1: message
//! content may open a group), so a stream of messages costs one write and one round trip
//! each. A refused recipient never costs the session: after a refusal mid-transaction we
//! send RSET and go on, where lettre's transport would drop the session and pay a new TCP +
//! TLS + AUTH handshake for the next message.

mod session;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt, Rset};
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};

pub(super) use session::{Broken, Features, Reply, Session, Stream};

use super::{BuiltMessage, Outcome, SmtpRelay};

/// Sends messages through one connection to the relay; one per worker task.
pub struct SmtpSender {
    relay: Arc<SmtpRelay>,
    /// Boxed: a session with its buffers is large, and a sender is moved around unopened.
    session: Option<Box<Session>>,
    /// The next message's commands, written on `session` behind the last message's data and
    /// not yet answered. Goes with the session.
    announced: Option<Announced>,
}

/// Commands written ahead for a message (see [`SmtpSender::send_then`]).
struct Announced {
    message_id: String,
    /// The steps whose replies are due, in order.
    steps: Vec<Step>,
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
    /// A 4xx/5xx reply: the session itself is still good, unless it was a 421.
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
    /// The message was built for a session whose relay offered 8BITMIME, and this one does
    /// not: built again at the next attempt, it goes 7-bit.
    BuiltForAnother(&'static str),
}

impl Attempt {
    fn lost(step: Step, broken: &Broken) -> Attempt {
        Attempt::Lost {
            step: Some(step),
            reason: match broken {
                Broken::TimedOut(elapsed) => format!("{elapsed} waiting for {}", step.awaited()),
                other => format!("connection lost waiting for {}: {other}", step.awaited()),
            },
            closed: broken.closed(),
        }
    }

    fn refused(step: Step, reply: &Reply) -> Attempt {
        Attempt::Refused {
            step,
            code: reply.code,
            reply: reply.to_string(),
        }
    }
}

impl SmtpSender {
    /// A sender that connects on its first message.
    pub fn new(relay: Arc<SmtpRelay>) -> Self {
        SmtpSender {
            relay,
            session: None,
            announced: None,
        }
    }

    /// Sends one message. Never panics, never logs the relay's words (they may hold the
    /// address): they are returned for staff.
    pub async fn send(&mut self, message: &BuiltMessage) -> Outcome {
        self.send_maybe_then(message, None).await
    }

    /// Sends `message` and, where the relay offers PIPELINING, writes `next`'s MAIL, RCPT and
    /// DATA behind its data, so their replies come back with its own. The next call must
    /// then send `next`: a relay that took its DATA is waiting for its data (another message
    /// instead costs the session).
    pub async fn send_then(&mut self, message: &BuiltMessage, next: &BuiltMessage) -> Outcome {
        self.send_maybe_then(message, Some(next)).await
    }

    /// Whether [`SmtpSender::send_then`] would write ahead: a session is open and its relay
    /// offers PIPELINING.
    pub fn writes_ahead(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|session| session.features.pipelining)
    }

    async fn send_maybe_then(
        &mut self,
        message: &BuiltMessage,
        next: Option<&BuiltMessage>,
    ) -> Outcome {
        let reused = self.session.is_some();
        let mut attempt = self.attempt(message, next).await;
        // A relay closes idle sessions, silently or with a 421 that is then read as the reply
        // to MAIL FROM. Either way none of the message went out: try once more on a fresh
        // session rather than fail it.
        let stale = matches!(
            attempt,
            Attempt::Lost {
                step: Some(Step::Mail),
                closed: true,
                ..
            } | Attempt::Refused {
                step: Step::Mail,
                code: 421,
                ..
            }
        );
        if reused && stale {
            attempt = self.attempt(message, next).await;
        }
        attempt.into()
    }

    /// Whether the relay takes 8-bit bodies (8BITMIME); connects first if need be (a relay
    /// that cannot be reached is asked again on the next message).
    pub async fn accepts_8bit(&mut self) -> bool {
        if self.session.is_none()
            && let Ok(session) = self.relay.connect().await
        {
            self.session = Some(Box::new(session));
        }
        self.session
            .as_ref()
            .is_some_and(|session| session.features.eight_bit_mime)
    }

    /// Ends the session politely (QUIT), if one is open.
    pub async fn close(&mut self) {
        // With commands written ahead the relay may be waiting for a message's data, where a
        // QUIT would be taken as data: the session is dropped instead, and the relay discards
        // the unfinished transaction.
        if self.announced.take().is_some() {
            self.session = None;
        }
        if let Some(mut session) = self.session.take() {
            let _ = session.command(Quit).await;
        }
    }

    async fn attempt(&mut self, message: &BuiltMessage, next: Option<&BuiltMessage>) -> Attempt {
        let announced = match self.announced.take() {
            Some(announced) if announced.message_id == message.message_id => Some(announced.steps),
            // Not the message whose commands went ahead: the session is out of step with it.
            Some(_) => {
                self.session = None;
                None
            }
            None => None,
        };
        let session = match &mut self.session {
            Some(session) => session,
            None => match self.relay.connect().await {
                Ok(session) => self.session.insert(Box::new(session)),
                Err(reason) => {
                    return Attempt::Lost {
                        step: None,
                        reason,
                        closed: false,
                    };
                }
            },
        };
        let attempt =
            match transaction(session, message, announced, next, &mut self.announced).await {
                Ok(reply) => Attempt::Accepted(reply.to_string()),
                Err(failure) => failure,
            };
        let keep = !session.is_poisoned()
            && match &attempt {
                Attempt::Accepted(_) | Attempt::Unsendable(_) | Attempt::BuiltForAnother(_) => true,
                // 421: the relay is closing the session.
                Attempt::Refused { code: 421, .. } => false,
                Attempt::Refused {
                    step: Step::Body, ..
                } => true,
                Attempt::Refused { .. } => {
                    matches!(session.command(Rset).await, Ok(reply) if reply.code == 250)
                }
                Attempt::Lost { .. } => false,
            };
        if !keep {
            // Dropping the session closes the socket; a QUIT could wait on a dead peer.
            self.session = None;
            self.announced = None;
        }
        attempt
    }
}

/// MAIL FROM, RCPT TO, DATA and the data, each reply awaited within the relay's timeout; with
/// PIPELINING the commands go in one write and their replies are read together. `announced`:
/// the steps whose commands already went ahead, behind the last message's data. With `next`,
/// its commands go behind this message's data, and `ahead` says which.
async fn transaction(
    session: &mut Session,
    message: &BuiltMessage,
    announced: Option<Vec<Step>>,
    next: Option<&BuiltMessage>,
    ahead: &mut Option<Announced>,
) -> Result<Reply, Attempt> {
    let steps = match announced {
        Some(steps) => steps,
        None if session.features.pipelining => {
            let steps = queue_envelope(session, message)?;
            if let Err(broken) = session.flush().await {
                return Err(Attempt::lost(Step::Mail, &broken));
            }
            steps
        }
        None => {
            // Each command waits for the last one's reply.
            let parameters = mail_parameters(session, message)?;
            session.queue(Mail::new(message.envelope.from().cloned(), parameters));
            expect_positive(session, Step::Mail).await?;
            for to in message.envelope.to() {
                session.queue(Rcpt::new(to.clone(), Vec::new()));
                expect_positive(session, Step::Rcpt).await?;
            }
            Vec::new()
        }
    };
    let data_in_group = steps.last() == Some(&Step::Data);
    // Every reply of the group is read, so the session stays in step; the first refusal is
    // what the message gets.
    let mut refusal = None;
    for step in steps {
        let reply = session
            .read_reply()
            .await
            .map_err(|broken| Attempt::lost(step, &broken))?;
        let expected = if step == Step::Data { 354 } else { 250 };
        if reply.code == 421 {
            return Err(Attempt::refused(step, &reply));
        }
        match (&refusal, step, reply.code) {
            (None, _, code) if (400..600).contains(&code) => {
                refusal = Some(Attempt::refused(step, &reply));
            }
            (None, _, code) if code / 100 == expected / 100 => {}
            (None, _, _) => {
                session.poison();
                return Err(Attempt::lost(
                    step,
                    &Broken::Garbled("the relay's reply does not fit the command"),
                ));
            }
            // The relay took DATA although it refused the transaction: the only way to end
            // DATA is to send data, so the session is dropped instead.
            (Some(_), Step::Data, 354) => session.poison(),
            (Some(_), _, _) => {}
        }
    }
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    if !data_in_group {
        session.queue(Data);
        if let Err(broken) = session.flush().await {
            return Err(Attempt::lost(Step::Data, &broken));
        }
        expect_code(session, Step::Data, 354).await?;
    }
    session.queue_data(&message.bytes);
    // A next message this relay could never take goes on its own, and fails there.
    if let Some(next) = next
        && session.features.pipelining
        && let Ok(steps) = queue_envelope(session, next)
    {
        *ahead = Some(Announced {
            message_id: next.message_id.clone(),
            steps,
        });
    }
    if let Err(broken) = session.flush().await {
        return Err(Attempt::lost(Step::Body, &broken));
    }
    expect_code(session, Step::Body, 250).await
}

/// The MAIL FROM parameters `message` needs, or why this relay can never take it.
fn mail_parameters(
    session: &Session,
    message: &BuiltMessage,
) -> Result<Vec<MailParameter>, Attempt> {
    let mut parameters = Vec::new();
    let envelope = &message.envelope;
    let ascii = |address: &lettre::Address| AsRef::<str>::as_ref(address).is_ascii();
    if !(envelope.from().is_none_or(ascii) && envelope.to().iter().all(ascii)) {
        if !session.features.smtp_utf8 {
            return Err(Attempt::Unsendable(
                "the address is not ASCII and the relay does not offer SMTPUTF8",
            ));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !message.bytes.is_ascii() {
        if !session.features.eight_bit_mime {
            return Err(Attempt::BuiltForAnother(
                "the message was built 8-bit and this session's relay does not offer 8BITMIME; it is built 7-bit at the next attempt",
            ));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(parameters)
}

/// With PIPELINING: queues MAIL FROM, each RCPT TO and, with one recipient, DATA; the steps
/// whose replies are then due. DATA joins the group only with one recipient: then a refused
/// recipient means a refused DATA (RFC 2920 3.1). With several, a relay taking DATA after one
/// refusal would deliver the message to the rest, which we must not do unasked.
fn queue_envelope(session: &mut Session, message: &BuiltMessage) -> Result<Vec<Step>, Attempt> {
    let parameters = mail_parameters(session, message)?;
    let recipients = message.envelope.to();
    let mut steps = Vec::with_capacity(recipients.len() + 2);
    session.queue(Mail::new(message.envelope.from().cloned(), parameters));
    steps.push(Step::Mail);
    for to in recipients {
        session.queue(Rcpt::new(to.clone(), Vec::new()));
        steps.push(Step::Rcpt);
    }
    if recipients.len() == 1 {
        session.queue(Data);
        steps.push(Step::Data);
    }
    Ok(steps)
}

/// Writes what is queued and reads one positive reply for `step`.
async fn expect_positive(session: &mut Session, step: Step) -> Result<Reply, Attempt> {
    if let Err(broken) = session.flush().await {
        return Err(Attempt::lost(step, &broken));
    }
    expect_code(session, step, 250).await
}

/// The reply for `step`: a refusal, or a reply of `expected`'s class.
async fn expect_code(session: &mut Session, step: Step, expected: u16) -> Result<Reply, Attempt> {
    let reply = session
        .read_reply()
        .await
        .map_err(|broken| Attempt::lost(step, &broken))?;
    if (400..600).contains(&reply.code) {
        return Err(Attempt::refused(step, &reply));
    }
    if reply.code / 100 != expected / 100 {
        session.poison();
        return Err(Attempt::lost(
            step,
            &Broken::Garbled("the relay's reply does not fit the command"),
        ));
    }
    Ok(reply)
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
            Attempt::BuiltForAnother(reason) => Outcome::Transient {
                reason: reason.to_owned(),
            },
        }
    }
}

/// A step that took longer than the relay's timeout.
#[derive(Debug)]
pub(in crate::delivery::transport) struct TimedOut(Duration);

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
pub(in crate::delivery::transport) async fn within<F: Future>(
    limit: Duration,
    future: F,
) -> Result<F::Output, TimedOut> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| TimedOut(limit))
}
