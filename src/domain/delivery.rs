//! Delivery: where each message stands, a campaign's state, how long a failed message waits
//! before its next try, and when a campaign has failed often enough to pause itself.

use std::collections::VecDeque;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::keyed::keyed_enum;

keyed_enum! {
    /// Where one outbox row stands.
    DeliveryStatus, "delivery status" {
        /// Waiting for a CX lead to release the campaign after its canary.
        Held => "held",
        /// Due now (or at its next attempt time).
        Pending => "pending",
        /// Claimed by a worker under a lease; an expired lease is claimed again.
        Sending => "sending",
        /// Failed for a reason that may pass; due again at its next attempt time.
        Retrying => "retrying",
        /// Taken by the relay (or written to the file or postal outbox).
        Sent => "sent",
        /// Will not be sent: refused for good, or out of attempts.
        Failed => "failed",
        /// Sent, then reported undeliverable by the receiving side.
        Bounced => "bounced",
    }
}

keyed_enum! {
    /// Whether workers send a campaign's messages.
    CampaignState, "campaign state" {
        Running => "running",
        /// Paused by a person or by the failure-rate guard; resumed by a CX lead.
        Paused => "paused",
    }
}

/// How long a message that failed for a passing reason waits, and when to give up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the first failure; each further failure doubles it.
    pub base: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// Attempts in all (the first send included); the last failure is final.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::seconds(60),
            max_delay: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again after this long.
    After(Duration),
    /// Out of attempts.
    GiveUp,
}

impl RetryPolicy {
    /// After `attempts` attempts (1 = the first send failed): exponential backoff with "equal
    /// jitter" — half the wait is fixed, half is spread by `jitter` (0.0 to 1.0), so a burst of
    /// failures does not come back as one burst.
    pub fn after_failure(&self, attempts: u32, jitter: f64) -> Retry {
        if attempts >= self.max_attempts {
            return Retry::GiveUp;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let full = self
            .base
            .checked_mul(1_i32 << doublings)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let millis = full.num_milliseconds() as f64;
        let jitter = jitter.clamp(0.0, 1.0);
        Retry::After(Duration::milliseconds(
            (millis * (0.5 + jitter / 2.0)) as i64,
        ))
    }
}

/// The last outcomes of a campaign seen by one worker: when too many failed, the campaign
/// pauses itself rather than burn through its audience against a broken relay.
#[derive(Debug, Clone)]
pub struct FailureWindow {
    size: usize,
    min_sample: usize,
    threshold: f64,
    outcomes: VecDeque<bool>,
    failures: usize,
}

/// The failure rate that tripped a [`FailureWindow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tripped {
    pub failed: usize,
    pub of: usize,
}

impl FailureWindow {
    /// Looks at the last `size` outcomes; trips when at least `min_sample` were seen and more
    /// than `threshold` (0.0 to 1.0) of them failed. A threshold of 1.0 or more never trips.
    pub fn new(size: usize, min_sample: usize, threshold: f64) -> Self {
        let size = size.max(1);
        FailureWindow {
            size,
            min_sample: min_sample.clamp(1, size),
            threshold,
            outcomes: VecDeque::with_capacity(size),
            failures: 0,
        }
    }

    /// Records one outcome; returns the rate when it passes the threshold.
    pub fn record(&mut self, failed: bool) -> Option<Tripped> {
        if self.outcomes.len() == self.size && self.outcomes.pop_front() == Some(true) {
            self.failures -= 1;
        }
        self.outcomes.push_back(failed);
        if failed {
            self.failures += 1;
        }
        let seen = self.outcomes.len();
        let tripped = seen >= self.min_sample
            && self.threshold < 1.0
            && self.failures as f64 > self.threshold * seen as f64;
        tripped.then_some(Tripped {
            failed: self.failures,
            of: seen,
        })
    }

    /// Forgets what was seen (after a resume).
    pub fn clear(&mut self) {
        self.outcomes.clear();
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::seconds(10),
            max_delay: Duration::seconds(100),
            max_attempts: 5,
        }
    }

    #[test]
    fn each_failure_doubles_the_wait_up_to_the_limit() {
        let p = policy();
        let waits: Vec<Retry> = (1..=4).map(|n| p.after_failure(n, 1.0)).collect();
        assert_eq!(
            waits,
            vec![
                Retry::After(Duration::seconds(10)),
                Retry::After(Duration::seconds(20)),
                Retry::After(Duration::seconds(40)),
                Retry::After(Duration::seconds(80)),
            ]
        );
        let long = RetryPolicy {
            max_attempts: 50,
            ..p
        };
        assert_eq!(
            long.after_failure(40, 1.0),
            Retry::After(Duration::seconds(100))
        );
    }

    #[test]
    fn jitter_spreads_the_wait_over_its_upper_half() {
        let p = policy();
        assert_eq!(p.after_failure(2, 0.0), Retry::After(Duration::seconds(10)));
        assert_eq!(
            p.after_failure(2, 0.5),
            Retry::After(Duration::milliseconds(15_000))
        );
        assert_eq!(p.after_failure(2, 7.0), Retry::After(Duration::seconds(20)));
    }

    #[test]
    fn the_last_attempt_gives_up() {
        let p = policy();
        assert_eq!(p.after_failure(5, 0.3), Retry::GiveUp);
        assert_eq!(p.after_failure(6, 0.3), Retry::GiveUp);
        assert!(matches!(p.after_failure(4, 0.3), Retry::After(_)));
    }

    #[test]
    fn a_window_trips_only_past_its_threshold_with_enough_seen() {
        let mut w = FailureWindow::new(10, 4, 0.5);
        assert_eq!(w.record(true), None, "one outcome is too few to judge");
        assert_eq!(w.record(true), None);
        assert_eq!(w.record(true), None);
        assert_eq!(w.record(true), Some(Tripped { failed: 4, of: 4 }));
        w.clear();
        for _ in 0..5 {
            assert_eq!(w.record(false), None);
        }
        for _ in 0..5 {
            assert_eq!(w.record(true), None, "half failed is not more than half");
        }
        assert_eq!(w.record(true), Some(Tripped { failed: 6, of: 10 }));
    }

    #[test]
    fn old_outcomes_leave_the_window() {
        let mut w = FailureWindow::new(4, 4, 0.5);
        for failed in [true, true, false, false] {
            assert_eq!(w.record(failed), None);
        }
        assert_eq!(w.record(false), None);
        assert_eq!(w.record(false), None, "both failures have left the window");
        assert_eq!(w.record(true), None);
        assert_eq!(w.record(true), None);
        assert_eq!(w.record(true), Some(Tripped { failed: 3, of: 4 }));
    }

    #[test]
    fn a_threshold_of_one_never_trips() {
        let mut w = FailureWindow::new(3, 1, 1.0);
        for _ in 0..10 {
            assert_eq!(w.record(true), None);
        }
    }
}
