//! A template set as files: the shipped copy, a folder, a draft's edited copy, and the hash
//! of the files a kind uses.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::layout;
use super::problem::TemplateSetError;
use crate::domain::notice::NoticeKind;

/// Files that sit beside the templates but are not part of the set.
const NOT_TEMPLATES: &[&str] = &["README.md"];

/// Every file of a template set, by path relative to the root (`update/es/text.hbs`), with
/// `/` between folders whatever the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateSet {
    files: BTreeMap<String, String>,
}

impl TemplateSet {
    /// The shipped templates (`notice-templates/` at build time), built into the binary.
    pub fn embedded() -> TemplateSet {
        TemplateSet::from_files(
            super::embedded::FILES
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned())),
        )
    }

    /// A set from `(path, content)` pairs; nothing is checked until [`TemplateSet::compile`].
    pub fn from_files(files: impl IntoIterator<Item = (String, String)>) -> TemplateSet {
        TemplateSet {
            files: files.into_iter().collect(),
        }
    }

    /// Reads every file under `dir` (the README and hidden files aside); fails naming the file
    /// that cannot be read or is not UTF-8 text.
    pub fn load_dir(dir: &Path) -> Result<TemplateSet, TemplateSetError> {
        let mut files = BTreeMap::new();
        read_folder(dir, "", &mut files)?;
        Ok(TemplateSet { files })
    }

    /// A copy with some files replaced (a draft's edits). An edit may only replace a file the
    /// set has; an unknown path is refused, naming it.
    pub fn with_overrides(
        &self,
        edits: impl IntoIterator<Item = (String, String)>,
    ) -> Result<TemplateSet, TemplateSetError> {
        let mut files = self.files.clone();
        for (path, content) in edits {
            match files.get_mut(&path) {
                Some(slot) => *slot = content,
                None => return Err(TemplateSetError::UnknownFile { file: path }),
            }
        }
        Ok(TemplateSet { files })
    }

    /// Every file, in path order.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// One file's content.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The paths a kind's notices depend on — `<kind>/**`, `partials/**`, `locales/**` — in
    /// path order.
    pub fn kind_files(&self, kind: NoticeKind) -> Vec<&str> {
        self.files
            .keys()
            .filter(|path| layout::used_by(kind, path))
            .map(String::as_str)
            .collect()
    }

    /// Lowercase hex SHA-256 over the files a kind uses ([`TemplateSet::kind_files`]), each
    /// fed as its path, a NUL byte, its length in bytes (8 bytes, big-endian) and its content,
    /// so no two different sets hash alike. Another kind's files do not change it.
    pub fn hash_for(&self, kind: NoticeKind) -> String {
        let mut hasher = Sha256::new();
        for path in self.kind_files(kind) {
            let content = self.files.get(path).map(String::as_str).unwrap_or_default();
            hasher.update(path.as_bytes());
            hasher.update([0u8]);
            hasher.update((content.len() as u64).to_be_bytes());
            hasher.update(content.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// Adds the files under `dir` to `files`, keyed by `prefix` + their relative path.
fn read_folder(
    dir: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, String>,
) -> Result<(), TemplateSetError> {
    let unreadable = |file: &Path, e: std::io::Error| TemplateSetError::Unreadable {
        file: file.display().to_string(),
        reason: e.to_string(),
    };
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || (prefix.is_empty() && NOT_TEMPLATES.contains(&name.as_str())) {
            continue;
        }
        let relative = format!("{prefix}{name}");
        // Follows symbolic links, as a deployment may link a folder in.
        if path.is_dir() {
            read_folder(&path, &format!("{relative}/"), files)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| TemplateSetError::NotText {
            file: relative.clone(),
        })?;
        files.insert(relative, text);
    }
    Ok(())
}
