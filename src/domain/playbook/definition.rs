//! A playbook definition, as validated from its file (`playbooks/*.toml`): who it applies to,
//! and its ordered steps. A step is a task for a person, a gate a role approves (optionally
//! deciding a yes/no question later steps depend on), or an action Candor performs. It becomes
//! ready when the steps it needs are done, and due at a time relative to the incident's
//! discovery, the run's start, another step's completion or a legal duty's due time.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::domain::incident::IncidentKind;
use crate::domain::notice::NoticeKind;
use crate::domain::{DataCategory, Role, Severity};

/// One validated playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    /// Stable, kebab-case: `customer-data-breach`.
    pub id: String,
    pub name: String,
    /// Raised with every change; a run keeps the version it started with.
    pub version: u32,
    /// What it is for, in a sentence or two.
    pub summary: String,
    pub applies_when: AppliesWhen,
    pub escalation: Escalation,
    /// In the file's order (the order they are shown).
    pub steps: Vec<Step>,
}

/// Which incidents a playbook attaches to by itself. Every condition given must hold; a
/// playbook with none attaches only when asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppliesWhen {
    pub severity_at_least: Option<Severity>,
    /// The incident is one of these kinds (empty: any kind).
    pub kinds: Vec<IncidentKind>,
    /// The scope exposes at least one of these (empty: no condition).
    pub categories_any: Vec<DataCategory>,
    /// The scope exposes all of these (empty: no condition).
    pub categories_all: Vec<DataCategory>,
}

/// Whom an overdue step is escalated to, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    /// An overdue step goes to its owner (the assignee, else everyone holding the role) as
    /// soon as it is overdue, and to the incident's commander this long after.
    pub to_commander_after: Duration,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            to_commander_after: Duration::hours(4),
        }
    }
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Unique in the playbook, kebab-case.
    pub id: String,
    pub title: String,
    /// The role that owns it: who does a task, approves a gate, answers for an action.
    pub owner: Role,
    /// Steps that must be done (or skipped) before this one is ready.
    pub needs: Vec<String>,
    /// When it is due; `None`: no deadline of its own.
    pub due: Option<Due>,
    /// Run the step only when a gate decided this question yes (`Some((q, true))`) or no.
    /// A step whose condition is not met is skipped, which counts as done for `needs`.
    pub condition: Option<(String, bool)>,
    pub kind: StepKind,
}

/// When a step is due: an anchor moved by an offset (negative: before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub anchor: Anchor,
    pub offset: Duration,
}

/// What a due time is measured from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "from", content = "ref")]
pub enum Anchor {
    /// The incident's `discovered_at`.
    Discovered,
    /// When the run started (the playbook was attached).
    Started,
    /// When another step of the playbook was done.
    Step(String),
    /// The earliest due time of the incident's required duties to this recipient
    /// (`individuals`, `regulator`, `attorney_general`, …).
    Duty(String),
}

/// What a step is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// A checklist item for a person of the owning role, completed by them with a note.
    Task { checklist: Vec<String> },
    /// An approval by someone holding `role`; with `decides`, the approval answers that
    /// yes/no question (later steps' `condition`).
    Gate { role: Role, decides: Option<String> },
    /// Something Candor does itself when the step is reached.
    Action(Action),
}

/// What Candor can do when a step is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start the mapping of affected people from the incident's scope.
    MapAffected,
    /// Compute the incident's legal obligations from the latest mapping.
    ComputeObligations,
    /// Send the incident's approved notice of this kind.
    SendNotice(NoticeKind),
    /// Draft the regulator report(s) and open a task to file each one.
    NotifyRegulator,
    /// One task per person of this tier (`vip`) for their account manager.
    PersonalOutreach { tier: String },
    /// Set the survey's schedule: invitations this long after delivery, one reminder this
    /// long after the invitation (none when `None`).
    ScheduleSurvey {
        after: Duration,
        reminder_after: Option<Duration>,
    },
    /// Send the incident's approved update notice that has not gone out yet.
    PostUpdate,
    /// Move the incident to `closed`.
    CloseIncident,
    /// Attach another playbook to the incident (a ransomware assessment that finds data was
    /// taken starts the breach playbook).
    StartPlaybook(String),
}

impl Action {
    /// The action's key in playbook files.
    pub fn key(&self) -> &'static str {
        match self {
            Action::MapAffected => "map_affected",
            Action::ComputeObligations => "compute_obligations",
            Action::SendNotice(_) => "send_notice",
            Action::NotifyRegulator => "notify_regulator",
            Action::PersonalOutreach { .. } => "personal_outreach",
            Action::ScheduleSurvey { .. } => "schedule_survey",
            Action::PostUpdate => "post_update",
            Action::CloseIncident => "close_incident",
            Action::StartPlaybook(_) => "start_playbook",
        }
    }
}

impl Playbook {
    /// A step by id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}
