//! The validated set of playbooks, by id: the shipped copy or a folder, each checked against a
//! notice template set, and which playbooks attach to an incident by themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::problem::{PlaybookErrors, Problem};
use super::validate::{self, Context};
use crate::domain::playbook::{AppliesWhen, IncidentKind, Playbook};
use crate::domain::{CategorySet, Severity};
use crate::notice::templates::TemplateSet;

/// Validated playbooks, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Playbooks {
    by_id: BTreeMap<String, Playbook>,
    /// Each playbook's file, `(name, text)`, by id: a run pins the text it started with.
    sources: BTreeMap<String, (String, String)>,
}

impl Playbooks {
    /// The shipped playbooks (`playbooks/*.toml` at build time), checked against the shipped
    /// notice templates.
    pub fn embedded() -> Result<Playbooks, PlaybookErrors> {
        Playbooks::embedded_for(&TemplateSet::embedded())
    }

    /// The shipped playbooks, checked against `templates` (`CANDOR_NOTICE_TEMPLATES`).
    pub fn embedded_for(templates: &TemplateSet) -> Result<Playbooks, PlaybookErrors> {
        let files = super::embedded::FILES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        Playbooks::from_files(files, templates)
    }

    /// Loads and validates every `.toml` file directly in `dir` (the README and the
    /// `jurisdictions/` folder are not playbooks).
    pub fn load_dir(dir: &Path, templates: &TemplateSet) -> Result<Playbooks, PlaybookErrors> {
        let folder = dir.display().to_string();
        let unreadable = |e: std::io::Error| {
            PlaybookErrors(vec![Problem::whole(
                &folder,
                format!("cannot read the folder: {e}"),
            )])
        };
        let mut files = Vec::new();
        let mut not_toml = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let path = entry.map_err(unreadable)?.path();
            if !path.is_file() {
                continue;
            }
            match path.extension().and_then(|e| e.to_str()) {
                Some("toml") => files.push(read(&path)?),
                Some("yaml" | "yml") => not_toml.push(yaml_refused(&path)),
                _ => {}
            }
        }
        // A playbook written in another format is refused, never silently left out.
        if !not_toml.is_empty() {
            return Err(PlaybookErrors(not_toml));
        }
        if files.is_empty() {
            return Err(PlaybookErrors(vec![Problem::whole(
                folder,
                "no playbook files (`*.toml`) in the folder",
            )]));
        }
        Playbooks::from_files(files, templates)
    }

    /// Loads and validates one file; its `start_playbook` steps may also name a playbook of
    /// `beside` (the shipped set). The result holds that one playbook.
    pub fn load_file(
        path: &Path,
        templates: &TemplateSet,
        beside: &Playbooks,
    ) -> Result<Playbooks, PlaybookErrors> {
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            return Err(PlaybookErrors(vec![yaml_refused(path)]));
        }
        let file = read(path)?;
        let ctx = Context::new(templates, beside.by_id.keys().cloned().collect());
        Playbooks::checked(vec![file], &ctx)
    }

    /// Validates playbooks given as `(file name, content)` pairs.
    pub fn from_files(
        files: Vec<(String, String)>,
        templates: &TemplateSet,
    ) -> Result<Playbooks, PlaybookErrors> {
        Playbooks::checked(files, &Context::new(templates, BTreeSet::new()))
    }

    fn checked(
        mut files: Vec<(String, String)>,
        ctx: &Context,
    ) -> Result<Playbooks, PlaybookErrors> {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let by_id: BTreeMap<String, Playbook> = validate::set(&files, ctx)?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        // A playbook's id is its file's stem (the validator insists).
        let sources = files
            .into_iter()
            .filter_map(|(name, text)| {
                let id = name.strip_suffix(".toml")?.to_owned();
                by_id.contains_key(&id).then_some((id, (name, text)))
            })
            .collect();
        Ok(Playbooks { by_id, sources })
    }

    /// A playbook's file as `(name, text)`.
    pub fn source(&self, id: &str) -> Option<(&str, &str)> {
        self.sources
            .get(id)
            .map(|(name, text)| (name.as_str(), text.as_str()))
    }

    /// The playbook of a run's pinned file, checked again (its `start_playbook` steps may name
    /// a playbook of `beside`).
    pub fn pinned(
        file: &str,
        text: &str,
        templates: &TemplateSet,
        beside: &Playbooks,
    ) -> Result<Playbook, PlaybookErrors> {
        let ctx = Context::new(templates, beside.by_id.keys().cloned().collect());
        let mut set = Playbooks::checked(vec![(file.to_owned(), text.to_owned())], &ctx)?;
        let id = set.by_id.keys().next().cloned().unwrap_or_default();
        set.by_id.remove(&id).ok_or_else(|| {
            PlaybookErrors(vec![Problem::whole(file, "holds no playbook".to_owned())])
        })
    }

    /// The playbook with this id.
    pub fn get(&self, id: &str) -> Option<&Playbook> {
        self.by_id.get(id)
    }

    /// Every playbook, in id order.
    pub fn all(&self) -> impl ExactSizeIterator<Item = &Playbook> {
        self.by_id.values()
    }

    /// How many playbooks the set holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the set holds none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The playbooks that attach by themselves to an incident of this severity and kind whose
    /// scope exposes `exposed`, in id order. A playbook with an empty `applies_when` never
    /// does: it runs only when asked for (or started by another).
    pub fn applicable(
        &self,
        severity: Severity,
        kind: IncidentKind,
        exposed: CategorySet,
    ) -> Vec<&Playbook> {
        self.all()
            .filter(|p| applies(&p.applies_when, severity, kind, exposed))
            .collect()
    }
}

/// Whether every condition `when` gives holds (and it gives at least one).
pub fn applies(
    when: &AppliesWhen,
    severity: Severity,
    kind: IncidentKind,
    exposed: CategorySet,
) -> bool {
    if *when == AppliesWhen::default() {
        return false;
    }
    let any: CategorySet = when.categories_any.iter().copied().collect();
    let all: CategorySet = when.categories_all.iter().copied().collect();
    when.severity_at_least.is_none_or(|least| severity >= least)
        && (when.kinds.is_empty() || when.kinds.contains(&kind))
        && (any.is_empty() || !exposed.intersection(any).is_empty())
        && exposed.intersection(all) == all
}

/// One file as `(name, content)`.
/// The problem with a YAML playbook: Candor reads playbooks as TOML only, which reports every
/// mistake with its line.
fn yaml_refused(path: &Path) -> Problem {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Problem::whole(
        name,
        "playbooks are TOML files (`*.toml`, see playbooks/README.md); write this one in TOML \
         and remove the YAML file",
    )
}

fn read(path: &Path) -> Result<(String, String), PlaybookErrors> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    std::fs::read_to_string(path)
        .map(|text| (name.clone(), text))
        .map_err(|e| PlaybookErrors(vec![Problem::whole(name, format!("cannot read: {e}"))]))
}
