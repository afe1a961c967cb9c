//! The SMTP relay's settings (from `CANDOR_SMTP_URL`) and opening one connection to it:
//! our own TCP stream with `TCP_NODELAY`, then implicit TLS or STARTTLS, EHLO and AUTH.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::{CertificateDer, ServerName};
use secrecy::SecretString;

use super::tls::client_config;

mod connect;

/// How the connection to the relay is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (`smtp://host`): a relay on the same host or network.
    None,
    /// STARTTLS when the relay offers it, else plain text (`?tls=opportunistic`).
    StartTlsOpportunistic,
    /// STARTTLS or no mail at all (`?tls=required`).
    StartTlsRequired,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Why `CANDOR_SMTP_URL` cannot be used. Never echoes the URL: it may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("CANDOR_SMTP_URL is not a valid URL")]
    BadUrl,
    #[error("CANDOR_SMTP_URL must start with smtp:// or smtps://")]
    UnsupportedScheme,
    #[error("CANDOR_SMTP_URL's `tls` parameter must be `required` or `opportunistic`")]
    BadTlsParameter,
    #[error("CANDOR_SMTP_URL names no host")]
    MissingHost,
    #[error("CANDOR_SMTP_URL's user or password is not valid percent-encoded UTF-8")]
    BadCredentials,
    #[error("cannot set up TLS for the SMTP relay: {0}")]
    Tls(String),
}

/// One SMTP relay: where it is, how to encrypt and log in, and how long to wait for it.
/// Shared (`Arc`) by every sender; each sender opens its own connection.
pub struct SmtpRelay {
    host: String,
    port: u16,
    tls: TlsMode,
    credentials: Option<(String, SecretString)>,
    hello: ClientId,
    timeout: Duration,
    extra_roots: Vec<Vec<u8>>,
    setup: TlsSetup,
}

/// TLS settings, built once per relay (loading the platform's roots is not free).
#[derive(Clone)]
enum TlsSetup {
    Plain,
    StartTls(Arc<rustls::ClientConfig>, ServerName<'static>),
    Implicit(Arc<rustls::ClientConfig>, ServerName<'static>),
}

impl SmtpRelay {
    /// From `CANDOR_SMTP_URL`, with lettre's `from_url` conventions:
    /// `smtp://[user:pass@]host[:port][/hello-name][?tls=required|opportunistic]` (port 25
    /// without TLS, 587 with STARTTLS) or `smtps://[user:pass@]host[:port]` (implicit TLS,
    /// port 465). User and password are percent-decoded.
    pub fn from_url(url: &str) -> Result<SmtpRelay, RelayError> {
        let parsed = url::Url::parse(url.trim()).map_err(|_| RelayError::BadUrl)?;
        let tls_param = parsed
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let (tls, default_port) = match (parsed.scheme(), tls_param.as_deref()) {
            ("smtp", None) => (TlsMode::None, 25),
            ("smtp", Some("opportunistic")) => (TlsMode::StartTlsOpportunistic, 587),
            ("smtp", Some("required")) => (TlsMode::StartTlsRequired, 587),
            ("smtp", Some(_)) => return Err(RelayError::BadTlsParameter),
            ("smtps", _) => (TlsMode::Implicit, 465),
            _ => return Err(RelayError::UnsupportedScheme),
        };
        let host = match parsed.host() {
            Some(url::Host::Domain(name)) if !name.is_empty() => name.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(RelayError::MissingHost),
        };
        let credentials = match parsed.password() {
            Some(password) => Some((
                percent_decode(parsed.username())?,
                SecretString::from(percent_decode(password)?),
            )),
            None => None,
        };
        let path = parsed.path().trim_matches('/');
        let hello = if path.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(path.to_owned())
        };
        let mut relay = SmtpRelay {
            host,
            port: parsed.port().unwrap_or(default_port),
            tls,
            credentials,
            hello,
            timeout: Duration::from_secs(30),
            extra_roots: Vec::new(),
            setup: TlsSetup::Plain,
        };
        relay.setup = relay.tls_setup()?;
        Ok(relay)
    }

    /// How long to wait for the connection and for each reply (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Also trusts this CA certificate (DER) besides the platform's roots: a relay with a
    /// private CA, or a test server.
    pub fn with_extra_root_certificate(mut self, der: Vec<u8>) -> Result<Self, RelayError> {
        self.extra_roots.push(der);
        self.setup = self.tls_setup()?;
        Ok(self)
    }

    /// "smtp://host:port (starttls required)": for logs; never holds the credentials.
    pub fn describe(&self) -> String {
        let scheme = if self.tls == TlsMode::Implicit {
            "smtps"
        } else {
            "smtp"
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let mode = match self.tls {
            TlsMode::None => "no tls",
            TlsMode::StartTlsOpportunistic => "starttls if offered",
            TlsMode::StartTlsRequired => "starttls required",
            TlsMode::Implicit => "implicit tls",
        };
        format!("{scheme}://{host}:{} ({mode})", self.port)
    }

    /// The TLS mode.
    pub fn tls(&self) -> TlsMode {
        self.tls
    }

    /// The per-step timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn tls_setup(&self) -> Result<TlsSetup, RelayError> {
        let tls_error = |e: &dyn fmt::Display| RelayError::Tls(e.to_string());
        match self.tls {
            TlsMode::None => Ok(TlsSetup::Plain),
            TlsMode::StartTlsOpportunistic | TlsMode::StartTlsRequired | TlsMode::Implicit => {
                let roots = self.extra_roots.iter().cloned().map(CertificateDer::from);
                let config = client_config(roots.collect()).map_err(|e| tls_error(&e))?;
                let name = ServerName::try_from(self.host.clone()).map_err(|_| {
                    RelayError::Tls("the host is not a valid TLS server name".into())
                })?;
                Ok(if self.tls == TlsMode::Implicit {
                    TlsSetup::Implicit(config, name)
                } else {
                    TlsSetup::StartTls(config, name)
                })
            }
        }
    }
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("relay", &self.describe())
            .field("login", &self.credentials.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Decodes `%XX` escapes (the URL's user and password); `+` stays a plus.
fn percent_decode(s: &str) -> Result<String, RelayError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(RelayError::BadCredentials)?;
            let hex = std::str::from_utf8(hex).map_err(|_| RelayError::BadCredentials)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| RelayError::BadCredentials)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| RelayError::BadCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn urls_follow_lettres_conventions_for_ports_and_tls() {
        let cases = [
            ("smtp://relay.example", "smtp://relay.example:25 (no tls)"),
            (
                "smtp://relay.example?tls=required",
                "smtp://relay.example:587 (starttls required)",
            ),
            (
                "smtp://relay.example:2525?tls=opportunistic",
                "smtp://relay.example:2525 (starttls if offered)",
            ),
            (
                "smtps://relay.example",
                "smtps://relay.example:465 (implicit tls)",
            ),
            ("smtp://[::1]:2525", "smtp://[::1]:2525 (no tls)"),
        ];
        for (url, described) in cases {
            assert_eq!(SmtpRelay::from_url(url).unwrap().describe(), described);
        }
    }

    #[test]
    fn credentials_are_percent_decoded_and_never_described_or_debugged() {
        let relay = SmtpRelay::from_url("smtp://mailer:p%40ss%2Bword@relay.example").unwrap();
        let (user, password) = relay.credentials.as_ref().unwrap();
        assert_eq!(
            (user.as_str(), password.expose_secret()),
            ("mailer", "p@ss+word")
        );
        let shown = format!("{} {relay:?}", relay.describe());
        assert!(
            !shown.contains("p@ss") && !shown.contains("p%40ss"),
            "{shown}"
        );
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_the_password() {
        for url in [
            "gopher://user:hunter2@host",
            "smtp://user:hunter2@host?tls=always",
            "smtp://user:hunter2%zz@host",
            "not a url hunter2",
        ] {
            let err = SmtpRelay::from_url(url).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("CANDOR_SMTP_URL"), "{err}");
        }
    }

    #[test]
    fn the_path_names_the_hello_and_the_timeout_defaults_to_thirty_seconds() {
        let relay = SmtpRelay::from_url("smtp://relay.example/mta.candor.example").unwrap();
        assert_eq!(relay.hello, ClientId::Domain("mta.candor.example".into()));
        assert_eq!(relay.timeout(), Duration::from_secs(30));
        let relay = relay.with_timeout(Duration::from_millis(300));
        assert_eq!(relay.timeout(), Duration::from_millis(300));
    }
}
