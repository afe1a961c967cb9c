//! A playbook file exactly as written: TOML shapes with their places in the file, before any
//! check. Vocabulary fields are plain strings here so that the validator can report every
//! unknown word, not only the first one serde meets.

use serde::Deserialize;
use toml::Spanned;

/// A value with its byte range in the file.
pub(super) type S<T> = Spanned<T>;

/// A list of words, each with its place.
pub(super) type Words = S<Vec<S<String>>>;

/// One `playbooks/<id>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlaybook {
    pub id: Option<S<String>>,
    pub name: Option<S<String>>,
    pub version: Option<S<i64>>,
    pub summary: Option<S<String>>,
    pub applies_when: Option<S<RawAppliesWhen>>,
    pub escalation: Option<S<RawEscalation>>,
    #[serde(default)]
    pub steps: Vec<S<RawStep>>,
}

/// `[applies_when]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAppliesWhen {
    pub severity_at_least: Option<S<String>>,
    pub kinds: Option<Words>,
    pub categories_any: Option<Words>,
    pub categories_all: Option<Words>,
}

/// `[escalation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEscalation {
    pub to_commander_after: Option<S<String>>,
}

/// One `[[steps]]` entry: the common fields, then the fields of each kind of step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub id: Option<S<String>>,
    pub title: Option<S<String>>,
    pub owner: Option<S<String>>,
    pub needs: Option<Words>,
    pub due: Option<S<String>>,
    pub when: Option<S<String>>,
    pub task: Option<Words>,
    pub gate: Option<S<String>>,
    pub decides: Option<S<String>>,
    pub action: Option<S<String>>,
    pub notice: Option<S<String>>,
    pub tier: Option<S<String>>,
    pub after: Option<S<String>>,
    pub reminder_after: Option<S<String>>,
    pub playbook: Option<S<String>>,
}
