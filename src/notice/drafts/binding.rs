//! What an approval is bound to, and why a binding no longer holds: the template files the
//! kind uses (each file's hash, so the reason can name the file), the audience, the rules
//! version and the draft's own words with the organization's settings.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::NoticeConfig;
use crate::domain::notice::NoticeKind;
use crate::notice::content::DraftContent;
use crate::notice::templates::TemplateSet;

/// The facts a notice's content depends on, as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Binding {
    /// SHA-256 over every template file the kind uses.
    pub templates_hash: String,
    /// Each of those files' own SHA-256, by path.
    pub files: BTreeMap<String, String>,
    /// SHA-256 of the audience: each person's key, place and exposed data.
    pub audience_hash: String,
    /// The mapping the audience came from.
    pub mapping_id: Uuid,
    /// The people in it.
    pub people: i64,
    /// The rules pack's `RELEASE+HASH`.
    pub rules_version: String,
    /// SHA-256 of the draft's words and settings, and the organization's name, site and link
    /// base.
    pub content_hash: String,
}

/// An approval: who, when, and exactly what for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Approval {
    pub approved_by: Uuid,
    pub approved_at: DateTime<Utc>,
    #[serde(flatten)]
    pub binding: Binding,
    /// The dry run approved: people by variant key.
    pub variants: BTreeMap<String, i64>,
}

impl Binding {
    /// The binding of `kind` with `content` over `templates`.
    pub fn of(
        kind: NoticeKind,
        templates: &TemplateSet,
        content: &DraftContent,
        config: &NoticeConfig,
        audience: (String, i64),
        mapping_id: Uuid,
        rules_version: String,
    ) -> Binding {
        let files = templates
            .kind_files(kind)
            .into_iter()
            .filter_map(|path| {
                let text = templates.get(path)?;
                Some((
                    path.to_owned(),
                    hex::encode(Sha256::digest(text.as_bytes())),
                ))
            })
            .collect();
        Binding {
            templates_hash: templates.hash_for(kind),
            files,
            audience_hash: audience.0,
            people: audience.1,
            mapping_id,
            rules_version,
            content_hash: content_hash(kind, content, config),
        }
    }

    /// Why `self` (approved) no longer matches `now`, in one sentence; none when it still does.
    pub fn void_reason(&self, now: &Binding) -> Option<String> {
        if self.templates_hash != now.templates_hash {
            let mut changed: Vec<&str> = now
                .files
                .iter()
                .filter(|(path, hash)| self.files.get(*path) != Some(hash))
                .map(|(path, _)| path.as_str())
                .chain(
                    self.files
                        .keys()
                        .filter(|path| !now.files.contains_key(*path))
                        .map(String::as_str),
                )
                .collect();
            changed.sort_unstable();
            changed.dedup();
            let more = changed.len().saturating_sub(3);
            changed.truncate(3);
            let mut reason = format!("template files changed: {}", changed.join(", "));
            if more > 0 {
                reason.push_str(&format!(" and {more} more"));
            }
            return Some(reason);
        }
        if self.audience_hash != now.audience_hash {
            return Some(format!(
                "the audience changed: the incident was mapped again ({} people approved, {} now)",
                self.people, now.people
            ));
        }
        if self.rules_version != now.rules_version {
            return Some(format!(
                "the rules pack changed from {} to {}",
                self.rules_version, now.rules_version
            ));
        }
        if self.content_hash != now.content_hash {
            return Some("the draft's content or the organization's details changed".to_owned());
        }
        None
    }
}

fn content_hash(kind: NoticeKind, content: &DraftContent, config: &NoticeConfig) -> String {
    let canonical = serde_json::json!({
        "kind": kind.as_str(),
        "content": content,
        "organization": {
            "name": config.organization.name,
            "website": config.organization.website,
        },
        "public_url": config.public_url,
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding() -> Binding {
        Binding {
            templates_hash: "t1".into(),
            files: BTreeMap::from([
                ("initial-notice/en/text.hbs".to_owned(), "a".to_owned()),
                ("partials/en/footer.text.hbs".to_owned(), "b".to_owned()),
            ]),
            audience_hash: "a1".into(),
            mapping_id: Uuid::nil(),
            people: 10,
            rules_version: "2026.11.1+abc".into(),
            content_hash: "c1".into(),
        }
    }

    #[test]
    fn an_unchanged_binding_holds() {
        assert_eq!(binding().void_reason(&binding()), None);
    }

    #[test]
    fn a_changed_template_file_is_named() {
        let mut now = binding();
        now.templates_hash = "t2".into();
        now.files
            .insert("partials/en/footer.text.hbs".into(), "changed".into());
        let reason = binding().void_reason(&now).unwrap();
        assert_eq!(
            reason,
            "template files changed: partials/en/footer.text.hbs"
        );
    }

    #[test]
    fn a_new_audience_rules_or_content_each_void_the_binding() {
        let mut audience = binding();
        audience.audience_hash = "a2".into();
        audience.people = 12;
        assert!(
            binding()
                .void_reason(&audience)
                .unwrap()
                .contains("10 people approved, 12 now")
        );
        let mut rules = binding();
        rules.rules_version = "2026.12.1+def".into();
        assert!(
            binding()
                .void_reason(&rules)
                .unwrap()
                .contains("rules pack changed")
        );
        let mut content = binding();
        content.content_hash = "c2".into();
        assert!(binding().void_reason(&content).unwrap().contains("content"));
    }
}
