//! The file outbox: each message becomes `<dir>/<message id>.eml`, written atomically, so a
//! resend of the same message replaces its file and the folder never holds two copies.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{BuiltMessage, Outcome};

/// Writes messages into one folder (created when first needed).
#[derive(Debug, Clone)]
pub struct FileSender {
    dir: PathBuf,
}

impl FileSender {
    /// A sender into `dir`.
    pub fn new(dir: PathBuf) -> Self {
        FileSender { dir }
    }

    /// Writes the message. The file is synced before it is renamed into place: once this says
    /// `Accepted`, the message survives a crash. The blocking calls (write, fsync, rename) run
    /// together in one `spawn_blocking` rather than as several `tokio::fs` hops.
    pub async fn send(&mut self, message: &BuiltMessage) -> Outcome {
        let name = format!("{}.eml", file_stem(&message.message_id));
        let dir = self.dir.clone();
        let bytes = message.bytes.clone();
        let task_name = name.clone();
        let written =
            tokio::task::spawn_blocking(move || write_atomically(&dir, &task_name, &bytes)).await;
        match written {
            Ok(Ok(())) => Outcome::Accepted {
                reply: format!("written to {name}"),
            },
            Ok(Err(err)) => Outcome::Transient {
                reason: format!("cannot write {name}: {}", err.kind()),
            },
            Err(_) => Outcome::Transient {
                reason: format!("cannot write {name}: the writing task failed"),
            },
        }
    }
}

/// A safe file name (without extension) for a message or letter id: angle brackets dropped,
/// anything but letters, digits and `.@_+-` replaced by `_`. When that changed the id (or it
/// was cut to length), a short hash of the original keeps distinct ids in distinct files.
pub(super) fn file_stem(id: &str) -> String {
    const MAX: usize = 180;
    let trimmed = id.trim_start_matches('<').trim_end_matches('>');
    let mut stem: String = trimmed
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._@+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(MAX)
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(..1, "_");
    }
    if stem != trimmed || stem.is_empty() {
        let digest = Sha256::digest(id.as_bytes());
        stem.push('-');
        stem.push_str(&hex::encode(&digest[..4]));
    }
    stem
}

/// Writes `bytes` to `dir/name` so that readers see the old file or the whole new one: a
/// temporary file in the same folder, synced, then renamed over the target.
pub(super) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = File::create_new(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, dir.join(name)));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    // The rename is only durable once the folder itself is synced.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_message_id_is_its_own_file_name() {
        assert_eq!(
            file_stem("<candor.3f2a.42@notices.example.org>"),
            "candor.3f2a.42@notices.example.org"
        );
    }

    #[test]
    fn path_tricks_become_harmless_and_distinct() {
        let up = file_stem("../../etc/passwd");
        let other = file_stem("__/__/etc/passwd");
        assert!(!up.contains('/') && !up.starts_with('.'), "{up}");
        assert_ne!(up, other);
        assert!(file_stem(&"x".repeat(1000)).len() < 200);
        assert!(!file_stem("").is_empty());
    }
}
