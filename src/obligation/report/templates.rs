//! The regulator report's templates (`notice-templates/regulator-report/en/`, rendered by the
//! notice template engine: the text part is the Markdown, the HTML part the HTML) and the
//! data they are rendered with.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::notice::{Locale, NoticeKind, Part};
use crate::notice::templates::{Compiled, TemplateProblems, TemplateSet};
use crate::obligation::ObligationError;

/// Reports are drafted in English.
pub(super) const REPORT_LOCALE: Locale = Locale::En;

/// Which rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
}

/// The compiled template set the report renders from, checked in strict mode at startup.
#[derive(Debug, Clone)]
pub struct ReportTemplates {
    compiled: Compiled,
}

impl ReportTemplates {
    /// Compiles the shipped template set; fails listing every problem.
    pub fn load() -> Result<ReportTemplates, TemplateProblems> {
        TemplateSet::embedded()
            .compile()
            .map(ReportTemplates::from_compiled)
            .map_err(TemplateProblems)
    }

    /// Renders from an already compiled set (`CANDOR_NOTICE_TEMPLATES`, or one shared with
    /// the notices).
    pub fn from_compiled(compiled: Compiled) -> ReportTemplates {
        ReportTemplates { compiled }
    }

    pub(super) fn render(
        &self,
        format: ReportFormat,
        data: &ReportData,
    ) -> Result<String, ObligationError> {
        let part = match format {
            ReportFormat::Markdown => Part::Text,
            ReportFormat::Html => Part::Html,
        };
        let context =
            serde_json::to_value(data).map_err(|e| ObligationError::Render(e.to_string()))?;
        self.compiled
            .render_part(NoticeKind::RegulatorReport, REPORT_LOCALE, part, &context)
            .map(|(body, _)| body)
            .map_err(|e| ObligationError::Render(e.to_string()))
    }
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Report {
    pub format: ReportFormat,
    pub body: String,
}

#[derive(Serialize)]
pub(super) struct ReportData {
    /// The templates' locale, for `{{date}}` and `{{list}}`.
    pub(super) locale: Locale,
    pub(super) generated_at: String,
    pub(super) rules_version: String,
    pub(super) jurisdiction: JurisdictionData,
    pub(super) incident: IncidentData,
    pub(super) people: String,
    pub(super) people_triggered: String,
    pub(super) records: String,
    pub(super) categories: Vec<CategoryData>,
    pub(super) consequences: Vec<&'static str>,
    pub(super) risk: Option<RiskData>,
    pub(super) measures: Vec<MeasureData>,
    pub(super) contact: Option<String>,
    pub(super) duties: Vec<DutyData>,
    pub(super) elements: Vec<ElementData>,
}

#[derive(Serialize)]
pub(super) struct JurisdictionData {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) citation: String,
    pub(super) recipient: String,
}

#[derive(Serialize)]
pub(super) struct IncidentData {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) severity: String,
    pub(super) status: String,
    pub(super) discovered_at: String,
    pub(super) occurred_from: Option<String>,
    pub(super) occurred_to: Option<String>,
}

#[derive(Serialize)]
pub(super) struct CategoryData {
    pub(super) key: &'static str,
    pub(super) words: &'static str,
    pub(super) people: String,
}

#[derive(Serialize)]
pub(super) struct RiskData {
    pub(super) likelihood: String,
    pub(super) notes: String,
    pub(super) decided_at: String,
}

#[derive(Serialize)]
pub(super) struct MeasureData {
    pub(super) at: String,
    pub(super) text: String,
}

#[derive(Serialize)]
pub(super) struct DutyData {
    pub(super) key: String,
    pub(super) recipient_name: String,
    pub(super) status: String,
    pub(super) due_at: Option<String>,
    pub(super) due_text: String,
    pub(super) basis: String,
    pub(super) done_at: Option<String>,
    pub(super) reference: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ElementData {
    pub(super) key: String,
    pub(super) text: String,
}

/// `1234567` → `1,234,567`.
pub(super) fn thousands_of(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A report's data for an invented incident, to check the templates with
/// (`candor notice lint`, tests).
pub(super) fn sample(locale: Locale) -> ReportData {
    ReportData {
        locale,
        generated_at: "2026-11-20T10:00:00Z".to_owned(),
        rules_version: "2026.11.1+abc".to_owned(),
        jurisdiction: JurisdictionData {
            code: "EU".to_owned(),
            name: "European Union".to_owned(),
            citation: "GDPR Art. 33".to_owned(),
            recipient: "the supervisory authority".to_owned(),
        },
        incident: IncidentData {
            id: Uuid::nil(),
            title: "Export <left> on a drive".to_owned(),
            summary: String::new(),
            severity: "high".to_owned(),
            status: "investigating".to_owned(),
            discovered_at: "2026-11-19T14:30:00Z".to_owned(),
            occurred_from: None,
            occurred_to: Some("2026-11-18T00:00:00Z".to_owned()),
        },
        people: "1 person in the EU".to_owned(),
        people_triggered: "1".to_owned(),
        records: "2".to_owned(),
        categories: vec![CategoryData {
            key: "ssn",
            words: "your Social Security number",
            people: "1".to_owned(),
        }],
        consequences: vec!["Identity theft."],
        risk: None,
        measures: vec![MeasureData {
            at: "2026-11-19T16:00:00Z".to_owned(),
            text: "Revoked the key.".to_owned(),
        }],
        contact: None,
        duties: vec![DutyData {
            key: "EU/supervisory_authority".to_owned(),
            recipient_name: "the supervisory authority".to_owned(),
            status: "open".to_owned(),
            due_at: Some("2026-11-22T14:30:00Z".to_owned()),
            due_text: "72 hours".to_owned(),
            basis: "Art. 33(1)".to_owned(),
            done_at: None,
            reference: None,
        }],
        elements: vec![ElementData {
            key: "nature".to_owned(),
            text: "The nature of the breach.".to_owned(),
        }],
    }
}

/// The sample report as the templates see it.
pub fn sample_context(locale: Locale) -> serde_json::Value {
    serde_json::to_value(sample(locale)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> ReportTemplates {
        ReportTemplates::load().unwrap_or_else(|problems| panic!("{problems}"))
    }

    #[test]
    fn the_report_renders_as_markdown_and_as_escaped_html() {
        let templates = templates();
        let data = sample(REPORT_LOCALE);
        let markdown = templates
            .render(ReportFormat::Markdown, &data)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(markdown.contains("Export <left> on a drive"), "{markdown}");
        assert!(
            markdown.contains("`EU/supervisory_authority`"),
            "{markdown}"
        );
        assert!(!markdown.contains("\n\n\n"), "{markdown}");
        let html = templates
            .render(ReportFormat::Html, &data)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(html.contains("Export &lt;left&gt; on a drive"), "{html}");
    }

    #[test]
    fn every_locale_renders_the_report_with_its_data_and_a_one_line_subject() {
        let templates = templates();
        for locale in Locale::ALL {
            let context = serde_json::to_value(sample(*locale)).unwrap_or_else(|e| panic!("{e}"));
            let rendered = templates
                .compiled
                .render(NoticeKind::RegulatorReport, *locale, &context)
                .unwrap_or_else(|e| panic!("{locale}: {e}"));
            assert!(
                rendered.subject.contains("Export <left> on a drive"),
                "{locale}: {}",
                rendered.subject
            );
            assert!(!rendered.subject.contains('\n'));
            assert!(
                rendered.text.contains("Art. 33(1)"),
                "{locale}: {}",
                rendered.text
            );
            assert!(
                rendered.html.contains("Art. 33(1)"),
                "{locale}: {}",
                rendered.html
            );
        }
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands_of(0), "0");
        assert_eq!(thousands_of(999), "999");
        assert_eq!(thousands_of(1_234_567), "1,234,567");
    }
}
