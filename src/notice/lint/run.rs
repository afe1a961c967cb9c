//! Linting a notice: every variant of its audience is rendered in strict mode and checked for
//! its laws' required and forbidden elements, readability, tone, and links and contact
//! details. A finding seen in many variants is reported once, with how many variants showed it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::links::{self, ContactDetails};
use super::locate::locate;
use super::readability::{self, ReadabilityLimits};
use super::tone::ToneList;
use crate::domain::notice::{
    Channel, Finding, FindingSeverity, LintRule, Locale, Location, NoticeKind, Part,
};
use crate::notice::content::DraftContent;
use crate::notice::laws::LawWord;
use crate::notice::templates::{Compiled, TemplateSet};

/// One variant to lint: a sample reader's context and what their laws ask.
pub struct LintCase {
    /// The variant's key.
    pub variant: String,
    pub locale: Locale,
    pub channel: Channel,
    pub context: Value,
    pub required: BTreeMap<String, Vec<LawWord>>,
    pub forbidden: BTreeMap<String, Vec<LawWord>>,
}

/// What the lint is run with.
pub struct LintInput<'a> {
    pub kind: NoticeKind,
    pub set: &'a TemplateSet,
    pub compiled: &'a Compiled,
    pub content: &'a DraftContent,
    pub limits: &'a ReadabilityLimits,
    pub tone: &'a ToneList,
    pub cases: Vec<LintCase>,
}

/// A finding with the variants it was seen in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    /// How many variants showed it.
    pub variants: usize,
    /// Up to five of their keys.
    pub examples: Vec<String>,
}

/// The linter's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LintReport {
    pub errors: usize,
    pub warnings: usize,
    /// Variants rendered and checked.
    pub variants_checked: usize,
    /// Errors first, then by rule and location.
    pub findings: Vec<ReportedFinding>,
}

impl LintReport {
    /// Whether nothing blocks approval.
    pub fn passes(&self) -> bool {
        self.errors == 0
    }
}

/// Findings are the same when their code and location are: `(code, file, line, part)`.
type SameFinding = (String, Option<String>, Option<u32>, Option<Part>);

/// Lints every case.
pub fn lint(input: &LintInput) -> LintReport {
    let mut seen: BTreeMap<SameFinding, ReportedFinding> = BTreeMap::new();
    for case in &input.cases {
        for finding in lint_case(input, case) {
            let key = (
                finding.code.clone(),
                finding.location.file.clone(),
                finding.location.line,
                finding.location.part,
            );
            let entry = seen.entry(key).or_insert_with(|| ReportedFinding {
                finding,
                variants: 0,
                examples: Vec::new(),
            });
            entry.variants += 1;
            if entry.examples.len() < 5 && !entry.examples.contains(&case.variant) {
                entry.examples.push(case.variant.clone());
            }
        }
    }
    let mut findings: Vec<ReportedFinding> = seen.into_values().collect();
    findings.sort_by(|a, b| {
        let rank = |f: &ReportedFinding| (f.finding.severity != FindingSeverity::Error) as u8;
        (
            rank(a),
            a.finding.rule,
            &a.finding.location,
            &a.finding.code,
        )
            .cmp(&(
                rank(b),
                b.finding.rule,
                &b.finding.location,
                &b.finding.code,
            ))
    });
    let errors = findings
        .iter()
        .filter(|f| f.finding.severity == FindingSeverity::Error)
        .count();
    LintReport {
        errors,
        warnings: findings.len() - errors,
        variants_checked: input.cases.len(),
        findings,
    }
}

fn lint_case(input: &LintInput, case: &LintCase) -> Vec<Finding> {
    let rendered = match input
        .compiled
        .render(input.kind, case.locale, &case.context)
    {
        Ok(r) => r,
        Err(problem) => {
            return vec![Finding {
                rule: LintRule::Rendering,
                severity: FindingSeverity::Error,
                code: "rendering.failed".to_owned(),
                message: format!("The template does not render: {}", problem.message),
                location: Location {
                    file: Some(problem.file.clone()),
                    line: problem.line,
                    part: None,
                    excerpt: None,
                },
                suggestion: "Use only the values listed in notice-templates/README.md, and guard values that may be empty with {{#if}}.".to_owned(),
            }];
        }
    };
    // The law's content duties are met by the initial notice; updates and survey mail
    // follow it and are checked for everything else.
    let mut findings = if input.kind == NoticeKind::InitialNotice {
        law_findings(input.kind, case, &rendered.elements)
    } else {
        Vec::new()
    };
    let sources = sources(input, case.locale);
    let source_refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(f, c)| (f.as_str(), c.as_str()))
        .collect();
    let text_file = format!("{}/{}/text.hbs", input.kind.as_str(), case.locale.as_str());
    let mut prose = readability::check(&rendered.text, case.locale, input.limits);
    prose.extend(
        input
            .tone
            .check(&rendered.subject, case.locale)
            .into_iter()
            .map(|mut f| {
                f.location.part = Some(Part::Subject);
                f
            }),
    );
    prose.extend(input.tone.check(&rendered.text, case.locale));
    for mut f in prose {
        let found = f
            .location
            .excerpt
            .as_deref()
            .and_then(|e| locate(e.trim_end_matches('…'), &source_refs));
        match found {
            Some((file, line)) => {
                f.location.file = Some(file);
                f.location.line = Some(line);
            }
            None if f.location.file.is_none() => f.location.file = Some(text_file.clone()),
            None => {}
        }
        findings.push(f);
    }
    for field in input.content.untranslated(case.locale) {
        findings.push(Finding {
            rule: LintRule::Language,
            severity: FindingSeverity::Warning,
            code: format!("language.untranslated.{field}"),
            message: format!(
                "Readers whose language is `{}` get the English text of `{field}`",
                case.locale
            ),
            location: Location {
                file: Some(format!("draft.{field}")),
                line: None,
                part: Some(Part::Text),
                excerpt: None,
            },
            suggestion: format!(
                "Write it in `translations.{}.{field}` of the draft.",
                case.locale
            ),
        });
    }
    let contact = &input.content.contact;
    let details = ContactDetails {
        name: contact.name.clone(),
        email: contact.email.clone(),
        phone: contact.phone.clone(),
        url: contact.url.clone(),
    };
    let html = if case.channel == Channel::Email {
        rendered.html.as_str()
    } else {
        ""
    };
    findings.extend(links::check(&rendered.text, html, &details));
    findings
}

/// The files and draft fields a rendered phrase may come from, for locating findings.
fn sources(input: &LintInput, locale: Locale) -> Vec<(String, String)> {
    let kind_prefix = format!("{}/{}/", input.kind.as_str(), locale.as_str());
    let partial_prefix = format!("partials/{}/", locale.as_str());
    let mut out: Vec<(String, String)> = input
        .set
        .files()
        .iter()
        .filter(|(path, _)| path.starts_with(&kind_prefix) || path.starts_with(&partial_prefix))
        .map(|(p, c)| (p.clone(), c.clone()))
        .collect();
    let c = input.content;
    // The paragraphs this locale's readers get, under the field they were written in.
    let own = c.translations.get(&locale).filter(|_| locale != Locale::En);
    let fields = [
        (
            "what_happened",
            &c.what_happened,
            own.map(|p| &p.what_happened),
        ),
        (
            "what_we_are_doing",
            &c.what_we_are_doing,
            own.map(|p| &p.what_we_are_doing),
        ),
        (
            "likely_consequences",
            &c.likely_consequences,
            own.map(|p| &p.likely_consequences),
        ),
    ];
    for (field, english, translated) in fields {
        match translated.filter(|t| !t.trim().is_empty()) {
            Some(t) => out.push((format!("draft.translations.{locale}.{field}"), t.clone())),
            None => out.push((format!("draft.{field}"), english.clone())),
        }
    }
    match own
        .and_then(|p| p.update.clone())
        .filter(|t| !t.trim().is_empty())
    {
        Some(t) => out.push((format!("draft.translations.{locale}.update"), t)),
        None => out.push((
            "draft.update".to_owned(),
            c.update.clone().unwrap_or_default(),
        )),
    }
    out
}

/// Missing required elements and present forbidden ones, per part the channel shows.
fn law_findings(
    kind: NoticeKind,
    case: &LintCase,
    elements: &BTreeMap<Part, BTreeSet<String>>,
) -> Vec<Finding> {
    let parts: &[Part] = match case.channel {
        Channel::Email => &[Part::Text, Part::Html],
        _ => &[Part::Text],
    };
    let file = |part: Part| {
        format!(
            "{}/{}/{}.hbs",
            kind.as_str(),
            case.locale.as_str(),
            part.as_str()
        )
    };
    let mut out = Vec::new();
    for (key, words) in &case.required {
        if let Some(against) = case.forbidden.get(key) {
            out.push(conflict(key, words, against));
            continue;
        }
        for part in parts {
            if elements.get(part).is_some_and(|keys| keys.contains(key)) {
                continue;
            }
            out.push(Finding {
                rule: LintRule::Law,
                severity: FindingSeverity::Error,
                code: format!("law.missing.{key}"),
                message: format!(
                    "{} requires this element, and the {} body does not show it: {}",
                    names(words),
                    part.as_str(),
                    words[0].text
                ),
                location: Location { file: Some(file(*part)), line: None, part: Some(*part), excerpt: None },
                suggestion: format!(
                    "Add the content inside {{{{#element \"{key}\"}}}}…{{{{/element}}}} so it shows for these readers (check any {{{{#if}}}} around it, and the draft's fields it uses)."
                ),
            });
        }
    }
    for (key, words) in &case.forbidden {
        if case.required.contains_key(key) {
            continue;
        }
        for part in parts {
            if !elements.get(part).is_some_and(|keys| keys.contains(key)) {
                continue;
            }
            out.push(Finding {
                rule: LintRule::Law,
                severity: FindingSeverity::Error,
                code: format!("law.forbidden.{key}"),
                message: format!(
                    "{} forbids this in the notice, and the {} body shows it: {}",
                    names(words),
                    part.as_str(),
                    words[0].text
                ),
                location: Location {
                    file: Some(file(*part)),
                    line: None,
                    part: Some(*part),
                    excerpt: None,
                },
                suggestion: format!(
                    "Wrap that content in {{{{#unless law.omit.{key}}}}}…{{{{/unless}}}}."
                ),
            });
        }
    }
    out
}

fn conflict(key: &str, requiring: &[LawWord], forbidding: &[LawWord]) -> Finding {
    Finding {
        rule: LintRule::Law,
        severity: FindingSeverity::Warning,
        code: format!("law.conflict.{key}"),
        message: format!(
            "{} requires `{key}` and {} forbids it for the same readers",
            names(requiring),
            names(forbidding)
        ),
        location: Location {
            file: None,
            line: None,
            part: None,
            excerpt: None,
        },
        suggestion:
            "Ask counsel which rule governs these readers; the notice keeps the content for now."
                .to_owned(),
    }
}

fn names(words: &[LawWord]) -> String {
    let names: Vec<&str> = words.iter().map(|w| w.name.as_str()).collect();
    names.join(", ")
}
