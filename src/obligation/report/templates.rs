//! The report templates (`notice-templates/regulator-report/`), compiled once in strict
//! mode, and the data they are rendered with.

use chrono::{DateTime, SecondsFormat, Utc};
use handlebars::Handlebars;
use serde::Serialize;
use uuid::Uuid;

use crate::obligation::ObligationError;

const MARKDOWN: &str = include_str!("../../../notice-templates/regulator-report/report.md.hbs");
const HTML: &str = include_str!("../../../notice-templates/regulator-report/report.html.hbs");

/// Which rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
}

/// The report templates, compiled once at startup in strict mode: Markdown as written, HTML
/// with every value escaped.
#[derive(Clone)]
pub struct ReportTemplates {
    markdown: std::sync::Arc<Handlebars<'static>>,
    html: std::sync::Arc<Handlebars<'static>>,
}

impl ReportTemplates {
    /// Compiles the shipped templates; fails naming the template.
    pub fn load() -> Result<ReportTemplates, handlebars::TemplateError> {
        let mut markdown = Handlebars::new();
        markdown.set_strict_mode(true);
        markdown.register_escape_fn(handlebars::no_escape);
        markdown.register_template_string("report.md", MARKDOWN)?;
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_template_string("report.html", HTML)?;
        Ok(ReportTemplates {
            markdown: std::sync::Arc::new(markdown),
            html: std::sync::Arc::new(html),
        })
    }

    pub(super) fn render(
        &self,
        format: ReportFormat,
        data: &ReportData,
    ) -> Result<String, ObligationError> {
        let rendered = match format {
            ReportFormat::Markdown => self.markdown.render("report.md", data),
            ReportFormat::Html => self.html.render("report.html", data),
        };
        rendered.map_err(|e| ObligationError::Render(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_report_templates_compile_in_strict_mode() {
        ReportTemplates::load().expect("templates compile");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands_of(0), "0");
        assert_eq!(thousands_of(999), "999");
        assert_eq!(thousands_of(1_234_567), "1,234,567");
    }
}
