//! An incident's facts as a form: the fields the incident use-cases take (title, summary,
//! severity, kind, when it was discovered, when it happened, who leads it), read from what was
//! posted, checked for shape only (a date that is not a date, a choice not offered), and shown
//! again with each field's value and its reason when refused. The use-cases check the rules.
//! Used by the "New incident" page and by the room's header.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::incident::FieldProblem;
use crate::domain::{Incident, IncidentKind, Severity, StaffUser};

/// The facts form as posted: every field as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct FactsForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub discovered_at: String,
    #[serde(default)]
    pub occurred_from: String,
    #[serde(default)]
    pub occurred_to: String,
    /// A user id, or empty for nobody.
    #[serde(default)]
    pub commander: String,
    /// The version the person read (the header's form only).
    pub version: Option<i32>,
}

/// The facts parsed into the use-cases' types.
#[derive(Debug, Clone)]
pub(super) struct Facts {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub kind: IncidentKind,
    pub discovered_at: DateTime<Utc>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub commander_id: Option<Uuid>,
}

/// Each refused field's reason, by the form's field name.
pub(super) type Reasons = BTreeMap<&'static str, String>;

/// A time as a form field shows it: `2026-11-19T14:30` (UTC), seconds kept when there are any.
fn field_time(at: DateTime<Utc>) -> String {
    if at.timestamp() % 60 == 0 {
        at.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// Reads a time typed in UTC: `2026-11-19T14:30`, with seconds, with a zone, or a day alone
/// (midnight).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

const NOT_A_TIME: &str = "is not a date and time; write it as 2026-11-19T14:30 (UTC)";

impl FactsForm {
    /// The form filled with an incident's facts.
    pub fn of(incident: &Incident) -> FactsForm {
        FactsForm {
            csrf: None,
            title: incident.title.clone(),
            summary: incident.summary.clone(),
            severity: incident.severity.as_str().to_owned(),
            kind: incident.kind.as_str().to_owned(),
            discovered_at: field_time(incident.discovered_at),
            occurred_from: incident.occurred_from.map(field_time).unwrap_or_default(),
            occurred_to: incident.occurred_to.map(field_time).unwrap_or_default(),
            commander: incident
                .commander_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            version: Some(incident.version),
        }
    }

    /// The facts, or each malformed field's reason (the rules themselves are the use-case's).
    pub fn parse(&self) -> Result<Facts, Reasons> {
        let mut reasons = Reasons::new();
        let severity = self.severity.parse::<Severity>().ok();
        if severity.is_none() {
            reasons.insert("severity", "choose how bad it is".into());
        }
        let kind = self.kind.parse::<IncidentKind>().ok();
        if kind.is_none() {
            reasons.insert("kind", "choose what sort of incident it is".into());
        }
        let discovered_at = if self.discovered_at.trim().is_empty() {
            reasons.insert(
                "discovered_at",
                "say when the company became aware; legal clocks start here".into(),
            );
            None
        } else {
            let at = parse_time(&self.discovered_at);
            if at.is_none() {
                reasons.insert("discovered_at", NOT_A_TIME.into());
            }
            at
        };
        let mut optional = |field: &'static str, text: &str| {
            if text.trim().is_empty() {
                return None;
            }
            let at = parse_time(text);
            if at.is_none() {
                reasons.insert(field, NOT_A_TIME.into());
            }
            at
        };
        let occurred_from = optional("occurred_from", &self.occurred_from);
        let occurred_to = optional("occurred_to", &self.occurred_to);
        let commander_id = match self.commander.trim() {
            "" => None,
            id => match id.parse::<Uuid>() {
                Ok(id) => Some(id),
                Err(_) => {
                    reasons.insert("commander", "choose someone from the list".into());
                    None
                }
            },
        };
        match (severity, kind, discovered_at) {
            (Some(severity), Some(kind), Some(discovered_at)) if reasons.is_empty() => Ok(Facts {
                title: self.title.clone(),
                summary: self.summary.clone(),
                severity,
                kind,
                discovered_at,
                occurred_from,
                occurred_to,
                commander_id,
            }),
            _ => Err(reasons),
        }
    }
}

/// A use-case's field problems by the form's field names.
pub(super) fn reasons_of(problems: &[FieldProblem]) -> Reasons {
    let mut reasons = Reasons::new();
    for problem in problems {
        let field = match problem.field {
            "commander_id" => "commander",
            f @ ("title" | "summary" | "severity" | "kind" | "discovered_at" | "occurred_from"
            | "occurred_to") => f,
            _ => "form",
        };
        let message = problem
            .message
            .replace("occurred_from", "\"happened from\"");
        reasons
            .entry(field)
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
    reasons
}

/// The refusal in one sentence, naming each field in the form's words.
pub(super) fn summary_of(reasons: &Reasons) -> String {
    let words = |field: &str| match field {
        "title" => "Title",
        "summary" => "Summary",
        "severity" => "Severity",
        "kind" => "Kind",
        "discovered_at" => "Discovered",
        "occurred_from" => "Happened from",
        "occurred_to" => "Happened until",
        "commander" => "Commander",
        _ => "The form",
    };
    let parts: Vec<String> = reasons
        .iter()
        .map(|(field, why)| format!("{}: {why}.", words(field)))
        .collect();
    format!("Nothing was saved. {}", parts.join(" "))
}

/// The form's fields as the templates show them: each value as typed, its reason when
/// refused, and the choices (severity, kind, active staff as commander) with the typed one
/// selected.
pub(super) fn view(form: &FactsForm, reasons: &Reasons, staff: &[StaffUser]) -> Value {
    let field =
        |name: &'static str, value: &str| json!({ "value": value, "error": reasons.get(name) });
    let severities: Vec<Value> = Severity::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "selected": form.severity == s.as_str() }))
        .collect();
    let kinds: Vec<Value> = IncidentKind::ALL
        .iter()
        .map(|k| {
            json!({
                "value": k.as_str(),
                "label": k.as_str().replace('_', " "),
                "selected": form.kind == k.as_str(),
            })
        })
        .collect();
    let commanders: Vec<Value> = staff
        .iter()
        .filter(|u| u.is_active() || form.commander == u.id.to_string())
        .map(|u| {
            let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
            json!({
                "value": u.id,
                "label": format!("{} ({})", u.email.as_str(), roles.join(", ")),
                "selected": form.commander == u.id.to_string(),
            })
        })
        .collect();
    json!({
        "title": field("title", &form.title),
        "summary": field("summary", &form.summary),
        "severity": { "options": severities, "error": reasons.get("severity") },
        "kind": { "options": kinds, "error": reasons.get("kind") },
        "discovered_at": field("discovered_at", &form.discovered_at),
        "occurred_from": field("occurred_from", &form.occurred_from),
        "occurred_to": field("occurred_to", &form.occurred_to),
        "commander": { "options": commanders, "error": reasons.get("commander") },
        "version": form.version,
        "has_errors": !reasons.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_read_in_utc_in_the_shapes_people_type() {
        let at = Utc.with_ymd_and_hms(2026, 11, 19, 14, 30, 0).unwrap();
        assert_eq!(parse_time("2026-11-19T14:30"), Some(at));
        assert_eq!(parse_time(" 2026-11-19 14:30 "), Some(at));
        assert_eq!(parse_time("2026-11-19T15:30:00+01:00"), Some(at));
        assert_eq!(
            parse_time("2026-11-19"),
            Some(Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(field_time(at), "2026-11-19T14:30");
    }

    #[test]
    fn malformed_fields_are_each_named_and_the_use_case_s_fields_keep_the_form_s_names() {
        let form = FactsForm {
            severity: "severe".into(),
            kind: "data_breach".into(),
            discovered_at: "soon".into(),
            commander: "nobody".into(),
            ..FactsForm::default()
        };
        let reasons = form.parse().unwrap_err();
        let fields: Vec<_> = reasons.keys().copied().collect();
        assert_eq!(fields, ["commander", "discovered_at", "severity"]);
        let problems = [FieldProblem::new(
            "commander_id",
            "must be the id of an active user",
        )];
        assert_eq!(
            summary_of(&reasons_of(&problems)),
            "Nothing was saved. Commander: must be the id of an active user."
        );
    }
}
