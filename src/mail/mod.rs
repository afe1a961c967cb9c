//! Mail to staff (duty alerts): through an SMTP relay when `CANDOR_SMTP_URL` is set, else as
//! `.eml` files in `<data_dir>/outbox/staff/`, so a fresh instance needs no mail server.
//! Never called while a database transaction is open.

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Errors of sending mail. Messages name the transport, never a recipient.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("CANDOR_SMTP_URL is not a valid SMTP URL: {0}")]
    BadUrl(String),
    #[error("cannot create the outbox folder `{path}`: {source}")]
    Outbox {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("the SMTP relay refused or failed: {0}")]
    Smtp(String),
    #[error("cannot write the message file: {0}")]
    File(String),
}

/// Where staff mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder.
    File(AsyncFileTransport<Tokio1Executor>),
}

/// The folder, under the data directory, that the file transport writes staff mail into.
pub fn staff_outbox(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox").join("staff")
}

impl Mailer {
    /// The SMTP relay at `smtp_url`, or else the file outbox under `data_dir`.
    pub fn new(smtp_url: Option<&str>, data_dir: &Path) -> Result<Mailer, MailError> {
        if let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) {
            // The URL may hold a password: report the error's kind, not the URL.
            let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
                .map_err(|e| MailError::BadUrl(e.to_string()))?;
            return Ok(Mailer::Smtp(builder.build()));
        }
        let path = staff_outbox(data_dir);
        std::fs::create_dir_all(&path).map_err(|source| MailError::Outbox {
            path: path.clone(),
            source,
        })?;
        Ok(Mailer::File(AsyncFileTransport::new(path)))
    }

    /// Builds and sends a plain-text message.
    pub async fn send_text(
        &self,
        from: &Mailbox,
        to: &str,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| MailError::Build("the recipient address is not valid".into()))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.send(message).await
    }

    /// Sends one message.
    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(smtp_kind(&e).to_owned())),
            Mailer::File(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::File(e.to_string())),
        }
    }
}

/// What kind of SMTP failure this was. The relay's own words can echo the recipient's address,
/// so they are not kept.
fn smtp_kind(err: &lettre::transport::smtp::Error) -> &'static str {
    if err.is_permanent() {
        "permanent rejection"
    } else if err.is_transient() {
        "transient rejection"
    } else if err.is_timeout() {
        "timeout"
    } else if err.is_tls() {
        "TLS failure"
    } else {
        "connection or protocol failure"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_url_picks_the_relay_and_no_url_the_file_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let relay = Mailer::new(Some("smtp://127.0.0.1:2525"), dir.path()).unwrap();
        assert!(matches!(relay, Mailer::Smtp(_)));
        assert!(
            !staff_outbox(dir.path()).exists(),
            "the relay needs no outbox"
        );
        let files = Mailer::new(Some("  "), dir.path()).unwrap();
        assert!(matches!(files, Mailer::File(_)));
        assert!(staff_outbox(dir.path()).is_dir());
    }

    #[test]
    fn a_bad_smtp_url_names_the_setting_but_not_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let Err(err) = Mailer::new(Some("gopher://user:hunter2@host"), dir.path()) else {
            panic!("a gopher URL is not an SMTP relay");
        };
        let message = err.to_string();
        assert!(message.contains("CANDOR_SMTP_URL"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
