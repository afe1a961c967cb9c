//! Opening one session to the relay: our own TCP stream with `TCP_NODELAY`, then implicit TLS
//! or STARTTLS, EHLO and AUTH, each step bounded by the relay's timeout.

use std::sync::Arc;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use secrecy::ExposeSecret;
use tokio::net::TcpStream;

use super::super::smtp::{describe_smtp_error, within};
use super::super::tls::TlsTcp;
use super::{SmtpRelay, TlsMode, TlsSetup};

impl SmtpRelay {
    /// Opens one session, ready for MAIL FROM. Every step is bounded by the timeout. The error
    /// is a short reason for staff; any failure here is worth retrying later (it is the relay's
    /// or the settings' fault, never the message's).
    pub(in crate::delivery::transport) async fn connect(
        &self,
    ) -> Result<AsyncSmtpConnection, String> {
        let stream = self.open_stream().await?;
        let mut conn = within(
            self.timeout,
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
        )
        .await
        .map_err(|elapsed| format!("{elapsed} waiting for the relay's greeting"))?
        .map_err(|e| format!("the relay refused the session: {}", describe_smtp_error(&e)))?;
        // On failure the connection is dropped, not QUIT: after a failed TLS upgrade lettre's
        // stream is gone, and writing to it panics in debug builds.
        self.secure_and_log_in(&mut conn).await?;
        Ok(conn)
    }

    /// TCP (with `TCP_NODELAY`), wrapped in TLS for `smtps://`.
    async fn open_stream(&self) -> Result<Box<dyn AsyncTokioStream>, String> {
        let tcp = within(
            self.timeout,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|elapsed| format!("{elapsed} connecting to the relay"))?
        .map_err(|e| format!("cannot connect to the relay: {}", e.kind()))?;
        // lettre 0.11.23 never sets TCP_NODELAY and writes a message's body and its final
        // "\r\n.\r\n" separately: Nagle holds the terminator until the relay's delayed ACK
        // (40 ms on Linux), capping a connection at ~23 messages/s. Fixed upstream in lettre
        // PR #1159, not released; hence our own stream. Pinned by the test
        // `two_hundred_messages_on_one_connection_do_not_wait_for_delayed_acks`.
        tcp.set_nodelay(true)
            .map_err(|e| format!("cannot set TCP_NODELAY: {}", e.kind()))?;
        let TlsSetup::Implicit(config, name) = &self.setup else {
            return Ok(Box::new(tcp));
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(config));
        let tls = within(self.timeout, connector.connect(name.clone(), tcp))
            .await
            .map_err(|elapsed| format!("{elapsed} in the TLS handshake"))?
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        Ok(Box::new(TlsTcp(tls)))
    }

    /// STARTTLS as the mode asks, then AUTH when the URL had credentials.
    async fn secure_and_log_in(&self, conn: &mut AsyncSmtpConnection) -> Result<(), String> {
        if let TlsSetup::StartTls(params) = &self.setup {
            let required = self.tls == TlsMode::StartTlsRequired;
            if required && !conn.can_starttls() {
                return Err("the relay does not offer STARTTLS, which the settings require".into());
            }
            if required || conn.can_starttls() {
                within(self.timeout, conn.starttls(params.clone(), &self.hello))
                    .await
                    .map_err(|elapsed| format!("{elapsed} in STARTTLS"))?
                    .map_err(|e| format!("STARTTLS failed: {}", describe_smtp_error(&e)))?;
            }
        }
        if let Some((user, password)) = &self.credentials {
            let credentials = Credentials::new(user.clone(), password.expose_secret().to_owned());
            within(
                self.timeout,
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
            )
            .await
            .map_err(|elapsed| format!("{elapsed} logging in"))?
            .map_err(|e| format!("the relay refused the login: {}", describe_smtp_error(&e)))?;
        }
        Ok(())
    }
}
