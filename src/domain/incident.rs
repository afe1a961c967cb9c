//! An incident's severity, its lifecycle and the kinds of timeline entry, with the rules that
//! govern them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::keyed::UnknownKey;
use super::keyed::keyed_enum;

keyed_enum! {
    /// How bad the incident is believed to be.
    Severity, "severity" {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

keyed_enum! {
    /// What sort of incident it is; playbooks attach by kind.
    IncidentKind, "incident kind" {
        /// Personal data was exposed or taken.
        DataBreach => "data_breach",
        /// Passwords, keys or tokens leaked.
        CredentialExposure => "credential_exposure",
        /// A laptop, phone or drive was lost or stolen.
        LostDevice => "lost_device",
        /// Systems were encrypted or held for ransom.
        Ransomware => "ransomware",
        /// Anything else.
        Other => "other",
    }
}

keyed_enum! {
    /// Where an incident stands in its lifecycle.
    IncidentStatus, "incident status" {
        /// Opened; nobody has looked yet.
        Reported => "reported",
        /// Being investigated: scope and facts are being established.
        Investigating => "investigating",
        /// The exposure has stopped.
        Contained => "contained",
        /// People and authorities are being told.
        Notifying => "notifying",
        /// Notices are out; watching for misuse, answering questions, collecting feedback.
        Monitoring => "monitoring",
        /// Done. Can be reopened into investigation.
        Closed => "closed",
    }
}

keyed_enum! {
    /// What a timeline entry records.
    TimelineKind, "timeline kind" {
        /// A free note.
        Note => "note",
        /// Something someone did.
        Action => "action",
        /// A decision and its reason.
        Decision => "decision",
        /// Evidence gathered.
        Evidence => "evidence",
        /// A message to or from someone outside the response team.
        Communication => "communication",
        /// A lifecycle move; written by Candor itself, never by hand.
        StatusChange => "status_change",
        /// A legal duty due soon or overdue; written by Candor itself, never by hand.
        Alert => "alert",
    }
}

impl TimelineKind {
    /// Whether a person may write an entry of this kind directly.
    pub fn is_manual(self) -> bool {
        !matches!(self, TimelineKind::StatusChange | TimelineKind::Alert)
    }
}

impl IncidentStatus {
    /// The statuses an incident may move to from this one.
    ///
    /// The path runs forward one step at a time; an incident that needs no notice may go from
    /// contained straight to monitoring; one found not to be a breach may be closed while
    /// still reported or investigating; a closed incident can only be reopened into
    /// investigation.
    pub fn next_allowed(self) -> &'static [IncidentStatus] {
        use IncidentStatus::*;
        match self {
            Reported => &[Investigating, Closed],
            Investigating => &[Contained, Closed],
            Contained => &[Notifying, Monitoring],
            Notifying => &[Monitoring],
            Monitoring => &[Closed],
            Closed => &[Investigating],
        }
    }

    /// Checks a move, naming both states when it is not allowed.
    pub fn transition_to(self, to: IncidentStatus) -> Result<IncidentStatus, TransitionRefused> {
        if self.next_allowed().contains(&to) {
            Ok(to)
        } else {
            Err(TransitionRefused { from: self, to })
        }
    }
}

/// A lifecycle move that the rules do not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an incident cannot move from `{from}` to `{to}`")]
pub struct TransitionRefused {
    pub from: IncidentStatus,
    pub to: IncidentStatus,
}

/// The longest title an incident may have, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest summary or timeline text, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// A field of an incident that broke a rule, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Checks a title: present after trimming, and not too long.
pub fn check_title(title: &str, problems: &mut Vec<FieldProblem>) {
    let chars = title.trim().chars().count();
    if chars == 0 {
        problems.push(FieldProblem::new("title", "must not be empty"));
    } else if chars > MAX_TITLE_CHARS {
        problems.push(FieldProblem::new(
            "title",
            format!("must be at most {MAX_TITLE_CHARS} characters"),
        ));
    }
}

/// Checks a free-text field's length.
pub fn check_text(
    field: &'static str,
    text: &str,
    allow_empty: bool,
    problems: &mut Vec<FieldProblem>,
) {
    let chars = text.trim().chars().count();
    if chars == 0 && !allow_empty {
        problems.push(FieldProblem::new(field, "must not be empty"));
    } else if chars > MAX_TEXT_CHARS {
        problems.push(FieldProblem::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
}

/// Checks the time facts of an incident: the exposure window is ordered, and nothing is
/// claimed to have been discovered in the future.
pub fn check_times(
    discovered_at: DateTime<Utc>,
    occurred_from: Option<DateTime<Utc>>,
    occurred_to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    problems: &mut Vec<FieldProblem>,
) {
    // A few minutes of tolerance for clocks that disagree between a laptop and the server.
    let skew = chrono::Duration::minutes(5);
    if discovered_at > now + skew {
        problems.push(FieldProblem::new(
            "discovered_at",
            "must not be in the future",
        ));
    }
    if let (Some(from), Some(to)) = (occurred_from, occurred_to)
        && from > to
    {
        problems.push(FieldProblem::new(
            "occurred_to",
            "must not be before occurred_from",
        ));
    }
    if let Some(from) = occurred_from
        && from > now + skew
    {
        problems.push(FieldProblem::new(
            "occurred_from",
            "must not be in the future",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus::*;

    #[test]
    fn the_lifecycle_allows_exactly_the_documented_moves() {
        let allowed = [
            (Reported, Investigating),
            (Reported, Closed),
            (Investigating, Contained),
            (Investigating, Closed),
            (Contained, Notifying),
            (Contained, Monitoring),
            (Notifying, Monitoring),
            (Monitoring, Closed),
            (Closed, Investigating),
        ];
        for &from in IncidentStatus::ALL {
            for &to in IncidentStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.transition_to(to).is_ok(), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn a_refused_move_names_both_states() {
        let err = Reported.transition_to(Notifying).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an incident cannot move from `reported` to `notifying`"
        );
    }

    #[test]
    fn keys_round_trip_and_unknown_keys_are_named() {
        for &s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        }
        let err = "severe".parse::<Severity>().unwrap_err();
        assert_eq!(err.to_string(), "unknown severity `severe`");
        assert!(!TimelineKind::StatusChange.is_manual());
        assert!(!TimelineKind::Alert.is_manual());
        assert!(TimelineKind::Note.is_manual());
    }

    #[test]
    fn an_inverted_window_and_a_future_discovery_are_reported_per_field() {
        let now = Utc::now();
        let mut problems = Vec::new();
        check_times(
            now + chrono::Duration::days(1),
            Some(now),
            Some(now - chrono::Duration::days(2)),
            now,
            &mut problems,
        );
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["discovered_at", "occurred_to"]);
    }
}

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: uuid::Uuid,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    /// When the company became aware; legal clocks start here.
    pub discovered_at: DateTime<Utc>,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub commander_id: Option<uuid::Uuid>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped on every change; lets clients detect a concurrent edit.
    pub version: i32,
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub id: uuid::Uuid,
    pub incident_id: uuid::Uuid,
    /// When the thing happened (may be earlier than when it was written down).
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub text: String,
    pub author_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
}
