//! Running the real `candor` binary and measuring it: wall time and peak resident memory
//! (from the kernel's rusage of the finished child, so nothing is sampled or guessed).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// What one command run took.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub elapsed: Duration,
    /// Peak resident set size in bytes.
    pub peak_rss: u64,
}

/// Runs `candor <args>` against `database_url` and measures it; fails on a non-zero exit.
// The child is reaped by `wait4` (which also yields its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run_candor(binary: &Path, database_url: &str, data_dir: &Path, args: &[&str]) -> Measured {
    let started = Instant::now();
    let child = Command::new(binary)
        .args(args)
        .env("CANDOR_DATABASE_URL", database_url)
        .env("CANDOR_DATA_DIR", data_dir)
        .env("CANDOR_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("candor starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which we reap here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    assert_eq!(reaped, pid, "wait4 reaps candor");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "candor {args:?} failed (status {status})"
    );
    // Linux reports ru_maxrss in kilobytes.
    Measured {
        elapsed,
        peak_rss: (usage.ru_maxrss as u64) * 1024,
    }
}

/// This machine in one line: CPU model and count, memory, kernel.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cpus} × {model}, {mem_gib:.0} GiB RAM, Linux {}",
        kernel.trim()
    )
}
