//! Test infrastructure, not a test: real SMTP servers over TCP for the delivery tests.
//! `TestSmtp` is ours, in-process and scriptable per message (accept, 451, 550, drop, stall),
//! optionally with STARTTLS or implicit TLS under a test CA and with AUTH PLAIN; it records
//! what it accepted. A step hook (`on_step`) can also answer the greeting, MAIL and RCPT
//! (421 and close, 451, stall) and accept a message then drop the session before the 250, so
//! the client cannot know the message went. `SmtpSink` is postfix's `smtp-sink`, a real MTA's SMTP front end.
#![allow(dead_code)] // each test module uses a different part

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufStream};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What the server does with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Accept,
    /// `451 4.3.0` at the end of DATA.
    Transient,
    /// `550 5.1.1` at RCPT (or `554 5.6.0` at the end of DATA, if only decided then).
    Permanent,
    /// Closes the socket once the message's headers are read, mid-DATA.
    DropMidData,
    /// Waits this long at the end of DATA, then accepts (the client may have given up).
    /// Through a step hook, at any step: waits, then answers as if accepted.
    Stall(Duration),
    /// `421 4.3.2`, then closes the session (step hooks only; at any step).
    Closing,
    /// At the end of DATA: keeps the message, then closes the session without replying, so
    /// the client cannot know whether it went (step hooks only).
    AcceptThenDrop,
}

/// Where in a session a step hook (see [`TestSmtp::on_step`]) is asked what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Before the 220 greeting.
    Greeting,
    /// At MAIL FROM.
    Mail,
    /// At RCPT TO, with the address.
    Rcpt(&'a str),
    /// Once the message's headers are read, with the first recipient and the Message-ID.
    Data {
        rcpt: &'a str,
        message_id: Option<&'a str>,
    },
}

const CLOSING: &str = "421 4.3.2 Service shutting down, closing transmission channel";

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    /// The message as received (dot-unstuffed, CRLF line ends).
    pub data: Vec<u8>,
    /// The Message-ID header, with its angle brackets.
    pub message_id: Option<String>,
}

type Script = Box<dyn Fn(&str, usize) -> Reply + Send + Sync>;
type Hook = Box<dyn for<'a> Fn(Step<'a>) -> Reply + Send + Sync>;

#[derive(Default)]
struct State {
    script: Option<Script>,
    hook: Option<Hook>,
    /// Sessions in a scripted stall right now.
    stalling: usize,
    accepted: Vec<Received>,
    rcpt_tries: HashMap<String, usize>,
    id_tries: HashMap<String, usize>,
    attempts: usize,
    /// Messages whose end of data came with more behind it, before their reply was sent.
    written_ahead: usize,
    sessions: Vec<tokio::task::AbortHandle>,
}

/// How a `TestSmtp` speaks.
#[derive(Clone, Default)]
pub struct Options {
    /// Offers STARTTLS with this certificate (or, with `implicit_tls`, speaks TLS at once).
    pub tls: Option<TestTls>,
    pub implicit_tls: bool,
    /// Offers AUTH PLAIN and requires this user and password before MAIL.
    pub login: Option<(String, String)>,
    /// Offers AUTH LOGIN (username and password asked for in turn) instead of PLAIN.
    pub login_by_challenge: bool,
    /// Does not offer PIPELINING: the client must wait for each reply.
    pub no_pipelining: bool,
    /// Does not offer 8BITMIME: messages must come 7-bit.
    pub no_8bitmime: bool,
}

/// A scriptable SMTP server on 127.0.0.1; stops when dropped.
pub struct TestSmtp {
    port: u16,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl TestSmtp {
    /// Plain SMTP, accepting everything until scripted otherwise.
    pub async fn start() -> TestSmtp {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = (Arc::clone(&state), Arc::new(options));
        // The sessions live in the accept loop's JoinSet: aborting the loop ends them all.
        let server = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                let (state, options) = (Arc::clone(&shared.0), Arc::clone(&shared.1));
                let session_state = Arc::clone(&state);
                let handle = sessions.spawn(async move {
                    let stream: Box<dyn Io> = match (&options.tls, options.implicit_tls) {
                        (Some(tls), true) => match tls.acceptor.accept(tcp).await {
                            Ok(tls) => Box::new(tls),
                            Err(_) => return,
                        },
                        _ => Box::new(tcp),
                    };
                    let _ = session(stream, &session_state, &options).await;
                });
                lock(&state).sessions.push(handle);
            }
        });
        TestSmtp {
            port,
            state,
            server,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// "smtp://127.0.0.1:<port>"
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Decides each message's fate from (recipient, earlier tries). At RCPT (where only a
    /// `Permanent` answer is acted on) the tries are counted by recipient; at the end of DATA
    /// by Message-ID (every earlier transaction that carried it, accepted or not).
    pub fn script(&self, f: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) {
        self.state().script = Some(Box::new(f));
    }

    /// Answers the next MAIL FROM (of any session) with `reply`, then every step as usual.
    pub fn once_at_mail(&self, reply: Reply) {
        let pending = std::sync::atomic::AtomicBool::new(true);
        self.on_step(move |step| match step {
            Step::Mail if pending.swap(false, std::sync::atomic::Ordering::SeqCst) => reply,
            _ => Reply::Accept,
        });
    }

    /// Decides every step of every session (greeting, MAIL, RCPT, end of DATA); replaces
    /// `script` where it answers. `Accept` goes on as usual.
    pub fn on_step(&self, f: impl for<'a> Fn(Step<'a>) -> Reply + Send + Sync + 'static) {
        self.state().hook = Some(Box::new(f));
    }

    /// Sessions in a scripted stall right now (a stall at the end of DATA keeps its message
    /// only when it ends).
    pub fn stalling(&self) -> usize {
        self.state().stalling
    }

    /// Every message accepted, in order.
    pub fn accepted(&self) -> Vec<Received> {
        self.state().accepted.clone()
    }

    /// How many times each Message-ID (with brackets) was accepted.
    pub fn counts_by_message_id(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for message in &self.state().accepted {
            if let Some(id) = &message.message_id {
                *counts.entry(id.clone()).or_default() += 1;
            }
        }
        counts
    }

    /// MAIL FROM commands seen.
    pub fn attempts(&self) -> usize {
        self.state().attempts
    }

    /// Messages whose data arrived with the client's next commands already behind it, written
    /// before the client could have read the message's reply (PIPELINING across messages).
    pub fn written_ahead(&self) -> usize {
        self.state().written_ahead
    }

    /// Connections accepted so far.
    pub fn sessions(&self) -> usize {
        self.state().sessions.len()
    }

    /// Closes every open session, as a relay does with idle ones; keeps listening.
    pub fn close_sessions(&self) {
        for session in &self.state().sessions {
            session.abort();
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The step hook's answer, if one is set.
fn ask(state: &Mutex<State>, step: Step<'_>) -> Option<Reply> {
    lock(state).hook.as_ref().map(|f| f(step))
}

/// Answers nothing for `pause`, counted in `stalling` meanwhile.
async fn stall(state: &Mutex<State>, pause: Duration) {
    lock(state).stalling += 1;
    tokio::time::sleep(pause).await;
    lock(state).stalling -= 1;
}

fn decide(state: &Mutex<State>, rcpt: &str, tries: usize) -> Reply {
    lock(state)
        .script
        .as_ref()
        .map_or(Reply::Accept, |f| f(rcpt, tries))
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One SMTP session. `None`: the peer went away or the script dropped it; the socket closes.
async fn session(stream: Box<dyn Io>, state: &Mutex<State>, options: &Options) -> Option<()> {
    let mut io = BufStream::new(stream);
    let mut encrypted = options.implicit_tls;
    let mut authenticated = options.login.is_none();
    let mut rcpts: Option<Vec<String>> = None;
    match ask(state, Step::Greeting) {
        None | Some(Reply::Accept) => {}
        Some(Reply::Stall(pause)) => stall(state, pause).await,
        Some(_) => return send(&mut io, CLOSING).await.and(None),
    }
    send(&mut io, "220 candor-test ESMTP").await?;
    loop {
        let line = read_line(&mut io).await?;
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => send(&mut io, &ehlo_reply(options, encrypted)).await?,
            "HELO" | "NOOP" => send(&mut io, "250 2.0.0 Ok").await?,
            "STARTTLS" if !encrypted && options.tls.is_some() => {
                send(&mut io, "220 2.0.0 Ready to start TLS").await?;
                let tls = options.tls.as_ref()?.acceptor.accept(io.into_inner()).await;
                io = BufStream::new(Box::new(tls.ok()?));
                (encrypted, rcpts) = (true, None);
            }
            "AUTH" if options.login_by_challenge => {
                authenticated = auth_login(&mut io, options.login.as_ref()).await?;
                let reply = if authenticated {
                    "235 2.7.0 Authentication successful"
                } else {
                    "535 5.7.8 Authentication credentials invalid"
                };
                send(&mut io, reply).await?;
            }
            "AUTH" => {
                authenticated = auth_plain(&line, options.login.as_ref());
                let reply = if authenticated {
                    "235 2.7.0 Authentication successful"
                } else {
                    "535 5.7.8 Authentication credentials invalid"
                };
                send(&mut io, reply).await?;
            }
            "MAIL" if !authenticated => send(&mut io, "530 5.7.0 Authentication required").await?,
            // Like postfix: a client must end a refused transaction (RSET) before the next.
            "MAIL" if rcpts.is_some() => {
                send(&mut io, "503 5.5.1 Error: nested MAIL command").await?
            }
            "MAIL" => {
                lock(state).attempts += 1;
                let reply = match ask(state, Step::Mail) {
                    Some(Reply::Transient) => "451 4.3.0 Error: try again later",
                    Some(Reply::Permanent) => "550 5.7.1 Error: sender refused",
                    Some(Reply::Closing) => CLOSING,
                    Some(Reply::Stall(pause)) => {
                        stall(state, pause).await;
                        "250 2.1.0 Ok"
                    }
                    _ => "250 2.1.0 Ok",
                };
                if reply.starts_with("250") {
                    rcpts = Some(Vec::new());
                }
                answer(&mut io, reply).await?;
            }
            "RCPT" => {
                let address = between_brackets(&line);
                let reply = match (ask(state, Step::Rcpt(&address)), rcpts.is_some()) {
                    (Some(Reply::Transient), true) => "451 4.3.0 Error: try again later".into(),
                    (Some(Reply::Closing), _) => CLOSING.into(),
                    (Some(Reply::Stall(pause)), _) => {
                        stall(state, pause).await;
                        rcpt(state, rcpts.as_mut(), address)
                    }
                    (Some(Reply::Permanent), true) => refused(&address),
                    _ => rcpt(state, rcpts.as_mut(), address),
                };
                answer(&mut io, &reply).await?;
            }
            "DATA" => match rcpts.take() {
                Some(list) if !list.is_empty() => {
                    send(&mut io, "354 End data with <CR><LF>.<CR><LF>").await?;
                    let reply = data(&mut io, state, list).await?;
                    answer(&mut io, &reply).await?;
                }
                _ => send(&mut io, "503 5.5.1 Error: need RCPT command").await?,
            },
            "RSET" => {
                rcpts = None;
                send(&mut io, "250 2.0.0 Ok").await?;
            }
            "QUIT" => {
                send(&mut io, "221 2.0.0 Bye").await?;
                return Some(());
            }
            _ => send(&mut io, "502 5.5.2 Error: command not recognized").await?,
        }
    }
}

fn ehlo_reply(options: &Options, encrypted: bool) -> String {
    let mut reply = String::from("250-candor-test\r\n");
    if !options.no_8bitmime {
        reply.push_str("250-8BITMIME\r\n");
    }
    if options.tls.is_some() && !encrypted {
        reply.push_str("250-STARTTLS\r\n");
    }
    match (&options.login, options.login_by_challenge) {
        (Some(_), false) => reply.push_str("250-AUTH PLAIN\r\n"),
        (Some(_), true) => reply.push_str("250-AUTH LOGIN\r\n"),
        (None, _) => {}
    }
    if !options.no_pipelining {
        reply.push_str("250-PIPELINING\r\n");
    }
    reply + "250 SMTPUTF8"
}

/// "AUTH PLAIN <base64 of \0user\0password>" against the expected login.
fn auth_plain(line: &str, login: Option<&(String, String)>) -> bool {
    let given = line.split_whitespace().nth(2).unwrap_or("");
    let decoded = base64::engine::general_purpose::STANDARD.decode(given);
    let fields: Vec<Vec<u8>> = decoded
        .unwrap_or_default()
        .split(|b| *b == 0)
        .map(<[u8]>::to_vec)
        .collect();
    login.is_some_and(|(user, pass)| {
        fields.len() == 3 && fields[1] == user.as_bytes() && fields[2] == pass.as_bytes()
    })
}

/// AUTH LOGIN: asks for the user, then the password (each base64), against the expected
/// login. `None` when the session went away.
async fn auth_login(
    io: &mut BufStream<Box<dyn Io>>,
    login: Option<&(String, String)>,
) -> Option<bool> {
    let b64 = base64::engine::general_purpose::STANDARD;
    send(io, &format!("334 {}", b64.encode("Username:"))).await?;
    let user = b64.decode(read_line(io).await?).unwrap_or_default();
    send(io, &format!("334 {}", b64.encode("Password:"))).await?;
    let pass = b64.decode(read_line(io).await?).unwrap_or_default();
    Some(login.is_some_and(|(u, p)| user == u.as_bytes() && pass == p.as_bytes()))
}

/// Takes or refuses one recipient; the script's `Permanent` is answered here.
fn rcpt(state: &Mutex<State>, rcpts: Option<&mut Vec<String>>, address: String) -> String {
    let Some(rcpts) = rcpts else {
        return "503 5.5.1 Error: need MAIL command".into();
    };
    let tries = {
        let mut state = lock(state);
        let count = state.rcpt_tries.entry(address.clone()).or_default();
        *count += 1;
        *count - 1
    };
    if decide(state, &address, tries) == Reply::Permanent {
        return refused(&address);
    }
    rcpts.push(address);
    "250 2.1.5 Ok".into()
}

fn refused(address: &str) -> String {
    format!("550 5.1.1 <{address}>: Recipient address rejected: User unknown")
}

/// Reads the message up to the lone dot and returns the reply to send.
async fn data(
    io: &mut BufStream<Box<dyn Io>>,
    state: &Mutex<State>,
    rcpt: Vec<String>,
) -> Option<String> {
    let (mut bytes, mut fate, mut message_id) = (Vec::new(), None, None);
    loop {
        let line = read_line(io).await?;
        if line == "." {
            // Read without waiting: only what the client wrote before it could see a reply.
            let behind = tokio::time::timeout(Duration::ZERO, io.fill_buf()).await;
            if matches!(behind, Ok(Ok(bytes)) if !bytes.is_empty()) {
                lock(state).written_ahead += 1;
            }
            break;
        }
        let line = line.strip_prefix('.').unwrap_or(&line);
        let header = line
            .get(..11)
            .filter(|h| h.eq_ignore_ascii_case("message-id:"));
        if let (Some(name), None) = (header, fate) {
            message_id = Some(line[name.len()..].trim().to_owned());
        }
        // The headers are in: the Message-ID is known, the script can decide.
        if line.is_empty() && fate.is_none() {
            let step = Step::Data {
                rcpt: &rcpt[0],
                message_id: message_id.as_deref(),
            };
            fate = Some(
                ask(state, step).unwrap_or_else(|| fate_of(state, &rcpt[0], message_id.as_deref())),
            );
            if fate == Some(Reply::DropMidData) {
                return None;
            }
        }
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let fate = match fate {
        Some(fate) => fate,
        None => {
            let step = Step::Data {
                rcpt: &rcpt[0],
                message_id: message_id.as_deref(),
            };
            ask(state, step).unwrap_or_else(|| fate_of(state, &rcpt[0], message_id.as_deref()))
        }
    };
    match fate {
        Reply::Transient => {
            return Some("451 4.3.0 Error: queue file write error, try again".into());
        }
        Reply::Permanent => return Some("554 5.6.0 Error: message content rejected".into()),
        Reply::Closing => return Some(CLOSING.into()),
        // Counted as stalling until the message is kept, so a test can wait for it.
        Reply::Stall(pause) => {
            lock(state).stalling += 1;
            tokio::time::sleep(pause).await;
        }
        Reply::Accept | Reply::DropMidData | Reply::AcceptThenDrop => {}
    }
    let mut state = lock(state);
    if let Reply::Stall(_) = fate {
        state.stalling -= 1;
    }
    state.accepted.push(Received {
        rcpt,
        data: bytes,
        message_id,
    });
    if fate == Reply::AcceptThenDrop {
        return None;
    }
    Some(format!(
        "250 2.0.0 Ok: queued as {:X}",
        state.accepted.len()
    ))
}

/// The script's answer at the end of DATA, with the tries counted by Message-ID.
fn fate_of(state: &Mutex<State>, rcpt: &str, message_id: Option<&str>) -> Reply {
    let tries = message_id.map_or(0, |id| {
        let mut state = lock(state);
        let count = state.id_tries.entry(id.to_owned()).or_default();
        *count += 1;
        *count - 1
    });
    decide(state, rcpt, tries)
}

async fn read_line(io: &mut BufStream<Box<dyn Io>>) -> Option<String> {
    let mut buf = Vec::new();
    match io.read_until(b'\n', &mut buf).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(
            String::from_utf8_lossy(&buf)
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        ),
    }
}

/// Sends a reply; a 421 then ends the session, as RFC 5321 says.
async fn answer(io: &mut BufStream<Box<dyn Io>>, reply: &str) -> Option<()> {
    send(io, reply).await?;
    (!reply.starts_with("421")).then_some(())
}

async fn send(io: &mut BufStream<Box<dyn Io>>, reply: &str) -> Option<()> {
    io.write_all(format!("{reply}\r\n").as_bytes()).await.ok()?;
    io.flush().await.ok()
}

/// "RCPT TO:<a@b.c> X" → "a@b.c"
fn between_brackets(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}

/// A test CA and a server certificate it signed for `localhost` and 127.0.0.1.
#[derive(Clone)]
pub struct TestTls {
    /// The CA certificate, DER: what a client must trust.
    pub ca_der: Vec<u8>,
    acceptor: TlsAcceptor,
}

impl TestTls {
    pub fn new() -> TestTls {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("key")).expect("CA");
        let key = KeyPair::generate().expect("key");
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let leaf = CertificateParams::new(names)
            .expect("params")
            .signed_by(&key, &ca)
            .expect("cert");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone(), ca.der().clone()],
                rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
            )
            .expect("server certificate");
        TestTls {
            ca_der: ca.der().to_vec(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        }
    }
}

/// postfix's `smtp-sink`, writing each message it accepts into a file in `dir`. `.ci/run`
/// installs postfix.
pub struct SmtpSink {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("temp dir");
        // smtp-sink drops to `nobody` when started as root; it must be able to write here.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
                .expect("chmod");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let template = format!("{}/", dir.path().display());
        let child = std::process::Command::new("smtp-sink")
            .args(["-u", "nobody", "-d", &template])
            .arg(format!("127.0.0.1:{port}"))
            .arg("16")
            .spawn()
            .expect("smtp-sink runs (apt-get install postfix; .ci/run installs it)");
        let sink = SmtpSink { child, port, dir };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("smtp-sink did not listen on port {port}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received, as written by smtp-sink (its own headers first).
    pub fn messages(&self) -> Vec<String> {
        let entries = std::fs::read_dir(self.dir.path()).expect("sink dir");
        entries
            .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
