//! What the demo prints: progress while it works, then what it did, who to sign in as, and
//! where to look (the API, a person's pages, the outbox). Counts and ids only: the one
//! person's links are the only personal thing shown.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use uuid::Uuid;

use super::inventory::Imported;
use super::story::{Outcome, PLAYBOOK};
use super::{Cast, DemoUser};

/// Runs `work`, printing `what… done (1.2 s)` around it.
pub async fn timed<T>(
    what: &str,
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    print!("{what}… ");
    let _ = std::io::stdout().flush();
    let started = Instant::now();
    let out = work.await;
    match &out {
        Ok(_) => println!("done ({:.1} s)", started.elapsed().as_secs_f64()),
        Err(_) => println!("failed"),
    }
    out
}

/// `4,000`.
pub fn thousands(n: impl TryInto<u64>) -> String {
    let digits = n.try_into().unwrap_or(0).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn count(n: i64) -> String {
    thousands(n)
}

/// Everything the guide shows.
pub struct Guide<'a> {
    pub addr: &'a str,
    pub cast: &'a Cast,
    pub incident_id: Uuid,
    pub dir: &'a Path,
    pub outbox: &'a Path,
    pub imported: Imported,
    pub outcome: &'a Outcome,
}

/// Prints the guide.
pub fn print(g: &Guide<'_>) -> anyhow::Result<()> {
    let postal = crate::delivery::postal_outbox(g.dir);
    let letters = files(&postal.join(g.outcome.initial.id.to_string()), "txt")?;
    println!();
    println!(
        "Candor demo — data in {}/ (re-created on every run)",
        g.dir.display()
    );
    print_story(g, letters);
    print_accounts(g.cast);
    println!();
    println!("Look at:");
    println!(
        "  the incident room:   http://{}/incidents/{} (sign in with an account above)",
        g.addr, g.incident_id
    );
    println!(
        "  outbox:   {}/ ({} .eml files: notices and survey invitations)",
        g.outbox.display(),
        thousands(files(g.outbox, "eml")?)
    );
    println!("  letters:  {}/", postal.display());
    if let Some(sample) = &g.outcome.survey.sample {
        println!("  one person's page:   http://{}{}", g.addr, sample.page);
        println!("  and their survey:    http://{}{}", g.addr, sample.survey);
    }
    print_api(g.addr, &g.cast.cx_lead, g.incident_id);
    Ok(())
}

/// What the demo did, in counts.
fn print_story(g: &Guide<'_>, letters: u64) {
    let o = g.outcome;
    println!();
    println!("What happened:");
    println!(
        "  {} customers and {} records in {} systems imported from {}/",
        thousands(g.imported.customers),
        thousands(g.imported.holdings),
        g.imported.systems,
        g.dir.join("inventory").display()
    );
    println!(
        "  {} people affected ({} of them known only by a record); {} duties required under {} laws",
        count(o.affected),
        count(o.unmatched),
        o.duties_required,
        o.laws
    );
    let emails = o.initial.counts.sent - i64::try_from(letters).unwrap_or(0);
    println!(
        "  initial notice to {} people: {} emails and {} letters sent, {} unreachable",
        count(o.initial.people),
        count(emails),
        thousands(letters),
        count(o.initial.unreachable)
    );
    let s = &o.survey.results.overall;
    println!(
        "  survey: {} invited, {} answered, NPS {}, clarity {} of 5",
        thousands(o.survey.invited),
        s.responded,
        s.nps.map_or("-".to_owned(), |n| format!("{n:.1}")),
        s.clarity_average
            .map_or("-".to_owned(), |n| format!("{n:.2}"))
    );
    println!(
        "  playbook {PLAYBOOK}: {} of {} steps done; {} regulator reports drafted to file, {} VIP calls for account managers",
        o.done_steps,
        o.done_steps + o.open_steps.len(),
        o.filing_tasks,
        o.vip_calls
    );
    println!("    still open: {}", o.open_steps.join(", "));
}

fn print_accounts(cast: &Cast) {
    println!();
    println!("Sign in as (passwords are new on every run):");
    for demo in cast.all() {
        println!(
            "  {:<9} {:<28} {}",
            demo.role.as_str(),
            demo.email,
            demo.password
        );
    }
    println!("  (cx-writer drafts notices; a CX lead who did not edit a notice last approves it)");
}

fn print_api(addr: &str, who: &DemoUser, incident_id: Uuid) {
    println!();
    println!("Try the API (as the CX lead):");
    println!(
        "  TOKEN=$(curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' \\\n    -d '{{\"email\":\"{}\",\"password\":\"{}\"}}' | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')",
        who.email, who.password
    );
    println!(
        "  api() {{ curl -s \"http://{addr}/api/v1/$1\" -H \"authorization: Bearer $TOKEN\"; echo; }}"
    );
    let i = format!("incidents/{incident_id}");
    for (path, what) in [
        ("incidents".to_owned(), "incidents"),
        (format!("{i}/playbook"), "the playbook run, step by step"),
        (format!("{i}/impact"), "who is affected, by place and data"),
        (
            format!("{i}/obligations"),
            "which laws, whom to tell, by when",
        ),
        (format!("{i}/notices"), "the notices and their approvals"),
        (format!("{i}/delivery"), "campaigns and per-message status"),
        (
            format!("{i}/survey"),
            "survey results: NPS, clarity, comments",
        ),
        (format!("{i}/timeline"), "the incident's timeline"),
        (format!("audit?incident={incident_id}"), "the audit trail"),
    ] {
        println!("  api {path:<56} # {what}");
    }
    println!(
        "  API description: http://{addr}/api/v1/openapi.json   metrics: http://{addr}/metrics"
    );
}

/// The files in `dir` whose names end in `.ext` (none when there is no such folder).
fn files(dir: &Path, ext: &str) -> anyhow::Result<u64> {
    if !dir.exists() {
        return Ok(0);
    }
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        if entry?.path().extension().is_some_and(|e| e == ext) {
            n += 1;
        }
    }
    Ok(n)
}
