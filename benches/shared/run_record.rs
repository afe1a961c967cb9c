//! What the benchmarks that write to `BENCHMARKS.md` share: the commit a run names, and
//! appending a rendered run to the file.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// `BENCHMARKS.md` at the project's root.
pub fn benchmarks_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md")
}

/// Appends a rendered run to `BENCHMARKS.md`, creating the file with its header if needed.
/// Render the run (and so read [`commit`]) before calling this: appending dirties the tree.
pub fn append(text: &str) -> std::io::Result<()> {
    let path = benchmarks_md();
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    if new {
        writeln!(
            file,
            "# Benchmarks\n\nEvery figure here was measured by a `cargo bench` target in `benches/`, with its\nbaseline measured in the same run on the same machine."
        )?;
    }
    file.write_all(text.as_bytes())
}

/// `git rev-parse --short HEAD`, marked when the working tree has changes.
pub fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{head} (with uncommitted changes)"),
        _ => head,
    }
}
