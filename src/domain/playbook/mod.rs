//! Playbooks as pure types and rules: a definition (steps with owners, due times, tasks,
//! gates and actions), and the engine that decides, from a definition, a run's state, an
//! event and the time, what happens next. Nothing here reads files or touches a database.

pub mod definition;
pub mod engine;
pub mod state;

pub use definition::{
    Action, Anchor, AppliesWhen, Due, Escalation, IncidentKind, Playbook, Step, StepKind,
};
pub use engine::{Decision, Effect, Event, Refusal, backoff, decide};
pub use state::{Facts, RunState, StepState, StepStatus, Threshold, blocking, due_at};
