//! The regulator report draft: the facts a supervisory authority asks for (nature of the
//! breach, categories and approximate numbers of people and records, likely consequences,
//! measures taken, contact point) and the duties under one law, rendered from
//! `notice-templates/regulator-report/en/` as Markdown (the text part) or HTML.

mod templates;

pub use templates::{Report, ReportFormat, ReportTemplates, sample_context};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::{Computed, ObligationConfig, ObligationError, compute, duty_status};
use crate::domain::audit::Actor;
use crate::domain::{DataCategory, Incident, TimelineKind};
use crate::rules::{Group, JurisdictionResult, Recipient};
use crate::store;
use templates::{
    CategoryData, DutyData, ElementData, IncidentData, JurisdictionData, MeasureData, ReportData,
    RiskData, stamp, thousands_of,
};

/// Which report to draft.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub incident_id: Uuid,
    /// The law's code in the rules pack (`EU`, `GB`, `US-CA`).
    pub jurisdiction: String,
    pub format: ReportFormat,
}

/// Drafts the report to a jurisdiction's authority for an incident.
pub async fn regulator_report(
    db: &DatabaseConnection,
    config: &ObligationConfig,
    templates: &ReportTemplates,
    actor: Actor,
    request: ReportRequest,
    now: DateTime<Utc>,
) -> Result<Report, ObligationError> {
    let Some(rules) = config.pack.jurisdiction(&request.jurisdiction) else {
        return Err(ObligationError::UnknownJurisdiction(request.jurisdiction));
    };
    let computed = compute(db, config, actor, request.incident_id, now).await?;
    let Some(result) = computed.jurisdictions.iter().find(|j| j.code == rules.code) else {
        return Err(ObligationError::JurisdictionNotApplicable(
            rules.code.clone(),
        ));
    };
    let covered: Vec<&Group> = computed
        .population
        .iter()
        .filter(|g| rules.covers.includes(&g.jurisdiction, g.in_eu))
        .collect();
    let records: i64 = store::population::records_by_place(db, computed.mapping_id)
        .await?
        .into_iter()
        .filter(|(place, in_eu, _)| rules.covers.includes(place, *in_eu))
        .map(|(_, _, n)| n)
        .sum();
    let measures = store::timeline::list_for_incident(db, request.incident_id)
        .await?
        .into_iter()
        .filter(|e| e.kind == TimelineKind::Action)
        .map(|e| MeasureData {
            at: stamp(e.at),
            text: e.text,
        })
        .collect();
    let data = ReportData {
        locale: templates::REPORT_LOCALE,
        generated_at: stamp(now),
        rules_version: computed.rules_version.clone(),
        jurisdiction: JurisdictionData {
            code: rules.code.clone(),
            name: rules.name.clone(),
            citation: rules.citation.clone(),
            recipient: authority(result),
        },
        incident: incident_data(&computed.incident),
        people: rules.covers.people(result.people_covered),
        people_triggered: thousands_of(result.people_triggered),
        records: thousands_of(records),
        categories: categories(&covered),
        consequences: consequences(&covered),
        risk: computed.risk.as_ref().map(|r| RiskData {
            likelihood: r.likelihood.to_string(),
            notes: r.notes.clone(),
            decided_at: stamp(r.decided_at),
        }),
        measures,
        contact: Some(config.contact.trim().to_owned()).filter(|c| !c.is_empty()),
        duties: duties(result, &computed, now),
        elements: rules
            .regulator_notice_elements
            .iter()
            .map(|e| ElementData {
                key: e.key.clone(),
                text: e.text.clone(),
            })
            .collect(),
    };
    Ok(Report {
        format: request.format,
        body: templates.render(request.format, &data)?,
    })
}

/// Who the report is addressed to: the law's regulator duty, if it has one.
fn authority(result: &JurisdictionResult) -> String {
    result
        .duties
        .iter()
        .find(|d| d.recipient == Recipient::Regulator)
        .map_or_else(
            || "the supervisory authority".to_owned(),
            |d| d.recipient_name.clone(),
        )
}

fn incident_data(incident: &Incident) -> IncidentData {
    IncidentData {
        id: incident.id,
        title: incident.title.clone(),
        summary: incident.summary.clone(),
        severity: incident.severity.to_string(),
        status: incident.status.to_string(),
        discovered_at: stamp(incident.discovered_at),
        occurred_from: incident.occurred_from.map(stamp),
        occurred_to: incident.occurred_to.map(stamp),
    }
}

/// Each exposed category in plain words, with how many covered people it concerns.
fn categories(covered: &[&Group]) -> Vec<CategoryData> {
    DataCategory::ALL
        .iter()
        .filter_map(|c| {
            let people: i64 = covered
                .iter()
                .filter(|g| g.exposed.contains(*c))
                .map(|g| g.people)
                .sum();
            (people > 0).then(|| CategoryData {
                key: c.as_str(),
                words: c.plain_words(),
                people: thousands_of(people),
            })
        })
        .collect()
}

/// The likely consequences of the categories exposed, each said once.
fn consequences(covered: &[&Group]) -> Vec<&'static str> {
    let mut lines: Vec<&'static str> = Vec::new();
    for c in DataCategory::ALL {
        let line = consequence(*c);
        if covered.iter().any(|g| g.exposed.contains(*c)) && !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

/// The law's duties with where they stand.
fn duties(result: &JurisdictionResult, computed: &Computed, now: DateTime<Utc>) -> Vec<DutyData> {
    result
        .duties
        .iter()
        .map(|d| {
            let done = computed.done.get(&d.key);
            DutyData {
                key: d.key.clone(),
                recipient_name: d.recipient_name.clone(),
                status: duty_status(d, done.is_some(), now).as_str().to_owned(),
                due_at: d.due_at.map(stamp),
                due_text: d.due_text.clone(),
                basis: d.basis.clone(),
                done_at: done.map(|r| stamp(r.done_at)),
                reference: done.map(|r| r.reference.clone()),
            }
        })
        .collect()
}

/// What exposure of a category can lead to, in plain words.
fn consequence(category: DataCategory) -> &'static str {
    use DataCategory::*;
    match category {
        Name | Email | Phone | PostalAddress | DateOfBirth | IpAddress | Geolocation
        | PurchaseHistory => {
            "Targeted phishing, scam calls or letters that use the exposed contact and profile details."
        }
        Ssn | TaxId | DriversLicense | Passport | MilitaryId | StudentId | GovernmentId => {
            "Identity theft: new accounts or credit opened in the person's name."
        }
        FinancialAccount | PaymentCard => "Fraudulent charges or withdrawals.",
        AccessCode | AccountCredentials | SecurityQa | PrivateKey => {
            "Takeover of accounts until the credentials are changed."
        }
        Health | HealthInsurance | Genetic => {
            "Disclosure of sensitive health information, distress, discrimination or insurance fraud."
        }
        Biometric => "Misuse of biometric data, which cannot be changed.",
    }
}
