//! Looking at a draft before it goes out: the lint over every variant of its audience, a
//! preview for one person or one variant's sample, and the dry run with its difference from
//! the last approved one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use uuid::Uuid;

use super::prepare::{Prepared, load, prepare, reader};
use super::review::{ensure_current, lint_json};
use super::{Notice, NoticeConfig, NoticeError};
use crate::audit::{self, AuditEvent};
use crate::domain::audit::Actor;
use crate::domain::notice::{Channel, Finding, FindingSeverity, LintRule, Locale, Location, Part};
use crate::notice::lint::{self, LintCase, LintInput, LintReport};
use crate::notice::variants::{DryRunDiff, Variant, VariantView, counts, variants};
use crate::obligation::ObligationConfig;
use crate::store;

/// The variants of the draft's audience now.
pub(super) async fn variants_now(
    db: &DatabaseConnection,
    prepared: &Prepared,
    obligations: &ObligationConfig,
    notice: &Notice,
) -> Result<Vec<Variant>, NoticeError> {
    let groups = store::notices::audience::variant_groups(db, prepared.computed.mapping_id).await?;
    Ok(variants(
        &groups,
        &obligations.pack,
        &prepared.laws,
        notice.content.vip_route,
    ))
}

/// Lints every variant with its sample reader.
pub(super) async fn build_lint(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    prepared: &Prepared,
    notice: &Notice,
    variants: &[Variant],
    now: DateTime<Utc>,
) -> Result<LintReport, NoticeError> {
    let compiled = match &prepared.compiled {
        Ok(c) => c,
        Err(problems) => return Ok(compile_report(problems)),
    };
    let mapping_id = prepared.computed.mapping_id;
    let mut cases = Vec::with_capacity(variants.len());
    for v in variants {
        let Some(row) = store::notices::audience::reader(db, mapping_id, &v.sample_key).await?
        else {
            continue;
        };
        let r = reader(row, notice.content.vip_route);
        let laws = prepared.reader_laws(obligations, &r);
        let context = prepared.context(config, notice, &r, &laws, now.date_naive());
        cases.push(LintCase {
            variant: v.key.clone(),
            locale: r.locale,
            channel: v.channel,
            context,
            required: laws.required(),
            forbidden: laws.forbidden(),
        });
    }
    let mut report = lint::lint(&LintInput {
        kind: notice.kind,
        set: &prepared.templates,
        compiled,
        content: &notice.content,
        limits: &config.limits,
        tone: &config.tone,
        cases,
    });
    if config.organization.name.trim().is_empty() {
        report.errors += 1;
        report.findings.insert(
            0,
            lint::ReportedFinding {
                finding: Finding {
                    rule: LintRule::Links,
                    severity: FindingSeverity::Error,
                    code: "links.no_organization".to_owned(),
                    message:
                        "The notice does not say who it is from: the organization's name is not set"
                            .to_owned(),
                    location: Location {
                        file: None,
                        line: None,
                        part: None,
                        excerpt: None,
                    },
                    suggestion: "Set CANDOR_ORGANIZATION_NAME to the name people know you by."
                        .to_owned(),
                },
                variants: variants.len(),
                examples: Vec::new(),
            },
        );
    }
    let unreachable: i64 = variants
        .iter()
        .filter(|v| v.channel == Channel::Unreachable)
        .map(|v| v.people)
        .sum();
    if unreachable > 0 {
        report.warnings += 1;
        report.findings.push(lint::ReportedFinding {
            finding: Finding {
                rule: LintRule::Links,
                severity: FindingSeverity::Warning,
                code: "links.unreachable".to_owned(),
                message: format!(
                    "{unreachable} people have no email or postal address on record; the law may call for substitute notice (a website notice or the media)"
                ),
                location: Location { file: None, line: None, part: None, excerpt: None },
                suggestion: "Look these people up in other systems, or plan substitute notice with counsel.".to_owned(),
            },
            variants: variants.iter().filter(|v| v.channel == Channel::Unreachable).count(),
            examples: Vec::new(),
        });
    }
    Ok(report)
}

fn compile_report(problems: &[crate::notice::templates::TemplateProblem]) -> LintReport {
    let findings: Vec<lint::ReportedFinding> = problems
        .iter()
        .map(|p| lint::ReportedFinding {
            finding: Finding {
                rule: LintRule::Rendering,
                severity: FindingSeverity::Error,
                code: "rendering.compile".to_owned(),
                message: format!("The template set does not compile: {}", p.message),
                location: Location {
                    file: Some(p.file.clone()),
                    line: p.line,
                    part: None,
                    excerpt: None,
                },
                suggestion: "Fix the Handlebars syntax at this place.".to_owned(),
            },
            variants: 0,
            examples: Vec::new(),
        })
        .collect();
    LintReport {
        errors: findings.len(),
        warnings: 0,
        variants_checked: 0,
        findings,
    }
}

/// Lints a draft for its whole audience and keeps the report with it; the verdict is audited.
pub async fn lint(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    actor: Actor,
    incident_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<LintReport, NoticeError> {
    let notice = load(db, incident_id, id).await?;
    let notice = ensure_current(db, config, obligations, notice, now).await?;
    let prepared = prepare(db, config, obligations, &notice, now).await?;
    let variants = variants_now(db, &prepared, obligations, &notice).await?;
    let report = build_lint(db, config, obligations, &prepared, &notice, &variants, now).await?;
    let txn = store::begin_write(db).await?;
    store::notices::set_last_lint(&txn, notice.id, &lint_json(&report)?).await?;
    audit::record(
        &txn,
        now,
        AuditEvent {
            actor,
            action: "notice.linted",
            object_type: "notice",
            object_id: notice.id.to_string(),
            incident_id: Some(notice.incident_id),
            summary: format!(
                "{} notice linted over {} variants: {} errors, {} warnings",
                notice.kind, report.variants_checked, report.errors, report.warnings
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

/// Whom a preview is for.
#[derive(Debug, Clone)]
pub enum PreviewOf {
    /// A person the inventory knows, by their reference.
    Customer(String),
    /// The sample person of a variant, by its key.
    Variant(String),
}

/// A notice rendered for one person.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub variant: String,
    pub locale: Locale,
    pub channel: Channel,
    pub laws: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The law elements each part shows.
    pub elements: BTreeMap<Part, Vec<String>>,
}

/// Renders the draft for one person of its audience.
pub async fn preview(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    incident_id: Uuid,
    id: Uuid,
    of: PreviewOf,
    now: DateTime<Utc>,
) -> Result<Preview, NoticeError> {
    let notice = load(db, incident_id, id).await?;
    let prepared = prepare(db, config, obligations, &notice, now).await?;
    let compiled = prepared
        .compiled
        .as_ref()
        .map_err(|p| NoticeError::TemplateInvalid(p.clone()))?;
    let variants = variants_now(db, &prepared, obligations, &notice).await?;
    let mapping_id = prepared.computed.mapping_id;
    let row = match &of {
        PreviewOf::Customer(customer_ref) => {
            store::notices::audience::reader_by_customer(db, mapping_id, customer_ref).await?
        }
        PreviewOf::Variant(key) => {
            let v = variants
                .iter()
                .find(|v| &v.key == key)
                .ok_or_else(|| NoticeError::UnknownVariant(key.clone()))?;
            store::notices::audience::reader(db, mapping_id, &v.sample_key).await?
        }
    }
    .ok_or(NoticeError::NotInAudience)?;
    let r = reader(row, notice.content.vip_route);
    let laws = prepared.reader_laws(obligations, &r);
    let variant = variants
        .iter()
        .find(|v| {
            v.locale == r.locale
                && v.jurisdiction == r.jurisdiction
                && v.exposed == r.exposed
                && v.channel == r.channel
                && v.laws == laws.codes()
        })
        .map(|v| v.key.clone())
        .unwrap_or_default();
    let context = prepared.context(config, &notice, &r, &laws, now.date_naive());
    let rendered = compiled
        .render(notice.kind, r.locale, &context)
        .map_err(|p| NoticeError::Render(p.to_string()))?;
    Ok(Preview {
        variant,
        locale: r.locale,
        channel: r.channel,
        laws: laws.codes(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        elements: rendered
            .elements
            .into_iter()
            .map(|(part, keys)| (part, keys.into_iter().collect()))
            .collect(),
    })
}

/// A dry run: who would get which variant.
#[derive(Debug, Clone, Serialize)]
pub struct DryRun {
    pub mapping_id: Uuid,
    pub people: i64,
    pub variants: Vec<VariantView>,
    /// When the dry run compared against was approved.
    pub compared_with: Option<DateTime<Utc>>,
    /// The difference from the last approved dry run.
    pub diff: Option<DryRunDiff>,
}

/// The variants of a draft's audience now, against the last approval's.
pub async fn dry_run(
    db: &DatabaseConnection,
    config: &NoticeConfig,
    obligations: &ObligationConfig,
    incident_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<DryRun, NoticeError> {
    let notice = load(db, incident_id, id).await?;
    let notice = ensure_current(db, config, obligations, notice, now).await?;
    let prepared = prepare(db, config, obligations, &notice, now).await?;
    let variants = variants_now(db, &prepared, obligations, &notice).await?;
    let now_counts = counts(&variants);
    let last = notice.last_approval.as_ref();
    Ok(DryRun {
        mapping_id: prepared.computed.mapping_id,
        people: variants.iter().map(|v| v.people).sum(),
        variants: variants.iter().map(VariantView::from).collect(),
        compared_with: last.map(|a| a.approved_at),
        diff: last.map(|a| DryRunDiff::between(&a.variants, &now_counts)),
    })
}
