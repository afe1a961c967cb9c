//! Where a duty stands, from the engine's verdict, its tracking record and the time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::rules::Duty;

/// Where a duty stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    /// Required, due later.
    Pending,
    /// Marked done.
    Done,
    /// Required, its due time has passed and it is not done.
    Overdue,
    /// The law does not require it for this population (yet).
    NotRequired,
    /// Required, but its due time is not known: the law sets none ("without unreasonable
    /// delay") or the event it counts from is not recorded yet.
    Waiting,
}

impl DutyStatus {
    /// The key used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DutyStatus::Pending => "pending",
            DutyStatus::Done => "done",
            DutyStatus::Overdue => "overdue",
            DutyStatus::NotRequired => "not_required",
            DutyStatus::Waiting => "waiting",
        }
    }
}

/// The status of `duty` at `now`; `done` says whether it was marked done.
pub fn duty_status(duty: &Duty, done: bool, now: DateTime<Utc>) -> DutyStatus {
    if done {
        return DutyStatus::Done;
    }
    if !duty.required {
        return DutyStatus::NotRequired;
    }
    match duty.due_at {
        None => DutyStatus::Waiting,
        Some(due) if due < now => DutyStatus::Overdue,
        Some(_) => DutyStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Recipient;
    use chrono::TimeZone;

    fn duty(required: bool, due_at: Option<DateTime<Utc>>) -> Duty {
        Duty {
            key: "EU/regulator".into(),
            jurisdiction: "EU".into(),
            recipient: Recipient::Regulator,
            recipient_name: "a supervisory authority".into(),
            required,
            due_at,
            due_text: String::new(),
            waiting_for: None,
            people: 1,
            basis: String::new(),
        }
    }

    #[test]
    fn each_status_follows_from_the_verdict_the_record_and_the_time() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let hour = chrono::Duration::hours(1);
        assert_eq!(
            duty_status(&duty(true, Some(now + hour)), false, now),
            DutyStatus::Pending
        );
        assert_eq!(
            duty_status(&duty(true, Some(now - hour)), false, now),
            DutyStatus::Overdue
        );
        assert_eq!(
            duty_status(&duty(true, Some(now)), false, now),
            DutyStatus::Pending
        );
        assert_eq!(
            duty_status(&duty(true, Some(now - hour)), true, now),
            DutyStatus::Done
        );
        assert_eq!(
            duty_status(&duty(false, None), false, now),
            DutyStatus::NotRequired
        );
        assert_eq!(
            duty_status(&duty(true, None), false, now),
            DutyStatus::Waiting
        );
    }
}
