//! The markdown section of one load run: per backend, per endpoint, requests per second, p99
//! latency, the ratio to the trivial endpoint, and the service's peak memory.

use std::fmt::Write as _;

use crate::wrk::Figures;

/// One endpoint's run.
pub struct Endpoint {
    pub name: String,
    pub figures: Figures,
}

/// One backend's runs; the first endpoint is the trivial baseline.
pub struct BackendFigures {
    pub backend: String,
    pub people: usize,
    /// `VmHWM` of the service after every run.
    pub peak_rss_kib: u64,
    pub endpoints: Vec<Endpoint>,
}

pub struct Report {
    pub machine: String,
    pub args: String,
    pub backends: Vec<BackendFigures>,
}

impl Report {
    pub fn render(&self) -> String {
        let mut md = String::from("### Load: the service under wrk\n\n");
        let _ = writeln!(
            md,
            "`cargo bench --bench load` on {}, {} (UTC). Release `candor serve` as a child \
             process (log level `warn`, workers off), `{}` per endpoint, one after another in \
             the same run; the ratio is to `GET /healthz` of the same process. The survey POST \
             cycles over every person's link: the first pass stores answers, later passes \
             revise them (both are writes).\n",
            self.machine,
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            self.args
        );
        md.push_str(
            "| Backend | Endpoint | Requests/s | p99 latency | vs /healthz | Errors/non-2xx-3xx | Service peak RSS |\n\
             |---|---|---:|---:|---:|---:|---:|\n",
        );
        for b in &self.backends {
            let base = b.endpoints.first().map_or(1.0, |e| e.figures.rps);
            for e in &b.endpoints {
                let _ = writeln!(
                    md,
                    "| {} ({} people) | `{}` | {:.0} | {:.2} ms | {:.1} % | {} of {} | {:.1} MiB |",
                    b.backend,
                    b.people,
                    e.name,
                    e.figures.rps,
                    e.figures.p99_ms,
                    100.0 * e.figures.rps / base,
                    e.figures.bad,
                    e.figures.requests,
                    b.peak_rss_kib as f64 / 1024.0,
                );
            }
        }
        md
    }
}
