//! One SMTP session on our own socket: commands out, replies in, what the relay offers (its
//! EHLO keywords), and a message's data dot-stuffed and terminated in one write.
//!
//! lettre's `AsyncSmtpConnection` sends one command and waits for its reply, and does not
//! say whether the relay offers PIPELINING (RFC 2920); it also writes a message's data and
//! its terminating dot separately. With PIPELINING a message costs two round trips instead
//! of four (MAIL, RCPT and DATA go together), and one when the next message's commands ride
//! behind its data; at thousands of messages a second that is most of the CPU an SMTP client
//! spends. The commands themselves are lettre's.

use std::fmt::{self, Display, Write as _};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::authentication::Mechanism;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::{TimedOut, within};

/// A reply longer than this is not SMTP; the session is dropped.
const MAX_REPLY: usize = 64 * 1024;

/// The socket: plain TCP, or TLS over it (implicit, or after STARTTLS).
pub(in crate::delivery::transport) enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A reply: its code and its lines' text (without the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::delivery::transport) struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Display for Reply {
    /// "250 2.0.0 Ok: queued as 4F2A": the code and the lines, joined by spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for line in &self.lines {
            write!(f, " {line}")?;
        }
        Ok(())
    }
}

/// What the relay offers, from its EHLO reply (the keywords Candor uses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(in crate::delivery::transport) struct Features {
    pub eight_bit_mime: bool,
    pub smtp_utf8: bool,
    pub pipelining: bool,
    pub starttls: bool,
    /// The AUTH mechanisms lettre can answer (PLAIN, LOGIN).
    pub auth: Vec<Mechanism>,
}

impl Features {
    /// From an EHLO reply; its first line is the relay's name.
    pub fn from_ehlo(reply: &Reply) -> Features {
        let mut features = Features::default();
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let keyword = words.next().unwrap_or_default().to_ascii_uppercase();
            match keyword.as_str() {
                "8BITMIME" => features.eight_bit_mime = true,
                "SMTPUTF8" => features.smtp_utf8 = true,
                "PIPELINING" => features.pipelining = true,
                "STARTTLS" => features.starttls = true,
                "AUTH" => {
                    for mechanism in words {
                        let mechanism = match mechanism.to_ascii_uppercase().as_str() {
                            "PLAIN" => Mechanism::Plain,
                            "LOGIN" => Mechanism::Login,
                            _ => continue,
                        };
                        if !features.auth.contains(&mechanism) {
                            features.auth.push(mechanism);
                        }
                    }
                }
                _ => {}
            }
        }
        features
    }
}

/// Why a session failed: it is no longer usable.
#[derive(Debug)]
pub(in crate::delivery::transport) enum Broken {
    /// The relay closed the connection (or reset it).
    Closed(String),
    /// No reply, or the write did not drain, within the timeout.
    TimedOut(TimedOut),
    /// The relay's words are not SMTP.
    Garbled(&'static str),
}

impl Broken {
    /// Whether the relay had closed the session (rather than stalled or garbled it).
    pub fn closed(&self) -> bool {
        matches!(self, Broken::Closed(_))
    }
}

impl Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Broken::Closed(how) => f.write_str(how),
            Broken::TimedOut(elapsed) => write!(f, "{elapsed}"),
            Broken::Garbled(what) => f.write_str(what),
        }
    }
}

fn io_broken(err: &io::Error) -> Broken {
    Broken::Closed(match err.kind() {
        io::ErrorKind::UnexpectedEof => "the relay closed the connection".to_owned(),
        kind => format!("network error: {kind}"),
    })
}

/// One open session.
pub(in crate::delivery::transport) struct Session {
    stream: Stream,
    /// Bytes read and not yet consumed as replies.
    read: Vec<u8>,
    /// Commands and data queued for the next flush.
    write: Vec<u8>,
    timeout: Duration,
    /// What the relay offered at the last EHLO.
    pub features: Features,
    /// Set when the session is in a state no further command can fix.
    poisoned: bool,
}

impl Session {
    pub fn new(stream: Stream, timeout: Duration) -> Session {
        Session {
            stream,
            read: Vec::with_capacity(4096),
            write: Vec::with_capacity(16 * 1024),
            timeout,
            features: Features::default(),
            poisoned: false,
        }
    }

    /// Marks the session as unusable (e.g. the relay took DATA for a refused transaction).
    pub fn poison(&mut self) {
        self.poisoned = true;
    }

    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Queues a command (lettre's commands end in CRLF).
    pub fn queue(&mut self, command: impl Display) {
        struct Bytes<'a>(&'a mut Vec<u8>);
        impl fmt::Write for Bytes<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.extend_from_slice(s.as_bytes());
                Ok(())
            }
        }
        // Writing into a Vec cannot fail.
        let _ = write!(Bytes(&mut self.write), "{command}");
    }

    /// Queues a message's data: dot-stuffed, ending in CRLF, then the terminating dot.
    pub fn queue_data(&mut self, body: &[u8]) {
        dot_stuff(&mut self.write, body);
    }

    /// Writes everything queued, in one write where the socket takes it.
    pub async fn flush(&mut self) -> Result<(), Broken> {
        let Session { stream, write, .. } = self;
        let written = within(self.timeout, async {
            stream.write_all(write).await?;
            stream.flush().await
        })
        .await;
        write.clear();
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(io_broken(&err)),
            Err(elapsed) => Err(Broken::TimedOut(elapsed)),
        }
    }

    /// Queues a command, writes it and reads its reply.
    pub async fn command(&mut self, command: impl Display) -> Result<Reply, Broken> {
        self.queue(command);
        self.flush().await?;
        self.read_reply().await
    }

    /// The next reply, within the timeout.
    pub async fn read_reply(&mut self) -> Result<Reply, Broken> {
        let timeout = self.timeout;
        match within(timeout, self.next_reply()).await {
            Ok(reply) => reply,
            Err(elapsed) => Err(Broken::TimedOut(elapsed)),
        }
    }

    /// Bytes still unread from the relay (none may be pending when TLS starts).
    pub fn has_unread(&self) -> bool {
        !self.read.is_empty()
    }

    /// The socket, to start TLS on; `None` if it is encrypted already.
    pub fn into_tcp(self) -> Option<TcpStream> {
        match self.stream {
            Stream::Plain(tcp) => Some(tcp),
            Stream::Tls(_) => None,
        }
    }

    async fn next_reply(&mut self) -> Result<Reply, Broken> {
        let mut lines = Vec::new();
        let mut code = 0;
        let mut consumed = 0;
        loop {
            while let Some(end) = memchr::memchr(b'\n', &self.read[consumed..]) {
                let raw = &self.read[consumed..consumed + end];
                consumed += end + 1;
                let line = raw.strip_suffix(b"\r").unwrap_or(raw);
                let (this, last, text) = parse_line(line)?;
                if lines.is_empty() {
                    code = this;
                } else if this != code {
                    return Err(Broken::Garbled(
                        "the relay's reply changed its code between lines",
                    ));
                }
                lines.push(text);
                if last {
                    self.read.drain(..consumed);
                    return Ok(Reply { code, lines });
                }
            }
            if self.read.len() > MAX_REPLY {
                return Err(Broken::Garbled("the relay's reply is too long"));
            }
            self.read.reserve(4096);
            match self.stream.read_buf(&mut self.read).await {
                Ok(0) => {
                    return Err(Broken::Closed("the relay closed the connection".to_owned()));
                }
                Ok(_) => {}
                Err(err) => return Err(io_broken(&err)),
            }
        }
    }

    /// Replaces the plain socket with TLS over it (STARTTLS, after the relay's 220).
    pub async fn start_tls(
        self,
        config: Arc<rustls::ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<Session, String> {
        let timeout = self.timeout;
        if self.has_unread() {
            // Bytes sent before the handshake would be taken as sent under TLS (CVE-2011-0411).
            return Err("the relay sent data before the TLS handshake".to_owned());
        }
        let tcp = self
            .into_tcp()
            .ok_or_else(|| "the session is encrypted already".to_owned())?;
        let connector = tokio_rustls::TlsConnector::from(config);
        let tls = within(timeout, connector.connect(name, tcp))
            .await
            .map_err(|elapsed| format!("{elapsed} in the TLS handshake"))?
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        Ok(Session::new(Stream::Tls(Box::new(tls)), timeout))
    }
}

/// Appends `body` as SMTP data: a dot opening a line doubled (RFC 5321 4.5.2), a CRLF at the
/// end if it lacks one, then the terminating dot.
fn dot_stuff(out: &mut Vec<u8>, body: &[u8]) {
    out.reserve(body.len() + body.len() / 64 + 8);
    if body.first() == Some(&b'.') {
        out.push(b'.');
    }
    let mut start = 0;
    for at in memchr::memmem::find_iter(body, b"\n.") {
        out.extend_from_slice(&body[start..=at]);
        out.push(b'.');
        start = at + 1;
    }
    out.extend_from_slice(&body[start..]);
    if !body.is_empty() && !body.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
}

/// A reply line: its code, whether it is the last line, and its text.
fn parse_line(line: &[u8]) -> Result<(u16, bool, String), Broken> {
    let garbled = Broken::Garbled("the relay's reply is not SMTP");
    let digits = line
        .get(..3)
        .ok_or(Broken::Garbled("the relay's reply is not SMTP"))?;
    if !(b'2'..=b'5').contains(&digits[0]) || !digits[1..].iter().all(u8::is_ascii_digit) {
        return Err(garbled);
    }
    let code = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let (last, text) = match line.get(3) {
        None => (true, &[][..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(garbled),
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(ehlo: &str) -> Features {
        let lines = ehlo
            .split("\r\n")
            .map(|l| parse_line(l.as_bytes()).unwrap().2)
            .collect();
        Features::from_ehlo(&Reply { code: 250, lines })
    }

    #[test]
    fn ehlo_keywords_are_read_case_blind_and_unknown_ones_skipped() {
        let f = features(
            "250-relay.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8bitmime\r\n\
             250-AUTH LOGIN CRAM-MD5 plain\r\n250-STARTTLS\r\n250 SMTPUTF8",
        );
        assert!(f.pipelining && f.eight_bit_mime && f.starttls && f.smtp_utf8);
        assert_eq!(f.auth, [Mechanism::Login, Mechanism::Plain]);
        let bare = features("250 relay.example PIPELINING");
        assert_eq!(bare, Features::default(), "the first line is the name");
    }

    #[test]
    fn reply_lines_are_parsed_and_anything_else_is_garbled() {
        assert_eq!(
            parse_line(b"250-2.0.0 Ok").unwrap(),
            (250, false, "2.0.0 Ok".into())
        );
        assert_eq!(parse_line(b"354").unwrap(), (354, true, String::new()));
        for bad in [&b"25"[..], b"650 x", b"2x0 x", b"250x", b"HTTP/1.1 400"] {
            assert!(parse_line(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    fn stuffed(body: &[u8]) -> Vec<u8> {
        let mut out = b"DATA\r\n".to_vec();
        dot_stuff(&mut out, body);
        out.split_off(6)
    }

    #[test]
    fn data_is_dot_stuffed_and_terminated_once() {
        assert_eq!(
            stuffed(b".first\r\nmid\r\n.\r\n..two\r\nend\r\n"),
            b"..first\r\nmid\r\n..\r\n...two\r\nend\r\n.\r\n"
        );
        assert_eq!(stuffed(b"no final line end"), b"no final line end\r\n.\r\n");
        assert_eq!(stuffed(b""), b".\r\n");
    }
}
