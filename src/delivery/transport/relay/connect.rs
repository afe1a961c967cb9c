//! Opening one session to the relay: our own TCP stream with `TCP_NODELAY`, then implicit TLS
//! or STARTTLS, EHLO and AUTH, each step bounded by the relay's timeout.

use std::sync::Arc;

use base64::Engine;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Ehlo, Starttls};
use secrecy::ExposeSecret;
use tokio::net::TcpStream;

use super::super::smtp::{Broken, Features, Reply, Session, Stream, within};
use super::{SmtpRelay, TlsMode, TlsSetup};

/// How many AUTH challenges (334) are answered before giving up on a login.
const MAX_CHALLENGES: usize = 10;

impl SmtpRelay {
    /// Opens one session, ready for MAIL FROM. Every step is bounded by the timeout. The error
    /// is a short reason for staff; any failure here is worth retrying later (it is the relay's
    /// or the settings' fault, never the message's).
    pub(in crate::delivery::transport) async fn connect(&self) -> Result<Session, String> {
        let stream = self.open_stream().await?;
        let mut session = Session::new(stream, self.timeout);
        let greeting = session
            .read_reply()
            .await
            .map_err(|broken| waiting("the relay's greeting", &broken))?;
        if greeting.code != 220 {
            return Err(format!("the relay refused the session: {greeting}"));
        }
        self.hello(&mut session).await?;
        // On failure the session is dropped, not QUIT: it may be half-way into TLS.
        let mut session = self.secure(session).await?;
        self.log_in(&mut session).await?;
        Ok(session)
    }

    /// TCP (with `TCP_NODELAY`), wrapped in TLS for `smtps://`.
    async fn open_stream(&self) -> Result<Stream, String> {
        let tcp = within(
            self.timeout,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|elapsed| format!("{elapsed} connecting to the relay"))?
        .map_err(|e| format!("cannot connect to the relay: {}", e.kind()))?;
        // Commands go in as few writes as we can make them, and each must leave at once: Nagle
        // would hold a small write until the relay's delayed ACK (40 ms on Linux). Pinned by
        // the test `two_hundred_messages_on_one_connection_do_not_wait_for_delayed_acks`.
        tcp.set_nodelay(true)
            .map_err(|e| format!("cannot set TCP_NODELAY: {}", e.kind()))?;
        let TlsSetup::Implicit(config, name) = &self.setup else {
            return Ok(Stream::Plain(tcp));
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(config));
        let tls = within(self.timeout, connector.connect(name.clone(), tcp))
            .await
            .map_err(|elapsed| format!("{elapsed} in the TLS handshake"))?
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        Ok(Stream::Tls(Box::new(tls)))
    }

    /// EHLO, keeping what the relay offers.
    async fn hello(&self, session: &mut Session) -> Result<(), String> {
        let reply = session
            .command(Ehlo::new(self.hello.clone()))
            .await
            .map_err(|broken| waiting("the reply to EHLO", &broken))?;
        if reply.code != 250 {
            return Err(format!("the relay refused EHLO: {reply}"));
        }
        session.features = Features::from_ehlo(&reply);
        Ok(())
    }

    /// STARTTLS as the mode asks (and EHLO again under TLS).
    async fn secure(&self, mut session: Session) -> Result<Session, String> {
        let TlsSetup::StartTls(config, name) = &self.setup else {
            return Ok(session);
        };
        let required = self.tls == TlsMode::StartTlsRequired;
        if !session.features.starttls {
            return if required {
                Err("the relay does not offer STARTTLS, which the settings require".into())
            } else {
                Ok(session)
            };
        }
        let reply = session
            .command(Starttls)
            .await
            .map_err(|broken| format!("STARTTLS failed: {}", waiting("its reply", &broken)))?;
        if reply.code != 220 {
            return Err(format!("STARTTLS failed: {reply}"));
        }
        let mut session = session
            .start_tls(Arc::clone(config), name.clone())
            .await
            .map_err(|e| format!("STARTTLS failed: {e}"))?;
        self.hello(&mut session).await?;
        Ok(session)
    }

    /// AUTH PLAIN or LOGIN (the first the relay offers), when the URL had credentials.
    async fn log_in(&self, session: &mut Session) -> Result<(), String> {
        let Some((user, password)) = &self.credentials else {
            return Ok(());
        };
        let Some(mechanism) = [Mechanism::Plain, Mechanism::Login]
            .into_iter()
            .find(|m| session.features.auth.contains(m))
        else {
            return Err(
                "the relay offers no login method Candor can use (PLAIN or LOGIN)".to_owned(),
            );
        };
        let credentials = Credentials::new(user.clone(), password.expose_secret().to_owned());
        let refused = |reply: &Reply| format!("the relay refused the login: {reply}");
        let unanswerable = || "the relay's login challenge cannot be answered".to_owned();
        let mut auth =
            Auth::new(mechanism, credentials.clone(), None).map_err(|_| unanswerable())?;
        for _ in 0..MAX_CHALLENGES {
            let reply = session
                .command(auth)
                .await
                .map_err(|broken| waiting("the reply to AUTH", &broken))?;
            match reply.code {
                235 => return Ok(()),
                334 => {
                    let challenge = reply
                        .lines
                        .first()
                        .and_then(|line| line.split_ascii_whitespace().next())
                        .and_then(|word| {
                            base64::engine::general_purpose::STANDARD.decode(word).ok()
                        })
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .ok_or_else(unanswerable)?;
                    auth = Auth::new(mechanism, credentials.clone(), Some(challenge))
                        .map_err(|_| unanswerable())?;
                }
                _ => return Err(refused(&reply)),
            }
        }
        Err(unanswerable())
    }
}

/// "timed out after 30 s waiting for the reply to EHLO" / "connection lost waiting for …".
fn waiting(what: &str, broken: &Broken) -> String {
    match broken {
        Broken::TimedOut(elapsed) => format!("{elapsed} waiting for {what}"),
        other => format!("connection lost waiting for {what}: {other}"),
    }
}
