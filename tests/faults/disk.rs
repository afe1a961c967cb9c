//! The SQLite data directory runs out of space or turns read-only: `candor import` fails
//! with a message naming the problem and a non-zero exit, and once the disk has room (or is
//! writable) again the database is intact — `PRAGMA integrity_check` is `ok`, `candor audit
//! verify` passes and the earlier import is still there. The data directory is a small tmpfs
//! mounted for the test (root ignores file permissions, so a mount is the honest way).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::sink::Sink;
use crate::{Delivery, Store, campaign, candor_command};

const DELIVERY: Delivery = Delivery {
    concurrency: 1,
    batch: 10,
    lease_seconds: 60,
    rate: 0,
};

/// A tmpfs mounted on a fresh directory, unmounted on drop.
struct Mount {
    path: PathBuf,
}

impl Mount {
    /// Mounts a tmpfs of `megabytes`; `None` when this machine does not allow it.
    fn tmpfs(at: &Path, megabytes: u32) -> Option<Mount> {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(at)
            .status()
            .ok()?;
        status.success().then(|| Mount {
            path: at.to_owned(),
        })
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.path)
            .status()
            .expect("mount");
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// A store whose data directory is a tmpfs of `megabytes`, and the inventory files outside it.
struct Fixture {
    // Unmounted before the data directory is removed (fields drop in order).
    mount: Mount,
    store: Store,
    sink: Sink,
    inputs: tempfile::TempDir,
}

impl Fixture {
    async fn new(megabytes: u32) -> Option<Fixture> {
        let store = Store::sqlite();
        let mount = Mount::tmpfs(store.data_dir.path(), megabytes)?;
        Some(Fixture {
            mount,
            store,
            sink: Sink::start().await,
            inputs: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// Writes a customers file of `people` and returns its path.
    fn customers(&self, name: &str, people: u64) -> PathBuf {
        let dir = self.inputs.path().join(name);
        campaign::files(&dir, people).expect("inventory files");
        dir.join("customers.csv")
    }

    fn candor(&self, args: &[&str]) -> Output {
        candor_command(&self.store, &self.sink, DELIVERY)
            .args(args)
            .output()
            .expect("candor runs")
    }

    fn import(&self, file: &Path) -> Output {
        self.candor(&["import", "customers", &file.display().to_string()])
    }

    fn db_file(&self) -> String {
        self.store
            .data_dir
            .path()
            .join("candor.db")
            .display()
            .to_string()
    }

    fn sqlite3(&self, sql: &str) -> String {
        let out = Command::new("sqlite3")
            .arg(self.db_file())
            .arg(sql)
            .output()
            .expect("sqlite3 runs");
        assert!(out.status.success(), "sqlite3: {}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    }

    /// Checks the database is whole (integrity check, the audit chain) and returns how many
    /// customers it holds.
    fn assert_intact(&self) -> u64 {
        assert_eq!(self.sqlite3("PRAGMA integrity_check"), "ok");
        let verify = self.candor(&["audit", "verify"]);
        assert!(
            verify.status.success(),
            "candor audit verify: {}{}",
            text(&verify.stdout),
            text(&verify.stderr)
        );
        self.sqlite3("SELECT COUNT(*) FROM people")
            .parse()
            .expect("a count")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Appends to `filler` until the device is full, then gives `leave` bytes back.
fn fill(filler: &Path, leave: u64) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(filler)
        .expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    while file.write_all(&chunk[..512]).is_ok() {}
    let len = file.metadata().expect("filler size").len();
    file.set_len(len.saturating_sub(leave))
        .expect("give room back");
}

fn assert_fails_naming_full(output: &Output, disk: &str) {
    let stderr = text(&output.stderr);
    eprintln!(
        "import on a {disk} disk: {} — {}",
        output.status,
        stderr.trim()
    );
    assert!(
        !output.status.success(),
        "the import cannot succeed on a {disk} disk"
    );
    assert!(
        stderr.to_lowercase().contains("full"),
        "the message names the problem: {stderr}"
    );
    assert!(
        !stderr.contains("Springfield") && !stderr.contains("@example.test"),
        "no personal data in the message: {stderr}"
    );
}

fn usable() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    root && crate::have("/usr/bin/sqlite3")
}

#[tokio::test]
async fn an_import_onto_a_full_disk_fails_clearly_and_leaves_the_database_intact() {
    if !crate::requires(usable(), "root (to mount a tmpfs) and the sqlite3 CLI") {
        return;
    }
    let fixture = Fixture::new(32).await;
    if !crate::requires(fixture.is_some(), "a machine that allows mounting a tmpfs") {
        return;
    }
    let fixture = fixture.expect("mounted");
    let earlier = 50;
    let everyone = 20_000;
    // The small file's customers are the first of the big one's.
    let small = fixture.customers("small", earlier);
    let big = fixture.customers("big", everyone);
    let first = fixture.import(&small);
    assert!(
        first.status.success(),
        "first import: {}",
        text(&first.stderr)
    );

    // Nearly full: the database opens, and the import runs out of room part way.
    let filler = fixture.mount.path.join("filler");
    fill(&filler, 1024 * 1024);
    let failed = fixture.import(&big);
    assert_fails_naming_full(&failed, "nearly full");
    // On SQLite an import commits in slices (a quarter second each, so other writers get
    // their turn), so the slices before the fault stay; none is half-written.
    let kept = fixture.assert_intact();
    assert!(
        (earlier..everyone).contains(&kept),
        "the earlier customers are there and the import did not finish: {kept}"
    );

    // Full to the last byte (the rest of the import cannot fit in the pages SQLite can reuse).
    fill(&filler, 0);
    let failed = fixture.import(&big);
    assert_fails_naming_full(&failed, "full");

    std::fs::remove_file(&filler).expect("free the disk");
    let still = fixture.assert_intact();
    assert!(
        (kept..everyone).contains(&still),
        "{still} customers after the second fault"
    );
    // With room again, the same import finishes what it started (imports are idempotent).
    let again = fixture.import(&big);
    assert!(
        again.status.success(),
        "import after: {}",
        text(&again.stderr)
    );
    assert_eq!(fixture.assert_intact(), everyone);
}

#[tokio::test]
async fn an_import_into_a_read_only_data_directory_fails_clearly_and_leaves_it_intact() {
    if !crate::requires(usable(), "root (to mount a tmpfs) and the sqlite3 CLI") {
        return;
    }
    let fixture = Fixture::new(64).await;
    if !crate::requires(fixture.is_some(), "a machine that allows mounting a tmpfs") {
        return;
    }
    let fixture = fixture.expect("mounted");
    let earlier = 50;
    let small = fixture.customers("small", earlier);
    let more = fixture.customers("more", 500);
    let first = fixture.import(&small);
    assert!(
        first.status.success(),
        "first import: {}",
        text(&first.stderr)
    );

    fixture.mount.remount("ro");
    let failed = fixture.import(&more);
    let stderr = text(&failed.stderr);
    eprintln!(
        "import on a read-only disk: {} — {}",
        failed.status,
        stderr.trim()
    );
    fixture.mount.remount("rw");
    assert!(
        !failed.status.success(),
        "the import cannot succeed read-only"
    );
    let lower = stderr.to_lowercase();
    assert!(
        lower.contains("read-only") || lower.contains("readonly") || lower.contains("read only"),
        "the message names the problem: {stderr}"
    );
    assert_eq!(
        fixture.assert_intact(),
        earlier,
        "nothing of the refused import was kept"
    );
}
