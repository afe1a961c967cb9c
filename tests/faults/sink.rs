//! A counting SMTP sink on a loopback port: it accepts every message and records how many
//! times each `Message-ID` was accepted, so a test can tell duplicates from losses. A message
//! counts once the sink has answered `250` to its final dot, the moment a relay takes it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A running sink; it stops with the test's runtime.
pub struct Sink {
    pub addr: SocketAddr,
    seen: Arc<Mutex<HashMap<String, u32>>>,
}

/// What the sink received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Messages accepted, duplicates included.
    pub accepted: u64,
    /// Distinct Message-IDs.
    pub distinct: u64,
    /// Acceptances beyond the first of their Message-ID.
    pub duplicates: u64,
}

impl Sink {
    /// Starts listening on a free loopback port.
    pub async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("sink port");
        let addr = listener.local_addr().expect("sink address");
        let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, seen).await;
                });
            }
        });
        Sink { addr, seen }
    }

    /// The counts so far.
    pub fn tally(&self) -> Tally {
        let seen = self.seen.lock().expect("sink map");
        let accepted: u64 = seen.values().map(|n| u64::from(*n)).sum();
        Tally {
            accepted,
            distinct: seen.len() as u64,
            duplicates: accepted - seen.len() as u64,
        }
    }

    /// Every Message-ID accepted.
    pub fn ids(&self) -> Vec<String> {
        self.seen
            .lock()
            .expect("sink map")
            .keys()
            .cloned()
            .collect()
    }

    /// Every Message-ID accepted more than once.
    pub fn repeated(&self) -> Vec<String> {
        let seen = self.seen.lock().expect("sink map");
        seen.iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

async fn session(stream: TcpStream, seen: Arc<Mutex<HashMap<String, u32>>>) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 faults-sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-faults-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let Some(id) = read_message(&mut lines).await? else {
                    return Ok(());
                };
                *seen.lock().expect("sink map").entry(id).or_insert(0) += 1;
                b"250 2.0.0 Ok: queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 2.0.0 Ok\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads a message up to its final dot; its Message-ID (or `""`), or `None` if the client
/// went away first (then nothing was delivered).
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut R,
) -> std::io::Result<Option<String>> {
    let mut id = String::new();
    let mut in_headers = true;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text == "." {
            return Ok(Some(id));
        }
        if in_headers {
            if text.is_empty() {
                in_headers = false;
            } else if let Some((name, value)) = text.split_once(':')
                && name.eq_ignore_ascii_case("message-id")
            {
                id = value.trim().trim_matches(['<', '>']).to_owned();
            }
        }
    }
}
