//! The figures of one run, rendered as Markdown and appended to `BENCHMARKS.md`.

use std::time::Duration;

use crate::baseline::SourceRun;
use crate::drain::Drained;
use crate::run_record::commit;

/// One session count on one backend: Candor and both baselines.
pub struct Row {
    pub candor: Drained,
    pub source_2k: SourceRun,
    pub source_same: SourceRun,
}

/// One backend's figures.
pub struct BackendFigures {
    pub backend: String,
    pub rows: u64,
    pub enqueue: Duration,
    pub mean_size: f64,
    pub size_sample: u64,
    pub runs: Vec<Row>,
}

/// A whole run.
pub struct Report {
    pub machine: String,
    pub messages: u64,
    /// How the worker claims and marks (from its configuration).
    pub batch: u64,
    /// The machine's cores, which Candor, the sink and the database share.
    pub cores: usize,
    pub backends: Vec<BackendFigures>,
}

impl Report {
    /// The run as a Markdown section.
    pub fn render(&self) -> String {
        let mut out = format!(
            "\n## Delivery — {} notices into smtp-sink\n\nCommit {}. Run {} on {}.\n\n",
            self.messages,
            commit(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            self.machine
        );
        out.push_str(
            "| backend | sessions | Candor msgs/s | smtp-source 2 KB msgs/s | ratio | smtp-source same size msgs/s | ratio | mean message size | Candor CPU | sink CPU (Candor / smtp-source same size) |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
        for b in &self.backends {
            for r in &b.runs {
                let c = &r.candor;
                let per = |d: Duration| d.as_secs_f64() * 1e6 / c.messages as f64;
                out.push_str(&format!(
                    "| {} | {} | {:.0} | {:.0} | {:.1}% | {:.0} (`-l {}`) | {:.1}% | {:.0} B | {:.1} s ({:.0} µs/msg) | {:.0} / {:.0} µs/msg |\n",
                    b.backend,
                    c.sessions,
                    c.rate(),
                    r.source_2k.rate(),
                    100.0 * c.rate() / r.source_2k.rate(),
                    r.source_same.rate(),
                    r.source_same.payload,
                    100.0 * c.rate() / r.source_same.rate(),
                    b.mean_size,
                    c.cpu.as_secs_f64(),
                    per(c.cpu),
                    per(c.sink_cpu),
                    r.source_same.sink_cpu.as_secs_f64() * 1e6 / r.source_same.messages as f64,
                ));
            }
        }
        out.push('\n');
        for b in &self.backends {
            out.push_str(&format!(
                "- {}: `send_notice` wrote {} outbox rows in {:.1} s ({:.0} rows/s; one transaction, not part of the drain). \
                 Mean message size {:.0} B over {} messages built by the service and written by its file transport.\n",
                b.backend,
                b.rows,
                b.enqueue.as_secs_f64(),
                b.rows as f64 / b.enqueue.as_secs_f64(),
                b.mean_size,
                b.size_sample,
            ));
        }
        for b in &self.backends {
            let Some(r) = b.runs.iter().max_by_key(|r| r.candor.sessions) else {
                continue;
            };
            let c = &r.candor;
            let sink_per = c.sink_cpu.as_secs_f64() / c.messages as f64;
            let half = 0.5 * r.source_2k.rate();
            out.push_str(&format!(
                "- {} at {} sessions: the sink spent {:.0} µs of CPU per Candor message. Half of smtp-source's 2 KB rate is \
                 {:.0} msgs/s; at that rate and this message size the sink alone would need {:.2} cores (smtp-sink is one \
                 single-threaded process).\n",
                b.backend,
                c.sessions,
                sink_per * 1e6,
                half,
                sink_per * half,
            ));
            // The ceiling for a sender no cheaper than smtp-source: it and the sink share the
            // machine's cores, and each message costs both of them CPU.
            let same = &r.source_same;
            let source_per = same.source_cpu.as_secs_f64() / same.messages as f64;
            let sink_same_per = same.sink_cpu.as_secs_f64() / same.messages as f64;
            let ceiling = self.cores as f64 / (source_per + sink_same_per);
            out.push_str(&format!(
                "- {} at {} sessions, the ceiling at this size: smtp-source itself (nothing to store or render) spent \
                 {:.0} µs of CPU per message and the sink {:.0} µs, {:.0} µs together. A sender as cheap as smtp-source \
                 could push at most {:.0} msgs/s through these {} cores, {:.0}% of smtp-source's 2 KB rate; Candor, \
                 at {:.0} µs per message{} (the sink {:.0} µs), reached {:.0}% of that ceiling.\n",
                b.backend,
                c.sessions,
                source_per * 1e6,
                sink_same_per * 1e6,
                (source_per + sink_same_per) * 1e6,
                ceiling,
                self.cores,
                100.0 * ceiling / r.source_2k.rate(),
                c.cpu.as_secs_f64() * 1e6 / c.messages as f64,
                match c.server_cpu.filter(|d| !d.is_zero()) {
                    None if b.backend == "sqlite" => " with SQLite inside it".to_owned(),
                    None => " without the database server's own CPU".to_owned(),
                    Some(server) => format!(
                        " and the PostgreSQL server {:.0} µs more",
                        server.as_secs_f64() * 1e6 / c.messages as f64
                    ),
                },
                sink_per * 1e6,
                100.0 * c.rate() / ceiling,
            ));
        }
        out.push_str(&format!(
            "\nPipeline: one claimer per worker claims {} rows at a time under a lease (on PostgreSQL walking the due index in \
             order, sorting off for the claim) and deals them to the sender \
             sessions; each renders by filling the person's values into its shape's rendering (handlebars, once per \
             shape), builds the MIME message (lettre's headers, the parts written straight into one buffer, 8-bit when the relay offers 8BITMIME), sends it over its \
             own SMTP connection with TCP_NODELAY and PIPELINING (MAIL, RCPT and DATA in one write, the data and its \
             final dot in another; when the sender already holds its next row, that row's MAIL, RCPT and DATA ride in \
             the same write as this message's data, one write and one round trip a message; while it waits for the \
             reply it renders, builds and hashes the message after that, so the next write follows the reply at \
             once), and hands the outcome to one marker task that records outcomes in batched UPDATEs, once it holds 512 or the first has waited 20 ms (on PostgreSQL one statement per kind of outcome, its rows one JSON parameter; claims and outcomes go through one connection of the worker's own on SQLite); every \
             run is checked afterwards with `SELECT COUNT(*) … WHERE status = 'sent'`. smtp-source runs `-d` (reused \
             sessions) with the same number of messages; its \"same size\" `-l` makes its DATA (headers plus payload \
             in 80-column lines) as long as Candor's mean message. Candor CPU is this process's user + system time \
             during the drain (SQLite runs inside it); the PostgreSQL server's (its processes on this machine, from \
             /proc) is given apart, in the ceiling line; sink CPU is read from /proc. Candor, the sink and the database share the machine's cores.\n\n\
             Target (issue 6): ≥ 50% of smtp-source at 8 sessions, every outcome durably recorded.\n",
            self.batch
        ));
        out
    }
}
