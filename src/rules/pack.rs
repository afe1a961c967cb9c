//! The validated rules pack: one [`Jurisdiction`] per file, the trait vocabulary, and the
//! pack's version. Loaded from a folder or from the copy embedded in the binary.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::model::Jurisdiction;
use super::problem::{PackErrors, Problem};
use super::validate;

/// The file that names the pack's release and its trait vocabulary.
pub const PACK_FILE: &str = "pack.toml";

/// How many hex digits of the content hash a version keeps.
const HASH_DIGITS: usize = 12;

/// Which rules produced a result: the human release and a hash of every rule file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PackVersion {
    /// The `release` named in `pack.toml` (`2026.11.1`).
    pub release: String,
    /// The first 12 hex digits of a SHA-256 over every `.toml` file, in name order.
    pub content_hash: String,
}

impl fmt::Display for PackVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.release, self.content_hash)
    }
}

/// A validated rules pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub(super) version: PackVersion,
    pub(super) description: Option<String>,
    pub(super) traits: BTreeMap<String, String>,
    /// In code order.
    pub(super) jurisdictions: Vec<Jurisdiction>,
}

impl Pack {
    /// The pack shipped inside the binary (`playbooks/jurisdictions/` at build time).
    pub fn embedded() -> Result<Pack, PackErrors> {
        let files = super::embedded::FILES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        Pack::from_files(files)
    }

    /// Loads and validates every `.toml` file in `dir` (other files, such as the README, are
    /// ignored).
    pub fn load_dir(dir: &Path) -> Result<Pack, PackErrors> {
        let folder = dir.display().to_string();
        let unreadable = |reason: String| {
            PackErrors(vec![Problem {
                file: folder.clone(),
                line: None,
                field: "file".to_owned(),
                reason,
            }])
        };
        let entries = std::fs::read_dir(dir)
            .map_err(|e| unreadable(format!("cannot read the folder: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| unreadable(format!("cannot list the folder: {e}")))?
                .path();
            let is_toml = path.extension().is_some_and(|e| e == "toml");
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !is_toml || !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                PackErrors(vec![Problem {
                    file: name.to_owned(),
                    line: None,
                    field: "file".to_owned(),
                    reason: format!("cannot read: {e}"),
                }])
            })?;
            files.push((name.to_owned(), text));
        }
        Pack::from_files(files)
    }

    /// Validates a pack given as `(file name, content)` pairs, `pack.toml` among them.
    pub fn from_files(mut files: Vec<(String, String)>) -> Result<Pack, PackErrors> {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut checked = validate::pack(&files)?;
        checked.jurisdictions.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Pack {
            version: PackVersion {
                release: checked.release,
                content_hash: content_hash(&files),
            },
            description: checked.description,
            traits: checked.traits,
            jurisdictions: checked.jurisdictions,
        })
    }

    /// The release and content hash; store it with every computed result.
    pub fn version(&self) -> &PackVersion {
        &self.version
    }

    /// What `pack.toml` says the pack is.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The organization traits the pack knows, with their meaning.
    pub fn traits(&self) -> &BTreeMap<String, String> {
        &self.traits
    }

    /// Every jurisdiction, in code order.
    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }

    /// The jurisdiction with this code.
    pub fn jurisdiction(&self, code: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.code == code)
    }

    /// How many duties all jurisdictions list together.
    pub fn duty_count(&self) -> usize {
        self.jurisdictions.iter().map(|j| j.duties.len()).sum()
    }
}

/// SHA-256 over every file's name and content, in name order, shortened.
fn content_hash(files: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(HASH_DIGITS);
    hex
}
