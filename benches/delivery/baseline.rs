//! The physical limit Candor is compared with, measured in the same run: Postfix's
//! `smtp-sink` on a free loopback port (nothing written to disk), and `smtp-source` pushing
//! messages into it over reused sessions. Also the scratch PostgreSQL database.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

const SINK: &str = "/usr/sbin/smtp-sink";
const SOURCE: &str = "/usr/sbin/smtp-source";

/// The bytes `smtp-source` sends before its payload: `From:`, `To:`, `Date:` and `Message-Id:`
/// headers and the blank line (143 with this run's sender and recipient, read from a dump).
pub const SOURCE_HEADER_BYTES: u64 = 143;

/// A running `smtp-sink`, killed on drop.
pub struct Sink {
    child: Child,
    pub addr: SocketAddr,
}

impl Sink {
    /// Starts the sink on a free loopback port and waits until it answers.
    pub fn start() -> Sink {
        for tool in [SINK, SOURCE] {
            assert!(
                std::path::Path::new(tool).exists(),
                "{tool} is missing: install Debian's `postfix` package \
                 (apt-get install -y postfix; .ci/run does) to run this benchmark"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        // As root the sink must drop privileges; 1024 is the listen backlog. No -d/-D: nothing
        // is written to disk.
        let mut child = Command::new(SINK)
            .args(["-u", "nobody", &addr.to_string(), "1024"])
            .stdout(Stdio::null())
            .spawn()
            .expect("smtp-sink starts");
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("smtp-sink exited at once ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "smtp-sink does not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Sink { child, addr }
    }

    /// The sink's user + system CPU time so far, from `/proc/<pid>/stat`.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("the sink is running");
        proc_cpu(&stat)
    }
}

/// User + system CPU time so far of every process of this machine named `postgres` (the
/// server's backends and its helpers), from `/proc/<pid>/stat`. A process that starts and
/// ends between two readings (an autovacuum worker, say) is not counted.
pub fn postgres_cpu() -> Duration {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| stat.contains("(postgres)"))
        .map(|stat| proc_cpu(&stat))
        .sum()
}

/// utime + stime of a `/proc/<pid>/stat` line.
fn proc_cpu(stat: &str) -> Duration {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let ticks = field(11) + field(12);
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `smtp-source` run.
#[derive(Debug, Clone, Copy)]
pub struct SourceRun {
    pub payload: u64,
    pub elapsed: Duration,
    pub messages: u64,
    /// The sink's CPU meanwhile.
    pub sink_cpu: Duration,
    /// `smtp-source`'s own user + system CPU.
    pub source_cpu: Duration,
}

impl SourceRun {
    pub fn rate(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }
}

/// Times `smtp-source -d -s S -m N -l payload` into the sink.
pub fn smtp_source(sink: &Sink, sessions: usize, messages: u64, payload: u64) -> SourceRun {
    let before = sink.cpu();
    let children_before = rusage_cpu(libc::RUSAGE_CHILDREN);
    let started = Instant::now();
    let status = Command::new(SOURCE)
        .args([
            "-d",
            "-s",
            &sessions.to_string(),
            "-m",
            &messages.to_string(),
        ])
        .args(["-l", &payload.to_string()])
        .args(["-f", "sender@example.test", "-t", "rcpt@example.test"])
        .args(["-M", "bench.local", &sink.addr.to_string()])
        .status()
        .expect("smtp-source runs");
    let elapsed = started.elapsed();
    assert!(status.success(), "smtp-source failed ({status})");
    SourceRun {
        payload,
        elapsed,
        messages,
        sink_cpu: sink.cpu() - before,
        source_cpu: rusage_cpu(libc::RUSAGE_CHILDREN) - children_before,
    }
}

/// User + system CPU time so far, from `getrusage(who)`: `RUSAGE_SELF` for this process,
/// `RUSAGE_CHILDREN` for its children that have ended and been waited for (the `smtp-source`
/// runs; the sink still runs, so it is not among them).
pub fn rusage_cpu(who: libc::c_int) -> Duration {
    // SAFETY: rusage is plain data that getrusage fills.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The `-l` that makes `smtp-source`'s message as long as `bytes`: its headers, then the
/// payload in lines of 80 characters, each ended by CRLF.
pub fn payload_for(bytes: f64) -> u64 {
    let body = (bytes - SOURCE_HEADER_BYTES as f64).max(1.0);
    (body * 80.0 / 82.0).round() as u64
}

/// Creates a scratch PostgreSQL database; returns its URL and name.
pub async fn create_pg_database(admin_url: &str) -> (String, String) {
    let admin = Database::connect(admin_url)
        .await
        .expect("PostgreSQL reachable at CANDOR_BENCH_PG");
    let name = format!("candor_bench_delivery_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .expect("scratch database");
    }
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    (format!("{base}/{name}"), name)
}

/// Drops the scratch database.
pub async fn drop_pg_database(admin_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(admin_url).await {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = admin
            .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await;
    }
}
