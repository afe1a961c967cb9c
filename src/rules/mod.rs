//! The jurisdiction rules pack and the obligations engine.
//!
//! The pack (`playbooks/jurisdictions/*.toml`, embedded in the binary by default) says, per
//! law, whom it covers, which data triggers it, what the encryption safe harbor and a
//! recorded risk assessment remove, and which duties follow, with thresholds and deadlines.
//! [`evaluate`] applies it to an incident's affected population: pure, no database, no I/O.
//! Not legal advice: see `playbooks/jurisdictions/README.md`.

mod basis;
pub mod deadline;
mod embedded;
mod evaluate;
mod model;
mod pack;
mod problem;
mod raw;
mod validate;
mod vocab;

#[cfg(test)]
mod tests;

pub use evaluate::{Duty, Facts, Group, JurisdictionResult, TriggerMatch, evaluate};
pub use model::{
    Coverage, Deadline, DutyRule, Jurisdiction, NoticeElement, Period, RiskOfHarm, SafeHarbor,
    Selector, Threshold,
};
pub use pack::{PACK_FILE, Pack, PackVersion};
pub use problem::{PackErrors, Problem};
pub use vocab::{
    ANY_PERSONAL_DATA, Anchor, Operator, Recipient, RiskLikelihood, ThresholdScope, Trigger,
    Verification,
};
